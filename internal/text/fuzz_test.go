package text

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzWords checks that the word splitters take only what they should and
// lose nothing else, and that FirstWords gives Words's first words.
func FuzzWords(f *testing.F) {
	f.Add("Ukraine’s 10,000 troops, 2.5 percent; SRCE-2025.")
	f.Add("isn't 'quoted' 1,2,3 a.b")
	f.Add("")
	f.Add("İzmir is a city. ")
	f.Fuzz(func(t *testing.T, s string) {
		words := Words(s)
		for _, w := range words {
			if w == "" || strings.IndexFunc(w, func(r rune) bool { return !IsWordRune(r) }) >= 0 {
				t.Fatalf("Words(%q) gives %q", s, w)
			}
		}
		for n := 1; n <= 12; n++ {
			if got, want := FirstWords(s, n), words[:min(n, len(words))]; !slices.Equal(got, want) {
				t.Fatalf("FirstWords(%q, %d) = %q; Words gives %q", s, n, got, want)
			}
		}
		// Tokens are s in order, less its spaces.
		rest := s
		for _, tok := range Tokens(s) {
			if tok.Text == "" {
				t.Fatalf("Tokens(%q) gives an empty token", s)
			}
			rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
			if !strings.HasPrefix(rest, tok.Text) {
				t.Fatalf("Tokens(%q): %q is not next in %q", s, tok.Text, rest)
			}
			rest = rest[len(tok.Text):]
		}
		if strings.TrimLeftFunc(rest, unicode.IsSpace) != "" {
			t.Fatalf("Tokens(%q) loses %q", s, rest)
		}
	})
}

// FuzzSentences checks that sentences are ordered, trimmed, non-empty byte
// ranges that never split a rune and leave out only whitespace.
func FuzzSentences(f *testing.F) {
	f.Add("Mr. Smith went to the U.S. in 2.5 days. “Why?” he asked… Nobody knew.")
	f.Add("今日は晴れ。明日は雨。")
	f.Add(" .. ! ")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		prev := 0
		for _, r := range Sentences(s) {
			if r[0] < prev || r[0] >= r[1] || r[1] > len(s) {
				t.Fatalf("bad sentence range %v after %d in %q", r, prev, s)
			}
			if strings.TrimSpace(s[prev:r[0]]) != "" {
				t.Fatalf("lost %q before sentence %v in %q", s[prev:r[0]], r, s)
			}
			sent := s[r[0]:r[1]]
			if strings.TrimSpace(sent) != sent {
				t.Fatalf("sentence %q not trimmed", sent)
			}
			if utf8.ValidString(s) && !utf8.ValidString(sent) {
				t.Fatalf("sentence cut inside a rune: %q", sent)
			}
			prev = r[1]
		}
		if strings.TrimSpace(s[prev:]) != "" {
			t.Fatalf("lost %q at the end of %q", s[prev:], s)
		}
	})
}
