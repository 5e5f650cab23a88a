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
	s := storedFields(d)
	p.Text, p.Section, p.Page = s.text, s.section, s.page
	return p, true, nil
}

// stored is what a stored passage record holds.
type stored struct {
	text    string
	section string // the heading it sits under ("" when none)
	page    int    // 0 when none
	split   string // its split flags (fieldSplit)
}

// storedFields reads the stored fields of a passage record.
func storedFields(d bleveindex.Document) stored {
	var s stored
	d.VisitFields(func(f bleveindex.Field) {
		switch f.Name() {
		case fieldText:
			s.text = string(f.Value())
		case fieldSect:
			s.section = string(f.Value())
		case fieldPage:
			s.page = page(string(f.Value()))
		case fieldSplit:
			s.split = string(f.Value())
		}
	})
	return s
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
