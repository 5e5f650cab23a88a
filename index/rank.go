package index

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/blevesearch/bleve/v2"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// maxRankPassages caps the passages RankDocuments reads for one question.
const maxRankPassages = 1000

// DocScore is a document's score for a question.
type DocScore struct {
	Doc   string
	Score float64
}

// RankDocuments returns up to n documents for text, best first. The
// passages are searched exactly as for Search (same query, same ranking);
// a document's passage evidence is its best passage's score plus
// Ranking.RestShare of its other passages' scores. With Ranking.DocWeight
// above 0, the documents found are also scored as wholes (BM25 over all
// their passages' words, see docBM25) and the two scores, each divided by
// its largest value, are mixed: (1-DocWeight)·passage + DocWeight·document.
// It returns an error when the index can't be read or ctx ends.
func (ix *Index) RankDocuments(ctx context.Context, text string, n int) ([]DocScore, error) {
	if n <= 0 {
		return nil, nil
	}
	depth := min(max(n*ix.rank.PassagesPerDoc, n), maxRankPassages)
	var out []DocScore
	err := ix.withReader(func(r bleveindex.IndexReader) error {
		p, err := ix.plan(ctx, r, text)
		if err != nil || p == nil {
			return err
		}
		req := bleve.NewSearchRequestOptions(p.query, depth, 0, false)
		sr, err := ix.bleve.SearchInContext(p.ctx, req)
		if err != nil {
			return fmt.Errorf("search index: %w", err)
		}
		// Equal scores in ID order, so that sums run in one order in
		// every process.
		sort.SliceStable(sr.Hits, func(i, j int) bool {
			if sr.Hits[i].Score != sr.Hits[j].Score {
				return sr.Hits[i].Score > sr.Hits[j].Score
			}
			return sr.Hits[i].ID < sr.Hits[j].ID
		})
		at := map[string]int{}
		for _, h := range sr.Hits {
			// Passage IDs are "doc#ordinal": no stored field needs reading.
			doc, _, ok := splitPassageID(h.ID)
			if !ok {
				continue
			}
			if i, ok := at[doc]; ok {
				out[i].Score += ix.rank.RestShare * h.Score
				continue
			}
			at[doc] = len(out)
			out = append(out, DocScore{Doc: doc, Score: h.Score})
		}
		if ix.rank.DocWeight > 0 && len(out) > 0 {
			// Only the documents that can still make the top n are
			// read whole; the rest keep their passage order below them.
			sortDocScores(out)
			k := min(len(out), n)
			if err := ix.fuseDocScores(ctx, r, p, out[:k]); err != nil {
				return err
			}
			for i := k; i < len(out); i++ {
				out[i].Score = -1 / (1 + out[i].Score)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sortDocScores(out)
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}

// sortDocScores orders documents best first, equal scores by ID.
func sortDocScores(out []DocScore) {
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Doc < out[j].Doc
	})
}

// fuseDocScores mixes each document's passage score with its whole-document
// BM25 score, both divided by their largest value among the documents.
func (ix *Index) fuseDocScores(ctx context.Context, r bleveindex.IndexReader, p *queryPlan, docs []DocScore) error {
	ds, err := ix.docBM25(ctx, r, p.terms, docs)
	if err != nil {
		return err
	}
	var maxP, maxD float64
	for i := range docs {
		maxP = max(maxP, docs[i].Score)
		maxD = max(maxD, ds[i])
	}
	if maxP <= 0 || maxD <= 0 {
		return nil
	}
	w := ix.rank.DocWeight
	for i := range docs {
		docs[i].Score = (1-w)*docs[i].Score/maxP + w*ds[i]/maxD
	}
	return nil
}

// docBM25 scores each document as a whole: BM25 over the words of its
// title and all its passages (read from the index and analysed as at indexing), with the
// question's term counts, the passages' IDF (a passage-level proxy for the
// document-level one) at Ranking.IDFPower, and the average document length
// from the text field's total length over the number of documents.
func (ix *Index) docBM25(ctx context.Context, r bleveindex.IndexReader, terms []queryTerm, docs []DocScore) ([]float64, error) {
	n, err := r.DocCount()
	if err != nil {
		return nil, fmt.Errorf("count passages: %w", err)
	}
	ix.mu.RLock()
	nDocs := len(ix.docs)
	counts := make([]int, len(docs))
	titles := make([]string, len(docs))
	for i, d := range docs {
		m := ix.docs[d.Doc]
		counts[i], titles[i] = m.Passages, m.Title
	}
	ix.mu.RUnlock()
	avg := 0.0
	if br, ok := r.(bleveindex.BM25Reader); ok && nDocs > 0 {
		card, err := br.FieldCardinality(fieldText)
		if err != nil {
			return nil, fmt.Errorf("read field length: %w", err)
		}
		avg = float64(card) / float64(nDocs)
	}
	type qt struct {
		w     float64
		index int
	}
	want := map[string]qt{}
	for i, t := range terms {
		df, err := docFreq(ctx, r, fieldText, t.Key)
		if err != nil {
			return nil, err
		}
		if df == 0 {
			continue
		}
		w := math.Pow(idf(n, df), ix.idfPower())
		if t.question {
			w *= questionWordWeight
		}
		if ix.rank.QueryTermFreq {
			w *= float64(t.count)
		}
		want[t.Key] = qt{w, i}
		for _, v := range t.variants {
			if _, ok := want[v]; !ok {
				want[v] = qt{w * ix.rank.VariantBoost, i}
			}
		}
	}
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	k1, b := ix.bm.k1, ix.bm.b
	out := make([]float64, len(docs))
	tf := map[string]int{}
	for i, d := range docs {
		clear(tf)
		length := 0
		// The title counts as part of the document, as in a search over
		// one field holding both.
		for _, tok := range ix.textAn.Analyze([]byte(titles[i])) {
			length++
			if _, ok := want[string(tok.Term)]; ok {
				tf[string(tok.Term)]++
			}
		}
		for ord := range counts[i] {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			doc, err := r.Document(passageID(d.Doc, ord))
			if err != nil {
				return nil, fmt.Errorf("read passage %d of %s: %w", ord, d.Doc, err)
			}
			if doc == nil {
				continue
			}
			doc.VisitFields(func(f bleveindex.Field) {
				if f.Name() != fieldText {
					return
				}
				for _, tok := range ix.textAn.Analyze(f.Value()) {
					length++
					if _, ok := want[string(tok.Term)]; ok {
						tf[string(tok.Term)]++
					}
				}
			})
		}
		norm := 1.0
		if avg > 0 {
			norm = 1 - b + b*float64(length)/avg
		}
		var s float64
		for _, k := range keys { // a fixed order: float sums depend on it
			if c := tf[k]; c > 0 {
				f := float64(c)
				s += want[k].w * f * (k1 + 1) / (f + k1*norm)
			}
		}
		out[i] = s
	}
	return out, nil
}

// idfPower is Ranking.IDFPower with 0 meaning Bleve's 2.
func (ix *Index) idfPower() float64 {
	if ix.rank.IDFPower == 0 {
		return 2
	}
	return ix.rank.IDFPower
}
