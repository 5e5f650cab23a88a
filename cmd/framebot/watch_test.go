package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"framebot/internal/wait"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"framebot/bot"
	"framebot/internal/testfs"
	"framebot/sqlite"
)

// syncBuffer is a bytes.Buffer safe to read while the command writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls cond until it holds (see wait.For).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	wait.For(t, what, 10*time.Second, 2*time.Millisecond, cond)
}

func writeDoc(t *testing.T, dir, name, title, body string) {
	t.Helper()
	testfs.Write(t, dir, name, "---\ntitle: "+title+"\nsource: Desk\n---\n\n"+body+"\n")
}

// fastWatchConfig writes a configuration file that makes the watcher
// react within tens of milliseconds.
func fastWatchConfig(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "framebot.yaml")
	if err := os.WriteFile(p, []byte("watch:\n  settle: 20ms\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestChatPrintsAnEventPerCorpusChange(t *testing.T) {
	dir := t.TempDir()
	writeDoc(t, dir, "otters.md", "Otters", "Sea otters hold hands while they sleep.")
	stdin, feed := io.Pipe()
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(context.Background(), []string{"chat", "--config", fastWatchConfig(t), "--corpus", dir, "--index", filepath.Join(t.TempDir(), "ix"), "--format", "json"}, stdin, &out, &errOut)
	}()
	// Once the first reply is out the corpus has been loaded: what is
	// written from now on is the watcher's business.
	fmt.Fprintln(feed, "/help")
	waitFor(t, "the help reply", func() bool { return strings.Contains(out.String(), `"text":`) })

	writeDoc(t, dir, "news/walrus.md", "Walruses", "Walruses use their tusks to climb onto the ice.")
	want := `{"event":"added","doc":"news/walrus.md","title":"Walruses"}` + "\n"
	waitFor(t, "the added event", func() bool { return strings.Contains(out.String(), want) })
	fmt.Fprintln(feed, "/status")
	waitFor(t, "the status reply", func() bool { return strings.Contains(out.String(), `"watcher":"watching 2 folders`) })
	writeDoc(t, dir, "otters.md", "Otters", "Sea otters use stones as tools.")
	want = `{"event":"updated","doc":"otters.md","title":"Otters"}` + "\n"
	waitFor(t, "the updated event", func() bool { return strings.Contains(out.String(), want) })
	if err := os.Remove(filepath.Join(dir, "news/walrus.md")); err != nil {
		t.Fatal(err)
	}
	want = `{"event":"removed","doc":"news/walrus.md","title":"Walruses"}` + "\n"
	waitFor(t, "the removed event", func() bool { return strings.Contains(out.String(), want) })

	fmt.Fprintln(feed, "/new")
	waitFor(t, "the new reply", func() bool { return strings.Contains(out.String(), `"title":"Recently added or changed"`) })
	feed.Close()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut.String())
	}
	if strings.Contains(out.String(), "tusks") {
		t.Errorf("a removed document is still quoted:\n%s", out.String())
	}
}

// recordingNotifier records the announcements posted through it.
type recordingNotifier struct {
	mu   sync.Mutex
	sent map[string][]bot.Announcement
}

func (n *recordingNotifier) Platform() string { return "test" }

func (n *recordingNotifier) Notify(_ context.Context, channel string, a bot.Announcement) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if channel == "CGONE" {
		return errors.New("channel_not_found")
	}
	if n.sent == nil {
		n.sent = map[string][]bot.Announcement{}
	}
	n.sent[channel] = append(n.sent[channel], a)
	return nil
}

func (n *recordingNotifier) count() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := 0
	for _, as := range n.sent {
		c += len(as)
	}
	return c
}

func TestSubscriptionsSurviveARestartAndABurstIsOneDigest(t *testing.T) {
	ctx := context.Background()
	dir, data := t.TempDir(), t.TempDir()
	writeDoc(t, dir, "first.md", "First", "The first document.")
	cfg := DefaultConfig()
	cfg.Corpus, cfg.DataDir, cfg.LogLevel = dir, data, "error"
	cfg.Watch.Settle = 200 * time.Millisecond
	statePath := filepath.Join(data, "state.db")

	// First run: two conversations subscribe, one of them then leaves.
	a, _, err := openApp(ctx, cfg, newLogger("error", os.Stderr), nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, statePath)
	if err != nil {
		t.Fatal(err)
	}
	a.bot.Subscriptions = st
	for _, line := range []struct{ channel, cmd string }{{"C1", "subscribe"}, {"C2", "subscribe"}, {"CGONE", "subscribe"}, {"C2", "unsubscribe"}} {
		if _, err := a.bot.Command(ctx, bot.Request{Platform: "test", Channel: line.channel}, "/", line.cmd); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	a.Close()

	// Second run: the watcher announces to the conversations still subscribed.
	a, _, err = openApp(ctx, cfg, newLogger("error", os.Stderr), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	st, err = sqlite.Open(ctx, statePath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n := &recordingNotifier{}
	w, err := a.watchService(&bot.Announcer{Subscriptions: st, Notifiers: []bot.Notifier{n}}, nil)
	if err != nil || w == nil {
		t.Fatalf("watchService = %v, %v", w, err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(runCtx) }()
	waitFor(t, "the start-up scan", func() bool { return w.Watcher.Health().Batches > 0 })
	// The files are written aside and dropped in with fast renames, so
	// that a loaded machine does not stretch the burst past the settle time.
	staging := t.TempDir()
	for i := range 50 {
		writeDoc(t, staging, fmt.Sprintf("%02d.md", i), fmt.Sprintf("Burst %02d", i), fmt.Sprintf("Burst document number %d.", i))
	}
	for i := range 50 {
		name := fmt.Sprintf("%02d.md", i)
		if err := os.Rename(filepath.Join(staging, name), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the digest", func() bool { return n.count() > 0 })
	waitFor(t, "all fifty documents indexed", func() bool {
		docs, _, _, _ := a.index.Stats(ctx)
		return docs == 51
	})
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v", err)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	var got []int
	for _, ch := range []string{"C1", "C2", "CGONE"} {
		for _, an := range n.sent[ch] {
			got = append(got, len(an.Changes))
		}
	}
	if diff := cmp.Diff([]int{50}, got); diff != "" {
		t.Errorf("digest sizes to C1, C2 and CGONE (-want +got):\n%s", diff)
	}
	rep, err := a.bot.Command(ctx, bot.Request{Platform: "test"}, "/", "status")
	if err != nil || rep.Status == nil || !strings.HasPrefix(rep.Status.Watcher, "stopped") {
		t.Errorf("status after stopping = %+v, %v; want the watcher stopped", rep.Status, err)
	}
}
