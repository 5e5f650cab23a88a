package index

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"

	"framebot/bot"
	"framebot/corpus"
)

// writer writes the batches of one apply call, up to batchesInFlight at
// once. Each batch's catalog entries are saved once its passages are on
// disk. The changes are reported in the order the batches were made,
// whatever order they finish in.
type writer struct {
	ix       *Index
	progress func(done, total int)
	total    int
	// written, when set, takes each batch's changes once they are on
	// disk, instead of results (a Stream's changes are not kept).
	written func([]Change)

	slots chan struct{}
	wg    sync.WaitGroup

	mu      sync.Mutex
	results [][]Change // per batch, nil until written
	done    int
	err     error
}

func (ix *Index) newWriter(total int, progress func(done, total int)) *writer {
	return &writer{ix: ix, progress: progress, total: total, slots: make(chan struct{}, batchesInFlight)}
}

// failed returns the first error a batch met.
func (w *writer) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// skip counts n documents as done without writing anything.
func (w *writer) skip(n int) {
	w.mu.Lock()
	w.done += n
	w.mu.Unlock()
}

// submit writes b with its changes in the background. It blocks while
// batchesInFlight batches are being written. passages holds, per change,
// the Bleve documents of its passages (nil for a removal): once Bleve has
// analysed them, their lengths give the document's Words.
func (w *writer) submit(b *bleve.Batch, changes []Change, passages [][]*document.Document) {
	if b.Size() == 0 && len(changes) == 0 {
		return
	}
	w.slots <- struct{}{}
	w.mu.Lock()
	seq := len(w.results)
	w.results = append(w.results, nil)
	w.mu.Unlock()

	ix := w.ix
	ix.mu.Lock()
	for _, c := range changes {
		if c.Kind != bot.Removed {
			ix.pending[c.Doc] = c.Meta
		}
	}
	ix.mu.Unlock()

	w.wg.Add(1)
	go func() {
		defer func() { <-w.slots; w.wg.Done() }()
		err := ix.writeBatch(b)
		if err != nil {
			err = fmt.Errorf("write index batch: %w", err)
		} else {
			setWords(changes, passages)
		}
		// The analysed passages are not needed any more: let them go
		// while the catalog is written.
		b, passages = nil, nil
		if err == nil {
			err = ix.saveCatalog(changes)
		}
		ix.settle(changes, err)
		w.record(seq, changes, err)
	}()
}

// setWords sets each added or updated document's Words from the analysed
// lengths of its passages' fields: every passage's text, and the title
// once (each passage carries it).
func setWords(changes []Change, passages [][]*document.Document) {
	for i := range changes {
		if i >= len(passages) || len(passages[i]) == 0 {
			continue
		}
		words := 0
		for j, d := range passages[i] {
			for _, f := range d.Fields {
				if f.Name() == fieldText || (j == 0 && f.Name() == fieldTitle) {
					words += f.AnalyzedLength()
				}
			}
		}
		changes[i].Meta.Words = int32(min(words, math.MaxInt32))
	}
}

// settle updates the index's documents once a batch of changes is
// written: they are no longer pending, and unless err says the batch
// failed, the catalog in memory takes them.
func (ix *Index) settle(changes []Change, err error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for _, c := range changes {
		if c.Kind != bot.Removed {
			delete(ix.pending, c.Doc)
		}
		if err != nil {
			continue
		}
		if old, ok := ix.docs[c.Doc]; ok {
			ix.lengths.add(old, -1)
		}
		if c.Kind == bot.Removed {
			delete(ix.docs, c.Doc)
		} else {
			ix.docs[c.Doc] = c.Meta
			ix.lengths.add(c.Meta, 1)
		}
		if c.Meta.Indexed.After(ix.updated) {
			ix.updated = c.Meta.Indexed
		}
	}
}

// record notes the outcome of batch seq: its changes, or its error.
func (w *writer) record(seq int, changes []Change, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		// The first error is reported, but an error of the disk or the
		// file system wins over a panic it caused in a batch written
		// beside it.
		if w.err == nil || (errors.Is(w.err, errBatchPanic) && !errors.Is(err, errBatchPanic)) {
			w.err = err
		}
		return
	}
	if w.written != nil {
		w.written(changes)
	} else {
		w.results[seq] = changes
	}
	w.done += len(changes)
	if w.progress != nil {
		w.progress(w.done, w.total)
	}
}

// errBatchPanic marks a batch that panicked inside Bleve.
var errBatchPanic = errors.New("index batch failed")

// writeBatch writes b, turning a panic inside Bleve into an error. When a
// batch fails to persist (a full disk), scorch closes its segment although
// the segment is already part of the index, and a batch written beside it
// panics on the closed segment, in the caller's goroutine or in scorch's
// introducer; the caller reopens the index after any error. Once one of
// scorch's goroutines has ended (background.go), Batch would wait for
// ever: writeBatch then returns an error and leaves that wait behind.
func (ix *Index) writeBatch(b *bleve.Batch) error {
	bg := backgroundOf(ix.dir)
	select {
	case <-bg.stopped:
		return fmt.Errorf("%w: %v", errBatchPanic, bg.err)
	default:
	}
	bi, done := ix.bleve, make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("%w: panic: %v", errBatchPanic, p)
			}
		}()
		done <- bi.Batch(b)
	}()
	select {
	case err := <-done:
		return err
	case <-bg.stopped:
		return fmt.Errorf("%w: %v", errBatchPanic, bg.err)
	}
}

// wait waits for every submitted batch and returns the changes written, in
// submission order, with the first error met.
func (w *writer) wait() ([]Change, error) {
	w.wg.Wait()
	return slices.Concat(w.results...), w.err
}

