package corpus

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func TestPassageCap(t *testing.T) {
	paras := func(n int) string {
		var b strings.Builder
		b.WriteString("Ledger\n\n")
		for i := range n {
			fmt.Fprintf(&b, "Entry %d of the ledger lists cargo number %d.\n\n", i, i)
		}
		return b.String()
	}
	long := "Ledger\n\n" + strings.Repeat("The clerk counted the crates twice before noon. ", 60) + "\n"
	for _, tt := range []struct {
		name         string
		text         string
		cap          int
		wantPassages int
		wantParas    int
		wantNote     string
	}{
		{"a document under the cap is whole", paras(5), 10, 5, 5, ""},
		{"a document at the cap is whole", paras(10), 10, 10, 10, ""},
		{"a document of many paragraphs is cut at the cap", paras(1000), 10, 10, 10, "indexed its first 10 passages only (the cap, max_passages_per_doc); the rest, after paragraph 10 of 1000, is left out"},
		{"one long paragraph is cut inside", long, 3, 3, 1, "indexed its first 3 passages only (the cap, max_passages_per_doc); the rest, after paragraph 1 of 1, is left out"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse("ledger.txt", []byte(tt.text), Options{MaxPassages: tt.cap})
			if err != nil {
				t.Fatal(err)
			}
			got := []any{len(d.Passages), len(d.Paragraphs), d.Note}
			want := []any{tt.wantPassages, tt.wantParas, tt.wantNote}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("passages, paragraphs, note (-want +got):\n%s", diff)
			}
			for i, p := range d.Passages {
				if p.Ordinal != i || d.Paragraphs[p.Para][p.Start:p.End] != p.Text {
					t.Errorf("passage %d does not match its paragraph: %+v", i, p)
				}
			}
		})
	}
}

func TestLoadEachPassesEachDocumentAndStopsOnError(t *testing.T) {
	fsys := fstest.MapFS{
		"a.txt":     {Data: []byte("Alpha\n\nThe walrus sings.\n")},
		"b/c.md":    {Data: []byte("# Gamma\n\nPenguins march.\n")},
		"d.txt":     {Data: []byte("Delta\n\nOtters float.\n")},
		"skip.bin":  {Data: []byte{0, 1, 2}},
		"empty.txt": {Data: []byte("   \n")},
	}
	var got []string
	skipped, err := LoadEach(fsys, Options{}, func(d *Document) error {
		got = append(got, d.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a.txt", "b/c.md", "d.txt"}, got); diff != "" {
		t.Errorf("documents (-want +got):\n%s", diff)
	}
	if len(skipped) != 1 || skipped[0].Path != "empty.txt" {
		t.Errorf("skipped = %+v, want empty.txt", skipped)
	}

	stop := errors.New("index full")
	got = nil
	_, err = LoadEach(fsys, Options{}, func(d *Document) error {
		got = append(got, d.ID)
		return stop
	})
	if !errors.Is(err, stop) || len(got) != 1 {
		t.Errorf("LoadEach = %v after %v, want the callback's error after one document", err, got)
	}
}
