package index

import (
	"bytes"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

func TestFoldTerm(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"köppen", "koppen"},
		{"pétionville", "petionville"},
		{"pe\u0301tionville", "petionville"}, // decomposed: e and a combining acute
		{"straße", "strasse"},
		{"æther", "aether"},
		{"naïve", "naive"},
		{"atatürk", "ataturk"},
		{"são", "sao"},
		{"łódź", "lodz"},
		{"don’t", "don't"},
		{"ά", "ά"},           // Greek keeps its accents
		{"हिन्दी", "हिन्दी"}, // Devanagari's marks are vowels, not accents
		{"naïve\xff", "naive\xff"},
		{"\xffe\u0301", "\xffe"},
		{"e\xff\u0301", "e\xff\u0301"}, // the mark follows no letter
	} {
		if got := string(foldTerm([]byte(tt.in))); got != tt.want {
			t.Errorf("foldTerm(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFoldFilterKeepsByteRanges(t *testing.T) {
	text := "Zürich, Pétionville"
	ts := analysis.TokenStream{
		{Term: []byte("zürich"), Start: 0, End: 7, Position: 1},
		{Term: []byte("pétionville"), Start: 9, End: 21, Position: 2},
	}
	out := foldFilter{}.Filter(ts)
	var got []string
	for _, tok := range out {
		got = append(got, string(tok.Term)+"="+text[tok.Start:tok.End])
	}
	if want := []string{"zurich=Zürich", "petionville=Pétionville"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// A name typed without its accents finds the passage that writes them,
// and the other way round, and the highlight marks the word as written.
func TestAQuestionWithoutAccentsFindsTheWordWithThem(t *testing.T) {
	ix := openWith(t,
		doc(t, "quake", "Earthquake report",
			"The Pétionville school collapse was due to obvious negligence.",
			"Rebuilding in Sao Paulo took three years."),
		doc(t, "other", "Other", "The school collapse in another city had other causes."),
	)
	for _, tt := range []struct{ q, text, marked string }{
		{"Why did the Petionville school collapse?", "The Pétionville school collapse was due to obvious negligence.", "Pétionville"},
		{"How long did rebuilding in São Paulo take?", "Rebuilding in Sao Paulo took three years.", "Sao"},
	} {
		res := firstHitMarks(t, ix, tt.q, tt.text, tt.marked)
		for _, term := range res.Terms {
			if (term.Text == "Petionville" || term.Text == "São") && (term.Missing || term.Corrected != "") {
				t.Errorf("%q: term %q matched as missing or corrected (%+v), want found as it is", tt.q, term.Text, term)
			}
		}
	}
}

// Folding never makes valid text invalid, leaves ASCII as it is, and is
// done once: a folded term folds to itself.
func FuzzFoldTerm(f *testing.F) {
	for _, s := range []string{"köppen", "pe\u0301tionville", "straße", "ﬁle", "ά", "हिन्दी", "naïve\xff", "\xffe\u0301", "ǅ", "Ⓐ\u05a90"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out := foldTerm(in)
		if isASCIIBytes(in) && !bytes.Equal(out, in) {
			t.Fatalf("ASCII %q folded to %q", in, out)
		}
		if utf8.Valid(in) && !utf8.Valid(out) {
			t.Fatalf("valid %q folded to invalid %q", in, out)
		}
		if again := foldTerm(out); !isASCIIBytes(out) && !bytes.Equal(again, out) {
			t.Fatalf("%q folded to %q, and again to %q", in, out, again)
		}
	})
}
