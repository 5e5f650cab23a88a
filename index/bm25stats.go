package index

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2/search"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// Bleve's BM25 takes a field's average length to be its dictionary size
// (summed over segments) divided by the number of passages: not a length,
// and one that changes whenever segments merge, so that one index scored
// the same passages differently in two processes. Every search therefore
// passes Bleve statistics that depend only on the documents: the number of
// passages, and each field's total length estimated from a fixed sample.
const (
	statsSampleDocs     = 256 // documents sampled, evenly spaced in ID order
	statsSamplePassages = 4   // passages read from each
	// sectionWords is the length assumed for section headings. Since the
	// twelfth round they are stored and could be sampled like the text,
	// but that made the embedded corpus's definition of a security
	// guarantee lose its place to a passage that only mentions them (its
	// heading, "What Are Security Guarantees?", is longer than the sampled
	// average), and no dev set has headings to choose a length on.
	sectionWords = 4
)

// bm25Stats caches the statistics of the index as it was at passages.
type bm25Stats struct {
	mu       sync.Mutex
	passages uint64
	docs     int
	stats    *search.BM25Stats
}

// bm25Context returns ctx carrying BM25 statistics for r's snapshot.
func (ix *Index) bm25Context(ctx context.Context, r bleveindex.IndexReader) (context.Context, error) {
	n, err := r.DocCount()
	if err != nil {
		return nil, fmt.Errorf("count passages: %w", err)
	}
	ix.mu.RLock()
	nDocs := len(ix.docs)
	ix.mu.RUnlock()
	c := &ix.stats
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stats == nil || c.passages != n || c.docs != nDocs {
		st, err := ix.sampleStats(r, n)
		if err != nil {
			return nil, err
		}
		c.stats, c.passages, c.docs = st, n, nDocs
	}
	return context.WithValue(ctx, search.BM25StatsKey, c.stats), nil
}

// sampleStats estimates the average length of the text and title fields
// from the passages of up to statsSampleDocs documents spread evenly over
// the catalog in ID order.
func (ix *Index) sampleStats(r bleveindex.IndexReader, n uint64) (*search.BM25Stats, error) {
	ix.mu.RLock()
	metas := make([]DocMeta, 0, len(ix.docs))
	for _, m := range ix.docs {
		metas = append(metas, m)
	}
	ix.mu.RUnlock()
	sort.Slice(metas, func(i, j int) bool { return metas[i].ID < metas[j].ID })
	step := max(1, len(metas)/statsSampleDocs)
	var passages, text, title int
	for i := 0; i < len(metas); i += step {
		m := metas[i]
		titleLen := len(ix.textAn.Analyze([]byte(m.Title)))
		for ord := range min(m.Passages, statsSamplePassages) {
			d, err := r.Document(passageID(m.ID, ord))
			if err != nil {
				return nil, fmt.Errorf("read passage %d of %s: %w", ord, m.ID, err)
			}
			if d == nil {
				continue
			}
			d.VisitFields(func(f bleveindex.Field) {
				if f.Name() == fieldText {
					text += len(ix.textAn.Analyze(f.Value()))
				}
			})
			passages++
			title += titleLen
		}
	}
	avg := func(total int) float64 {
		if passages == 0 {
			return 1
		}
		return max(1, float64(total)/float64(passages))
	}
	card := func(a float64) int { return int(a*float64(n) + 0.5) }
	return &search.BM25Stats{
		DocCount: float64(n),
		FieldCardinality: map[string]int{
			fieldText:  card(avg(text)),
			fieldTitle: card(avg(title)),
			fieldSect:  card(sectionWords),
		},
	}, nil
}
