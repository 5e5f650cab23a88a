package corpus

import (
	"encoding/json"
	"framebot/internal/golden"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

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
	golden.Check(t, name+".golden", got)
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
