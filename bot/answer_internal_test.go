package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func fixed(res *SearchResult) Searcher {
	return searchFunc(func(context.Context, string, int) (*SearchResult, error) { return res, nil })
}

// askFixed asks question of an Answerer, with the default options, whose
// every search finds hits for terms.
func askFixed(t *testing.T, terms []Term, hits []Hit, question string) *Answer {
	t.Helper()
	ans, err := NewAnswerer(fixed(&SearchResult{Terms: terms, Hits: hits}), AnswerOptions{}).Ask(context.Background(), question)
	if err != nil {
		t.Fatal(err)
	}
	return ans
}

// A passage cut from a longer paragraph is quoted with the rest of that
// paragraph, verbatim and highlighted; when only one neighbouring part fits
// the size limit, it is the one holding the question words the passage
// lacks.
func TestAnswerQuotesTheSplitParagraph(t *testing.T) {
	terms := []Term{{Text: "lighthouse", Key: "lighthous", IDF: 3}, {Text: "rebuilt", Key: "rebuilt", IDF: 3}, {Text: "Smeaton", Key: "smeaton", IDF: 5}}
	long := strings.Repeat("Earlier towers burned down. ", 60) + "The end."
	for _, tt := range []struct {
		name, before, want string
		highlights         []Span
		smeaton            int
	}{
		{
			name:       "the whole paragraph fits",
			before:     "Earlier towers burned down.",
			want:       "Earlier towers burned down. The lighthouse was rebuilt in 1759. John Smeaton designed it.",
			highlights: []Span{{32, 42}, {47, 54}, {69, 76}},
			smeaton:    69,
		},
		{
			name:       "only the part with the missing words fits",
			before:     long,
			want:       "The lighthouse was rebuilt in 1759. John Smeaton designed it.",
			highlights: []Span{{4, 14}, {19, 26}, {41, 48}},
			smeaton:    41,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hit := Hit{
				Passage: Passage{Text: "The lighthouse was rebuilt in 1759.", Doc: "d", Ordinal: 3, Score: 2,
					Highlights: []Span{{4, 14}, {19, 26}}},
				Matched: []int{0, 1},
				Before:  &Part{Text: tt.before, Matched: nil},
				After:   &Part{Text: "John Smeaton designed it.", Highlights: []Span{{5, 12}}, Matched: []int{2}},
			}
			other := Hit{Passage: Passage{Text: "Unrelated lighthouse words.", Doc: "e", Score: 0.5, Highlights: []Span{{10, 20}}}, Matched: []int{0}}
			a := NewAnswerer(fixed(&SearchResult{Terms: terms, Hits: []Hit{hit, other}}), AnswerOptions{})
			ans, err := a.Ask(context.Background(), "Who rebuilt the lighthouse, Smeaton?")
			if err != nil {
				t.Fatal(err)
			}
			if !ans.Answered || len(ans.Passages) == 0 {
				t.Fatalf("not answered: %+v", ans)
			}
			got := ans.Passages[0]
			if got.Text != tt.want {
				t.Errorf("quote = %q, want %q", got.Text, tt.want)
			}
			if d := cmp.Diff(tt.highlights, got.Highlights); d != "" {
				t.Errorf("highlights (-want +got):\n%s", d)
			}
			if s := got.Text[tt.smeaton : tt.smeaton+7]; s != "Smeaton" {
				t.Errorf("shifted highlight marks %q", s)
			}
		})
	}
}

