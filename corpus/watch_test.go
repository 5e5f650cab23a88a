package corpus

import (
	"context"
	"errors"
	"fmt"
	"framebot/internal/testfs"
	"framebot/internal/wait"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeClock is a clock that moves only when the test says so.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// watchHarness runs a Watcher on a real temporary folder with a fake clock
// and collects its batches.
type watchHarness struct {
	dir     string
	w       *Watcher
	clock   *fakeClock
	opts    WatchOptions
	batches chan Batch
}

var testWatchOptions = WatchOptions{Settle: time.Second, Debounce: 200 * time.Millisecond, MaxDelay: time.Minute, Rescan: -1, Poll: 2 * time.Millisecond}

// startWatcher creates files (path → content) in a new folder, starts a
// watcher on it and returns once the start-up scan has been received.
func startWatcher(t *testing.T, opts WatchOptions, files map[string]string) (*watchHarness, Batch) {
	t.Helper()
	dir := t.TempDir()
	old := time.Now().Add(-time.Hour)
	for name, content := range files {
		testfs.Write(t, dir, name, content)
		// Files that were there long before: settled.
		if err := os.Chtimes(filepath.Join(dir, filepath.FromSlash(name)), old, old); err != nil {
			t.Fatal(err)
		}
	}
	clock := &fakeClock{t: time.Now()}
	opts.Now = clock.Now
	w, err := NewWatcher(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &watchHarness{dir: dir, w: w, clock: clock, opts: w.opts, batches: make(chan Batch, 100)}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := w.Run(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v, want context.Canceled", err)
		}
	}()
	go func() {
		defer wg.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case b := <-w.Batches():
				h.batches <- b
			}
		}
	}()
	t.Cleanup(func() { cancel(); wg.Wait() })
	first := h.receive(t)
	if !first.Full {
		t.Fatalf("first batch %+v is not a full scan", first)
	}
	return h, first
}

// waitFor polls cond until it holds (see wait.For).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	wait.For(t, what, 5*time.Second, time.Millisecond, cond)
}

// receive waits for the next batch.
func (h *watchHarness) receive(t *testing.T) Batch {
	t.Helper()
	select {
	case b := <-h.batches:
		return b
	case <-time.After(5 * time.Second):
		t.Fatal("timed out waiting for a batch")
		return Batch{}
	}
}

// advance moves the clock by d and waits until the watcher has looked at
// its pending files at the new time.
func (h *watchHarness) advance(t *testing.T, d time.Duration) {
	t.Helper()
	now := h.clock.Advance(d)
	waitFor(t, "the watcher to look at the new time", func() bool { return !h.w.Health().LastLook.Before(now) })
}

