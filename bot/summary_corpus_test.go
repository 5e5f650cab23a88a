package bot_test

import (
	"context"
	"encoding/json"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"framebot/bot"
	"framebot/corpus"
	"framebot/index"
	"framebot/internal/golden"
	"framebot/internal/testbot"
)

// summaryTopics are briefs the embedded corpus must support, with the facts
// each must state (as substrings of its sentences) and how many documents
// discuss the topic.
var summaryTopics = []struct {
	topic string
	facts []string
	docs  int
}{
	{"28-point plan", []string{"initial 28-point proposal drew widespread criticism", "revised 19-point plan", "26 to 28 articles"}, 1},
	{"Coalition of the Willing", []string{"Sir Keir Starmer has been taking the lead", "couldn’t possibly deploy enough troops", "no country in the Coalition of the Willing is willing to send troops"}, 1},
	{"security guarantees", []string{"security guarantees have become the fulcrum", "feature security guarantees for Kyiv", "US security guarantees in exchange for recognizing the territories"}, 4},
	{"troops", []string{"10,000 to 20,000 troops", "couldn’t possibly deploy enough troops"}, 2},
	{"NATO membership", []string{"traditional NATO membership route", "without direct membership", "unlikely to get anytime soon — NATO membership"}, 3},
	{"peace framework", []string{"unveiled a refined “peace framework”", "26 to 28 articles", "tentative agreement framework"}, 3},
}

func newSummarizer(t *testing.T, ix *index.Index) *bot.Summarizer {
	t.Helper()
	return bot.NewSummarizer(ix, bot.NewProposalFinder(ix, bot.Vocabulary{}), bot.SummaryOptions{})
}

func TestSummaryOfTheEmbeddedCorpus(t *testing.T) {
	ix := defaultIndex(t)
	z := newSummarizer(t, ix)
	docs := loadDefaultDocs(t)
	for _, tt := range summaryTopics {
		t.Run(tt.topic+" states its key facts", func(t *testing.T) {
			s, err := z.Summarize(context.Background(), tt.topic)
			if err != nil {
				t.Fatal(err)
			}
			if s.Documents != tt.docs {
				t.Errorf("Documents = %d, want %d", s.Documents, tt.docs)
			}
			if n := len(s.Sentences); n < 3 || n > 7 {
				t.Errorf("%d sentences, want 3 to 7", n)
			}
			all := joinSentences(s)
			for _, f := range tt.facts {
				if !strings.Contains(all, f) {
					t.Errorf("brief lacks %q:\n%s", f, all)
				}
			}
			checkVerbatim(t, docs, s.Sentences)
			checkNoNearDuplicates(t, s.Sentences)
			if len(s.Conflicts) != 0 {
				t.Errorf("conflicts reported where the corpus has none: %+v", s.Conflicts)
			}
		})
	}
	t.Run("a brief spans the documents that discuss its topic", func(t *testing.T) {
		s, err := z.Summarize(context.Background(), "security guarantees")
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, x := range s.Sentences {
			seen[x.Doc] = true
		}
		if len(seen) < 4 {
			t.Errorf("sentences from %d documents, want all 4", len(seen))
		}
	})
	t.Run("sentences of one document keep the document's order", func(t *testing.T) {
		s, err := z.Summarize(context.Background(), "28-point plan")
		if err != nil {
			t.Fatal(err)
		}
		var pos []int
		for _, x := range s.Sentences {
			if x.Doc == s.Sentences[0].Doc {
				pos = append(pos, strings.Index(strings.Join(docByID(t, docs, x.Doc).Paragraphs, "\n"), x.Text))
			}
		}
		for i := 1; i < len(pos); i++ {
			if pos[i] < pos[i-1] {
				t.Errorf("sentence offsets %v are out of order", pos)
			}
		}
	})
}

