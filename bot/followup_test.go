package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"framebot/bot"
	"framebot/internal/testbot"
)

func TestLeansOnThread(t *testing.T) {
	an := bot.DefaultAnaphora()
	tests := []struct {
		q    string
		want bool
	}{
		{"and the revised version?", true},
		{"And the revised one?", true},
		{"who reported that?", true},
		{"when did it end?", true},
		{"What did they agree on?", true},
		{"What is its capital?", true},
		{"what did she say", true},
		{"what about the 20-point plan?", true},
		{"What is the name of its founder?", true},
		// Counter-examples: the question carries its own subject.
		{"When did the Coalition of the Willing form?", false},
		{"What is the capital of France?", false},
		{"Who said that the plan failed?", false},
		{"What does this plan guarantee Ukraine?", false},
		{"Which itinerary did the envoy take?", false},
		{"Where is Andover?", false},
		{"How did the genre expand its reach?", false},
		{"What shows the graph of a function with all it's salient parts?", false},
	}
	for _, tc := range tests {
		if got := an.LeansOnThread(tc.q); got != tc.want {
			t.Errorf("LeansOnThread(%q) = %v, want %v", tc.q, got, tc.want)
		}
	}
}

func TestSubjectPutsNamesAndTitlePhrasesFirst(t *testing.T) {
	an := bot.DefaultAnaphora()
	tests := []struct {
		name    string
		q       string
		titles  []string
		subject []string
		strong  int
		label   string
	}{
		{"a name joined by connectors stays one phrase", "Who leads the Coalition of the Willing?", nil,
			[]string{"Coalition of the Willing", "leads"}, 1, "Coalition of the Willing"},
		{"words of the cited document's title count as a name", "what does the armenian apostolic church consist of", []string{"Armenian_Apostolic_Church"},
			[]string{"armenian apostolic church", "consist"}, 1, "armenian apostolic church"},
		{"the label joins the first two names", "What does RUSI conclude about the Coalition of the Willing?", nil,
			[]string{"RUSI", "Coalition of the Willing", "conclude"}, 2, "RUSI, Coalition of the Willing"},
		{"a question without a name gives its content words", "when did the war end", nil,
			[]string{"war", "end"}, 0, ""},
		{"pronouns are never a subject", "What did it cost them?", nil,
			[]string{"cost"}, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			subject, strong, label := an.Subject(tc.q, tc.titles)
			if diff := cmp.Diff(tc.subject, subject); diff != "" {
				t.Errorf("subject (-want +got):\n%s", diff)
			}
			if strong != tc.strong || label != tc.label {
				t.Errorf("strong, label = %d, %q; want %d, %q", strong, label, tc.strong, tc.label)
			}
		})
	}
}

func TestNames(t *testing.T) {
	an := bot.DefaultAnaphora()
	got := an.Names("When did Keir Starmer meet the Coalition of the Willing in Paris?")
	want := []string{"Keir Starmer", "Coalition of the Willing", "Paris"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Names (-want +got):\n%s", diff)
	}
	if got := an.Names("What did it cost?"); len(got) != 0 {
		t.Errorf("Names of a question without a name = %q, want none", got)
	}
}

func TestThreadsAreBoundedAndExpire(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	th := bot.NewThreads(bot.ThreadOptions{MaxThreads: 2, MaxTurns: 2, Idle: time.Hour, Now: func() time.Time { return now }})
	a, b, c := bot.ThreadKey{Thread: "a"}, bot.ThreadKey{Thread: "b"}, bot.ThreadKey{Thread: "c"}
	for _, q := range []string{"q1", "q2", "q3"} {
		th.Add(a, bot.Turn{Question: q})
	}
	questions := func(k bot.ThreadKey) []string {
		var out []string
		for _, t := range th.Turns(k) {
			out = append(out, t.Question)
		}
		return out
	}
	t.Run("a thread keeps its latest turns", func(t *testing.T) {
		if diff := cmp.Diff([]string{"q2", "q3"}, questions(a)); diff != "" {
			t.Errorf("turns (-want +got):\n%s", diff)
		}
	})
	t.Run("the least recently used thread is forgotten first", func(t *testing.T) {
		th.Add(b, bot.Turn{Question: "b1"})
		th.Turns(a) // a is used again: b is now the oldest
		th.Add(c, bot.Turn{Question: "c1"})
		if got := questions(b); got != nil {
			t.Errorf("thread b = %q, want forgotten", got)
		}
		if got := questions(a); len(got) != 2 {
			t.Errorf("thread a = %q, want kept", got)
		}
	})
	t.Run("an idle thread expires", func(t *testing.T) {
		now = now.Add(time.Hour + time.Second)
		if got := questions(c); got != nil {
			t.Errorf("thread c after an idle hour = %q, want forgotten", got)
		}
	})
}

