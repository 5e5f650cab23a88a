package beir

import (
	"math"
	"sort"
)

// Metrics are the ranking quality figures trec_eval reports, computed as
// ../shared/bench/peers/peers.py does so the two can be compared: every
// judged query counts (an unanswered one scores 0), gains are linear.
type Metrics struct {
	QueriesJudged int     `json:"queries_judged"`
	NDCG10        float64 `json:"ndcg@10"`
	MAP100        float64 `json:"map@100"`
	P10           float64 `json:"p@10"`
	Recall100     float64 `json:"recall@100"`
}

// Evaluate scores runs (query ID to document IDs, best first) against
// qrels. The means are rounded to four decimals, as peers.py prints them.
func Evaluate(runs map[string][]string, qrels Qrels) Metrics {
	var m Metrics
	var nd, ap, p10, r100 float64
	for qid, rel := range qrels {
		if len(rel) == 0 {
			continue
		}
		ranked := runs[qid]
		var dcg float64
		for i, d := range ranked[:min(10, len(ranked))] {
			dcg += float64(rel[d]) / math.Log2(float64(i+2))
		}
		ideal := make([]int, 0, len(rel))
		for _, g := range rel {
			ideal = append(ideal, g)
		}
		sort.Sort(sort.Reverse(sort.IntSlice(ideal)))
		var idcg float64
		for i, g := range ideal[:min(10, len(ideal))] {
			idcg += float64(g) / math.Log2(float64(i+2))
		}
		nd += dcg / idcg

		hits, s := 0, 0.0
		for i, d := range ranked[:min(100, len(ranked))] {
			if rel[d] > 0 {
				hits++
				s += float64(hits) / float64(i+1)
			}
		}
		ap += s / float64(len(rel))
		p10 += float64(countIn(ranked[:min(10, len(ranked))], rel)) / 10
		r100 += float64(countIn(ranked[:min(100, len(ranked))], rel)) / float64(len(rel))
		m.QueriesJudged++
	}
	if m.QueriesJudged == 0 {
		return m
	}
	n := float64(m.QueriesJudged)
	m.NDCG10 = round4(nd / n)
	m.MAP100 = round4(ap / n)
	m.P10 = round4(p10 / n)
	m.Recall100 = round4(r100 / n)
	return m
}

func countIn(ranked []string, rel map[string]int) int {
	n := 0
	for _, d := range ranked {
		if rel[d] > 0 {
			n++
		}
	}
	return n
}

// Percentile returns the p-quantile (0 ≤ p ≤ 1) of xs the way peers.py's
// pct does: the element at index ⌊len·p⌋ of the sorted values, capped at
// the last. It returns 0 for no values and does not modify xs.
func Percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

func round4(f float64) float64 { return math.Round(f*1e4) / 1e4 }
