package live

import (
	"context"
	"errors"
	"fmt"
	"framebot/internal/wait"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"framebot/bot"
	"framebot/corpus"
	"framebot/index"
	"framebot/internal/testfs"
)

// recordingNotifier records every announcement it is asked to post.
type recordingNotifier struct {
	platform string
	mu       sync.Mutex
	sent     []notice
	fail     map[string]bool // channels that refuse messages
}

type notice struct {
	Channel string
	A       bot.Announcement
}

func (n *recordingNotifier) Platform() string { return n.platform }

func (n *recordingNotifier) Notify(_ context.Context, channel string, a bot.Announcement) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fail[channel] {
		return errors.New("channel_not_found")
	}
	n.sent = append(n.sent, notice{channel, a})
	return nil
}

func (n *recordingNotifier) notices() []notice {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.sent)
}

// memSubs is a subscription store in memory.
type memSubs map[string][]string

func (m memSubs) Subscribe(context.Context, string, string) error { return nil }
func (m memSubs) Unsubscribe(context.Context, string, string) (bool, error) {
	return false, nil
}
func (m memSubs) Subscribers(_ context.Context, platform string) ([]string, error) {
	return m[platform], nil
}

// liveHarness runs the watcher and applier on a real folder and index.
type liveHarness struct {
	dir, ixDir string
	ix         *index.Index
	w          *corpus.Watcher
	notifier   *recordingNotifier
	mu         sync.Mutex
	changes    []bot.DocChange
	stop       func()
}

var fastWatch = corpus.WatchOptions{Settle: 40 * time.Millisecond, Debounce: 20 * time.Millisecond, MaxDelay: time.Second, Rescan: -1, Poll: 5 * time.Millisecond}

// startLive runs the service on dir (a new folder when "") with the index
// in ixDir, and waits for its start-up scan to be applied.
func startLive(t *testing.T, dir, ixDir string) *liveHarness {
	t.Helper()
	return startLiveWith(t, dir, ixDir, fastWatch)
}

// startLiveWith is startLive with the given watcher timings.
func startLiveWith(t *testing.T, dir, ixDir string, opts corpus.WatchOptions) *liveHarness {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	if ixDir == "" {
		ixDir = filepath.Join(t.TempDir(), "ix")
	}
	ix, err := index.Open(ixDir, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := corpus.NewWatcher(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	h := &liveHarness{dir: dir, ixDir: ixDir, ix: ix, w: w, notifier: &recordingNotifier{platform: "test"}}
	svc := &Service{
		Watcher:   w,
		Applier:   &Applier{Root: dir, Index: ix},
		Announcer: &bot.Announcer{Subscriptions: memSubs{"test": {"C1", "C2"}}, Notifiers: []bot.Notifier{h.notifier}},
		OnChange: func(c bot.DocChange) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.changes = append(h.changes, c)
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	var once sync.Once
	h.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Errorf("Run returned %v, want context.Canceled", err)
			}
			ix.Close()
		})
	}
	t.Cleanup(h.stop)
	waitFor(t, "the start-up scan", func() bool { return w.Health().Batches > 0 && w.Health().Pending == 0 })
	return h
}

// waitFor polls cond until it holds (see wait.For).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	wait.For(t, what, 10*time.Second, 2*time.Millisecond, cond)
}

// takeChanges waits until n changes have been applied and returns them.
func (h *liveHarness) takeChanges(t *testing.T, n int) []bot.DocChange {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d changes", n), func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return len(h.changes) >= n
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	got := h.changes
	h.changes = nil
	return got
}

// docsWith returns the documents whose passages match word.
func (h *liveHarness) docsWith(t *testing.T, word string) []string {
	t.Helper()
	res, err := h.ix.Search(context.Background(), word, 10)
	if err != nil {
		t.Fatal(err)
	}
	var docs []string
	for _, hit := range res.Hits {
		if !slices.Contains(docs, hit.Doc) {
			docs = append(docs, hit.Doc)
		}
	}
	slices.Sort(docs)
	return docs
}

func doc(title, body string) string {
	return "---\ntitle: " + title + "\nsource: Test desk\n---\n\n" + body + "\n"
}

var sortChanges = cmpopts.SortSlices(func(a, b bot.DocChange) bool { return a.Kind.String()+a.Doc < b.Kind.String()+b.Doc })