// A part already quoted inside an earlier passage's paragraph is not
// quoted again on its own.
func TestAnswerDoesNotQuoteAJoinedPartTwice(t *testing.T) {
	terms := []Term{{Text: "lighthouse", Key: "lighthous", IDF: 3}, {Text: "Smeaton", Key: "smeaton", IDF: 5}}
	first := Hit{
		Passage: Passage{Text: "The lighthouse was rebuilt.", Doc: "d", Ordinal: 3, Score: 2, Highlights: []Span{{4, 14}}},
		Matched: []int{0},
		After:   &Part{Text: "John Smeaton designed the lighthouse.", Matched: []int{0, 1}},
	}
	second := Hit{
		Passage: Passage{Text: "John Smeaton designed the lighthouse.", Doc: "d", Ordinal: 4, Score: 1.9},
		Matched: []int{0, 1},
		Before:  &Part{Text: "The lighthouse was rebuilt.", Matched: []int{0}},
	}
	ans := askFixed(t, terms, []Hit{first, second}, "Smeaton lighthouse")
	if len(ans.Passages) != 1 {
		t.Fatalf("quoted %d passages, want the paragraph once: %+v", len(ans.Passages), ans.Passages)
	}
}

// A passage already quoted inside an earlier passage's paragraph does not
// take a quote's place: the next passage does, up to Passages quotes.
func TestAJoinedPartLeavesItsPlaceToTheNextPassage(t *testing.T) {
	terms := []Term{{Text: "lighthouse", Key: "lighthous", IDF: 3}, {Text: "Smeaton", Key: "smeaton", IDF: 5}}
	hits := []Hit{
		{Passage: Passage{Text: "The lighthouse of Smeaton was rebuilt.", Doc: "d", Ordinal: 3, Score: 2}, Matched: []int{0, 1},
			After: &Part{Text: "Smeaton designed the lighthouse.", Matched: []int{0, 1}}},
		{Passage: Passage{Text: "Smeaton designed the lighthouse.", Doc: "d", Ordinal: 4, Score: 1.9}, Matched: []int{0, 1},
			Before: &Part{Text: "The lighthouse of Smeaton was rebuilt.", Matched: []int{0, 1}}},
		{Passage: Passage{Text: "Smeaton's lighthouse stood on the rock.", Doc: "e", Score: 1.5}, Matched: []int{0, 1}},
		{Passage: Passage{Text: "A lighthouse like Smeaton's was built in Leith.", Doc: "f", Score: 1.4}, Matched: []int{0, 1}},
	}
	ans := askFixed(t, terms, hits, "Smeaton lighthouse")
	var got []string
	for _, p := range ans.Passages {
		got = append(got, p.Doc)
	}
	if diff := cmp.Diff([]string{"d", "e", "f"}, got); diff != "" {
		t.Errorf("documents quoted (-want +got):\n%s", diff)
	}
}

func TestAnsweredMeansAPassageIsQuoted(t *testing.T) {
	terms := []Term{{Text: "alpha", Key: "alpha", IDF: 28}, {Text: "beta", Key: "beta", IDF: 72}}
	// The best passage covers 0.28 of the question: below MinCoverage, above
	// its lower share, and far ahead of the rest, so it is answered; it
	// must then be quoted.
	hits := []Hit{{Passage: Passage{Text: "alpha", Doc: "a", Score: 10}, Matched: []int{0}}}
	for _, d := range []string{"b", "c", "d"} {
		hits = append(hits, Hit{Passage: Passage{Text: "nothing", Doc: d, Score: 0.1}})
	}
	ans := askFixed(t, terms, hits, "alpha beta")
	if ans.Answered != (len(ans.Passages) > 0) || !ans.Answered {
		t.Errorf("answered %v with %d passages, want answered with at least one", ans.Answered, len(ans.Passages))
	}
}

