package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"framebot/beir"
	"framebot/bot"
	"framebot/corpus"
	"framebot/index"
)

// followupCase is one line of followups.jsonl: a thread of two questions.
// Kind "followup": Q is the article's subject replaced by "it" or "its",
// Named is the same question with the subject named, First an earlier
// question naming the subject. Kind "standalone": Q names its own subject
// and First is a question about another article.
type followupCase struct {
	Kind    string   `json:"kind"`
	First   string   `json:"first"`
	Q       string   `json:"q"`
	Named   string   `json:"named,omitempty"`
	Answers []string `json:"answers"`
	Article string   `json:"article"`
}

// followupReport is the line framebot eval prints for a follow-up folder:
// hit@3 of each follow-up asked in its thread, alone, with its subject
// named, and glued to the thread's first question (the naive baseline);
// and of each standalone question in an unrelated thread and alone.
type followupReport struct {
	Docs              int     `json:"docs"`
	Followups         int     `json:"followups"`
	InThreadHit3      float64 `json:"in_thread_hit@3"`
	AloneHit3         float64 `json:"alone_hit@3"`
	NamedHit3         float64 `json:"named_hit@3"`
	ConcatHit3        float64 `json:"concat_hit@3"`
	ContextUsed       int     `json:"context_used"`
	Standalone        int     `json:"standalone"`
	StandaloneThread  float64 `json:"standalone_in_thread_hit@3"`
	StandaloneAlone   float64 `json:"standalone_alone_hit@3"`
	StandaloneDragged int     `json:"standalone_context_used"`
}

// followupSource is a line of a qa-dev questions.jsonl, as the follow-up
// generator reads it.
type followupSource struct {
	Q          string   `json:"q"`
	Answers    []string `json:"answers"`
	Article    string   `json:"article"`
	Answerable bool     `json:"answerable"`
}

// makeFollowups builds followups.jsonl from a question-answering folder's
// questions.jsonl (the layout of ../shared/bench/qa-dev): for each article,
// its answerable questions that name the article's subject are chained in
// file order, each asked after the one before (the first after the last)
// with the subject replaced by "it" ("its" for a possessive); and every
// answerable question is also asked, as written, in a thread opened by a
// question about the next article.
func makeFollowups(questions io.Reader, out io.Writer) error {
	var qs []followupSource
	err := beir.EachLine(questions, "questions.jsonl", func(line []byte) error {
		var q followupSource
		if err := json.Unmarshal(line, &q); err != nil {
			return err
		}
		if q.Answerable && len(q.Answers) > 0 {
			qs = append(qs, q)
		}
		return nil
	})
	if err != nil {
		return err
	}
	byArticle := map[string][]followupSource{}
	var articles []string
	for _, q := range qs {
		if byArticle[q.Article] == nil {
			articles = append(articles, q.Article)
		}
		byArticle[q.Article] = append(byArticle[q.Article], q)
	}
	sort.Strings(articles)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for _, a := range articles {
		var named []followupSource
		var pronoun []string
		for _, q := range byArticle[a] {
			if p, ok := replaceSubject(q.Q, a); ok {
				named = append(named, q)
				pronoun = append(pronoun, p)
			}
		}
		if len(named) < 2 {
			continue
		}
		for i, q := range named {
			first := named[(i+len(named)-1)%len(named)]
			c := followupCase{Kind: "followup", First: first.Q, Q: pronoun[i], Named: q.Q, Answers: q.Answers, Article: a}
			if err := enc.Encode(c); err != nil {
				return err
			}
		}
	}
	for i, a := range articles {
		other := byArticle[articles[(i+1)%len(articles)]][0]
		for _, q := range byArticle[a] {
			c := followupCase{Kind: "standalone", First: other.Q, Q: q.Q, Answers: q.Answers, Article: a}
			if err := enc.Encode(c); err != nil {
				return err
			}
		}
	}
	return nil
}

// replaceSubject replaces the article's subject, named in q, by "it" or
// "its"; ok is false when q does not name it.
func replaceSubject(q, article string) (string, bool) {
	subject := strings.ReplaceAll(article, "_", " ")
	if i := strings.Index(subject, " ("); i > 0 {
		subject = subject[:i]
	}
	re := regexp.MustCompile(`(?i)\b((?:the|an?) )?` + regexp.QuoteMeta(subject) + `(?:(['’]s\b|s['’]|['’])|\b)`)
	loc := re.FindStringSubmatchIndex(q)
	if loc == nil {
		return "", false
	}
	before := strings.Fields(strings.ToLower(q[:loc[0]]))
	if len(before) > 0 && determiners[before[len(before)-1]] {
		return "", false // "its acronym" would become "its it"
	}
	with := "it"
	if loc[4] >= 0 {
		with = "its"
	}
	return q[:loc[0]] + with + q[loc[1]:], true
}

// determiners before a subject make its replacement by "it" ungrammatical.
var determiners = map[string]bool{"its": true, "his": true, "her": true, "their": true, "our": true,
	"my": true, "your": true, "this": true, "that": true, "these": true, "those": true, "term": true, "word": true}

