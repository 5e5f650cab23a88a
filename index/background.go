package index

import (
	"errors"
	"path/filepath"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
)

// Scorch runs its introducer, persister and merger in goroutines of its
// own. When one of them panics (a batch meeting a segment that a failed
// persist closed, on a full disk), scorch recovers, reports the panic to
// its asynchronous error callback and lets that goroutine end: without
// the introducer, every later batch waits for ever. framebot registers
// the callback (scorch's registry is process-wide by name, like the
// analysers), keeps, per index folder, whether scorch's goroutines are
// still all running, and stops waiting on a batch once they are not.

// asyncCallbackName names framebot's callback in scorch's registry.
const asyncCallbackName = "framebot"

var (
	registerAsyncCallback = sync.OnceFunc(func() {
		scorch.RegistryAsyncErrorCallbacks[asyncCallbackName] = func(err error, path string) {
			if v, ok := backgrounds.Load(path); ok {
				v.(*background).report(err)
			}
		}
	})
	// backgrounds maps a scorch folder (an index folder's "store") to the
	// state of the scorch instance last opened on it.
	backgrounds sync.Map
)

// background is the state of one opened scorch instance's goroutines.
type background struct {
	once    sync.Once
	stopped chan struct{} // closed once one of them has ended
	err     error         // what ended it
}

// report records err from scorch; a panic means a goroutine has ended.
func (b *background) report(err error) {
	if !errors.Is(err, scorch.ErrAsyncPanic) {
		return // a persist or clean-up error: scorch retries
	}
	b.once.Do(func() {
		b.err = err
		close(b.stopped)
	})
}

// watchBackground starts watching the scorch instance about to be opened
// in index folder dir, in place of any earlier one there.
func watchBackground(dir string) {
	registerAsyncCallback()
	backgrounds.Store(storeDir(dir), &background{stopped: make(chan struct{})})
}

// backgroundOf returns the state of the scorch instance last opened in
// index folder dir (a fresh one when none was watched).
func backgroundOf(dir string) *background {
	v, _ := backgrounds.LoadOrStore(storeDir(dir), &background{stopped: make(chan struct{})})
	return v.(*background)
}

// storeDir is the folder scorch is opened on inside an index folder.
func storeDir(dir string) string { return filepath.Join(dir, "store") }