func TestSummaryOfAnUnknownTopicSuggestsProposals(t *testing.T) {
	ix := defaultIndex(t)
	z := newSummarizer(t, ix)
	ps, err := bot.FindProposals(context.Background(), ix)
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, p := range ps {
		known[p.Name] = true
	}
	tests := []struct {
		topic string
		want  string // among the suggestions; "" for any
	}{
		{"climate change", ""},
		{"quantum computing in Antarctica", ""},
		{"security guarantors treaty", "security guarantees"},
		{"Coalition of the Unwilling bakers", "Coalition of the Willing"},
	}
	for _, tt := range tests {
		t.Run(tt.topic, func(t *testing.T) {
			s, err := z.Summarize(context.Background(), tt.topic)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Sentences) != 0 {
				t.Fatalf("got a brief on %q: %s", tt.topic, joinSentences(s))
			}
			if len(s.Suggestions) == 0 {
				t.Fatal("no suggestions")
			}
			for _, g := range s.Suggestions {
				if !known[g] {
					t.Errorf("suggestion %q is not a known proposal", g)
				}
			}
			if tt.want != "" && !contains(s.Suggestions, tt.want) {
				t.Errorf("suggestions %q lack %q", s.Suggestions, tt.want)
			}
		})
	}
}

func TestProposalsOfTheEmbeddedCorpus(t *testing.T) {
	ix := defaultIndex(t)
	ps, err := bot.FindProposals(context.Background(), ix)
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]int{}
	for _, p := range ps {
		docs[p.Name] = p.Documents
	}
	want := map[string]int{
		"28-point proposal": 1, "19-point plan": 1, "Coalition of the Willing": 1,
		"security guarantees": 4, "peace deal": 3, "land swap proposal": 1, "Article 5": 1,
	}
	got := map[string]int{}
	for name := range want {
		got[name] = docs[name]
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("proposals (-want +got):\n%s\nall: %+v", diff, ps)
	}
	if ps[0].Name != "security guarantees" {
		t.Errorf("first proposal %q, want the one in most documents", ps[0].Name)
	}
	z := newSummarizer(t, ix)
	for _, p := range ps {
		t.Run(p.Name+" works as a summary topic", func(t *testing.T) {
			s, err := z.Summarize(context.Background(), p.Name)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Sentences) == 0 {
				t.Errorf("no brief on %q", p.Name)
			}
		})
	}
}

