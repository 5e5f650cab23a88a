package index

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"unicode/utf8"

	txt "framebot/internal/text"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"
)

// sameTokens reports how wordTokenizer's output for input differs from the
// unicode tokenizer's, or "" when they are the same.
func sameTokens(input []byte) string {
	want := unicode.NewUnicodeTokenizer().Tokenize(input)
	got := newWordTokenizer().Tokenize(input)
	show := func(ts analysis.TokenStream) string {
		var b bytes.Buffer
		for _, t := range ts {
			fmt.Fprintf(&b, "%q@%d-%d#%d/%d ", t.Term, t.Start, t.End, t.Position, t.Type)
		}
		return b.String()
	}
	if g, w := show(got), show(want); g != w {
		return fmt.Sprintf("input %q:\n got  %s\n want %s", input, g, w)
	}
	return ""
}

// Every string of up to six characters over an alphabet holding one
// character of each ASCII word-break class splits as
// the unicode tokenizer splits it.
func TestWordTokenizerMatchesUnicodeExhaustively(t *testing.T) {
	alphabet := []byte("a1:.',_- ") // one of each class: ';' is as ',' and '\t' as ' '

	maxLen := 6
	if testing.Short() {
		maxLen = 5
	}
	buf := make([]byte, 0, maxLen)
	var walk func()
	failures := 0
	walk = func() {
		if failures > 5 {
			return
		}
		if msg := sameTokens(buf); msg != "" {
			t.Error(msg)
			failures++
		}
		if len(buf) == maxLen {
			return
		}
		for _, c := range alphabet {
			buf = append(buf, c)
			walk()
			buf = buf[:len(buf)-1]
		}
	}
	walk()
}

// analysisInputs returns text made to trip word splitting (word-break
// rules, scripts, combining marks, text that is not UTF-8), then extra,
// then the files of the embedded corpus and of the test documents as they
// are on disk. It fails t when those files are not found.
func analysisInputs(t testing.TB, extra ...[]byte) [][]byte {
	t.Helper()
	inputs := [][]byte{
		[]byte("The 28-point plan's Article 5-like guarantees: U.S.A., e.g. 1,000.5 troops; don't_stop a.b. 3:30 x_1 __init__"),
		[]byte("Zelensky’s “19-point” plan — naïve café, Ελλάδα, 日本語のテキスト, 한국어, עִבְרִית, co\u00adoperate, e\u0301t\u00e9, 👍🏽 emoji"),
		[]byte(" \u0301a \u200db \u00ad1 ,\u0308 x"),
		[]byte("invalid \xff\xfe utf-8 \xc3 here"),
	}
	inputs = append(inputs, extra...)
	files := 0
	for _, dir := range []string{"../corpus/default", "../corpus/testdata"} {
		filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if b, err := os.ReadFile(path); err == nil {
					inputs = append(inputs, b)
					files++
				}
			}
			return nil
		})
	}
	if files < 20 {
		t.Fatalf("found only %d test documents", files)
	}
	return inputs
}

// Real text, ASCII and not: the embedded corpus and the test documents.
func TestWordTokenizerMatchesUnicodeOnDocuments(t *testing.T) {
	inputs := analysisInputs(t)
	// The whole text analysis, too, is Bleve's "en" analyzer's, with
	// Bleve's Snowball English stemmer for its Porter one, after the parts
	// of compounds are added (partsFilter) and with accents folded before
	// stemming (text.FoldAccents; both have their own tests).
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	base, err := registry.NewCache().DefineAnalyzer("en_snowball", map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []any{filterParts, en.PossessiveName, lowercase.Name, en.StopName, en.SnowballStemmerName},
	})
	if err != nil {
		t.Fatal(err)
	}
	bf := base.(*analysis.DefaultAnalyzer).TokenFilters
	theirs := &analysis.DefaultAnalyzer{
		Tokenizer:    base.(*analysis.DefaultAnalyzer).Tokenizer,
		TokenFilters: append(slices.Clip(bf[:len(bf)-1]), accentsFolded{}, bf[len(bf)-1]),
	}
	ours := m.AnalyzerNamed(analyzerText)
	for _, in := range inputs {
		var a, b bytes.Buffer
		for _, tok := range ours.Analyze(in) {
			fmt.Fprintf(&a, "%s@%d ", tok.Term, tok.Position)
		}
		for _, tok := range theirs.Analyze(in) {
			fmt.Fprintf(&b, "%s@%d ", tok.Term, tok.Position)
		}
		if a.String() != b.String() {
			t.Errorf("analysis of %.80q differs from Bleve's en analysis", in)
		}
	}
	for _, in := range inputs {
		if msg := sameTokens(in); msg != "" {
			if len(msg) > 2000 {
				msg = msg[:2000]
			}
			t.Error(msg)
		}
	}
}

