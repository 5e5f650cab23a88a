package index

import (
	"context"
	"fmt"
	"sort"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
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
	req := bleve.NewSearchRequestOptions(p.query, ix.rank.FeedbackDocs, 0, false)
	req.Fields = []string{fieldText}
	sr, err := ix.bleve.SearchInContext(p.ctx, req)
	if err != nil {
		return fmt.Errorf("search index for feedback: %w", err)
	}
	if len(sr.Hits) < 2 {
		return nil
	}
	cands, err := ix.feedbackTerms(st, ix.relevanceModel(p.terms, sr.Hits))
	if err != nil {
		return err
	}
	clauses, err := ix.feedbackClauses(st, cands)
	if err != nil || len(clauses) == 0 {
		return err
	}
	p.query = query.NewBooleanQuery([]query.Query{p.query}, []query.Query{bleve.NewDisjunctionQuery(clauses...)}, nil)
	return nil
}

// relevanceModel weighs the words of the feedback passages hits: each
// occurrence counts the passage's share of the hits' total score, divided
// by the passage's length. The question's own terms and variants, words
// of fewer than three letters and words that are not all letters are left
// out. It returns nil when the hits have no score.
func (ix *Index) relevanceModel(terms []queryTerm, hits search.DocumentMatchCollection) map[string]float64 {
	inQuery := map[string]bool{}
	for _, t := range terms {
		inQuery[t.Key] = true
		for _, v := range t.variants {
			inQuery[v] = true
		}
	}
	var total float64
	for _, h := range hits {
		total += h.Score
	}
	if total <= 0 {
		return nil
	}
	weights := map[string]float64{}
	for _, h := range hits {
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
	return weights
}

// feedbackTerm is a candidate feedback word and its weight.
type feedbackTerm struct {
	term string
	w    float64
}

// feedbackTerms returns the Ranking.FeedbackTerms heaviest words of
// weights, heaviest first (equal weights in word order), each weight
// multiplied by the word's IDF when Ranking.FeedbackIDF is set; words no
// passage holds are dropped then.
func (ix *Index) feedbackTerms(st *fieldStats, weights map[string]float64) ([]feedbackTerm, error) {
	cands := make([]feedbackTerm, 0, len(weights))
	for k, w := range weights {
		if ix.rank.FeedbackIDF {
			idf, ok, err := st.idf(fieldText, k)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			w *= idf
		}
		cands = append(cands, feedbackTerm{k, w})
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].w != cands[j].w {
			return cands[i].w > cands[j].w
		}
		return cands[i].term < cands[j].term
	})
	if len(cands) > ix.rank.FeedbackTerms {
		cands = cands[:ix.rank.FeedbackTerms]
	}
	return cands, nil
}

// feedbackClauses turns the chosen words into term clauses on the passage
// text, at Ranking.FeedbackWeight times their weight relative to the
// heaviest, within the postings budget (Ranking.MaxPostings): a word whose
// postings would exceed it is skipped.
func (ix *Index) feedbackClauses(st *fieldStats, cands []feedbackTerm) ([]query.Query, error) {
	rk := ix.rank
	var (
		clauses []query.Query
		spent   uint64
	)
	for _, c := range cands {
		idf, ok, err := st.idf(fieldText, c.term)
		if err != nil {
			return nil, err
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
	return clauses, nil
}