// A name the corpus never mentions makes a match of the other words
// incidental: "capital" in "capital letters" does not answer a question
// about a city the documents never name.
func TestMissingNameLowersConfidence(t *testing.T) {
	hits := []Hit{
		{Passage: Passage{Text: "Write the capital letters first.", Doc: "a", Score: 3}, Matched: []int{1}},
		{Passage: Passage{Text: "Other text.", Doc: "b", Score: 0.2}},
	}
	for _, tt := range []struct {
		name    string
		missing bool
		want    bool
	}{
		{"a name the corpus has leaves the answer", false, true},
		{"a name the corpus lacks withholds it", true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			terms := []Term{{Text: "Vlaardingen", Key: "vlaardingen", IDF: 4, Name: true, Missing: tt.missing}, {Text: "capital", Key: "capit", IDF: 4}}
			ans := askFixed(t, terms, hits, "What is the capital of Vlaardingen?")
			if ans.Answered != tt.want {
				t.Errorf("answered = %v, want %v", ans.Answered, tt.want)
			}
		})
	}
}

// Quotes never repeat a part: a paragraph cut in three, quoted from its
// last part (with the middle one), then from its first, quotes the first
// part alone.
func TestAnswerQuotesEachPartOnce(t *testing.T) {
	terms := []Term{{Text: "lighthouse", Key: "lighthous", IDF: 3}, {Text: "Smeaton", Key: "smeaton", IDF: 5}}
	first, middle, last := "Smeaton built a lighthouse.", "It stood for a century.", "The lighthouse of Smeaton was moved."
	hits := []Hit{
		{Passage: Passage{Text: last, Doc: "d", Ordinal: 2, Score: 3}, Matched: []int{0, 1},
			Before: &Part{Text: middle}},
		{Passage: Passage{Text: first, Doc: "d", Ordinal: 0, Score: 2.9}, Matched: []int{0, 1},
			After: &Part{Text: middle}},
	}
	ans := askFixed(t, terms, hits, "Smeaton lighthouse")
	var got []string
	for _, p := range ans.Passages {
		got = append(got, p.Text)
	}
	if diff := cmp.Diff([]string{middle + " " + last, first}, got); diff != "" {
		t.Errorf("quotes (-want +got):\n%s", diff)
	}
}

// A question is about its names: a passage holding the name ranks above
// one holding as much of the rest of the question but not the name
// (AnswerOptions.NameWeight); with names weighed as other words, the
// other passage goes first.
func TestANameWeighsMoreThanTheWordsAroundIt(t *testing.T) {
	terms := []Term{{Text: "Atherosclerosis", Key: "atherosclerosi", IDF: 6, Name: true},
		{Text: "develops", Key: "develop", IDF: 2}, {Text: "stage", Key: "stage", IDF: 2}, {Text: "life", Key: "life", IDF: 2}}
	hits := []Hit{
		{Passage: Passage{Text: "The Early Stage Life Sciences initiative develops firms.", Doc: "a", Score: 1.05}, Matched: []int{1, 2, 3}},
		{Passage: Passage{Text: "Atherosclerosis begins in childhood.", Doc: "b", Score: 1}, Matched: []int{0}},
	}
	for _, tt := range []struct {
		name   string
		weight float64
		first  string
	}{
		{"names weigh more", 0, "b"},
		{"names weigh as other words", 1, "a"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ranked, err := NewAnswerer(fixed(&SearchResult{Terms: terms, Hits: hits}), AnswerOptions{NameWeight: tt.weight}).Ranked(context.Background(), "Atherosclerosis develops in what stage of life?")
			if err != nil {
				t.Fatal(err)
			}
			if len(ranked) == 0 || ranked[0].Doc != tt.first {
				t.Errorf("first %v, want %s", ranked, tt.first)
			}
		})
	}
}

