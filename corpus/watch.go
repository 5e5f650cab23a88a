package corpus

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Default timings of a Watcher.
const (
	DefaultSettle   = 300 * time.Millisecond
	DefaultDebounce = 100 * time.Millisecond
	DefaultMaxDelay = 2 * time.Second
	DefaultRescan   = 10 * time.Minute
	DefaultPoll     = 50 * time.Millisecond
)

// WatchOptions tune a Watcher. The zero value gives the defaults.
type WatchOptions struct {
	// Settle is how long a file must go without events, its size and
	// modification time unchanged between two looks, before it is read:
	// a half-written file is never handed on. 0 means DefaultSettle.
	Settle time.Duration
	// Debounce is the quiet time, with no event anywhere in the corpus,
	// that ends a burst: the files of a burst go out as one Batch. 0 means
	// DefaultDebounce.
	Debounce time.Duration
	// MaxDelay bounds how long a settled file waits for a burst to end, so
	// that a folder that never goes quiet still gets indexed. 0 means
	// DefaultMaxDelay.
	MaxDelay time.Duration
	// Rescan is the period of the full rescan that catches whatever the
	// events missed. 0 means DefaultRescan; a negative value disables it
	// (the scan at start still happens).
	Rescan time.Duration
	// Poll is how often pending files and timers are looked at; every
	// decision uses Now, so tests drive time with a fake clock. 0 means
	// DefaultPoll.
	Poll time.Duration
	// Logger receives the watcher's warnings; nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (o WatchOptions) withDefaults() WatchOptions {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&o.Settle, DefaultSettle)
	def(&o.Debounce, DefaultDebounce)
	def(&o.MaxDelay, DefaultMaxDelay)
	def(&o.Rescan, DefaultRescan)
	def(&o.Poll, DefaultPoll)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Batch is a set of corpus paths whose changes have settled. The receiver
// decides what happened to each path by looking at the disk (a path that
// no longer exists was deleted or renamed away, with everything under it
// when it was a folder), so a batch never goes stale.
type Batch struct {
	// Paths are slash-separated paths relative to the corpus root: files
	// created, written, removed or renamed, and folders removed or renamed.
	// For a Full batch they are every settled file of the corpus.
	Paths []string
	// Full marks a scan of the whole corpus (at start and every
	// WatchOptions.Rescan): every indexed document whose file is neither in
	// Paths nor in Busy is gone.
	Full bool
	// Busy (Full batches only) are files still being written: they exist,
	// but their new content is not ready; they come in a later batch.
	Busy []string
}

// Watcher follows a corpus folder and all its sub-folders, including those
// created later, and sends a Batch on Batches whenever a burst of changes
// has settled. Hidden, temporary and partial-download names (see Ignored)
// and unsupported extensions are passed over. It never reads a document:
// the receiver loads the paths with LoadFile.
type Watcher struct {
	root string
	opts WatchOptions
	out  chan Batch

	mu     sync.Mutex
	health WatchHealth
}

// NewWatcher returns a watcher of the folder root. It returns an error
// when root is not a folder that can be read.
func NewWatcher(root string, opts WatchOptions) (*Watcher, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("watch corpus %s: %w", root, err)
	}
	info, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("watch corpus %s: %w", root, err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("watch corpus %s: %w", root, ErrNotRegular)
	}
	return &Watcher{root: abs, opts: opts.withDefaults(), out: make(chan Batch)}, nil
}

// Root returns the absolute path of the watched folder.
func (w *Watcher) Root() string { return w.root }

// Batches delivers the settled changes. While the receiver is busy the
// watcher goes on collecting, and the next batch holds everything that
// settled meanwhile.
func (w *Watcher) Batches() <-chan Batch { return w.out }

// pendingFile is a path whose last change has not settled yet.
type pendingFile struct {
	since  time.Time // last event, or last look that found a difference
	exists bool
	size   int64
	mod    time.Time
}

