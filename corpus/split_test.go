package corpus

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// checkPassages verifies the invariants every result of Split must hold.
func checkPassages(t *testing.T, docID string, paragraphs []string, got []Passage) {
	t.Helper()
	for i, p := range got {
		if p.Doc != docID || p.Ordinal != i {
			t.Errorf("passage %d: Doc %q Ordinal %d", i, p.Doc, p.Ordinal)
		}
		if p.Para < 0 || p.Para >= len(paragraphs) || p.Start < 0 || p.Start >= p.End || p.End > len(paragraphs[p.Para]) {
			t.Fatalf("passage %d: bad range para %d [%d:%d]", i, p.Para, p.Start, p.End)
		}
		if src := paragraphs[p.Para][p.Start:p.End]; src != p.Text {
			t.Errorf("passage %d: paragraphs[%d][%d:%d] = %q, Text %q", i, p.Para, p.Start, p.End, src, p.Text)
		}
		if strings.TrimSpace(p.Text) != p.Text || p.Text == "" {
			t.Errorf("passage %d: empty or padded text %q", i, p.Text)
		}
		if utf8.ValidString(paragraphs[p.Para]) && !utf8.ValidString(p.Text) {
			t.Errorf("passage %d: cut inside a rune: %q", i, p.Text)
		}
	}
}

func TestSplit(t *testing.T) {
	long := strings.Repeat("The council met again to discuss the lighthouse. ", 10) // 80 words
	enormous := strings.Repeat("word ", 60) + "end, " + strings.Repeat("more ", 150) + "stop."
	tests := []struct {
		name       string
		paragraphs []string
		maxWords   int
		want       []string
	}{
		{"one passage per short paragraph", []string{"One.", "Two."}, 80, []string{"One.", "Two."}},
		{"empty paragraphs yield nothing", []string{"", "  ", "Two."}, 80, []string{"Two."}},
		{"a long paragraph is cut at sentences into even pieces",
			[]string{"Aa bb cc. Dd ee ff. Gg hh ii. Jj kk ll."}, 6,
			[]string{"Aa bb cc. Dd ee ff.", "Gg hh ii. Jj kk ll."}},
		{"abbreviations do not end a passage",
			[]string{"Mr. Smith met U.S. envoys. They talked."}, 4,
			[]string{"Mr. Smith met U.S. envoys.", "They talked."}},
		{"an over-long sentence stays whole",
			[]string{"One two three four five six seven. Eight."}, 5,
			[]string{"One two three four five six seven.", "Eight."}},
		{"default limit of 80 words", []string{long}, 0, []string{strings.TrimSpace(long)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			passages := Split("doc.txt", tt.paragraphs, tt.maxWords)
			checkPassages(t, "doc.txt", tt.paragraphs, passages)
			var got []string
			for _, p := range passages {
				got = append(got, p.Text)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Split mismatch (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("an enormous sentence is cut at a clause, then between words", func(t *testing.T) {
		paragraphs := []string{enormous}
		passages := Split("doc.txt", paragraphs, 80)
		checkPassages(t, "doc.txt", paragraphs, passages)
		for _, p := range passages {
			if n := wordCount(p.Text); n > 80 {
				t.Errorf("passage of %d words: %q", n, p.Text)
			}
		}
		if got := passages[0].Text; !strings.HasSuffix(got, "end,") {
			t.Errorf("first passage should end at the clause: %q", got)
		}
	})

	t.Run("passages respect the word limit on real text", func(t *testing.T) {
		paragraphs := []string{strings.Repeat(long, 3)}
		passages := Split("doc.txt", paragraphs, 30)
		checkPassages(t, "doc.txt", paragraphs, passages)
		for _, p := range passages {
			if n := wordCount(p.Text); n > 30 {
				t.Errorf("passage of %d words", n)
			}
		}
	})
}

func TestFold(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"  a \t b\n\nc  ", "a b c"},
		{"a\u00a0\u00a0b", "a b"},
		{"zero\u200bwidth", "zerowidth"},
		{"\x01ctl\x7f", "ctl"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// wordCount counts what strings.Fields splits.
func FuzzWordCount(f *testing.F) {
	for _, s := range []string{"", " ", "a", " a  b\tc\n", "x\u00a0y", "\u2003lead", "trail\u3000", "\xff bad \xfe", "é è"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := wordCount(s), len(strings.Fields(s)); got != want {
			t.Errorf("wordCount(%q) = %d, strings.Fields gives %d", s, got, want)
		}
	})
}
