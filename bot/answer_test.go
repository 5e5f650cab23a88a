package bot_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"framebot/bot"
	"framebot/corpus"
	"framebot/index"
	"framebot/internal/testbot"
)

// TestMain removes the shared index of the embedded corpus after the tests.
func TestMain(m *testing.M) { os.Exit(testbot.Run(m)) }

// defaultIndex is the embedded corpus's index, shared by the package's tests.
func defaultIndex(t testing.TB) *index.Index { return testbot.Shared(t) }

type questionSet struct {
	Answerable []struct {
		Q    string   `json:"q"`
		Want []string `json:"want"`
	} `json:"answerable"`
	OffTopic []string `json:"off_topic"`
}

func loadQuestions(t *testing.T, name string) questionSet { return loadQuestionsTB(t, name) }

func loadQuestionsTB(t testing.TB, name string) questionSet {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var qs questionSet
	if err := json.Unmarshal(raw, &qs); err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return qs
}

// rankOf returns the 1-based rank of the first passage containing one of
// want, or 0.
func rankOf(a *bot.Answer, want []string) int {
	for i, p := range a.Passages {
		for _, w := range want {
			if strings.Contains(p.Text, w) {
				return i + 1
			}
		}
	}
	return 0
}

// TestAnswersOnTheEmbeddedCorpus checks the answer engine on questions
// worded the way people ask: the passage that answers must be quoted in the
// top three for every question and first for most, and off-topic questions
// must be answered "not in the corpus".
func TestAnswersOnTheEmbeddedCorpus(t *testing.T) {
	for _, set := range []string{"questions.json", "questions_heldout.json"} {
		t.Run(set, func(t *testing.T) {
			checkQuestionSet(t, loadQuestions(t, set))
		})
	}
}

func checkQuestionSet(t *testing.T, qs questionSet) {
	ctx := context.Background()
	a := bot.NewAnswerer(defaultIndex(t), bot.AnswerOptions{})
	first, top3 := 0, 0
	for _, q := range qs.Answerable {
		ans, err := a.Ask(ctx, q.Q)
		if err != nil {
			t.Fatal(err)
		}
		r := rankOf(ans, q.Want)
		switch {
		case !ans.Answered:
			t.Logf("MISS %q: answered \"not in the corpus\", want a passage containing %q", q.Q, q.Want[0])
		case r == 0:
			t.Logf("MISS %q: no quoted passage contains %q; got %q", q.Q, q.Want[0], texts(ans))
		default:
			top3++
			if r == 1 {
				first++
			} else {
				t.Logf("%q: answering passage quoted at rank %d", q.Q, r)
			}
		}
	}
	n := float64(len(qs.Answerable))
	t.Logf("answering passage first for %d and in the top three for %d of %d questions", first, top3, len(qs.Answerable))
	if float64(first) < 0.8*n {
		t.Errorf("answering passage first for %d of %d questions, want at least 80%%", first, len(qs.Answerable))
	}
	if float64(top3) < 0.9*n {
		t.Errorf("answering passage in the top three for %d of %d questions, want at least 90%%", top3, len(qs.Answerable))
	}
	for _, q := range qs.OffTopic {
		ans, err := a.Ask(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if ans.Answered {
			t.Errorf("off-topic %q answered with %q, want \"not in the corpus\"", q, texts(ans))
		}
	}
}

func texts(a *bot.Answer) []string {
	var out []string
	for _, p := range a.Passages {
		out = append(out, p.Text)
	}
	return out
}

// Ranked lists the passages an answer is chosen from, in the answerer's
// order: an answered question quotes its first one first, and a question
// the corpus can't answer still gets its candidates ranked.
func TestRankedIsTheAnswerersOrder(t *testing.T) {
	ctx := context.Background()
	a := bot.NewAnswerer(defaultIndex(t), bot.AnswerOptions{})
	qs := loadQuestions(t, "questions.json")
	for _, q := range qs.Answerable[:min(5, len(qs.Answerable))] {
		ans, err := a.Ask(ctx, q.Q)
		if err != nil {
			t.Fatal(err)
		}
		hits, err := a.Ranked(ctx, q.Q)
		if err != nil {
			t.Fatal(err)
		}
		if !ans.Answered || len(hits) == 0 {
			t.Fatalf("%q: answered %v, %d ranked passages", q.Q, ans.Answered, len(hits))
		}
		if p := ans.Passages[0]; p.Doc != hits[0].Doc || !strings.Contains(p.Text, hits[0].Text) {
			t.Errorf("%q: quoted first %s#%d, ranked first %s#%d", q.Q, p.Doc, p.Ordinal, hits[0].Doc, hits[0].Ordinal)
		}
	}
	hits, err := a.Ranked(ctx, "")
	if err != nil || len(hits) != 0 {
		t.Errorf("empty question: %d passages, error %v", len(hits), err)
	}
}

// TestAHeadingCoversTheWordsItHolds checks that a passage answers for the
// heading it sits under: a question worded like the heading is answered
// from the passage below it, which never repeats those words, and the
// heading is cited with it.
func TestAHeadingCoversTheWordsItHolds(t *testing.T) {
	src := "# Server configuration\n\n" +
		"## 4.2.1 Connection limits\n\nThe max_connections setting defaults to 512. Raising it above 4096 requires a kernel parameter.\n\n" +
		"## 4.2.2 Transport security\n\nOnly TLS 1.3 is enabled by default.\n\n" +
		"## 5 Retention\n\nAudit logs are kept for 90 days.\n"
	doc, err := corpus.Parse("config.md", []byte(src), corpus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ix := testbot.IndexDocs(t, []*corpus.Document{doc})
	a := bot.NewAnswerer(ix, bot.AnswerOptions{})
	for _, tt := range []struct{ q, text, section string }{
		{"What are the connection limits?", "The max_connections setting defaults to 512. Raising it above 4096 requires a kernel parameter.", "4.2.1 Connection limits"},
		{"How long are audit logs kept?", "Audit logs are kept for 90 days.", "5 Retention"},
	} {
		ans, err := a.Ask(context.Background(), tt.q)
		if err != nil {
			t.Fatal(err)
		}
		if !ans.Answered || len(ans.Passages) == 0 {
			t.Errorf("%q: not answered (%s)", tt.q, ans.Note)
			continue
		}
		if p := ans.Passages[0]; p.Text != tt.text || p.Section != tt.section {
			t.Errorf("%q: first quote %q under %q, want %q under %q", tt.q, p.Text, p.Section, tt.text, tt.section)
		}
	}
}
