package index

import (
	"context"
	"fmt"

	bleveindex "github.com/blevesearch/bleve_index_api"

	"framebot/bot"
)

var _ bot.DocReader = (*Index)(nil)

// DocPassages returns the passages of document doc in order, with their
// citation (Score and Highlights zero); ok is false when doc is not
// indexed. It returns an error when the index is closed or can't be read,
// or ctx ends.
func (ix *Index) DocPassages(ctx context.Context, doc string) ([]bot.Passage, bool, error) {
	ix.mu.RLock()
	if ix.closed {
		ix.mu.RUnlock()
		return nil, false, ErrClosed
	}
	m, ok := ix.docs[doc]
	ix.mu.RUnlock()
	if !ok {
		return nil, false, nil
	}
	adv, err := ix.bleve.Advanced()
	if err != nil {
		return nil, false, fmt.Errorf("open index reader: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, false, fmt.Errorf("open index reader: %w", err)
	}
	defer r.Close()
	out := make([]bot.Passage, 0, m.Passages)
	for ord := range m.Passages {
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
		d, err := r.Document(passageID(m.ID, ord))
		if err != nil {
			return nil, false, fmt.Errorf("read passage %d of %s: %w", ord, m.ID, err)
		}
		if d == nil {
			continue // removed since the catalog was read
		}
		p := bot.Passage{Title: m.Title, Doc: m.ID, Source: m.Source, URL: m.URL, Ordinal: ord}
		d.VisitFields(func(f bleveindex.Field) {
			if f.Name() == fieldText {
				p.Text = string(f.Value())
			}
		})
		out = append(out, p)
	}
	return out, true, nil
}