// TestSummaryReportsConflictingFigures adds a document that disagrees with
// the embedded corpus on troop numbers and on the plan's point count.
func TestSummaryReportsConflictingFigures(t *testing.T) {
	dir := t.TempDir()
	dissent := `European Officials Revise Deployment Figures

European officials now expect about 30,000 troops to be deployed to Ukraine by the coalition once a ceasefire holds.

Diplomats said the draft had been cut to a 20-point plan before the Geneva meeting, and that Ukraine's military would be capped at 600,000 personnel.
`
	if err := os.WriteFile(filepath.Join(dir, "zz_dissent.txt"), []byte(dissent), 0o644); err != nil {
		t.Fatal(err)
	}
	ix := testbot.Index(t, dir)
	more, _, err := corpus.LoadDir(dir, corpus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	docs := append(loadDefaultDocs(t), more...)
	z := newSummarizer(t, ix)
	tests := []struct {
		topic, about string
		claims       []string // one substring per claim, in order
	}{
		{"troops", "the number of troops", []string{"10,000 to 20,000 troops", "about 30,000 troops"}},
		{"28-point plan", "the number of points", []string{"initial 28-point proposal", "20-point plan"}},
		{"military personnel cap", "the number of personnel", []string{"800,000 personnel", "600,000 personnel"}},
	}
	for _, tt := range tests {
		t.Run(tt.topic, func(t *testing.T) {
			s, err := z.Summarize(context.Background(), tt.topic)
			if err != nil {
				t.Fatal(err)
			}
			var c *bot.Conflict
			for i := range s.Conflicts {
				if s.Conflicts[i].About == tt.about {
					c = &s.Conflicts[i]
				}
			}
			if c == nil {
				t.Fatalf("no conflict about %q in %+v", tt.about, s.Conflicts)
			}
			if len(c.Claims) != len(tt.claims) {
				t.Fatalf("claims %+v, want %d", c.Claims, len(tt.claims))
			}
			seenDocs := map[string]bool{}
			for _, want := range tt.claims {
				found := false
				for _, cl := range c.Claims {
					if strings.Contains(cl.Text, want) {
						found = true
						seenDocs[cl.Doc] = true
					}
				}
				if !found {
					t.Errorf("no claim quotes %q: %+v", want, c.Claims)
				}
			}
			if len(seenDocs) != 2 {
				t.Errorf("claims cite %d documents, want 2", len(seenDocs))
			}
			checkQuality(t, docs, s)
		})
	}
}

// TestSummaryGolden keeps the JSON of briefs on the embedded corpus, so a
// change of ranking shows in review. Run with -update to accept one.
func TestSummaryGolden(t *testing.T) {
	checkGoldens(t, defaultIndex(t), []goldenBrief{
		{"28-point plan", "summary_28_point_plan.golden.json"},
		{"Coalition of the Willing", "summary_coalition.golden.json"},
		{"climate change", "summary_unknown.golden.json"},
	}, "summary_proposals.golden.txt")
}

// goldenBrief is a topic and the golden file of its brief.
type goldenBrief struct{ topic, file string }

// checkGoldens compares the JSON of each brief on ix, and the text of the
// proposals command, with their golden files.
func checkGoldens(t *testing.T, ix *index.Index, briefs []goldenBrief, proposalsFile string) {
	t.Helper()
	b := bot.New(bot.NewAnswerer(ix, bot.AnswerOptions{}), ix)
	for _, tt := range briefs {
		t.Run(tt.topic, func(t *testing.T) {
			s, err := b.Summarizer.Summarize(context.Background(), tt.topic)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(s, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, tt.file, append(got, '\n'))
		})
	}
	t.Run("proposals command", func(t *testing.T) {
		rep, err := b.Command(context.Background(), bot.Request{Prefix: "/framework"}, "/framework", "proposals")
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, proposalsFile, []byte(rep.Text+"\n"))
	})
}

func TestSummaryCommand(t *testing.T) {
	ix := defaultIndex(t)
	b := bot.New(bot.NewAnswerer(ix, bot.AnswerOptions{}), ix)
	run := func(line string) bot.Reply {
		t.Helper()
		rep, err := b.Command(context.Background(), bot.Request{Prefix: "/framework"}, "/framework", line)
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		return rep
	}
	t.Run("summary without a topic gives its usage", func(t *testing.T) {
		if got := run("summary").Text; got != "Usage: /framework summary <topic>" {
			t.Errorf("got %q", got)
		}
	})
	t.Run("summary and its aliases give a brief", func(t *testing.T) {
		for _, line := range []string{"summary Coalition of the Willing", "brief “Coalition of the Willing”", "SUM coalition of the willing"} {
			rep := run(line)
			if rep.Summary == nil || len(rep.Summary.Sentences) == 0 {
				t.Errorf("%q: %+v", line, rep)
			}
		}
	})
	t.Run("proposals names summary topics", func(t *testing.T) {
		got := run("plans").Text
		for _, want := range []string{"Coalition of the Willing — 1 document, 4 mentions", "For a brief on one: /framework summary <name>"} {
			if !strings.Contains(got, want) {
				t.Errorf("lacks %q:\n%s", want, got)
			}
		}
	})
	t.Run("proposals without a passage lister is not available", func(t *testing.T) {
		nb := bot.New(bot.NewAnswerer(ix, bot.AnswerOptions{}), catalogOnly{ix})
		ab := bot.New(nil, catalogOnly{ix})
		for _, b := range []*bot.Bot{ab} {
			rep, err := b.Command(context.Background(), bot.Request{}, "/framework", "proposals")
			if err != nil || rep.Text != "/framework proposals is coming soon." {
				t.Errorf("got %+v, %v", rep, err)
			}
		}
		// The searcher lists passages when the catalog can't.
		rep, err := nb.Command(context.Background(), bot.Request{}, "/framework", "proposals")
		if err != nil || !strings.Contains(rep.Text, "28-point proposal") {
			t.Errorf("got %+v, %v", rep, err)
		}
	})
}

