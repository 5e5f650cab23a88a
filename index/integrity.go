package index

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"framebot/bot"
)

// ErrDamaged is wrapped by the errors of an index whose files are damaged
// and that can't be rebuilt now (no Options.Reload, or a rebuild ran less
// than rebuildPause ago).
var ErrDamaged = errors.New("index files are damaged")

// ErrRebuilding is returned (wrapped) by searches and writes while a
// damaged index is rebuilt in the background; it is bot.ErrRebuilding, so
// the bot answers that the index is being rebuilt.
var ErrRebuilding = bot.ErrRebuilding

// rebuildPause is the least time between two background rebuilds: an index
// damaged again at once (a failing disk) is reported, not rebuilt in a loop.
const rebuildPause = time.Minute

// crcFooter is the size of the CRC-32 that ends every zap segment file.
const crcFooter = 4

// verifySegments checks every segment file of bi's current snapshot
// against the CRC-32 that zap writes at its end (over all the bytes before
// it). Bleve never checks it: a segment damaged in the middle opens
// fine and panics or fails later, in a search. The files are read with
// plain reads, not through Bleve's memory map, so the pass leaves the
// process's resident memory as it was (the pages stay in the kernel's
// cache).
func verifySegments(bi bleve.Index) error {
	r, err := readerOf(bi)
	if err != nil {
		return fmt.Errorf("verify index: %w", err)
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil
	}
	buf := make([]byte, 256<<10)
	for _, ss := range snap.Segments() {
		seg, ok := ss.Segment().(interface{ Path() string })
		if !ok {
			continue // not yet persisted: in memory only
		}
		if err := checkCRC(seg.Path(), buf); err != nil {
			return err
		}
	}
	return nil
}

// checkCRC checks the CRC-32 at the end of the segment file path.
func checkCRC(path string, buf []byte) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("verify segment %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("verify segment %s: %w", path, err)
	}
	body := fi.Size() - crcFooter
	if body < 0 {
		return fmt.Errorf("verify segment %s: %d bytes, too short: %w", path, fi.Size(), ErrDamaged)
	}
	h := crc32.NewIEEE()
	if _, err := io.CopyBuffer(h, io.LimitReader(f, body), buf); err != nil {
		return fmt.Errorf("verify segment %s: %w", path, err)
	}
	var want [crcFooter]byte
	if _, err := f.ReadAt(want[:], body); err != nil {
		return fmt.Errorf("verify segment %s: %w", path, err)
	}
	if got := h.Sum32(); got != binary.BigEndian.Uint32(want[:]) {
		return fmt.Errorf("verify segment %s: checksum %08x, the file says %08x: %w", path, got, binary.BigEndian.Uint32(want[:]), ErrDamaged)
	}
	return nil
}

// Verify checks the index's segment files now. When one is damaged it
// starts a background rebuild (see Options.Reload) and returns an error
// wrapping ErrRebuilding, or ErrDamaged when it can't rebuild; nil means
// the files are sound.
func (ix *Index) Verify(ctx context.Context) error {
	release, err := ix.enter()
	if errors.Is(err, ErrRebuilding) {
		return fmt.Errorf("verify index: %w", err)
	}
	if err != nil {
		return err
	}
	defer release()
	if err := verifySegments(ix.bleve); err != nil {
		return ix.damaged(err)
	}
	return nil
}

// withSnapshot runs fn with a reader of the index's current snapshot,
// holding swapMu so that the index is not swapped meanwhile. A panic in fn
// (Bleve reading a damaged segment) is recovered; it, or an error fn
// returns that the segment check confirms, marks the index damaged and
// starts a rebuild (see damaged).
func (ix *Index) withSnapshot(fn func(bleveindex.IndexReader) error) (err error) {
	release, err := ix.enter()
	if err != nil {
		return err
	}
	defer release()
	defer func() {
		if p := recover(); p != nil {
			err = ix.damaged(fmt.Errorf("search panicked: %v", p))
		}
	}()
	r, err := readerOf(ix.bleve)
	if err != nil {
		return err
	}
	defer r.Close()
	err = fn(r)
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, ErrClosed) {
		// An error from stored data ("error loading roaring bitmap"):
		// confirm it with the segment check before rebuilding.
		if verr := verifySegments(ix.bleve); verr != nil {
			return ix.damaged(fmt.Errorf("%w (search failed: %v)", verr, err))
		}
	}
	return err
}

// damaged reports that the index's files are damaged (reason) and starts
// rebuilding it in the background from Options.Reload, unless one is
// running or ran less than rebuildPause ago. It returns the error the
// caller should return: wrapping ErrRebuilding while a rebuild runs,
// ErrDamaged otherwise.
func (ix *Index) damaged(reason error) error {
	if ix.reload == nil {
		return fmt.Errorf("%w: %v", ErrDamaged, reason)
	}
	ix.mu.Lock()
	switch {
	case ix.closed:
		ix.mu.Unlock()
		return ErrClosed
	case ix.rebuilding.Load():
		ix.mu.Unlock()
		return ErrRebuilding
	case !ix.lastRebuild.IsZero() && ix.now().Sub(ix.lastRebuild) < rebuildPause:
		ix.mu.Unlock()
		return fmt.Errorf("%w again within %s of a rebuild; not rebuilding it again yet: %v", ErrDamaged, rebuildPause, reason)
	}
	ix.lastRebuild = ix.now()
	ix.rebuilding.Store(true)
	ix.bg.Add(1)
	ix.mu.Unlock()
	ix.log.Error("index damaged; rebuilding it from the corpus in the background", "dir", ix.dir, "reason", reason.Error())
	go ix.rebuild()
	return fmt.Errorf("%w: %v", ErrRebuilding, reason)
}

