package corpus

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"
)

// checkDocument verifies the invariants of any document Parse returns.
func checkDocument(t *testing.T, doc *Document, err error) {
	t.Helper()
	if err != nil {
		for _, sentinel := range []error{ErrEmpty, ErrBinary, ErrNotUTF8, ErrTooLarge, ErrNoTextLayer, ErrEncrypted, ErrUnreadable} {
			if errors.Is(err, sentinel) {
				return
			}
		}
		t.Fatalf("unexpected error: %v", err)
	}
	if len(doc.Paragraphs) == 0 || len(doc.Passages) == 0 {
		t.Fatalf("document without paragraphs or passages")
	}
	for i, p := range doc.Paragraphs {
		if p == "" || p != Fold(p) || !utf8.ValidString(p) {
			t.Errorf("paragraph %d not folded valid text: %q", i, p)
		}
	}
	if !utf8.ValidString(doc.Title) || !utf8.ValidString(doc.Source) {
		t.Errorf("invalid UTF-8 in title %q or source %q", doc.Title, doc.Source)
	}
	checkPassages(t, doc.ID, doc.Paragraphs, doc.Passages)
}

// addSeeds adds the files under testdata and the default corpus as seeds.
func addSeeds(f *testing.F, exts ...string) {
	f.Helper()
	add := func(fsys fs.FS) {
		fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			for _, ext := range exts {
				if filepath.Ext(p) == ext {
					// Large seeds slow every mutation down (the 190 KB PDF
					// makes FuzzPDF crawl); the small ones cover the same code.
					if data, err := fs.ReadFile(fsys, p); err == nil && len(data) <= 100<<10 {
						f.Add(data)
					}
				}
			}
			return nil
		})
	}
	add(os.DirFS("testdata"))
	add(os.DirFS(filepath.Join("testdata", "docs")))
	add(Default())
}

func FuzzParseText(f *testing.F) {
	addSeeds(f, ".txt")
	f.Add([]byte("Title\n\n• one\n- two\n1. three\n\nwrapped line that goes\non and on.\nSource ID: X"))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse("fuzz.txt", data, Options{MaxPassageWords: 20})
		checkDocument(t, doc, err)
	})
}

func FuzzParseMarkdown(f *testing.F) {
	addSeeds(f, ".md")
	f.Add([]byte("---\ntitle: [x\n---\n# H\n\n* a **b** [c](d) ![e](f) `g`\n\n> q\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse("fuzz.md", data, Options{MaxPassageWords: 20})
		checkDocument(t, doc, err)
	})
}

func FuzzParseHTML(f *testing.F) {
	addSeeds(f, ".html")
	f.Add([]byte(`<title>T | S</title><div class="comments"><p>c</p></div><p>a<br><br>b</p><table><tr><td>x<td>y</table>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse("fuzz.html", data, Options{MaxPassageWords: 20})
		checkDocument(t, doc, err)
	})
}

// fuzzDocOptions bound each fuzzed document: a hang shows as an error, not
// as the fuzzer's own time-out.
var fuzzDocOptions = Options{MaxPassageWords: 20, MaxPages: 20, ParseTimeout: 4 * time.Second, PDF: testPDF}

func FuzzPDF(f *testing.F) {
	addSeeds(f, ".pdf")
	f.Add(textPDF(2, func(i int) []string {
		return []string{"Page heading", "A line that goes on and is hyphen-", "ated across lines.", fmt.Sprint(i)}
	}))
	f.Add(scannedPDF())
	f.Add(deepPagesPDF(50))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse("fuzz.pdf", data, fuzzDocOptions)
		checkDocument(t, doc, err)
		if err == nil {
			for _, p := range doc.Passages {
				if p.Page < 1 || p.Page > doc.Pages {
					t.Fatalf("passage %d on page %d of %d", p.Ordinal, p.Page, doc.Pages)
				}
			}
		}
	})
}

func FuzzDOCX(f *testing.F) {
	addSeeds(f, ".docx")
	f.Add(zipFiles(f, map[string]string{"word/document.xml": docxXML(`<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>H</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>a</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p><w:r><w:t>Text.</w:t></w:r></w:p>`)}))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse("fuzz.docx", data, fuzzDocOptions)
		checkDocument(t, doc, err)
	})
}

func FuzzODT(f *testing.F) {
	addSeeds(f, ".odt")
	f.Add(zipFiles(f, map[string]string{"content.xml": `<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text><text:h text:outline-level="1">H</text:h><text:p>A<text:s text:c="3"/>b<text:note><text:note-body><text:p>n</text:p></text:note-body></text:note>.</text:p></office:text></office:body></office:document-content>`}))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse("fuzz.odt", data, fuzzDocOptions)
		checkDocument(t, doc, err)
	})
}

func FuzzSplit(f *testing.F) {
	f.Add("Mr. Smith went to the U.S. in 2.5 days. “Why?” he asked… Nobody knew.", 5)
	f.Add("word word, word; word: word — word", 2)
	f.Add("", 0)
	f.Fuzz(func(t *testing.T, text string, maxWords int) {
		maxWords %= 200
		paragraphs := []string{text, Fold(text)}
		checkPassages(t, "fuzz", paragraphs, Split("fuzz", paragraphs, maxWords))
	})
}
