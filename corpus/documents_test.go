package corpus

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGoldenDocuments parses the real-world PDF, DOCX and ODT files of
// testdata/docs (see testdata/docs/README.md for where each comes from)
// and compares paragraphs, passages, sections and pages with their golden
// files.
func TestGoldenDocuments(t *testing.T) {
	names, err := filepath.Glob(filepath.Join("testdata", "docs", "*.*"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range names {
		name := filepath.Base(p)
		if !Supported(name) || strings.HasSuffix(name, ".md") {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := Parse(name, data, Options{PDF: testPDF})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkDocument(t, doc, nil)
			checkGolden(t, filepath.Join("docs", strings.ReplaceAll(name, ".", "_")), doc)
		})
	}
	if n < 7 {
		t.Fatalf("found %d documents in testdata/docs, want at least 7", n)
	}
}