func TestServiceFollowsAddChangeRenameAndDelete(t *testing.T) {
	h := startLive(t, "", "")

	testfs.Write(t, h.dir, "birds.md", doc("Birds", "The zebrafinch sings at dawn in the garden.\n\nIt nests in the hedge."))
	got := h.takeChanges(t, 1)
	want := []bot.DocChange{{Kind: "added", Doc: "birds.md", Title: "Birds", Source: "Test desk", Passages: 2, Opening: "The zebrafinch sings at dawn in the garden. It nests in the hedge."}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("after adding (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"birds.md"}, h.docsWith(t, "zebrafinch")); diff != "" {
		t.Errorf("search after adding (-want +got):\n%s", diff)
	}

	testfs.Write(t, h.dir, "birds.md", doc("Birds", "The nightingale sings at night."))
	got = h.takeChanges(t, 1)
	want = []bot.DocChange{{Kind: "updated", Doc: "birds.md", Title: "Birds", Source: "Test desk", Passages: 1, Opening: "The nightingale sings at night."}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("after changing (-want +got):\n%s", diff)
	}
	if got := h.docsWith(t, "zebrafinch"); len(got) != 0 {
		t.Errorf("the old version is still found: %v", got)
	}
	if diff := cmp.Diff([]string{"birds.md"}, h.docsWith(t, "nightingale")); diff != "" {
		t.Errorf("search after changing (-want +got):\n%s", diff)
	}

	if err := os.Rename(filepath.Join(h.dir, "birds.md"), filepath.Join(h.dir, "songbirds.md")); err != nil {
		t.Fatal(err)
	}
	got = h.takeChanges(t, 2)
	want = []bot.DocChange{
		{Kind: "removed", Doc: "birds.md", Title: "Birds", Source: "Test desk", Passages: 1},
		{Kind: "added", Doc: "songbirds.md", Title: "Birds", Source: "Test desk", Passages: 1, Opening: "The nightingale sings at night."},
	}
	if diff := cmp.Diff(want, got, sortChanges); diff != "" {
		t.Fatalf("after renaming (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"songbirds.md"}, h.docsWith(t, "nightingale")); diff != "" {
		t.Errorf("search after renaming (-want +got):\n%s", diff)
	}

	if err := os.Remove(filepath.Join(h.dir, "songbirds.md")); err != nil {
		t.Fatal(err)
	}
	got = h.takeChanges(t, 1)
	want = []bot.DocChange{{Kind: "removed", Doc: "songbirds.md", Title: "Birds", Source: "Test desk", Passages: 1}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("after deleting (-want +got):\n%s", diff)
	}
	if got := h.docsWith(t, "nightingale"); len(got) != 0 {
		t.Errorf("a deleted document is still found: %v", got)
	}
}

func TestServiceIndexesANewSubFolder(t *testing.T) {
	h := startLive(t, "", "")
	testfs.Write(t, h.dir, "reports/2026/march.txt", "The marmoset census counted four hundred animals.")
	got := h.takeChanges(t, 1)
	if len(got) != 1 || got[0].Kind != "added" || got[0].Doc != "reports/2026/march.txt" {
		t.Fatalf("changes = %+v", got)
	}
	testfs.Write(t, h.dir, "reports/2026/april.txt", "The capybara census counted ninety animals.")
	h.takeChanges(t, 1)
	if diff := cmp.Diff([]string{"reports/2026/april.txt"}, h.docsWith(t, "capybara")); diff != "" {
		t.Errorf("search (-want +got):\n%s", diff)
	}
	if err := os.RemoveAll(filepath.Join(h.dir, "reports")); err != nil {
		t.Fatal(err)
	}
	got = h.takeChanges(t, 2)
	if len(got) != 2 || got[0].Kind != "removed" || got[1].Kind != "removed" {
		t.Errorf("after removing the folder: %+v", got)
	}
}

func TestServiceKeepsTheLastGoodVersionOfAnUnparseableFile(t *testing.T) {
	h := startLive(t, "", "")
	testfs.Write(t, h.dir, "otters.md", doc("Otters", "Sea otters hold hands while they sleep."))
	h.takeChanges(t, 1)
	before, _ := h.ix.Meta("otters.md")

	testfs.Write(t, h.dir, "otters.md", "binary\x00\x00\x00junk")
	// Batches are applied in order: once a later file is in, the broken one
	// has been dealt with.
	testfs.Write(t, h.dir, "zz-marker.md", doc("Marker", "A marker document."))
	got := h.takeChanges(t, 1)
	if diff := cmp.Diff([]string{"zz-marker.md"}, []string{got[0].Doc}); diff != "" {
		t.Fatalf("changes (-want +got):\n%s", diff)
	}
	after, ok := h.ix.Meta("otters.md")
	if !ok || after.Hash != before.Hash {
		t.Errorf("meta after the broken write = %+v, want the last good version %+v", after, before)
	}
	if diff := cmp.Diff([]string{"otters.md"}, h.docsWith(t, "otters")); diff != "" {
		t.Errorf("search (-want +got):\n%s", diff)
	}

	testfs.Write(t, h.dir, "otters.md", doc("Otters", "Sea otters use stones as tools."))
	got = h.takeChanges(t, 1)
	if got[0].Kind != "updated" || got[0].Opening != "Sea otters use stones as tools." {
		t.Errorf("after repairing: %+v", got)
	}
}

func TestServiceTreatsAnEditorSaveAsOneUpdate(t *testing.T) {
	h := startLive(t, "", "")
	testfs.Write(t, h.dir, "plan.md", doc("Plan", "The first draft of the plan."))
	h.takeChanges(t, 1)
	testfs.Write(t, h.dir, ".plan.md.swp", "swap")
	testfs.Write(t, h.dir, "plan.md.tmp", doc("Plan", "The second draft of the plan."))
	if err := os.Rename(filepath.Join(h.dir, "plan.md.tmp"), filepath.Join(h.dir, "plan.md")); err != nil {
		t.Fatal(err)
	}
	got := h.takeChanges(t, 1)
	want := []bot.DocChange{{Kind: "updated", Doc: "plan.md", Title: "Plan", Source: "Test desk", Passages: 1, Opening: "The second draft of the plan."}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestServiceAnnouncesABurstAsOneDigest(t *testing.T) {
	// A settle time well above the time the burst takes to land, so that
	// a loaded machine does not split it.
	opts := fastWatch
	opts.Settle, opts.Debounce = 300*time.Millisecond, 100*time.Millisecond
	h := startLiveWith(t, "", "", opts)
	staging := t.TempDir()
	for i := range 200 {
		testfs.Write(t, staging, fmt.Sprintf("doc-%03d.md", i), doc(fmt.Sprintf("Report %03d", i), fmt.Sprintf("Report number %d of the burst.", i)))
	}
	if err := os.Mkdir(filepath.Join(h.dir, "burst"), 0o755); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the new folder to be watched", func() bool { return h.w.Health().Folders == 2 })
	// Files land one by one, as a copy or a sync tool drops them.
	for i := range 200 {
		name := fmt.Sprintf("doc-%03d.md", i)
		if err := os.Rename(filepath.Join(staging, name), filepath.Join(h.dir, "burst", name)); err != nil {
			t.Fatal(err)
		}
	}
	h.takeChanges(t, 200)
	waitFor(t, "the digests", func() bool { return len(h.notifier.notices()) >= 2 })
	got := h.notifier.notices()
	if len(got) != 2 || got[0].Channel != "C1" || got[1].Channel != "C2" {
		t.Fatalf("notices went to %d conversations, want one digest each to C1 and C2", len(got))
	}
	for _, n := range got {
		if len(n.A.Changes) != 200 {
			t.Errorf("digest to %s has %d changes, want 200", n.Channel, len(n.A.Changes))
		}
		if c := n.A.Changes[0]; c.Kind != "added" || c.Title != "Report 000" || c.Opening == "" {
			t.Errorf("first change of the digest: %+v", c)
		}
	}
}

func TestRestartReconcilesChangesMadeWhileStopped(t *testing.T) {
	dir := t.TempDir()
	testfs.Write(t, dir, "a.md", doc("A", "Alpha version one."))
	testfs.Write(t, dir, "b.md", doc("B", "Bravo stays the same."))
	testfs.Write(t, dir, "c.md", doc("C", "Charlie will be deleted."))
	h := startLive(t, dir, "")
	got := h.takeChanges(t, 3)
	if len(got) != 3 {
		t.Fatalf("first run: %+v", got)
	}
	h.stop()

	testfs.Write(t, dir, "a.md", doc("A", "Alpha version two."))
	if err := os.Remove(filepath.Join(dir, "c.md")); err != nil {
		t.Fatal(err)
	}
	testfs.Write(t, dir, "d/e.md", doc("E", "Echo arrived while the bot was down."))

	h2 := startLive(t, dir, h.ixDir)
	got = h2.takeChanges(t, 3)
	want := []bot.DocChange{
		{Kind: "updated", Doc: "a.md", Title: "A", Source: "Test desk", Passages: 1, Opening: "Alpha version two."},
		{Kind: "removed", Doc: "c.md", Title: "C", Source: "Test desk", Passages: 1},
		{Kind: "added", Doc: "d/e.md", Title: "E", Source: "Test desk", Passages: 1, Opening: "Echo arrived while the bot was down."},
	}
	if diff := cmp.Diff(want, got, sortChanges); diff != "" {
		t.Errorf("second run (-want +got):\n%s", diff)
	}
	docs, err := h2.ix.Documents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range docs {
		ids = append(ids, d.Doc)
	}
	if diff := cmp.Diff([]string{"a.md", "b.md", "d/e.md"}, ids); diff != "" {
		t.Errorf("indexed documents (-want +got):\n%s", diff)
	}
}
