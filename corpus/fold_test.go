package corpus

import (
	"strings"
	"testing"
)

// TestFoldASCIIMatchesFoldRunes holds Fold's ASCII path to the general
// one on every string of up to five bytes drawn from spaces, control
// characters, DEL and letters.
func TestFoldASCIIMatchesFoldRunes(t *testing.T) {
	alphabet := []byte{' ', '\t', '\n', 0, 0x1f, 0x7f, 'a', 'B', '.'}
	var walk func(prefix []byte)
	walk = func(prefix []byte) {
		s := string(prefix)
		got, ok := foldASCII(s)
		if !ok {
			t.Fatalf("foldASCII(%q) refused ASCII text", s)
		}
		if want := foldRunes(s); got != want {
			t.Fatalf("foldASCII(%q) = %q, foldRunes = %q", s, got, want)
		}
		if len(prefix) == 5 {
			return
		}
		for _, c := range alphabet {
			walk(append(prefix, c))
		}
	}
	walk(nil)
	for _, s := range []string{"café", "a\u00a0b", "x\u200by", "\xff", " a \xffb "} {
		if _, ok := foldASCII(s); ok {
			t.Errorf("foldASCII(%q) took text beyond ASCII", s)
		}
	}
}

// FuzzFold holds Fold to the general path on any input.
func FuzzFold(f *testing.F) {
	for _, s := range []string{"", " a  b ", "tab\there\n", "caf\u00e9\u00a0x", "\xffbad", strings.Repeat("word ", 20)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Fold(s), foldRunes(s); got != want {
			t.Fatalf("Fold(%q) = %q, foldRunes = %q", s, got, want)
		}
	})
}

func BenchmarkFold(b *testing.B) {
	text := strings.TrimSpace(strings.Repeat("On the basis of the evidence accumulated it is concluded that the boundary-layer thickness has only a small effect. ", 6))
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Fold(text)
	}
}

func BenchmarkFoldRunes(b *testing.B) {
	text := strings.TrimSpace(strings.Repeat("On the basis of the evidence accumulated it is concluded that the boundary-layer thickness has only a small effect. ", 6))
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		foldRunes(text)
	}
}