// TestFollowupInThread asks, in one thread, a question, a follow-up that
// only resolves through it, and a question on a new topic.
func TestFollowupInThread(t *testing.T) {
	ctx := context.Background()
	b := testbot.Bot(testbot.Shared(t))
	b.Threads = bot.NewThreads(bot.ThreadOptions{})
	ask := func(thread, q string) *bot.Answer {
		t.Helper()
		rep, err := b.Ask(ctx, bot.Request{Platform: "test", Channel: "c", Thread: thread, Text: q})
		if err != nil || rep.Answer == nil {
			t.Fatalf("Ask(%q) = %+v, %v", q, rep, err)
		}
		return rep.Answer
	}
	top := func(a *bot.Answer) string {
		if !a.Answered || len(a.Passages) == 0 {
			return ""
		}
		return a.Passages[0].Text
	}
	ask("t1", "What does RUSI conclude about the Coalition of the Willing?")
	alone := ask("", "Who reported that?")
	follow := ask("t1", "Who reported that?")
	t.Run("the follow-up resolves through the thread", func(t *testing.T) {
		if !strings.Contains(top(follow), "Edward Arnold") {
			t.Errorf("follow-up's first passage = %q, want the RUSI conclusion by Edward Arnold", top(follow))
		}
		if follow.Context == "" {
			t.Error("follow-up's Context is empty, want the borrowed subject")
		}
		if strings.Contains(top(alone), "Edward Arnold") {
			t.Errorf("asked alone, the first passage is already %q: the check proves nothing", top(alone))
		}
	})
	t.Run("a new topic in the same thread is answered as alone", func(t *testing.T) {
		q := "What kind of security guarantees will Russia accept?"
		got, want := ask("t1", q), ask("", q)
		if got.Context != "" {
			t.Errorf("Context = %q, want none", got.Context)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("answer in the thread differs from alone (-alone +thread):\n%s", diff)
		}
	})
	t.Run("a message outside any thread is answered alone", func(t *testing.T) {
		if alone.Context != "" {
			t.Errorf("Context = %q, want none", alone.Context)
		}
	})
}

// TestThreadsAreSafeForConcurrentUse is for -race: adapters answer from a
// pool of workers sharing one memory.
func TestThreadsAreSafeForConcurrentUse(t *testing.T) {
	th := bot.NewThreads(bot.ThreadOptions{MaxThreads: 3, MaxTurns: 2})
	done := make(chan struct{})
	for w := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 200 {
				k := bot.ThreadKey{Thread: string(rune('a' + (w+i)%5))}
				th.Add(k, bot.Turn{Question: "q"})
				th.Turns(k)
			}
		}()
	}
	for range 4 {
		<-done
	}
	if n := th.Len(); n > 3 {
		t.Errorf("%d threads remembered, want at most 3", n)
	}
}

// FuzzLeansOnThread checks that follow-up detection takes any text.
func FuzzLeansOnThread(f *testing.F) {
	an := bot.DefaultAnaphora()
	for _, s := range []string{"and the revised one?", "who reported that?", "", "’s", "It's"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		an.LeansOnThread(q)
		an.Names(q)
		an.Subject(q, []string{q})
	})
}
