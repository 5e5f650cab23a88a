package index

import (
	"context"
	"slices"
	"strings"
	"testing"

	"framebot/bot"

	"github.com/google/go-cmp/cmp"
)

// The parts a compound adds: runs between joins ('_' anywhere, '.' or ':'
// between letters) of two bytes or more, and none for any other word.
func TestPartsOfCompounds(t *testing.T) {
	for _, tt := range []struct {
		word string
		want []string
	}{
		{"max_connections", []string{"max", "connections"}},
		{"net.core.somaxconn", []string{"net", "core", "somaxconn"}},
		{"Example.COM", []string{"Example", "COM"}},
		{"__init__", []string{"init"}},
		{"tls_v1_2", []string{"tls", "v1"}},
		{"ΟΔΟΣ_ΣΊΣΥΦΟΣ", []string{"ΟΔΟΣ", "ΣΊΣΥΦΟΣ"}},
		{"é.été", []string{"été"}},
		{"U.S", nil},    // parts of one letter add nothing
		{"e.g", nil},    //
		{"v1.2", nil},   // '.' between digits joins a number, not parts
		{"3.14", nil},   //
		{"don't", nil},  // an apostrophe is no join
		{"walrus", nil}, //
		{"a:b", nil},    //
		{"_", nil},      //
		{"x_", nil},     //
		{"ab.1c", nil},  // '.' between a letter and a digit
		{"ab_12", []string{"ab", "12"}},
		{strings.Repeat("ab_", 20) + "cd", slices.Repeat([]string{"ab"}, maxParts)},
	} {
		var got []string
		eachPart([]byte(tt.word), func(s, e int) { got = append(got, tt.word[s:e]) })
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q: parts %q, want %q", tt.word, got, tt.want)
		}
	}
}

// The text analyser keeps a compound whole and adds its parts, each
// analysed as a word of its own (lower case, stop words, stems), with its
// own byte range; text without compounds keeps its tokens.
func TestTextAnalysisAddsTheParts(t *testing.T) {
	an, _ := textAnalysis(t)
	in := "Raise max_connections and the_limits_of net.core.somaxconn."
	type tok struct {
		Term       string
		Start, End int
	}
	var got []tok
	for _, x := range an.Analyze([]byte(in)) {
		got = append(got, tok{string(x.Term), x.Start, x.End})
	}
	want := []tok{
		{"rais", 0, 5},
		{"max_connect", 6, 21}, {"max", 6, 9}, {"connect", 10, 21},
		{"the_limits_of", 26, 39}, {"limit", 30, 36},
		{"net.core.somaxconn", 40, 58}, {"net", 40, 43}, {"core", 44, 48}, {"somaxconn", 49, 58},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("tokens (-want +got):\n%s", d)
	}
	if plain := an.Analyze([]byte("walruses sing loudly")); len(plain) != 3 {
		t.Errorf("plain text: %d tokens, want 3", len(plain))
	}
}

// A question finds a passage by a part of a compound it holds, and the
// highlight marks that part; a question naming the compound finds it too.
func TestAQuestionFindsAPartOfACompound(t *testing.T) {
	ix := openWith(t,
		doc(t, "config", "Server configuration",
			"Raising the limit above 4096 requires net.core.somaxconn to be raised as well.",
			"The max_connections setting defaults to 512."),
		doc(t, "other", "Other", "Connections to the maximum of the river were cut."),
	)
	for _, tt := range []struct{ q, text, marked string }{
		{"What is somaxconn?", "Raising the limit above 4096 requires net.core.somaxconn to be raised as well.", "somaxconn"},
		{"What does max_connections default to?", "The max_connections setting defaults to 512.", "max_connections"},
		{"What is the default of max connections?", "The max_connections setting defaults to 512.", "max"},
	} {
		firstHitMarks(t, ix, tt.q, tt.text, tt.marked)
	}
}

// firstHitMarks searches ix for q and checks that the first hit is the
// passage text, with marked among its highlights, and returns the
// result.
func firstHitMarks(t *testing.T, ix *Index, q, text, marked string) *bot.SearchResult {
	t.Helper()
	res, err := ix.Search(context.Background(), q, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 {
		t.Errorf("%q: no hit", q)
		return res
	}
	h := res.Hits[0]
	if h.Text != text {
		t.Errorf("%q: first hit %q, want %q", q, h.Text, text)
		return res
	}
	var got []string
	for _, s := range h.Highlights {
		got = append(got, h.Text[s.Start:s.End])
	}
	if !slices.Contains(got, marked) {
		t.Errorf("%q: highlights %q lack %q", q, got, marked)
	}
	return res
}
