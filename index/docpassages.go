package index

import (
	"context"

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
	// Through snapshotReader, as every read of stored data: a rebuild in
	// progress or a damaged segment is reported, never a panic.
	r, err := ix.snapshotReader()
	if err != nil {
		return nil, false, err
	}
	defer r.Close()
	out := make([]bot.Passage, 0, m.Passages)
	for ord := range m.Passages {
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
		p, ok, err := ix.storedPassage(r, m, ord)
		if err != nil {
			return nil, false, err
		}
		if ok {
			out = append(out, p)
		}
	}
	return out, true, nil
}