// watchLoop is the state of one Run, owned by its goroutine.
type watchLoop struct {
	w   *Watcher
	fsw *fsnotify.Watcher // nil when the platform refused: rescans only
	log *slog.Logger

	dirs       map[string]bool // watched folders, relative ("." is the root)
	pending    map[string]*pendingFile
	ready      map[string]bool
	readySince time.Time
	lastEvent  time.Time
	lastRescan time.Time
	rescanNow  bool
	// full and present hold a rescan's result until it is sent.
	full    bool
	present map[string]bool
}

// Run watches the corpus until ctx ends, then returns ctx's error. It
// starts with a full scan (a Full batch), so that whatever changed before
// it started is caught. When the platform's file events are not available
// it logs why and goes on with periodic rescans alone; Health says so.
// Run returns an error at once when the corpus folder can't be scanned at
// start.
func (w *Watcher) Run(ctx context.Context) error {
	o := w.opts
	l := &watchLoop{w: w, log: o.Logger, dirs: map[string]bool{}, pending: map[string]*pendingFile{}, ready: map[string]bool{}}
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		l.log.Warn("file events unavailable, watching the corpus by rescans only", slog.String("dir", w.root), slog.String("error", err.Error()))
		w.setHealth(func(h *WatchHealth) { h.Degraded = err.Error() })
	} else {
		l.fsw = fsw
		defer fsw.Close()
	}
	w.setHealth(func(h *WatchHealth) { h.Running = true; h.Started = o.Now() })
	defer w.setHealth(func(h *WatchHealth) { h.Running = false; h.Pending = 0 })
	if err := l.rescan(); err != nil {
		return err
	}
	var (
		events <-chan fsnotify.Event
		errs   <-chan error
	)
	if l.fsw != nil {
		events, errs = l.fsw.Events, l.fsw.Errors
	}
	tick := time.NewTicker(o.Poll)
	defer tick.Stop()
	for {
		var (
			out  chan<- Batch
			next Batch
		)
		if b, ok := l.batch(o.Now()); ok {
			out, next = w.out, b
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			l.event(ev)
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			l.fsError(err)
		case <-tick.C:
			l.look()
		case out <- next:
			l.sent(next)
		}
	}
}

// event records one file system event.
func (l *watchLoop) event(ev fsnotify.Event) {
	rel, ok := l.w.rel(ev.Name)
	if !ok || ev.Op == fsnotify.Chmod {
		// Attribute changes alone never change a document's text.
		return
	}
	if rel == "." {
		if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
			l.log.Error("corpus folder removed or renamed; documents stay indexed until it is back", slog.String("dir", l.w.root))
			l.w.setHealth(func(h *WatchHealth) { h.LastError = "corpus folder removed or renamed" })
			l.rescanNow = true
		}
		return
	}
	if Ignored(rel) {
		return
	}
	now := l.w.opts.Now()
	l.lastEvent = now
	l.w.setHealth(func(h *WatchHealth) { h.Events++ })
	if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
		if l.dirs[rel] {
			l.unwatchTree(rel)
			l.mark(rel, now)
			return
		}
	}
	if ev.Has(fsnotify.Create) {
		if info, err := os.Lstat(ev.Name); err == nil && info.IsDir() {
			l.watchTree(rel, now)
			return
		}
	}
	if Supported(rel) {
		l.mark(rel, now)
	}
}

// mark puts rel in pending, as changed now.
func (l *watchLoop) mark(rel string, now time.Time) {
	p := l.pending[rel]
	if p == nil {
		p = &pendingFile{}
		l.pending[rel] = p
	}
	p.since = now
	p.exists, p.size, p.mod = l.w.stat(rel)
	delete(l.ready, rel)
}

// fsError handles an error from the event source: an overflow means events
// were lost, which a rescan repairs.
func (l *watchLoop) fsError(err error) {
	if errors.Is(err, fsnotify.ErrEventOverflow) {
		l.log.Warn("file events lost, rescanning the corpus", slog.String("dir", l.w.root))
		l.rescanNow = true
	} else {
		l.log.Warn("file watcher error", slog.String("dir", l.w.root), slog.String("error", err.Error()))
	}
	l.w.setHealth(func(h *WatchHealth) { h.LastError = err.Error() })
}

