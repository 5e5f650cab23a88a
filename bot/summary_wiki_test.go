package bot_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"

	"framebot/bot"
	"framebot/corpus"
	"framebot/index"
	"framebot/internal/testbot"
	"framebot/internal/text"
)

// wikiDir is the second corpus: six Wikipedia articles unlike the seed
// news (see testdata/wiki/README.md).
const wikiDir = "testdata/wiki/corpus"

// wikiCorpus indexes the documents of wikiDir and the extra folders; it
// returns the index and the documents.
func wikiCorpus(t *testing.T, extra ...string) (*index.Index, []*corpus.Document) {
	t.Helper()
	return testbot.IndexFolders(t, append([]string{wikiDir}, extra...)...)
}

// qualityTopics are the topics whose briefs the quality checks read, per
// corpus: the proposals each corpus names, and nouns that several
// documents count (where a false conflict would show).
var qualityTopics = map[string][]string{
	"seed": {"28-point plan", "Coalition of the Willing", "security guarantees", "troops", "NATO membership",
		"peace framework", "peace deal", "land swap proposal", "Article 5", "Ukraine", "soldiers", "personnel", "people"},
	"wiki": {"senators", "Senate election", "health insurance", "insurance companies", "homeless people",
		"homelessness", "10-year plan", "National Coalition for the Homeless", "Equal Rights Amendment",
		"Declaration of Independence", "Partisans", "women", "troops", "states", "people", "members",
		"percent", "families", "flag", "stars", "United States", "Congress", "government", "law", "war"},
}

// TestSummaryQuality reads the briefs on both corpora as a reader would:
// every sentence is on the topic (holds one of its words, or a form of
// one), quoted verbatim, none repeats another, and every figure conflict
// is real: two documents giving different figures for the same thing.
func TestSummaryQuality(t *testing.T) {
	wikiIx, wikiDocs := wikiCorpus(t)
	corpora := []struct {
		name string
		ix   *index.Index
		docs []*corpus.Document
	}{
		{"seed", defaultIndex(t), loadDefaultDocs(t)},
		{"wiki", wikiIx, wikiDocs},
	}
	for _, c := range corpora {
		z := bot.NewSummarizer(c.ix, bot.NewProposalFinder(c.ix, bot.Vocabulary{}), bot.SummaryOptions{})
		ps, err := bot.FindProposals(context.Background(), c.ix)
		if err != nil {
			t.Fatal(err)
		}
		topics := qualityTopics[c.name]
		isProposal := map[string]bool{}
		for _, p := range ps {
			topics = append(topics, p.Name)
			isProposal[p.Name] = true
		}
		for _, topic := range topics {
			t.Run(c.name+"/"+topic, func(t *testing.T) {
				s, err := z.Summarize(context.Background(), topic)
				if err != nil {
					t.Fatal(err)
				}
				if len(s.Sentences) == 0 && isProposal[topic] {
					t.Errorf("no brief on the proposal %q", topic)
				}
				checkQuality(t, c.docs, s)
			})
		}
	}
}

// checkQuality checks a brief: on topic, verbatim, no (near) duplicates,
// real conflicts.
func checkQuality(t *testing.T, docs []*corpus.Document, s *bot.Summary) {
	t.Helper()
	for _, x := range s.Sentences {
		if !onTopic(s.Topic, x.Text) {
			t.Errorf("off the topic %q: %q", s.Topic, x.Text)
		}
	}
	checkVerbatim(t, docs, s.Sentences)
	checkNoNearDuplicates(t, s.Sentences)
	for _, c := range s.Conflicts {
		checkRealConflict(t, s.Topic, c)
		checkVerbatim(t, docs, c.Claims)
	}
}

// onTopic reports whether sentence holds a word of topic or a form of
// one: a word whose stem (text.Stem, the index's) is the topic word's stem
// or starts with it.
func onTopic(topic, sentence string) bool {
	stems := func(s string) []string {
		var out []string
		for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			if len(w) >= 2 && !topicStopWords[w] {
				out = append(out, text.Stem(w))
			}
		}
		return out
	}
	have := stems(sentence)
	for _, w := range stems(topic) {
		for _, h := range have {
			if h == w || len(w) >= 4 && strings.HasPrefix(h, w) {
				return true
			}
		}
	}
	return false
}

