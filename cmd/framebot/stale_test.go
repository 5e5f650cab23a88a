package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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
