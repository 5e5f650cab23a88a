package text

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWords(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"lower-cased runs of letters and digits", "Ukraine’s 10,000 Troops", []string{"ukraine", "s", "10", "000", "troops"}},
		{"punctuation and spaces separate", "plan—deal; (pact)", []string{"plan", "deal", "pact"}},
		{"other scripts", "Привет, мир! 東京", []string{"привет", "мир", "東京"}},
		{"nothing", " ,;. – ", []string{}},
		{"empty", "", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Words(tt.in)); diff != "" {
				t.Errorf("Words(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestTokens(t *testing.T) {
	w := func(s string) Token { return Token{Text: s} }
	n := func(s string) Token { return Token{Text: s, Number: true} }
	tests := []struct {
		name string
		in   string
		want []Token
	}{
		{"numbers with separators", "10,000 to 20,000 troops", []Token{n("10,000"), w("to"), n("20,000"), w("troops")}},
		{"decimal point", "2.5 percent.", []Token{n("2.5"), w("percent"), w(".")}},
		{"a comma after a number is punctuation", "5, then", []Token{n("5"), w(","), w("then")}},
		{"apostrophe inside a word", "Ukraine’s plan isn't", []Token{w("Ukraine’s"), w("plan"), w("isn't")}},
		{"apostrophe at a word's end", "the states' plan", []Token{w("the"), w("states"), w("'"), w("plan")}},
		{"hyphenated number", "28-point plan", []Token{n("28"), w("-"), w("point"), w("plan")}},
		{"letters and digits make a word", "SRCE-2025 A4", []Token{w("SRCE"), w("-"), n("2025"), w("A4")}},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Tokens(tt.in)); diff != "" {
				t.Errorf("Tokens(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestTrigrams(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]bool
	}{
		{"Pact", map[string]bool{" pa": true, "pac": true, "act": true, "ct ": true}},
		{"", map[string]bool{}},
		{"é", map[string]bool{" é ": true}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Trigrams(tt.in)); diff != "" {
			t.Errorf("Trigrams(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestRunes(t *testing.T) {
	tests := []struct {
		in          string
		first, last rune
		capitalised bool
	}{
		{"Émile said", 'É', 'd', true},
		{"émile", 'é', 'e', false},
		{"“Go”", '“', '”', false},
		{"", '\uFFFD', '\uFFFD', false},
	}
	for _, tt := range tests {
		got := []any{FirstRune(tt.in), LastRune(tt.in), IsCapitalised(tt.in)}
		if diff := cmp.Diff([]any{tt.first, tt.last, tt.capitalised}, got); diff != "" {
			t.Errorf("FirstRune, LastRune, IsCapitalised(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestHasWord(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"a", true},
		{"…7", true},
		{"東", true},
		{" ,;.– ", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := HasWord(tt.in); got != tt.want {
			t.Errorf("HasWord(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestFirstWords(t *testing.T) {
	for _, s := range []string{"", "Neuroscience is the study.", "  “A surname” (or family name) is…", "Ünïcode, wörds & 10,000 more", "İzmir, ΣΟΦΊΑ", "end"} {
		all := Words(s)
		for n := 1; n <= len(all)+1; n++ {
			if got, want := FirstWords(s, n), all[:min(n, len(all))]; !slices.Equal(got, want) {
				t.Errorf("FirstWords(%q, %d) = %q; want %q", s, n, got, want)
			}
		}
	}
}