// evalFollowups answers the cases of dir/followups.jsonl over dir/corpus
// and prints a followupReport.
func evalFollowups(ctx context.Context, dir, ixDir string, fo bot.FollowupOptions, stdout io.Writer) error {
	cases, err := readFollowups(filepath.Join(dir, "followups.jsonl"))
	if err != nil {
		return err
	}
	docs, _, err := corpus.LoadDir(filepath.Join(dir, "corpus"), corpus.Options{})
	if err != nil {
		return fmt.Errorf("load corpus: %w", err)
	}
	if ixDir == "" {
		tmp, err := os.MkdirTemp("", "framebot-eval-")
		if err != nil {
			return fmt.Errorf("create temporary index folder: %w", err)
		}
		defer os.RemoveAll(tmp)
		ixDir = filepath.Join(tmp, "index")
	}
	ix, err := index.Open(ixDir, index.Options{})
	if err != nil {
		return err
	}
	defer ix.Close()
	if _, err := ix.Sync(ctx, docs, nil); err != nil {
		return err
	}
	b := bot.New(bot.NewAnswerer(ix, bot.AnswerOptions{}), ix)
	b.Threads = bot.NewThreads(bot.ThreadOptions{Followup: fo})
	t := followupTally{ask: threadAsker(ctx, b)}
	for i, c := range cases {
		if err := t.add(c, fmt.Sprint("t", i)); err != nil {
			return err
		}
	}
	rep := t.report()
	rep.Docs = len(docs)
	out, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", out)
	return err
}

// threadAsker returns a function that asks b text in thread ("" for
// none) and returns its answer, empty when the reply has none.
func threadAsker(ctx context.Context, b *bot.Bot) func(text, thread string) (*bot.Answer, error) {
	return func(text, thread string) (*bot.Answer, error) {
		rep, err := b.Ask(ctx, bot.Request{Platform: "eval", Channel: "eval", Thread: thread, Text: text})
		if err != nil {
			return nil, err
		}
		if rep.Answer == nil {
			return &bot.Answer{}, nil
		}
		return rep.Answer, nil
	}
}

// followupTally counts the hits of the follow-up cases asked so far.
type followupTally struct {
	ask                                             func(text, thread string) (*bot.Answer, error)
	rep                                             followupReport // the counts of cases and of context used
	inThread, alone, named, concat, sThread, sAlone int
}

// add asks case c: its first question then its own in thread, its own
// alone, and for a follow-up, the question naming its subject and the
// two questions as one.
func (t *followupTally) add(c followupCase, thread string) error {
	if _, err := t.ask(c.First, thread); err != nil {
		return err
	}
	got, err := t.ask(c.Q, thread)
	if err != nil {
		return err
	}
	solo, err := t.ask(c.Q, "")
	if err != nil {
		return err
	}
	switch c.Kind {
	case "followup":
		t.rep.Followups++
		t.inThread += hit3(got, c.Answers)
		t.alone += hit3(solo, c.Answers)
		if got.Context != "" {
			t.rep.ContextUsed++
		}
		n, err := t.ask(c.Named, "")
		if err != nil {
			return err
		}
		t.named += hit3(n, c.Answers)
		// The naive baseline: both questions asked as one.
		cc, err := t.ask(c.First+" "+c.Q, "")
		if err != nil {
			return err
		}
		t.concat += hit3(cc, c.Answers)
	case "standalone":
		t.rep.Standalone++
		t.sThread += hit3(got, c.Answers)
		t.sAlone += hit3(solo, c.Answers)
		if got.Context != "" {
			t.rep.StandaloneDragged++
		}
	}
	return nil
}

// report returns the counts and hit@3 shares of the cases added.
func (t *followupTally) report() followupReport {
	share := func(n, of int) float64 {
		if of == 0 {
			return 0
		}
		return round3(float64(n) / float64(of))
	}
	rep := t.rep
	rep.InThreadHit3, rep.AloneHit3, rep.NamedHit3 = share(t.inThread, rep.Followups), share(t.alone, rep.Followups), share(t.named, rep.Followups)
	rep.ConcatHit3 = share(t.concat, rep.Followups)
	rep.StandaloneThread, rep.StandaloneAlone = share(t.sThread, rep.Standalone), share(t.sAlone, rep.Standalone)
	return rep
}

func readFollowups(path string) ([]followupCase, error) {
	var out []followupCase
	err := beir.ReadJSONL(path, func(line []byte) error {
		var c followupCase
		if err := json.Unmarshal(line, &c); err != nil {
			return err
		}
		if c.Kind != "followup" && c.Kind != "standalone" {
			return fmt.Errorf("kind %q is neither \"followup\" nor \"standalone\"", c.Kind)
		}
		if c.Kind == "followup" && c.Named == "" {
			return errors.New(`a follow-up needs "named", the question with its subject named`)
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read follow-ups: %w", err)
	}
	if len(out) == 0 {
		return nil, errors.New(path + " holds no case")
	}
	return out, nil
}

// hit3 is 1 when one of the answer's first three passages contains one of
// answers (case folded, spaces and curly quotes normalised, as in
// ../shared/bench/qa.py).
func hit3(a *bot.Answer, answers []string) int {
	if !a.Answered {
		return 0
	}
	for _, p := range a.Passages[:min(3, len(a.Passages))] {
		t := normQA(p.Text)
		for _, s := range answers {
			if s := normQA(s); s != "" && strings.Contains(t, s) {
				return 1
			}
		}
	}
	return 0
}

var qaInvisible = strings.NewReplacer("\u200b", "", "\u2060", "", "\ufeff", "", "\u00ad", "",
	"\u2019", "'", "\u2018", "'", "\u201c", `"`, "\u201d", `"`)

func normQA(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(qaInvisible.Replace(s)), " "))
}