// accentsFolded folds each term's accents (text.FoldAccents), as
// text.Stem does before stemming.
type accentsFolded struct{}

func (accentsFolded) Filter(ts analysis.TokenStream) analysis.TokenStream {
	for _, tok := range ts {
		tok.Term = txt.FoldAccents(tok.Term)
	}
	return ts
}

func FuzzWordTokenizer(f *testing.F) {
	for _, s := range []string{"a.b", "1,000.5", "don't", "__x__", "e\u0301", "“quoted”", "a:b:c", "x_1.2"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		if !utf8.Valid(input) && len(input) > 64 {
			return
		}
		if msg := sameTokens(input); msg != "" {
			t.Fatal(msg)
		}
	})
}

func BenchmarkTokenizer(b *testing.B) {
	text := bytes.Repeat([]byte("on the basis of the evidence accumulated it is concluded that the boundary-layer thickness has only a small effect, 1,000.5 on the base pressure. "), 4)
	for _, tc := range []struct {
		name string
		tok  analysis.Tokenizer
	}{{"unicode", unicode.NewUnicodeTokenizer()}, {"words", newWordTokenizer()}} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				tc.tok.Tokenize(text)
			}
		})
	}
}

// The caching stemmer stems as Bleve's porter filter does, cached or not.
func TestStemFilterMatchesPorter(t *testing.T) {
	f := newStemFilter()
	words := []string{"running", "runs", "guarantees", "guaranteed", "coalition", "willing", "ukraine's", "naïve", "", "a", "1,000", "generalizations", "sky"}
	for range 2 { // the second pass reads the cache
		for _, w := range words {
			if got, want := string(f.stem([]byte(w))), string(stemNow([]byte(w))); got != want {
				t.Errorf("stem(%q) = %q, want %q", w, got, want)
			}
		}
	}
	long := bytes.Repeat([]byte("ab"), stemMaxWord)
	if got := f.stem(long); !bytes.Equal(got, stemNow(long)) {
		t.Errorf("long word stemmed as %q", got)
	}
}

// wbClasses gives the word-break class of every byte value by the rules
// (UAX #29, ASCII), for checking the wbClass table.
func wbClasses() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case c >= 0x80:
			t[c] = wbHigh
		case c <= ' ' || c == 0x7f:
			t[c] = wbSpace
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
			t[c] = wbLetter
		case '0' <= c && c <= '9':
			t[c] = wbDigit
		case c == ':':
			t[c] = wbMidLet
		case c == '.', c == '\'':
			t[c] = wbMidBoth
		case c == ',', c == ';':
			t[c] = wbMidNum
		case c == '_':
			t[c] = wbJoin
		default:
			t[c] = wbOther
		}
	}
	return t
}

func TestWordBreakClassTable(t *testing.T) {
	want := wbClasses()
	if len(wbClass) != len(want) {
		t.Fatalf("wbClass has %d entries, want %d", len(wbClass), len(want))
	}
	for c := range want {
		if wbClass[c] != want[c] {
			t.Errorf("wbClass[%#x] = %d, want %d", c, wbClass[c], want[c])
		}
	}
}
