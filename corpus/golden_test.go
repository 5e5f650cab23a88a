package corpus

import (
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenDoc is the part of a Document golden files record: everything but
// Hash and ModTime, which change with bytes and checkouts rather than with
// parsing behaviour.
type goldenDoc struct {
	ID         string
	Title      string
	Source     string
	URL        string
	Date       time.Time
	Paragraphs []string
	Passages   []Passage
}

// checkGolden compares doc with testdata/name.golden, or rewrites the file
// with -update.
func checkGolden(t *testing.T, name string, doc *Document) {
	t.Helper()
	got, err := json.MarshalIndent(goldenDoc{
		ID: doc.ID, Title: doc.Title, Source: doc.Source, URL: doc.URL, Date: doc.Date,
		Paragraphs: doc.Paragraphs, Passages: doc.Passages,
	}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func TestGoldenDefaultCorpus(t *testing.T) {
	names, err := fs.Glob(Default(), "*.txt")
	if err != nil || len(names) != 4 {
		t.Fatalf("default corpus: %v, %d files", err, len(names))
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			data, err := fs.ReadFile(Default(), name)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := Parse(name, data, Options{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkGolden(t, "default_"+strings.TrimSuffix(name, ".txt"), doc)
		})
	}
}

func TestGoldenTestdata(t *testing.T) {
	for _, name := range []string{"frontmatter.md", "messy.html"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			doc, err := Parse(name, data, Options{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkGolden(t, strings.ReplaceAll(name, ".", "_"), doc)
		})
	}
}
