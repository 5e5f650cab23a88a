package console

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"framebot/bot"
	"framebot/internal/logcheck"
	"framebot/internal/testbot"
)

// failingSearcher fails, quoting the question as the index's errors do.
type failingSearcher struct{}

func (failingSearcher) Search(_ context.Context, text string, _ int) (*bot.SearchResult, error) {
	return nil, fmt.Errorf("search for %q: %w", text, errors.New("disk on fire"))
}

// TestChatLogsCarryNoMessageText runs every command through framebot chat,
// on the real index and on a failing one, and checks that the log at info
// level and above holds nothing the user typed.
func TestChatLogsCarryNoMessageText(t *testing.T) {
	const question, topic, other = "Qzquestionword", "Qztopicword", "Qzcommandword"
	lines := []string{
		"What guarantees does the plan give " + question + "?",
		"/ask who met " + question,
		"/summary troops " + topic,
		"/proposals", "/sources", "/sources 2", "/new", "/subscribe", "/unsubscribe", "/status", "/help",
		"/" + other + " please",
	}
	rec := &logcheck.Recorder{}
	ix := testbot.Index(t)
	for _, b := range []*bot.Bot{testbot.Bot(ix), bot.New(bot.NewAnswerer(failingSearcher{}, bot.AnswerOptions{}), ix)} {
		for _, f := range []Format{Text, JSON} {
			c := newChat(t, Config{Format: f}, Deps{Bot: b, In: strings.NewReader(strings.Join(lines, "\n") + "\n"), Out: io.Discard, Logger: rec.Logger()})
			if err := c.Run(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !strings.Contains(rec.String(), "disk on fire") {
		t.Fatalf("the failing search was not logged:\n%s", rec.String())
	}
	rec.AssertNone(t, question, topic, other, "What guarantees does the plan give")
}

func TestCorpusEventsEscapeNames(t *testing.T) {
	var out strings.Builder
	c := newChat(t, Config{Format: Text}, Deps{Out: &out})
	if err := c.PrintEvent(Event{Event: "added", Doc: "a\n[corpus] removed: all.txt", Title: "x\u202Ey"}); err != nil {
		t.Fatal(err)
	}
	if want := "[corpus] added: x\\u202ey (a\\n[corpus] removed: all.txt)\n"; out.String() != want {
		t.Errorf("printed %q, want %q", out.String(), want)
	}
}

// newChat builds a chat with New; a missing Bot or In is filled in for
// tests that only print.
func newChat(t *testing.T, cfg Config, d Deps) *Chat {
	t.Helper()
	if d.Bot == nil {
		d.Bot = &bot.Bot{}
	}
	if d.In == nil {
		d.In = strings.NewReader("")
	}
	c, err := New(cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
