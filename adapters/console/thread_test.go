package console

import (
	"bufio"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"framebot/bot"
	"framebot/internal/testbot"
)

func TestParseThreadLine(t *testing.T) {
	tests := []struct {
		name   string
		line   string
		want   threadLine
		wantOK bool
	}{
		{"text and thread", `{"text": "who reported that?", "thread": "t1"}`, threadLine{Text: "who reported that?", Thread: "t1"}, true},
		{"text alone stands alone", `{"text": "when did it end?"}`, threadLine{Text: "when did it end?"}, true},
		{"a plain question", `who reported that?`, threadLine{}, false},
		{"braces that are not JSON", `{what is this}`, threadLine{}, false},
		{"an unknown key is a plain line", `{"text": "a", "room": "b"}`, threadLine{}, false},
		{"no text is a plain line", `{"thread": "t1"}`, threadLine{}, false},
		{"two objects are a plain line", `{"text": "a"} {"text": "b"}`, threadLine{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseThreadLine(tc.line)
			if ok != tc.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tc.wantOK)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestChatThreadLines feeds framebot chat a thread as JSON lines: a
// follow-up that only resolves through the thread, the same follow-up as a
// plain line, and a new topic in the same thread.
func TestChatThreadLines(t *testing.T) {
	b := testbot.Bot(testbot.Index(t))
	b.Threads = bot.NewThreads(bot.ThreadOptions{})
	in := strings.Join([]string{
		`{"text": "What does RUSI conclude about the Coalition of the Willing?", "thread": "t1"}`,
		`{"text": "Who reported that?", "thread": "t1"}`,
		`Who reported that?`,
		`{"text": "Who reported that?", "thread": "t2"}`,
		`{"text": "What kind of security guarantees will Russia accept?", "thread": "t1"}`,
		`What kind of security guarantees will Russia accept?`,
	}, "\n") + "\n"
	var out strings.Builder
	c := newChat(t, Config{Format: JSON}, Deps{Bot: b, In: strings.NewReader(in), Out: &out})
	if err := c.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	var answers []bot.Answer
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	for sc.Scan() {
		var a bot.Answer
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("reply %q: %v", sc.Text(), err)
		}
		answers = append(answers, a)
	}
	if len(answers) != 6 {
		t.Fatalf("got %d replies, want 6:\n%s", len(answers), out.String())
	}
	top := func(a bot.Answer) string {
		if len(a.Passages) == 0 {
			return ""
		}
		return a.Passages[0].Text
	}
	t.Run("the follow-up in the thread resolves through it", func(t *testing.T) {
		if got := answers[1]; !strings.Contains(top(got), "Edward Arnold") || got.Context == "" {
			t.Errorf("follow-up: context %q, first passage %q; want a context and the RUSI conclusion", got.Context, top(got))
		}
		if !strings.Contains(out.String(), `"context":`) {
			t.Error(`the JSON replies carry no "context"`)
		}
	})
	t.Run("the same words as a plain line or in another thread stand alone", func(t *testing.T) {
		for _, a := range answers[2:4] {
			if a.Context != "" || strings.Contains(top(a), "Edward Arnold") {
				t.Errorf("context %q, first passage %q; want the answer alone", a.Context, top(a))
			}
		}
	})
	t.Run("a new topic in the thread is answered as alone", func(t *testing.T) {
		if diff := cmp.Diff(answers[5], answers[4]); diff != "" {
			t.Errorf("(-alone +in thread):\n%s", diff)
		}
	})
}

func TestRenderTextSaysTheContext(t *testing.T) {
	a := &bot.Answer{Question: "Who reported that?", Context: "Coalition of the Willing", Answered: true,
		Passages: []bot.Passage{{Text: "Edward Arnold concludes.", Title: "News"}}}
	got := RenderText(bot.Reply{Answer: a}, false)
	want := "Q: Who reported that?\n(in the context of: Coalition of the Willing)\n\n1. “Edward Arnold concludes.”\n   — News"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// FuzzParseThreadLine checks that any input line either stays a plain line
// or gives valid text and a bounded thread ID.
func FuzzParseThreadLine(f *testing.F) {
	for _, s := range []string{`{"text": "a", "thread": "t"}`, `{"text": 1}`, `{}`, `{"text": "\u0000", "thread": "` + strings.Repeat("é", 300) + `"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		m, ok := parseThreadLine(line)
		if !ok {
			if m != (threadLine{}) {
				t.Errorf("a plain line gave %+v", m)
			}
			return
		}
		if n := len([]rune(m.Thread)); n > maxThreadID {
			t.Errorf("thread ID of %d runes, want at most %d", n, maxThreadID)
		}
	})
}