// topicStopWords are the function words a topic may hold ("Coalition of
// the Willing"); a sentence holding only them is not on the topic.
var topicStopWords = map[string]bool{"of": true, "the": true, "for": true, "and": true, "a": true, "an": true, "to": true, "in": true, "on": true}

// figureRe finds the numbers of a sentence.
var figureRe = regexp.MustCompile(`\d[\d,.]*`)

// checkRealConflict checks a conflict: claims from two documents or more,
// each on the topic and counting the noun the conflict is about (a
// number, then the noun within a few words), and not all the same figures.
func checkRealConflict(t *testing.T, topic string, c bot.Conflict) {
	t.Helper()
	noun := strings.TrimPrefix(c.About, "the number of ")
	if noun == c.About || noun == "" {
		t.Errorf("conflict about %q names no counted noun", c.About)
		return
	}
	stem := noun[:max(3, len(noun)-2)]
	near := regexp.MustCompile(`(?i)\d[\d,.]*(?:\s+(?:to|and|or|-|–)\s+\d[\d,.]*)?(?:[\s-]+\S+){0,2}?[\s-]+` + regexp.QuoteMeta(stem))
	docs := map[string]bool{}
	figures := map[string]bool{}
	for _, cl := range c.Claims {
		docs[cl.Doc] = true
		if !onTopic(topic, cl.Text) {
			t.Errorf("conflict on %s quotes a sentence off the topic %q: %q", c.About, topic, cl.Text)
		}
		m := near.FindString(cl.Text)
		if m == "" {
			t.Errorf("conflict on %s quotes a sentence that counts no %s: %q", c.About, noun, cl.Text)
			continue
		}
		figures[strings.Join(figureRe.FindAllString(m, -1), " ")] = true
	}
	if len(docs) < 2 {
		t.Errorf("conflict on %s cites %d document, want two or more", c.About, len(docs))
	}
	if len(figures) < 2 {
		t.Errorf("conflict on %s: every claim gives the same figures %v", c.About, figures)
	}
}

// TestSummaryReportsConflictingFiguresOnWikipedia adds a document that
// disagrees with the Australian Senate article on the number of senators:
// the one real conflict is reported, and it passes the quality checks.
func TestSummaryReportsConflictingFiguresOnWikipedia(t *testing.T) {
	dir := t.TempDir()
	dissent := "Senate of Australia\n\nThe Senate of Australia has 72 senators, twelve elected from each state, and sits in Canberra.\n"
	if err := os.WriteFile(filepath.Join(dir, "zz_senate.txt"), []byte(dissent), 0o644); err != nil {
		t.Fatal(err)
	}
	ix, docs := wikiCorpus(t, dir)
	z := bot.NewSummarizer(ix, nil, bot.SummaryOptions{})
	s, err := z.Summarize(context.Background(), "senators")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Conflicts) != 1 || s.Conflicts[0].About != "the number of senators" {
		t.Fatalf("conflicts %+v, want one on the number of senators", s.Conflicts)
	}
	var got []string
	for _, cl := range s.Conflicts[0].Claims {
		got = append(got, cl.Doc)
	}
	sort.Strings(got)
	if diff := cmp.Diff([]string{"Australian_Senate.txt", "zz_senate.txt"}, got); diff != "" {
		t.Errorf("claims' documents (-want +got):\n%s", diff)
	}
	checkQuality(t, docs, s)
}