// rebuild builds a new index from the corpus beside the damaged one, then
// swaps it in. Searches meanwhile get ErrRebuilding.
func (ix *Index) rebuild() {
	defer ix.bg.Done()
	start := time.Now()
	n, err := ix.rebuildFrom(ix.bgCtx)
	// Searches work again before the log says so: whoever reads the line
	// (a user, a test, a supervisor) may ask at once.
	ix.rebuilding.Store(false)
	if err != nil {
		if ix.bgCtx.Err() == nil {
			ix.log.Error("index rebuild failed; the damaged index stays in use", "dir", ix.dir, "error", err.Error())
		}
		return
	}
	ix.log.Warn("index rebuilt from the corpus", "dir", ix.dir, "documents", n, "duration_ms", time.Since(start).Milliseconds())
}

func (ix *Index) rebuildFrom(ctx context.Context) (int, error) {
	fresh, err := newSibling(ix.dir)
	if err != nil {
		return 0, fmt.Errorf("rebuild index: %w", err)
	}
	nix, err := Open(fresh, Options{Logger: ix.log, Now: ix.now, Ranking: &ix.rank})
	if err != nil {
		_ = os.RemoveAll(fresh) // made by MkdirTemp just now
		return 0, err
	}
	docs, err := ix.reload(ctx)
	if err == nil {
		_, err = nix.Sync(ctx, docs, nil)
	}
	err = errors.Join(err, nix.Close())
	if err == nil {
		err = ix.swapFrom(fresh)
	}
	if err != nil {
		_ = removeOwned(fresh)
		return 0, err
	}
	return len(docs), nil
}

// swapFrom closes the index, moves the one built in fresh into its folder
// (removing the damaged one) and opens it in its place.
func (ix *Index) swapFrom(fresh string) error {
	ix.swapMu.Lock()
	defer ix.swapMu.Unlock()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.closed {
		return ErrClosed
	}
	ix.catMu.Lock()
	cerr := errors.Join(ix.cat.Close(), ix.bleve.Close())
	serr := swapIn(fresh, ix.dir)
	// Whatever is in the folder now (the new index, or the old one
	// when the swap failed) is opened again.
	bi, err := openExisting(ix.dir)
	if err != nil {
		ix.catMu.Unlock()
		ix.closed = true
		return errors.Join(serr, cerr, err)
	}
	cat, err := openCatalog(ix.dir)
	if err != nil {
		bi.Close()
		ix.catMu.Unlock()
		ix.closed = true
		return errors.Join(serr, cerr, err)
	}
	ix.bleve, ix.cat = bi, cat
	ix.catMu.Unlock()
	docs, err := ix.loadCatalog()
	if err != nil {
		return errors.Join(serr, err)
	}
	ix.docs, ix.pending = docs, map[string]DocMeta{}
	for _, d := range docs {
		ix.updated = later(ix.updated, d.Indexed)
	}
	if serr != nil {
		return serr
	}
	if cerr != nil {
		ix.log.Warn("closing the damaged index", "dir", ix.dir, "error", cerr.Error())
	}
	return nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// snapshotReader returns a reader of the index's current snapshot, for a
// long walk (Passages) that must not hold swapMu: the reader keeps its
// segments open even when a rebuilt index is swapped in meanwhile.
func (ix *Index) snapshotReader() (bleveindex.IndexReader, error) {
	release, err := ix.enter()
	if err != nil {
		return nil, err
	}
	defer release()
	return readerOf(ix.bleve)
}

// readDocument reads one stored passage from r; a panic (a damaged
// segment) marks the index damaged (see damaged).
func (ix *Index) readDocument(r bleveindex.IndexReader, id string) (d bleveindex.Document, err error) {
	defer func() {
		if p := recover(); p != nil {
			d, err = nil, ix.damaged(fmt.Errorf("reading passage %s panicked: %v", id, p))
		}
	}()
	return r.Document(id)
}

// enter checks that the index can be read or written now and holds swapMu
// (read) until the returned release is called: ErrRebuilding while a
// rebuild runs (checked before taking swapMu, which the swap holds),
// ErrClosed once closed.
func (ix *Index) enter() (release func(), err error) {
	if ix.rebuilding.Load() {
		return nil, ErrRebuilding
	}
	ix.swapMu.RLock()
	ix.mu.RLock()
	closed := ix.closed
	ix.mu.RUnlock()
	if closed {
		ix.swapMu.RUnlock()
		return nil, ErrClosed
	}
	return ix.swapMu.RUnlock, nil
}

// readerOf opens a reader of bi's current snapshot.
func readerOf(bi bleve.Index) (bleveindex.IndexReader, error) {
	adv, err := bi.Advanced()
	if err != nil {
		return nil, fmt.Errorf("open index reader: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("open index reader: %w", err)
	}
	return r, nil
}
