package index

import (
	"context"
	"errors"

	"framebot/corpus"
)

// Stream writes documents to the index as the caller produces them, in
// the same batches as Apply (about batchPassages passages,
// batchesInFlight written at once), but with no pause between them: a
// caller that reads a large corpus and calls Apply once per chunk waits,
// at the end of every chunk, for its last batch to be written while
// nothing else runs, and holds the whole chunk in memory. With a Stream,
// the next documents are read and analysed while the last ones are
// written, and only the batches in flight are held.
//
// Each document's passages and catalog entry share a batch, as with
// Apply; the catalog entry is saved once the batch is on disk. A Stream
// holds the index as Apply does, until Close, which must be called: the
// swap of a rebuilt index waits for it (and Add stops the stream once a
// rebuild has started).
type Stream struct {
	ix      *Index
	ctx     context.Context
	release func()
	bt      *batcher
	err     error // the first error Add met
	closed  bool
}

// NewStream starts a Stream; Add and Close are called from one goroutine.
// written, when not nil, is called with the changes of every batch once it
// is on disk (one call at a time, from the goroutine that wrote the batch,
// in no particular order of batches; it must not call the Stream); the
// changes are not kept otherwise. It returns ErrClosed, or ErrRebuilding
// while the index is rebuilt.
func (ix *Index) NewStream(ctx context.Context, written func([]Change)) (*Stream, error) {
	release, err := ix.enter()
	if err != nil {
		return nil, err
	}
	w := ix.newWriter(0, nil)
	w.written = written
	return &Stream{ix: ix, ctx: ctx, release: release, bt: &batcher{w: w, b: ix.bleve.NewBatch(), ids: map[string]bool{}}}, nil
}

// Add indexes d, replacing all passages of an earlier version. It returns
// once d is in a batch, which may be written later (see Close). Adding a
// document a second time waits for the first version to be written, then
// replaces it. Add returns the error of a batch that failed to be written,
// ctx's error, or ErrRebuilding once a damaged index is being rebuilt, and
// then the same error for every later call: the documents added before it
// that are already written stay written.
func (s *Stream) Add(d *corpus.Document) error {
	if s.closed {
		return errors.New("index stream is closed")
	}
	if s.err != nil {
		return s.err
	}
	if err := s.ctx.Err(); err != nil {
		s.err = err
		return err
	}
	if err := s.bt.w.failed(); err != nil {
		s.err = err
		return err
	}
	if s.ix.rebuilding.Load() {
		// A damaged index is being rebuilt from the whole corpus: the
		// stream stops, as Apply would refuse its next call, so that the
		// rebuilt index can be swapped in.
		s.err = ErrRebuilding
		return s.err
	}
	if s.bt.ids[d.ID] || s.isPending(d.ID) {
		// batchDocument replaces the version the catalog holds: the
		// earlier one must be written first.
		s.bt.flush()
		s.bt.w.wg.Wait()
	}
	if err := s.ix.batchDocument(s.bt, d); err != nil {
		s.err = err
		return err
	}
	return nil
}

// isPending reports whether document id is in a batch being written.
func (s *Stream) isPending(id string) bool {
	s.ix.mu.RLock()
	defer s.ix.mu.RUnlock()
	_, ok := s.ix.pending[id]
	return ok
}

// Close writes the documents added and not yet written, waits for every
// batch, and releases the index. It returns the first error a batch met,
// or the error Add returned; when Add stopped because ctx ended, what was
// added before is still written. Close may be called more than once.
func (s *Stream) Close() error {
	if s.closed {
		return s.err
	}
	s.closed = true
	defer s.release()
	_, s.err = s.bt.finish(s.err)
	return s.err
}