// apply writes upserts and deletions in batches of about batchPassages
// passages; a document's passages and metadata always share one batch.
// Deletions are written first, then the upserts, several batches at once.
// When a document appears more than once in upserts, its last version wins.
func (ix *Index) apply(ctx context.Context, upserts []*corpus.Document, deletes []string, progress func(done, total int)) ([]Change, error) {
	// During a rebuild, ErrRebuilding: the rebuild reads the whole corpus
	// again, and the watcher's next rescan catches what changed meanwhile.
	release, err := ix.enter()
	if err != nil {
		return nil, err
	}
	defer release()
	upserts = lastVersions(upserts)
	w := ix.newWriter(len(upserts)+len(deletes), progress)
	bt := &batcher{w: w, b: ix.bleve.NewBatch()}

	ix.batchDeletes(bt, deletes)
	bt.flush()
	if len(deletes) > 0 && len(upserts) > 0 {
		// A document may be both deleted and added again: the deletion
		// must be on disk first.
		w.wg.Wait()
	}
	return bt.finish(ix.batchUpserts(ctx, bt, upserts))
}

// finish ends a write (apply, or a Stream's Close) whose preparation
// returned err: it submits the last batch, unless a batch has failed or
// err is not the end of ctx (what was prepared before ctx ended is
// written, as promised), waits for every batch, and remaps the catalog
// after many changes. It returns the changes written and the first error
// of a batch, of the remap, or err.
func (bt *batcher) finish(err error) ([]Change, error) {
	w := bt.w
	if w.failed() == nil && (err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		bt.flush()
	}
	changes, werr := w.wait()
	if w.done >= remapAfter {
		if rerr := w.ix.remapCatalog(); rerr != nil && werr == nil {
			werr = rerr
		}
	}
	if werr != nil {
		return changes, werr
	}
	return changes, err
}

// batcher fills Bleve batches of about batchPassages passages and hands
// each, with its documents' changes, to a writer.
type batcher struct {
	w        *writer
	b        *bleve.Batch
	pending  []Change
	docs     [][]*document.Document // per pending change, its passages' Bleve documents
	passages int
	// ids, when not nil, holds the documents in b (a Stream's: see
	// Stream.Add).
	ids map[string]bool
}

// done records change c, whose passages (n of them, docs when added) are
// in the batch, and submits the batch once it holds batchPassages
// passages.
func (bt *batcher) done(c Change, n int, docs []*document.Document) {
	bt.pending = append(bt.pending, c)
	if bt.ids != nil {
		bt.ids[c.Doc] = true
	}
	bt.docs = append(bt.docs, docs)
	bt.passages += n
	if bt.passages >= batchPassages {
		bt.flush()
	}
}

// flush submits the batch, however full, and starts a new one.
func (bt *batcher) flush() {
	bt.w.submit(bt.b, bt.pending, bt.docs)
	bt.b, bt.pending, bt.docs, bt.passages = bt.w.ix.bleve.NewBatch(), nil, nil, 0
	if bt.ids != nil {
		clear(bt.ids)
	}
}

// batchDeletes adds the deletion of every passage of the documents deletes
// names; an unknown document counts as done.
func (ix *Index) batchDeletes(bt *batcher, deletes []string) {
	for _, id := range deletes {
		old, ok := ix.Meta(id)
		if !ok {
			bt.w.skip(1)
			continue
		}
		for i := 0; i < old.Passages; i++ {
			bt.b.Delete(passageID(id, i))
		}
		old.Indexed = ix.now()
		bt.done(Change{Doc: id, Kind: bot.Removed, Meta: old}, old.Passages, nil)
	}
}

// batchUpserts adds every document of upserts, until ctx ends or a batch
// fails to write.
func (ix *Index) batchUpserts(ctx context.Context, bt *batcher, upserts []*corpus.Document) error {
	for _, d := range upserts {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := bt.w.failed(); err != nil {
			return err
		}
		if err := ix.batchDocument(bt, d); err != nil {
			return err
		}
	}
	return nil
}

// batchDocument adds d's passages, replacing the passages of its earlier
// version (those beyond d's count are deleted), and its metadata.
func (ix *Index) batchDocument(bt *batcher, d *corpus.Document) error {
	kind := bot.Added
	if old, ok := ix.Meta(d.ID); ok {
		kind = bot.Updated
		for i := len(d.Passages); i < old.Passages; i++ {
			bt.b.Delete(passageID(d.ID, i))
		}
	}
	meta := DocMeta{ID: d.ID, Title: d.Title, Source: d.Source, URL: d.URL, Hash: d.Hash, Passages: len(d.Passages), Pages: int32(min(d.Pages, math.MaxInt32)), Indexed: ix.now()}
	docs := make([]*document.Document, 0, len(d.Passages))
	for _, p := range d.Passages {
		pd := passageDocument(passageID(d.ID, p.Ordinal), d, p, ix.textAn, ix.textCounter)
		if err := bt.b.IndexAdvanced(pd); err != nil {
			return fmt.Errorf("index passage %d of %s: %w", p.Ordinal, d.ID, err)
		}
		docs = append(docs, pd)
	}
	bt.done(Change{Doc: d.ID, Kind: kind, Meta: meta}, len(d.Passages), docs)
	return nil
}

// remapAfter is how many documents an apply call changes before the
// catalog is reopened (see remapCatalog).
const remapAfter = 1000

// lastVersions drops all but the last version of each document in docs,
// keeping their order otherwise.
func lastVersions(docs []*corpus.Document) []*corpus.Document {
	last := make(map[string]int, len(docs))
	for i, d := range docs {
		last[d.ID] = i
	}
	if len(last) == len(docs) {
		return docs
	}
	out := make([]*corpus.Document, 0, len(last))
	for i, d := range docs {
		if last[d.ID] == i {
			out = append(out, d)
		}
	}
	return out
}
