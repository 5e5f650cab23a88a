package index

import (
	"context"
	"fmt"
	"sort"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// expand adds pseudo-relevance feedback to p's query, after RM3 (Lavrenko
// and Croft's relevance model, mixed with the original query): the best
// passages of a first search are taken as relevant, their words weighted by
// frequency in each passage times the passage's share of the scores, and
// the heaviest words not already in the question are added as optional
// clauses. The question's query stays a required clause, so feedback only
// reorders passages that match the question itself.
func (ix *Index) expand(ctx context.Context, st *fieldStats, p *queryPlan) error {
	rk := ix.rank
	req := bleve.NewSearchRequestOptions(p.query, rk.FeedbackDocs, 0, false)
	req.Fields = []string{fieldText}
	sr, err := ix.bleve.SearchInContext(p.ctx, req)
	if err != nil {
		return fmt.Errorf("search index for feedback: %w", err)
	}
	if len(sr.Hits) < 2 {
		return nil
	}
	inQuery := map[string]bool{}
	for _, t := range p.terms {
		inQuery[t.Key] = true
		for _, v := range t.variants {
			inQuery[v] = true
		}
	}
	var total float64
	for _, h := range sr.Hits {
		total += h.Score
	}
	if total <= 0 {
		return nil
	}
	weights := map[string]float64{}
	for _, h := range sr.Hits {
		toks := ix.textAn.Analyze([]byte(str(h.Fields[fieldText])))
		if len(toks) == 0 {
			continue
		}
		share := h.Score / total / float64(len(toks))
		for _, tok := range toks {
			k := string(tok.Term)
			if inQuery[k] || utf8.RuneCountInString(k) < 3 || !isWord(k) {
				continue
			}
			weights[k] += share
		}
	}
	type cand struct {
		term string
		w    float64
	}
	cands := make([]cand, 0, len(weights))
	for k, w := range weights {
		if rk.FeedbackIDF {
			idf, ok, err := st.idf(fieldText, k)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			w *= idf
		}
		cands = append(cands, cand{k, w})
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].w != cands[j].w {
			return cands[i].w > cands[j].w
		}
		return cands[i].term < cands[j].term
	})
	if len(cands) > rk.FeedbackTerms {
		cands = cands[:rk.FeedbackTerms]
	}
	var (
		clauses []query.Query
		spent   uint64
	)
	for _, c := range cands {
		idf, ok, err := st.idf(fieldText, c.term)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if df := st.df[[2]string{fieldText, c.term}]; rk.MaxPostings > 0 && spent+df > uint64(rk.MaxPostings) {
			continue
		} else {
			spent += df
		}
		boost := rk.FeedbackWeight * c.w / cands[0].w * idfBoost(idf, rk.IDFPower)
		clauses = append(clauses, ix.newTermQuery(fieldText, c.term, boost))
	}
	if len(clauses) == 0 {
		return nil
	}
	p.query = query.NewBooleanQuery([]query.Query{p.query}, []query.Query{bleve.NewDisjunctionQuery(clauses...)}, nil)
	return nil
}
