package index

import (
	"context"
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"framebot/corpus"
	"framebot/internal/text"
)

func TestIrregularForms(t *testing.T) {
	m := irregularForms()
	for _, tt := range []struct {
		word string
		want []string // among its other forms
	}{
		{"began", []string{"begin", "begun"}},
		{"begin", []string{"began", "begun"}},
		{"bought", []string{"buy"}},
		{"go", []string{"went", "gone"}},
		{"wrote", []string{"write", "written"}},
	} {
		got := m[text.Stem(tt.word)]
		for _, w := range tt.want {
			if !slices.Contains(got, text.Stem(w)) {
				t.Errorf("%s: forms %v, want %s among them", tt.word, got, w)
			}
		}
	}
	// A form that is a word of its own is left out, and a pair Porter2
	// already joins ("abetted abet", in the list) adds nothing.
	for _, w := range []string{"found", "left", "abetted"} {
		if got := m[text.Stem(w)]; len(got) != 0 {
			t.Errorf("%s: forms %v, want none", w, got)
		}
	}
	for _, p := range [][2]string{{"find", "found"}, {"see", "saw"}, {"leave", "left"}} {
		if got := m[text.Stem(p[0])]; slices.Contains(got, text.Stem(p[1])) {
			t.Errorf("%s: forms %v hold %s", p[0], got, p[1])
		}
	}
	// The licence's comment lines are not read as pairs.
	if got := m[text.Stem("#")]; len(got) != 0 {
		t.Errorf("#: forms %v", got)
	}
}

// The map is the same whatever order Go's maps are walked in.
func TestIrregularFormsAreDeterministic(t *testing.T) {
	a := formGroups(irregularText)
	for range 5 {
		if b := formGroups(irregularText); !maps.EqualFunc(a, b, slices.Equal) {
			t.Fatal("two builds of the irregular forms differ")
		}
	}
	for w, alts := range a {
		if !slices.IsSorted(alts) || slices.Contains(alts, w) {
			t.Fatalf("%s: forms %v, want sorted and without the word", w, alts)
		}
	}
}

// A question asking in one form finds the passage saying another ("begin"
// and "began"); a word the corpus holds only in another form is neither
// missing nor counted a spelling correction.
func TestSearchFindsIrregularForms(t *testing.T) {
	ctx := context.Background()
	docs := func() []*corpus.Document {
		return []*corpus.Document{
			doc(t, "a", "Alpha", "The strike began in the spring of 1912."),
			doc(t, "b", "Beta", "The strike of the dockers was long and bitter."),
			doc(t, "c", "Gamma", "Lessons begin at nine, by the lakes."),
		}
	}
	matched := func(ix *Index, q, id string) int {
		t.Helper()
		res, err := ix.Search(ctx, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			if h.Doc == id {
				return len(h.Matched)
			}
		}
		return 0
	}
	ix := openWith(t, docs()...)
	if got := searchDocs(t, ix, "When did the strike begin?"); len(got) == 0 || got[0] != "a" {
		t.Fatalf("strike begin found %v, want a first", got)
	}
	if n := matched(ix, "When did the strike begin?", "a"); n != 2 {
		t.Errorf("a matched %d terms, want strike and begin", n)
	}
	only := openWith(t, docs()[0])
	res, err := only.Search(ctx, "When did it begin?", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 || len(res.Terms) != 1 || res.Terms[0].Missing || res.Terms[0].Corrected != "" {
		t.Errorf("begin, the corpus saying began: %d hits, terms %+v; want a hit, not missing, not corrected", len(res.Hits), res.Terms)
	}

	rk := DefaultRanking()
	rk.IrregularForms = false
	off, err := Open(filepath.Join(t.TempDir(), "ix"), Options{Ranking: &rk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { off.Close() })
	if _, err := off.Apply(ctx, docs(), nil); err != nil {
		t.Fatal(err)
	}
	if n := matched(off, "When did the strike begin?", "a"); n != 1 {
		t.Errorf("IrregularForms off: a matched %d terms, want strike alone", n)
	}
}
