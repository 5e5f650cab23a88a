package corpus

import (
	"fmt"
	"strings"
	"time"

	"framebot/internal/text"
)

// WatchHealth is a snapshot of a Watcher's state, for the status command
// and for tests that wait for the watcher to have seen something.
type WatchHealth struct {
	// Running is true between the start and the end of Run.
	Running bool
	// Started is when Run started.
	Started time.Time
	// Folders is the number of folders watched.
	Folders int
	// Pending is the number of files whose changes have not settled.
	Pending int
	// Events counts the file events taken into account.
	Events uint64
	// Batches counts the batches sent; LastBatch is when the last one was
	// taken and LastBatchFiles how many paths it held.
	Batches        uint64
	LastBatch      time.Time
	LastBatchFiles int
	// LastRescan is when the corpus was last scanned whole.
	LastRescan time.Time
	// LastLook is the clock's time at the last look at pending files.
	LastLook time.Time
	// Degraded says why file events are unavailable ("" when they work):
	// changes are then seen by the periodic rescan only.
	Degraded string
	// LastError is the last problem met (a folder that couldn't be watched,
	// lost events), "" when none.
	LastError string
}

// String says in one line how the watcher is doing: "starting" before
// Run, "stopped" after it.
func (h WatchHealth) String() string {
	switch {
	case !h.Running && h.Started.IsZero():
		return "starting"
	case !h.Running:
		return "stopped"
	}
	var b strings.Builder
	if h.Degraded != "" {
		fmt.Fprintf(&b, "degraded (rescans only: %s)", h.Degraded)
	} else {
		fmt.Fprintf(&b, "watching %s", text.Count(h.Folders, "folder"))
	}
	if h.Pending > 0 {
		fmt.Fprintf(&b, ", %s settling", text.Count(h.Pending, "file"))
	}
	if !h.LastBatch.IsZero() {
		fmt.Fprintf(&b, ", last batch %s", h.LastBatch.UTC().Format(time.RFC3339))
	}
	if !h.LastRescan.IsZero() {
		fmt.Fprintf(&b, ", last rescan %s", h.LastRescan.UTC().Format(time.RFC3339))
	}
	if h.LastError != "" {
		fmt.Fprintf(&b, "; last error: %s", h.LastError)
	}
	return b.String()
}

// Health returns the watcher's current state.
func (w *Watcher) Health() WatchHealth {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.health
}

func (w *Watcher) setHealth(f func(*WatchHealth)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	f(&w.health)
}
