package bot

import (
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestFigures(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		name string
		in   string
		want []figure
	}{
		{"a range counts the noun after it", "The 10,000 to 20,000 troops initially planned would train forces.",
			[]figure{{lo: 10000, hi: 20000, key: "troop", noun: "troops"}}},
		{"a hyphenated count names what it counts", "The initial 28-point proposal drew criticism; the revised 19-point plan did not.",
			[]figure{{lo: 28, hi: 28, key: "point", noun: "point"}, {lo: 19, hi: 19, key: "point", noun: "point"}}},
		{"a dash range", "The text has 26–28 articles.",
			[]figure{{lo: 26, hi: 28, key: "article", noun: "articles"}}},
		{"between … and", "It would take between 5 and 7 brigades.",
			[]figure{{lo: 5, hi: 7, key: "brigade", noun: "brigades"}}},
		{"more than is a lower bound", "The front line stretches for more than 600 miles.",
			[]figure{{lo: 600, hi: inf, key: "mile", noun: "miles"}}},
		{"N-plus is a lower bound", "They want a 30-plus nation coalition.",
			[]figure{{lo: 30, hi: inf, key: "nation", noun: "nation"}}},
		{"up to is an upper bound", "It could send up to 5,000 soldiers.",
			[]figure{{lo: 0, hi: 5000, key: "soldier", noun: "soldiers"}}},
		{"about is approximate", "Officials expect about 30,000 troops.",
			[]figure{{lo: 30000, hi: 30000, approx: true, key: "troop", noun: "troops"}}},
		{"a multiplier scales", "They pledged 1.5 million rounds.",
			[]figure{{lo: 1.5e6, hi: 1.5e6, key: "round", noun: "rounds"}}},
		{"a capitalised adjective is skipped", "It means 20,000 European troops.",
			[]figure{{lo: 20000, hi: 20000, key: "troop", noun: "troops"}}},
		{"a plural in -ies", "Support came from 31 countries.",
			[]figure{{lo: 31, hi: 31, key: "country", noun: "countries"}}},
		{"years are not figures", "That could prevent a repeat of 2022 attacks.", nil},
		{"time units are not counted things", "Talks lasted 3 days and 12 hours.", nil},
		{"numbers naming a thing are not figures", "Putin proposed an Article 5-like guarantee.", nil},
		{"codes are not figures", "Source ID: SRCE-2025-1764102555216-952", nil},
		{"a number without a noun is not a figure", "The tally was 12.", nil},
		{"badly grouped digits are not numbers", "It said 1,00 troops.", nil},
		{"ordinals are not figures", "The 2nd round of talks.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := defaultVocab().figures(tt.in)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(figure{})); diff != "" {
				t.Errorf("figures(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestFigureAgreement(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		name string
		a, b figure
		want bool
	}{
		{"equal counts agree", figure{lo: 28, hi: 28}, figure{lo: 28, hi: 28}, true},
		{"different counts differ", figure{lo: 28, hi: 28}, figure{lo: 19, hi: 19}, false},
		{"a count inside a range agrees", figure{lo: 26, hi: 28}, figure{lo: 28, hi: 28}, true},
		{"approximate figures agree within 10%", figure{lo: 30000, hi: 30000, approx: true}, figure{lo: 32000, hi: 32000}, true},
		{"approximate figures differ beyond", figure{lo: 30000, hi: 30000, approx: true}, figure{lo: 20000, hi: 20000}, false},
		{"a lower bound agrees with more", figure{lo: 600, hi: inf}, figure{lo: 700, hi: 700}, true},
		{"a lower bound differs from less", figure{lo: 600, hi: inf}, figure{lo: 500, hi: 500}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.agrees(tt.b); got != tt.want {
				t.Errorf("%+v agrees %+v = %v, want %v", tt.a, tt.b, got, tt.want)
			}
			if got := tt.b.agrees(tt.a); got != tt.want {
				t.Errorf("agreement is not symmetric for %+v, %+v", tt.a, tt.b)
			}
		})
	}
}

func TestFindConflicts(t *testing.T) {
	discussing := map[string]bool{"a": true, "b": true}
	sent := func(doc, text string) *sentence {
		return &sentence{text: text, cov: 1, pass: &Hit{Passage: Passage{Doc: doc, Title: strings.ToUpper(doc)}}}
	}
	tests := []struct {
		name  string
		cands []*sentence
		want  []Conflict
	}{
		{"two documents, two troop numbers",
			[]*sentence{sent("a", "They planned 10,000 to 20,000 troops for Ukraine."), sent("b", "Officials expect about 30,000 troops in Ukrainian cities.")},
			[]Conflict{{About: "the number of troops", Claims: []SummarySentence{
				{Text: "They planned 10,000 to 20,000 troops for Ukraine.", Title: "A", Doc: "a"},
				{Text: "Officials expect about 30,000 troops in Ukrainian cities.", Title: "B", Doc: "b"}}}}},
		{"counts of one noun in unrelated sentences are not compared",
			[]*sentence{sent("a", "About 100,000 women served with 600,000 men in the army."), sent("b", "In 1961, 50,000 women in 60 cities protested nuclear tests.")},
			nil},
		{"a revision inside one document is no conflict",
			[]*sentence{sent("a", "The initial 28-point plan was cut."), sent("a", "The revised 19-point plan is shorter.")},
			nil},
		{"a document repeating one of another's figures is no conflict",
			[]*sentence{sent("a", "The initial 28-point plan was cut."), sent("a", "The revised 19-point plan is shorter."),
				sent("b", "The 28-point plan was leaked.")},
			nil},
		{"figures inside each other's range agree",
			[]*sentence{sent("a", "They planned 10,000 to 20,000 troops."), sent("b", "They planned 15,000 troops.")},
			nil},
		{"different nouns are not compared",
			[]*sentence{sent("a", "The framework has 26 to 28 articles."), sent("b", "The revised 19-point plan is shorter.")},
			nil},
		{"a document that does not discuss the topic is not read",
			[]*sentence{sent("a", "They planned 10,000 to 20,000 troops."), sent("c", "Officials expect about 30,000 troops.")},
			nil},
		{"sentences off the topic are not read",
			[]*sentence{sent("a", "They planned 10,000 troops."), {text: "They planned 50,000 troops.", pass: &Hit{Passage: Passage{Doc: "b"}}}},
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, defaultVocab().findConflicts(tt.cands, discussing, "troops")); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzFigures reads arbitrary document text: no panic, and every figure is
// a sane range with a lower-case noun.
func FuzzFigures(f *testing.F) {
	for _, s := range []string{"The 10,000 to 20,000 troops.", "a 28-point plan", "more than 600 miles", "1,,0 x", "9-9-9-9 a", "between 5 and", "up to", "30-plus", "1e308 troops", "99999999999999999999999 troops", "\xff1 troops"} {
		f.Add(s)
	}
	v := defaultVocab()
	f.Fuzz(func(t *testing.T, s string) {
		for _, g := range v.figures(s) {
			if math.IsNaN(g.lo) || math.IsNaN(g.hi) || g.lo > g.hi || g.lo < 0 {
				t.Fatalf("figures(%q): bad range %+v", s, g)
			}
			if g.key == "" || !utf8.ValidString(g.key) || strings.ToLower(g.noun) != g.noun {
				t.Fatalf("figures(%q): bad noun %+v", s, g)
			}
		}
	})
}
