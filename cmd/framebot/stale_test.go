package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"framebot/bot"
	"framebot/sqlite"
)

const (
	truceOld  = "The ceasefire between the two armies begins on the third of March and lasts thirty days under international monitors."
	truceNew  = "The ceasefire between the two armies begins on the third of March and lasts sixty days under international monitors."
	truceMore = "Prisoners are exchanged in the second week, in groups of fifty, at the northern crossing."
)

// staleLines returns the stale event lines of a JSON chat's output.
func staleLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var evs []map[string]any
	for _, l := range strings.Split(out, "\n") {
		if !strings.HasPrefix(l, `{"event":"stale"`) {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("stale line %q: %v", l, err)
		}
		evs = append(evs, m)
	}
	return evs
}

func TestChatPrintsAStaleEventForEachAnswerWhoseQuoteChanged(t *testing.T) {
	dir := t.TempDir()
	writeDoc(t, dir, "truce.md", "Truce terms", truceOld+"\n\n"+truceMore)
	writeDoc(t, dir, "weather.md", "Weather", "Rain is expected over the coast on Tuesday.")
	stdin, feed := io.Pipe()
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(context.Background(), []string{"chat", "--config", fastWatchConfig(t), "--corpus", dir, "--index", filepath.Join(t.TempDir(), "ix"), "--format", "json"}, stdin, &out, &errOut)
	}()
	const q = "How long does the ceasefire last?"
	fmt.Fprintln(feed, q)
	waitFor(t, "the answer", func() bool { return strings.Contains(out.String(), "thirty days") })

	// A paragraph added elsewhere and white space changed: the quote
	// stands. The check of a batch ends before the next batch is read, so
	// a stale line for it would come before the next change's.
	writeDoc(t, dir, "truce.md", "Truce terms", "A new opening paragraph about the talks.\n\n"+strings.ReplaceAll(truceOld, " the ", "\n the  ")+"\n\n"+truceMore)
	waitFor(t, "the first update", func() bool { return strings.Count(out.String(), `{"event":"updated","doc":"truce.md"`) == 1 })

	writeDoc(t, dir, "truce.md", "Truce terms", truceNew+"\n\n"+truceMore)
	waitFor(t, "the stale event", func() bool { return len(staleLines(t, out.String())) >= 1 })

	if err := os.Remove(filepath.Join(dir, "truce.md")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the removed stale event", func() bool { return len(staleLines(t, out.String())) >= 2 })
	feed.Close()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut.String())
	}
	want := []map[string]any{
		{"event": "stale", "doc": "truce.md", "question": q, "was": truceOld, "now": truceNew, "kind": "changed"},
		{"event": "stale", "doc": "truce.md", "question": q, "was": truceOld, "now": nil, "kind": "removed"},
	}
	if diff := cmp.Diff(want, staleLines(t, out.String())); diff != "" {
		t.Errorf("stale events (-want +got):\n%s\noutput:\n%s", diff, out.String())
	}
}

// recordingEditor records the edits of stale answers it is asked for.
type recordingEditor struct {
	mu    sync.Mutex
	edits []bot.StaleAnswer
}

func (e *recordingEditor) Platform() string { return "slack" }
func (e *recordingEditor) Run(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}
func (e *recordingEditor) EditStale(_ context.Context, a bot.StaleAnswer) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.edits = append(e.edits, a)
	return nil
}
func (e *recordingEditor) taken() []bot.StaleAnswer {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.edits)
}

func TestServeCorrectsAnswersWhoseSourceChangedWhileStopped(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	writeDoc(t, dir, "truce.md", "Truce terms", truceOld+"\n\n"+truceMore)
	writeDoc(t, dir, "weather.md", "Weather", "Rain is expected over the coast on Tuesday.")
	cfg := DefaultConfig()
	cfg.Corpus, cfg.DataDir = dir, t.TempDir()
	cfg.Watch.Disabled = true
	log := slog.New(slog.DiscardHandler)

	// First run: the index is built and an answer quoting the truce sent.
	a, _, err := openApp(ctx, cfg, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	st, err := sqlite.Open(ctx, filepath.Join(cfg.DataDir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	passages := []bot.Passage{{Text: truceOld, Doc: "truce.md", Title: "Truce terms"}, {Text: "Rain is expected over the coast on Tuesday.", Doc: "weather.md"}}
	for i, msg := range []string{"1.1", "1.2"} {
		if _, err := st.RememberAnswer(ctx, bot.AnswerRecord{Platform: "slack", Channel: "C1", MessageID: msg, User: "U1", Question: "q?", Passages: passages[i:]}); err != nil {
			t.Fatal(err)
		}
	}

	// While stopped, the quoted passage changes.
	writeDoc(t, dir, "truce.md", "Truce terms", truceNew+"\n\n"+truceMore)

	// Next start: the index catches up, and the stale service finds the
	// answer and edits it.
	a, _, err = openApp(ctx, cfg, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ed := &recordingEditor{}
	env := &serveEnv{cfg: cfg, log: log, app: a, state: st}
	svcs := appendStaleService(env, []service{ed}, nil, nil)
	if len(svcs) != 2 {
		t.Fatalf("services = %d, want the editor and the stale service", len(svcs))
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- svcs[1].Run(runCtx) }()
	waitFor(t, "the edit", func() bool { return len(ed.taken()) >= 1 })
	cancel()
	<-done
	got := ed.taken()
	if len(got) != 1 || got[0].MessageID != "1.1" || got[0].Quotes[0].Kind != bot.QuoteChanged || got[0].Quotes[0].Now != truceNew {
		t.Errorf("edits = %+v, want one of message 1.1 with the quote changed to the new version", got)
	}
}

func TestAnswersConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		window  time.Duration
		wantErr bool
	}{
		{"the default is valid", bot.DefaultStaleWindow, false},
		{"an hour is the least", time.Hour, false},
		{"a minute is too short", time.Minute, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := defaultAnswersConfig()
			c.StaleWindow = tt.window
			if err := c.Validate(); (err != nil) != tt.wantErr {
				t.Errorf("Validate() = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}
