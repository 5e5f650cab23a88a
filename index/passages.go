package index

import (
	"context"
	"fmt"
	"iter"
	"sort"
	"strconv"

	bleveindex "github.com/blevesearch/bleve_index_api"

	"framebot/bot"
)

var _ bot.PassageLister = (*Index)(nil)

// Passages returns every indexed passage, document by document in ID order
// and in passage order inside a document, with its citation; Score and
// Highlights are zero. The walk reads one snapshot of the index: documents
// changed meanwhile are seen as they were when it started. It yields an
// error, and stops, when the index is closed or can't be read or ctx ends.
func (ix *Index) Passages(ctx context.Context) iter.Seq2[bot.Passage, error] {
	return func(yield func(bot.Passage, error) bool) {
		ix.mu.RLock()
		if ix.closed {
			ix.mu.RUnlock()
			yield(bot.Passage{}, ErrClosed)
			return
		}
		metas := make([]DocMeta, 0, len(ix.docs))
		for _, m := range ix.docs {
			metas = append(metas, m)
		}
		ix.mu.RUnlock()
		sort.Slice(metas, func(i, j int) bool { return metas[i].ID < metas[j].ID })

		r, err := ix.snapshotReader()
		if err != nil {
			yield(bot.Passage{}, err)
			return
		}
		defer r.Close()
		for _, m := range metas {
			for ord := range m.Passages {
				if err := ctx.Err(); err != nil {
					yield(bot.Passage{}, err)
					return
				}
				p, ok, err := ix.storedPassage(r, m, ord)
				if err != nil {
					yield(bot.Passage{}, err)
					return
				}
				if !ok {
					continue // removed since the catalog was read
				}
				if !yield(p, nil) {
					return
				}
			}
		}
	}
}

// storedPassage reads passage ord of the document m from r, with its
// citation; ok is false when it was removed since the catalog was read. A
// panic (a damaged segment) marks the index damaged (see readDocument).
func (ix *Index) storedPassage(r bleveindex.IndexReader, m DocMeta, ord int) (p bot.Passage, ok bool, err error) {
	d, err := ix.readDocument(r, passageID(m.ID, ord))
	if err != nil {
		return p, false, fmt.Errorf("read passage %d of %s: %w", ord, m.ID, err)
	}
	if d == nil {
		return p, false, nil
	}
	p = bot.Passage{Title: m.Title, Doc: m.ID, Source: m.Source, URL: m.URL, Ordinal: ord}
	p.Text, p.Section, p.Page, _ = storedFields(d)
	return p, true, nil
}

// storedFields returns what a stored passage record holds: its text, the
// heading it sits under ("" when none, or in an index written before
// headings were stored), its page (0 when none) and its split flags
// (fieldSplit).
func storedFields(d bleveindex.Document) (text, section string, pg int, split string) {
	d.VisitFields(func(f bleveindex.Field) {
		switch f.Name() {
		case fieldText:
			text = string(f.Value())
		case fieldSect:
			section = string(f.Value())
		case fieldPage:
			pg = page(string(f.Value()))
		case fieldSplit:
			split = string(f.Value())
		}
	})
	return text, section, pg, split
}

// page reads the stored page field of a passage: 0 when absent.
func page(v any) int {
	s, _ := v.(string)
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0
	}
	return n
}