// TestProposalsOfWikipedia lists the proposals of the second corpus with
// the default vocabulary, and with a vocabulary for legislation: the
// configured head words reach the list.
func TestProposalsOfWikipedia(t *testing.T) {
	ix, _ := wikiCorpus(t)
	laws := bot.DefaultVocabulary()
	laws.ProposalHeads = append(laws.ProposalHeads, "act", "amendment", "bill")
	tests := []struct {
		name   string
		vocab  bot.Vocabulary
		want   map[string]int // name → documents
		absent []string
	}{
		{"the default vocabulary", bot.Vocabulary{},
			map[string]int{"10-year plan": 1, "National Coalition for the Homeless": 1, "Declaration of Independence": 1, "Federal Strategic Plan": 1},
			[]string{"HEARTH Act", "Serapis and the Alliance", "This Plan", "A Plan", "Massachusetts Medical Society and Alliance Charitable Foundation"}},
		{"a vocabulary for legislation", laws,
			map[string]int{"HEARTH Act": 1, "Equal Rights Amendment": 1, "McKinney-Vento Homeless Assistance Act": 1, "No Child Left Behind Act": 1, "10-year plan": 1},
			[]string{"Child Left Behind Act", "Vento Act"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := bot.NewProposalFinder(ix, tt.vocab).Proposals(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			docs := map[string]int{}
			for _, p := range ps {
				docs[p.Name] = p.Documents
			}
			got := map[string]int{}
			for name := range tt.want {
				got[name] = docs[name]
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("proposals (-want +got):\n%s\nall: %+v", diff, ps)
			}
			for _, name := range tt.absent {
				if _, ok := docs[name]; ok {
					t.Errorf("%q listed as a proposal", name)
				}
			}
		})
	}
}

// TestSummaryGoldenWikipedia keeps the briefs and the proposals list of the
// second corpus, so that a change of ranking or of the vocabulary shows in
// review. Run with -update to accept one.
func TestSummaryGoldenWikipedia(t *testing.T) {
	ix, _ := wikiCorpus(t)
	checkGoldens(t, ix, []goldenBrief{
		{"senators", "wiki/summary_senators.golden.json"},
		{"homeless people", "wiki/summary_homeless_people.golden.json"},
		{"Equal Rights Amendment", "wiki/summary_equal_rights_amendment.golden.json"},
		{"women", "wiki/summary_women.golden.json"},
		{"quantum chromodynamics", "wiki/summary_unknown.golden.json"},
	}, "wiki/summary_proposals.golden.txt")
}

// TestSummaryQualityOnAFolder runs the quality checks on the briefs of any
// folder of documents, named by FRAMEBOT_QUALITY_DIR, for the proposals it
// names and nouns that many documents count; the conflicts found are
// logged for review (-v). For example, the 42 articles of qa-dev:
//
//	FRAMEBOT_QUALITY_DIR=../../shared/bench/qa-dev/corpus go test -tags goolm -run QualityOnAFolder -v ./bot/
func TestSummaryQualityOnAFolder(t *testing.T) {
	dir := os.Getenv("FRAMEBOT_QUALITY_DIR")
	if dir == "" {
		t.Skip("set FRAMEBOT_QUALITY_DIR to a folder of documents")
	}
	ix, docs := testbot.IndexFolders(t, dir)
	ps, err := bot.FindProposals(context.Background(), ix)
	if err != nil {
		t.Fatal(err)
	}
	topics := []string{"people", "states", "members", "percent", "soldiers", "troops", "companies", "children",
		"students", "women", "men", "miles", "years", "population", "residents", "deaths", "species", "languages",
		"players", "teams", "copies", "votes", "seats", "casualties", "tons", "dollars", "units"}
	for _, p := range ps {
		topics = append(topics, p.Name)
	}
	z := bot.NewSummarizer(ix, nil, bot.SummaryOptions{})
	conflicts := 0
	for _, topic := range topics {
		t.Run(topic, func(t *testing.T) {
			s, err := z.Summarize(context.Background(), topic)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range s.Conflicts {
				conflicts++
				for _, cl := range c.Claims {
					t.Logf("conflict on %s: %s: %q", c.About, cl.Doc, cl.Text)
				}
			}
			checkQuality(t, docs, s)
		})
	}
	t.Logf("%d topics (%d proposals), %d conflicts", len(topics), len(ps), conflicts)
}

// A topic the corpus only has a near spelling of gets suggestions, not a
// brief on the index's correction: "miles" is not "milk", and a misspelt
// name is offered spelt right.
func TestSummaryOfAMisspeltTopicSuggests(t *testing.T) {
	wikiIx, _ := wikiCorpus(t)
	for _, tt := range []struct {
		name, topic, want string
		ix                *index.Index
	}{
		{"a word the corpus lacks", "miles", "", wikiIx},
		{"a misspelt proposal", "coalitoin of the wiling", "Coalition of the Willing", defaultIndex(t)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			z := bot.NewSummarizer(tt.ix, bot.NewProposalFinder(tt.ix, bot.Vocabulary{}), bot.SummaryOptions{})
			s, err := z.Summarize(context.Background(), tt.topic)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Sentences) != 0 {
				t.Errorf("a brief on %q: %s", tt.topic, joinSentences(s))
			}
			if len(s.Suggestions) == 0 || tt.want != "" && s.Suggestions[0] != tt.want {
				t.Errorf("suggestions %q, want %q first", s.Suggestions, tt.want)
			}
		})
	}
}
