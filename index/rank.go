package index

import (
	"context"
	"fmt"
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
// a document scores its best passage's score plus Ranking.RestShare of its
// other passages' scores. It returns an error when the index can't be read
// or ctx ends.
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
		sr, err := ix.bleve.SearchInContext(ctx, req)
		if err != nil {
			return fmt.Errorf("search index: %w", err)
		}
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
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}