// Each abstention level answers from its own share of the question
// covered: lenient from less than balanced, strict only from more. The
// best passage here stands no higher than the others, so coverage alone
// decides.
func TestAbstentionLevels(t *testing.T) {
	for _, tt := range []struct {
		covered float64 // share of the question the passages cover
		want    map[string]bool
	}{
		{0.20, map[string]bool{AbstainLenient: false, AbstainBalanced: false, AbstainStrict: false}},
		{0.35, map[string]bool{AbstainLenient: true, AbstainBalanced: false, AbstainStrict: false}},
		{0.50, map[string]bool{AbstainLenient: true, AbstainBalanced: true, AbstainStrict: false}},
		{0.65, map[string]bool{AbstainLenient: true, AbstainBalanced: true, AbstainStrict: false}},
		{0.80, map[string]bool{AbstainLenient: true, AbstainBalanced: true, AbstainStrict: true}},
	} {
		terms := []Term{{Text: "alpha", Key: "alpha", IDF: 100 * tt.covered}, {Text: "beta", Key: "beta", IDF: 100 * (1 - tt.covered)}}
		var hits []Hit
		for _, d := range []string{"a", "b", "c", "d"} {
			hits = append(hits, Hit{Passage: Passage{Text: "alpha", Doc: d, Score: 2}, Matched: []int{0}})
		}
		for _, level := range AbstainLevels {
			opts, err := AnswerOptions{}.Abstain(level)
			if err != nil {
				t.Fatal(err)
			}
			ans, err := NewAnswerer(fixed(&SearchResult{Terms: terms, Hits: hits}), opts).Ask(context.Background(), "alpha beta")
			if err != nil {
				t.Fatal(err)
			}
			if ans.Answered != tt.want[level] {
				t.Errorf("%s, %.2f of the question covered: answered %v, want %v", level, tt.covered, ans.Answered, tt.want[level])
			}
		}
	}
	if _, err := (AnswerOptions{}).Abstain("sometimes"); err == nil || !strings.Contains(err.Error(), "lenient") {
		t.Errorf("an unknown level: err = %v, want one naming the levels", err)
	}
}

// Of two passages ranked about alike, the one with a sentence that holds
// the question's words together is quoted first: the sentence that
// answers a question usually holds most of it.
func TestTheQuoteWithTheAnsweringSentenceGoesFirst(t *testing.T) {
	terms := []Term{{Text: "lighthouse", Key: "lighthous", IDF: 5}, {Text: "Smeaton", Key: "smeaton", IDF: 5}}
	spread := "The lighthouse stood on the rock. Smeaton wrote about the rock."
	together := "Smeaton rebuilt the lighthouse."
	hits := []Hit{
		{Passage: Passage{Text: spread, Doc: "a", Score: 2.1}, Matched: []int{0, 1}, At: []TermAt{{Start: 4, Term: 0}, {Start: 34, Term: 1}}},
		{Passage: Passage{Text: together, Doc: "b", Score: 2}, Matched: []int{0, 1}, At: []TermAt{{Start: 0, Term: 1}, {Start: 20, Term: 0}}},
	}
	for _, tt := range []struct {
		weight float64
		want   []string
	}{{0, []string{"b", "a"}}, {-1, []string{"a", "b"}}} {
		ans, err := NewAnswerer(fixed(&SearchResult{Terms: terms, Hits: hits}), AnswerOptions{SentenceWeight: tt.weight}).Ask(context.Background(), "Smeaton lighthouse")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range ans.Passages {
			got = append(got, p.Doc)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("SentenceWeight %v: documents quoted (-want +got):\n%s", tt.weight, diff)
		}
	}
}

// A brief's sentence matches a topic word however either writes its
// accents: the index folds them, and so does the stem compared with its
// terms.
func TestTermMatchesFoldsAccents(t *testing.T) {
	for _, tt := range []struct {
		word string
		term Term
		want bool
	}{
		{"köppen", Term{Text: "Koppen", Key: "koppen"}, true},
		{"koppen", Term{Text: "Köppen", Key: "koppen"}, true},
		{"pétionville", Term{Text: "Petionville", Key: "petionvill"}, true},
		{"kopen", Term{Text: "Koppen", Key: "koppen"}, false},
	} {
		if got := termMatches(tt.word, tt.term); got != tt.want {
			t.Errorf("termMatches(%q, %q) = %v, want %v", tt.word, tt.term.Key, got, tt.want)
		}
	}
}