// look moves settled files from pending to ready and starts a rescan when
// one is due.
func (l *watchLoop) look() {
	o := l.w.opts
	now := o.Now()
	for rel, p := range l.pending {
		if p.exists && now.Sub(p.since) < o.Settle {
			continue
		}
		exists, size, mod := l.w.stat(rel)
		if exists && (!p.exists || size != p.size || !mod.Equal(p.mod)) {
			// Still being written: look again once it has been quiet.
			p.since, p.exists, p.size, p.mod = now, exists, size, mod
			continue
		}
		if exists && now.Sub(p.since) < o.Settle {
			continue
		}
		delete(l.pending, rel)
		if len(l.ready) == 0 {
			l.readySince = now
		}
		l.ready[rel] = true
	}
	if l.rescanNow || o.Rescan > 0 && now.Sub(l.lastRescan) >= o.Rescan {
		if err := l.rescan(); err != nil {
			l.log.Error("corpus rescan failed; documents stay indexed", slog.String("dir", l.w.root), slog.String("error", err.Error()))
			l.w.setHealth(func(h *WatchHealth) { h.LastError = err.Error() })
			l.lastRescan = now // try again at the next period, not at every tick
		}
	}
	l.w.setHealth(func(h *WatchHealth) { h.LastLook = now; h.Pending = len(l.pending) })
}

// batch returns the batch to send now, if any: a rescan's result, or the
// settled files once the burst is over (or has gone on for MaxDelay).
func (l *watchLoop) batch(now time.Time) (Batch, bool) {
	o := l.w.opts
	var b Batch
	switch {
	case l.full:
		b.Full = true
		for rel := range l.present {
			if l.pending[rel] == nil {
				b.Paths = append(b.Paths, rel)
			}
		}
		for rel := range l.ready {
			if !l.present[rel] {
				b.Paths = append(b.Paths, rel)
			}
		}
		for rel, p := range l.pending {
			if p.exists {
				b.Busy = append(b.Busy, rel)
			}
		}
		slices.Sort(b.Busy)
	case len(l.ready) == 0:
		return b, false
	case len(l.pending) == 0 && now.Sub(l.lastEvent) >= o.Debounce, now.Sub(l.readySince) >= o.MaxDelay:
		for rel := range l.ready {
			b.Paths = append(b.Paths, rel)
		}
	default:
		return b, false
	}
	slices.Sort(b.Paths)
	return b, true
}

// sent forgets what b carried.
func (l *watchLoop) sent(b Batch) {
	for _, rel := range b.Paths {
		delete(l.ready, rel)
	}
	if b.Full {
		l.full, l.present = false, nil
	}
	now := l.w.opts.Now()
	l.readySince = now
	l.w.setHealth(func(h *WatchHealth) {
		h.Batches++
		h.LastBatch = now
		h.LastBatchFiles = len(b.Paths)
	})
}

// rel returns name relative to the root, slash-separated; ok is false for
// a path outside it.
func (w *Watcher) rel(name string) (string, bool) {
	r, err := filepath.Rel(w.root, name)
	if err != nil || r == ".." || len(r) > 2 && r[:3] == ".."+string(filepath.Separator) {
		return "", false
	}
	return filepath.ToSlash(r), true
}

// stat looks at rel without following a symlink.
func (w *Watcher) stat(rel string) (exists bool, size int64, mod time.Time) {
	info, err := os.Lstat(filepath.Join(w.root, filepath.FromSlash(rel)))
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			// Unreadable: report it as present and unchanged, so that the
			// loader says why it can't be read.
			return true, -1, time.Time{}
		}
		return false, 0, time.Time{}
	}
	return true, info.Size(), info.ModTime()
}
