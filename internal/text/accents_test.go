package text

import (
	"bytes"
	"testing"
	"unicode/utf8"
)

func TestFoldAccents(t *testing.T) {
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
		if got := string(FoldAccents([]byte(tt.in))); got != tt.want {
			t.Errorf("FoldAccents(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Folding never makes valid text invalid, leaves ASCII as it is, and is
// done once: a folded term folds to itself.
func FuzzFoldAccents(f *testing.F) {
	for _, s := range []string{"köppen", "pe\u0301tionville", "straße", "ﬁle", "ά", "हिन्दी", "naïve\xff", "\xffe\u0301", "ǅ", "Ⓐ\u05a90"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out := FoldAccents(in)
		if isASCII(in) && !bytes.Equal(out, in) {
			t.Fatalf("ASCII %q folded to %q", in, out)
		}
		if utf8.Valid(in) && !utf8.Valid(out) {
			t.Fatalf("valid %q folded to invalid %q", in, out)
		}
		if again := FoldAccents(out); !bytes.Equal(again, out) {
			t.Fatalf("%q folded to %q, and again to %q", in, out, again)
		}
	})
}