// settle advances the clock a settle period at a time until a batch comes.
func (h *watchHarness) settle(t *testing.T) Batch {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		h.advance(t, h.opts.Settle)
		select {
		case b := <-h.batches:
			return b
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatal("no batch came")
	return Batch{}
}

// quiet checks that no batch comes however far the clock moves.
func (h *watchHarness) quiet(t *testing.T) {
	t.Helper()
	for range 3 {
		h.advance(t, h.opts.Settle)
	}
	select {
	case b := <-h.batches:
		t.Errorf("unexpected batch %+v", b)
	case <-time.After(50 * time.Millisecond):
	}
}

// waitEvents waits until the watcher has counted more than n events.
func (h *watchHarness) waitEvents(t *testing.T, n uint64) {
	t.Helper()
	waitFor(t, fmt.Sprintf("more than %d events", n), func() bool { return h.w.Health().Events > n })
}

func TestWatcherStartsWithAFullScanOfTheSupportedFiles(t *testing.T) {
	_, first := startWatcher(t, testWatchOptions, map[string]string{
		"a.md":             "A",
		"sub/b.txt":        "B",
		"sub/deep/c.html":  "<p>C</p>",
		".hidden.md":       "H",
		"draft.md~":        "D",
		"sub/.git/x.md":    "X",
		"notes.xlsx":       "P",
		"download.md.part": "P",
	})
	want := Batch{Full: true, Paths: []string{"a.md", "sub/b.txt", "sub/deep/c.html"}}
	if diff := cmp.Diff(want, first); diff != "" {
		t.Errorf("start-up batch (-want +got):\n%s", diff)
	}
}

func TestWatcherReportsEachKindOfChange(t *testing.T) {
	initial := map[string]string{"a.md": "Alpha.", "sub/b.md": "Beta."}
	mv := func(from, to string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			if err := os.Rename(filepath.Join(dir, from), filepath.Join(dir, to)); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name string
		do   func(t *testing.T, dir string)
		want []string
	}{
		{"an added file is reported", func(t *testing.T, dir string) { testfs.Write(t, dir, "new.md", "New.") }, []string{"new.md"}},
		{"a changed file is reported", func(t *testing.T, dir string) { testfs.Write(t, dir, "a.md", "Alpha again.") }, []string{"a.md"}},
		{"a deleted file is reported", func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, "a.md")); err != nil {
				t.Fatal(err)
			}
		}, []string{"a.md"}},
		{"a renamed file is reported under both names", mv("a.md", "z.md"), []string{"a.md", "z.md"}},
		{"a file in a new sub-folder is reported", func(t *testing.T, dir string) {
			testfs.Write(t, dir, "later/deeper/c.md", "Gamma.")
		}, []string{"later/deeper/c.md"}},
		{"a removed folder is reported with its files", func(t *testing.T, dir string) {
			if err := os.RemoveAll(filepath.Join(dir, "sub")); err != nil {
				t.Fatal(err)
			}
		}, []string{"sub", "sub/b.md"}},
		{"a renamed folder is reported as gone and its files as new", mv("sub", "moved"), []string{"moved/b.md", "sub"}},
		{"an editor's save through a temporary file is one change", func(t *testing.T, dir string) {
			testfs.Write(t, dir, ".a.md.swp", "swap")
			testfs.Write(t, dir, "a.md.tmp", "Alpha, saved.")
			mv("a.md.tmp", "a.md")(t, dir)
		}, []string{"a.md"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := startWatcher(t, testWatchOptions, initial)
			tt.do(t, h.dir)
			got := h.settle(t)
			if diff := cmp.Diff(Batch{Paths: tt.want}, got); diff != "" {
				t.Errorf("batch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWatcherPassesOverIgnoredNames(t *testing.T) {
	h, _ := startWatcher(t, testWatchOptions, nil)
	for _, name := range []string{".hidden.md", "draft.md~", "#draft.md#", "report.md.crdownload", "report.md.part", "x.tmp", ".cache/a.md", "picture.png"} {
		testfs.Write(t, h.dir, name, "ignored")
	}
	h.quiet(t)
}

func TestWatcherFollowsFoldersCreatedLater(t *testing.T) {
	h, _ := startWatcher(t, testWatchOptions, nil)
	testfs.Write(t, h.dir, "one/a.md", "A")
	if diff := cmp.Diff(Batch{Paths: []string{"one/a.md"}}, h.settle(t)); diff != "" {
		t.Fatalf("first batch (-want +got):\n%s", diff)
	}
	// The new folder itself is watched now: a later file in it is seen.
	testfs.Write(t, h.dir, "one/b.md", "B")
	if diff := cmp.Diff(Batch{Paths: []string{"one/b.md"}}, h.settle(t)); diff != "" {
		t.Errorf("second batch (-want +got):\n%s", diff)
	}
	if got := h.w.Health().Folders; got != 2 {
		t.Errorf("Folders = %d, want 2", got)
	}
}

func TestWatcherWaitsForASlowlyWrittenFile(t *testing.T) {
	h, _ := startWatcher(t, testWatchOptions, nil)
	f, err := os.Create(filepath.Join(h.dir, "slow.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunks := []string{"# Slow\n\n", "The first paragraph arrives. ", "The second part follows. ", "The end.\n"}
	for _, c := range chunks {
		n := h.w.Health().Events
		if _, err := f.WriteString(c); err != nil {
			t.Fatal(err)
		}
		h.waitEvents(t, n)
		// A pause shorter than the settle time: the file is not done.
		h.advance(t, h.opts.Settle/2)
		select {
		case b := <-h.batches:
			t.Fatalf("batch %+v sent while the file was still being written", b)
		default:
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Batch{Paths: []string{"slow.md"}}, h.settle(t)); diff != "" {
		t.Fatalf("batch (-want +got):\n%s", diff)
	}
	doc, err := LoadFile(h.dir, "slow.md", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(doc.Paragraphs); got != 1 || doc.Paragraphs[0] != "The first paragraph arrives. The second part follows. The end." {
		t.Errorf("paragraphs = %q", doc.Paragraphs)
	}
}

func TestWatcherSendsABurstAsOneBatch(t *testing.T) {
	h, _ := startWatcher(t, testWatchOptions, nil)
	var want []string
	for i := range 200 {
		name := fmt.Sprintf("burst/doc-%03d.md", i)
		testfs.Write(t, h.dir, name, fmt.Sprintf("Document %d.", i))
		want = append(want, name)
	}
	waitFor(t, "200 files pending", func() bool { return h.w.Health().Pending == 200 })
	got := h.settle(t)
	if diff := cmp.Diff(Batch{Paths: want}, got); diff != "" {
		t.Errorf("batch (-want +got):\n%s", diff)
	}
	h.quiet(t)
}

func TestWatcherRescansPeriodically(t *testing.T) {
	opts := testWatchOptions
	opts.Rescan = 10 * time.Minute
	h, _ := startWatcher(t, opts, map[string]string{"a.md": "A"})
	h.advance(t, 10*time.Minute)
	if diff := cmp.Diff(Batch{Full: true, Paths: []string{"a.md"}}, h.receive(t)); diff != "" {
		t.Errorf("rescan batch (-want +got):\n%s", diff)
	}
	if got := h.w.Health(); got.LastRescan != h.clock.Now() {
		t.Errorf("LastRescan = %v, want %v", got.LastRescan, h.clock.Now())
	}
}

func TestWatcherHealthSaysWhatItDoes(t *testing.T) {
	h, _ := startWatcher(t, testWatchOptions, map[string]string{"a/b.md": "B"})
	got := h.w.Health()
	if !got.Running || got.Folders != 2 || got.Degraded != "" {
		t.Errorf("health = %+v, want running with 2 folders", got)
	}
	if s := got.String(); s[:len("watching 2 folders")] != "watching 2 folders" {
		t.Errorf("String() = %q", s)
	}
	if s := (WatchHealth{}).String(); s != "starting" {
		t.Errorf("zero health String() = %q, want starting", s)
	}
	if s := (WatchHealth{Started: time.Now()}).String(); s != "stopped" {
		t.Errorf("String() after Run = %q, want stopped", s)
	}
}

func TestNewWatcherRejectsAMissingFolder(t *testing.T) {
	_, err := NewWatcher(filepath.Join(t.TempDir(), "nope"), WatchOptions{})
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v, want one wrapping fs.ErrNotExist", err)
	}
}
