package index

import (
	"context"
	"strings"

	bleveindex "github.com/blevesearch/bleve_index_api"

	"framebot/bot"
	txt "framebot/internal/text"
)

var _ bot.ContextSearcher = (*Index)(nil)

// planContext plans text's query, adding the terms of extra that text
// lacks, each at its weight: a follow-up question borrows its thread's
// subject without letting it outweigh its own words.
func (ix *Index) planContext(ctx context.Context, r bleveindex.IndexReader, text string, extra []bot.WeightedText) (*queryPlan, error) {
	if len(extra) == 0 {
		return ix.plan(ctx, r, text)
	}
	text = txt.TruncateBytes(strings.ToValidUTF8(text, " "), maxQueryBytes)
	terms, err := ix.analyseQuery(ctx, r, text)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, t := range terms {
		seen[t.Key] = true
	}
	for _, e := range extra {
		if e.Weight <= 0 {
			continue
		}
		more, err := ix.analyseQuery(ctx, r, txt.TruncateBytes(strings.ToValidUTF8(e.Text, " "), maxQueryBytes))
		if err != nil {
			return nil, err
		}
		for _, t := range more {
			if seen[t.Key] || t.question {
				continue
			}
			seen[t.Key] = true
			t.weight = min(e.Weight, 1)
			t.Term.Weight = t.weight
			terms = append(terms, t)
		}
	}
	if len(terms) == 0 {
		return nil, nil
	}
	return ix.planTerms(ctx, r, terms)
}