// catalogOnly hides every method of the index but the Catalog's.
type catalogOnly struct{ bot.Catalog }

func loadDefaultDocs(t *testing.T) []*corpus.Document {
	t.Helper()
	docs, _, err := corpus.Load(corpus.Default(), corpus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

func docByID(t *testing.T, docs []*corpus.Document, id string) *corpus.Document {
	t.Helper()
	for _, d := range docs {
		if d.ID == id {
			return d
		}
	}
	t.Fatalf("no document %q", id)
	return nil
}

// checkVerbatim checks that each sentence is in the paragraphs of the
// document it cites, under that document's title.
func checkVerbatim(t *testing.T, docs []*corpus.Document, ss []bot.SummarySentence) {
	t.Helper()
	for _, x := range ss {
		d := docByID(t, docs, x.Doc)
		if x.Title != d.Title {
			t.Errorf("%q cites title %q, document has %q", truncate(x.Text), x.Title, d.Title)
		}
		found := false
		for _, p := range d.Paragraphs {
			if strings.Contains(p, x.Text) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("not verbatim in %s: %q", x.Doc, x.Text)
		}
	}
}

func checkNoNearDuplicates(t *testing.T, ss []bot.SummarySentence) {
	t.Helper()
	for i := range ss {
		for j := i + 1; j < len(ss); j++ {
			if sim := wordJaccard(ss[i].Text, ss[j].Text); sim >= 0.5 {
				t.Errorf("near-duplicates (%.2f):\n%q\n%q", sim, ss[i].Text, ss[j].Text)
			}
		}
	}
}

func wordJaccard(a, b string) float64 {
	set := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, w := range strings.Fields(strings.ToLower(s)) {
			m[strings.Trim(w, ".,;:“”\"'’()")] = true
		}
		return m
	}
	x, y := set(a), set(b)
	inter := 0
	for w := range x {
		if y[w] {
			inter++
		}
	}
	return float64(inter) / float64(len(x)+len(y)-inter)
}

func joinSentences(s *bot.Summary) string {
	var parts []string
	for _, x := range s.Sentences {
		parts = append(parts, x.Text)
	}
	return strings.Join(parts, "\n")
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func truncate(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// WarmProposals reads the passages once and keeps the list: the proposals
// command that follows shows it without reading them again. A bot that
// can't list its passages warms nothing.
func TestWarmProposals(t *testing.T) {
	ctx := context.Background()
	lister := &countingLister{Index: defaultIndex(t)}
	b := bot.New(bot.NewAnswerer(lister.Index, bot.AnswerOptions{}), lister)
	if err := b.WarmProposals(ctx); err != nil {
		t.Fatal(err)
	}
	if n := lister.reads.Load(); n != 1 {
		t.Fatalf("warming read the passages %d times, want 1", n)
	}
	rep, err := b.Command(ctx, bot.Request{Platform: "test", User: "u"}, "!framework", "proposals")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.Text, "security guarantees") {
		t.Errorf("proposals after warming:\n%s", rep.Text)
	}
	if n := lister.reads.Load(); n != 1 {
		t.Errorf("the proposals command read the passages again (%d reads): the warmed list was not used", n)
	}
	if err := (&bot.Bot{}).WarmProposals(ctx); err != nil {
		t.Errorf("a bot without a corpus: %v", err)
	}
}

// countingLister is the real index, counting how often all its passages
// are read.
type countingLister struct {
	*index.Index
	reads atomic.Int64
}

func (c *countingLister) Passages(ctx context.Context) iter.Seq2[bot.Passage, error] {
	c.reads.Add(1)
	return c.Index.Passages(ctx)
}
