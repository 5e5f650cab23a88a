package bot

import (
	"context"
	"errors"
	"iter"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/google/go-cmp/cmp"
)

func TestProposalsIn(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []mention
	}{
		{"an N-point plan", "The initial 28-point proposal drew criticism.",
			[]mention{{name: "28-point proposal", named: true}}},
		{"an N-point plan with a word between", "They tabled a 20-point peace plan.",
			[]mention{{name: "20-point peace plan", named: true}}},
		{"a named coalition, without its article", "The Coalition of the Willing couldn’t deploy enough troops.",
			[]mention{{name: "Coalition of the Willing", named: true}}},
		{"a named agreement mid-sentence", "Talks built on the Minsk Agreement failed.",
			[]mention{{name: "Minsk Agreement", named: true}}},
		{"an article of a treaty", "They offered an Article 5-like guarantee.",
			[]mention{{name: "Article 5", named: true}}},
		{"common-noun phrases lose their generic adjectives", "They oppose a controversial land swap proposal and want credible security guarantees.",
			[]mention{{name: "land swap proposal"}, {name: "security guarantees"}}},
		{"a counted coalition", "They lead a 30-plus nation coalition.",
			[]mention{{name: "30-plus nation coalition", named: true}}},
		{"a bare head word is no proposal", "The plan and the deal were discussed.", nil},
		{"verbs and adverbs are not modifiers", "He was personally delivering proposals, a fully formed plan.", nil},
		{"a hyphenated name", "They tore up the Sykes-Picot Agreement.",
			[]mention{{name: "Sykes-Picot Agreement", named: true}}},
		{"two names joined by and", "Jones fought the Serapis and the Alliance off Flamborough.", nil},
		{"a function word that opens the sentence is not part of the name", "This Plan was presented to Congress.", nil},
		{"a head before another capitalised word only modifies it", "The Massachusetts Medical Society and Alliance Charitable Foundation gave money.", nil},
		{"headings are skipped", "Security Guarantees in Ukraine Peace Plan: What You Need to Know", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := defaultVocab().proposalsIn(tt.in)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(mention{})); diff != "" {
				t.Errorf("proposalsIn(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// passageList is a PassageLister over a fixed list; calls counts walks.
type passageList struct {
	ps      []Passage
	err     error
	calls   int
	updated time.Time
}

func (l *passageList) Passages(ctx context.Context) iter.Seq2[Passage, error] {
	l.calls++
	return func(yield func(Passage, error) bool) {
		for _, p := range l.ps {
			if !yield(p, nil) {
				return
			}
		}
		if l.err != nil {
			yield(Passage{}, l.err)
		}
	}
}

func (l *passageList) LastUpdate() time.Time { return l.updated }

func TestFindProposals(t *testing.T) {
	l := &passageList{ps: []Passage{
		{Doc: "a", Text: "The 28-point plan was leaked. Security guarantees matter. A peace deal is near."},
		{Doc: "b", Text: "The 28-point proposal was criticised. Security guarantees were promised."},
		{Doc: "b", Text: "Security guarantees again. A one-off peace charter was floated."},
		{Doc: "c", Text: "A land swap proposal was rejected."},
	}}
	got, err := FindProposals(context.Background(), l)
	if err != nil {
		t.Fatal(err)
	}
	want := []Proposal{
		{Name: "28-point plan", Documents: 2, Mentions: 2},
		{Name: "security guarantees", Documents: 2, Mentions: 3},
		{Name: "land swap proposal", Documents: 1, Mentions: 1},
	}
	// Ties on documents go to mentions.
	want[0], want[1] = want[1], want[0]
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	t.Run("a read error is returned", func(t *testing.T) {
		boom := errors.New("boom")
		_, err := FindProposals(context.Background(), &passageList{err: boom})
		if !errors.Is(err, boom) {
			t.Errorf("err = %v, want boom", err)
		}
	})
	t.Run("the list is cached until the corpus changes", func(t *testing.T) {
		l := &passageList{ps: l.ps, updated: time.Unix(1, 0)}
		f := NewProposalFinder(l, Vocabulary{})
		for range 3 {
			if _, err := f.Proposals(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		l.updated = time.Unix(2, 0)
		if _, err := f.Proposals(context.Background()); err != nil {
			t.Fatal(err)
		}
		if l.calls != 2 {
			t.Errorf("%d walks, want 2", l.calls)
		}
	})
}

func TestNearestProposals(t *testing.T) {
	ps := []Proposal{{Name: "security guarantees"}, {Name: "peace deal"}, {Name: "Coalition of the Willing"}, {Name: "28-point proposal"}}
	tests := []struct {
		topic string
		want  []string
	}{
		{"coalition of the wiling", []string{"Coalition of the Willing"}},
		{"security guarantors", []string{"security guarantees"}},
		{"28 point plan", []string{"28-point proposal"}},
		{"zebra", []string{"security guarantees", "peace deal", "Coalition of the Willing"}},
	}
	for _, tt := range tests {
		t.Run(tt.topic, func(t *testing.T) {
			got := nearestProposals(tt.topic, ps, 3)
			if diff := cmp.Diff(tt.want, got[:min(len(got), len(tt.want))]); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestProposalsText(t *testing.T) {
	var ps []Proposal
	for i := range 17 {
		ps = append(ps, Proposal{Name: strings.Repeat("x", i+1), Documents: 1, Mentions: 1 + i%2})
	}
	got := proposalsText(ps, "!framework")
	for _, want := range []string{"Plans and proposals in the documents (17):", "• x — 1 document\n", "• xx — 1 document, 2 mentions", "…and 2 more.", "For a brief on one: !framework summary <name>"} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %q:\n%s", want, got)
		}
	}
	if got := proposalsText(nil, ""); got != "The documents name no plans or proposals." {
		t.Errorf("empty list: %q", got)
	}
}

// FuzzProposalsIn reads arbitrary document text: no panic, and every name
// is non-empty text of the sentence's words.
func FuzzProposalsIn(f *testing.F) {
	for _, s := range []string{"The 28-point plan.", "Coalition of the Willing", "the Of The And Plan", "a 30-plus nation coalition", "Article 5", "the McKinney – Vento Act", "A-B Plan", "- plan", "1-point", "\xffplan deal"} {
		f.Add(s)
	}
	v := defaultVocab()
	f.Fuzz(func(t *testing.T, s string) {
		for _, m := range v.proposalsIn(s) {
			if strings.TrimSpace(m.name) == "" {
				t.Fatalf("proposalsIn(%q): empty name", s)
			}
			for _, w := range strings.FieldsFunc(m.name, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune("-‑–—", r) }) {
				if !strings.Contains(strings.ToLower(s), strings.ToLower(w)) {
					t.Fatalf("proposalsIn(%q): %q is not from the text", s, m.name)
				}
			}
		}
	})
}

// defaultVocab is the default vocabulary, compiled.
func defaultVocab() *vocab { return DefaultVocabulary().compile() }

// The vocabulary is data: each list changes what proposalsIn and figures
// find, and nil keeps the default.
func TestVocabularyChangesWhatIsFound(t *testing.T) {
	tests := []struct {
		name  string
		vocab Vocabulary
		in    string
		want  []mention
	}{
		{"the default finds an N-point plan", Vocabulary{}, "They tabled a 12-point plan.",
			[]mention{{name: "12-point plan", named: true}}},
		{"proposal heads", Vocabulary{ProposalHeads: []string{"act"}}, "Congress passed the Clean Air Act and a peace plan.",
			[]mention{{name: "Clean Air Act", named: true}}},
		{"numbered names", Vocabulary{NumberedNames: []string{"resolution"}}, "They cited Resolution 242 and Article 5.",
			[]mention{{name: "Resolution 242", named: true}}},
		{"generic modifiers", Vocabulary{GenericModifiers: []string{}}, "They want a credible guarantee.",
			[]mention{{name: "credible guarantee"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.vocab.compile().proposalsIn(tt.in)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(mention{})); diff != "" {
				t.Errorf("proposalsIn(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
	t.Run("counted units merge the ways a plan is named", func(t *testing.T) {
		v := Vocabulary{CountedUnits: []string{"year"}}.compile()
		if a, b := v.proposalKey("5-year plan"), v.proposalKey("5-year proposal"); a != b {
			t.Errorf("keys %q and %q differ", a, b)
		}
		if a, b := defaultVocab().proposalKey("5-year plan"), defaultVocab().proposalKey("5-year proposal"); a == b {
			t.Errorf("default: keys %q and %q are one", a, b)
		}
	})
	t.Run("uncounted nouns are not figures", func(t *testing.T) {
		s := "They sent 300 engineers."
		if got := len(defaultVocab().figures(s)); got != 1 {
			t.Fatalf("default: %d figures, want 1", got)
		}
		if got := (Vocabulary{UncountedNouns: []string{"engineers"}}).compile().figures(s); len(got) != 0 {
			t.Errorf("engineers uncounted: %+v", got)
		}
	})
	t.Run("invariant plurals name the number", func(t *testing.T) {
		v := Vocabulary{InvariantPlurals: []string{"sheep"}}.compile()
		if got := v.pluralOf("sheep"); got != "sheep" {
			t.Errorf("pluralOf(sheep) = %q", got)
		}
	})
}

func TestVocabularyValidate(t *testing.T) {
	tests := []struct {
		name  string
		vocab Vocabulary
		want  string // "" for valid
	}{
		{"the zero value is the default", Vocabulary{}, ""},
		{"the default", DefaultVocabulary(), ""},
		{"no heads", Vocabulary{ProposalHeads: []string{}}, `proposal_heads: list at least one noun`},
		{"a capitalised word", Vocabulary{CountedUnits: []string{"Point"}}, `counted_units: "Point" is not one lower-case word`},
		{"two words", Vocabulary{ProposalHeads: []string{"Peace Plan"}}, `proposal_heads: "Peace Plan" is not one lower-case word; write each entry as a single word of lower-case letters, such as "plan"`},
		{"a hyphenated word", Vocabulary{ProposalHeads: []string{"road-map"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.vocab.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate() = %v, want %q", err, tt.want)
			}
		})
	}
}
