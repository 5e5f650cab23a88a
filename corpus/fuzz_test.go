package corpus

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// checkDocument verifies the invariants of any document Parse returns.
func checkDocument(t *testing.T, doc *Document, err error) {
	t.Helper()
	if err != nil {
		for _, sentinel := range []error{ErrEmpty, ErrBinary, ErrNotUTF8, ErrTooLarge} {
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
					if data, err := fs.ReadFile(fsys, p); err == nil {
						f.Add(data)
					}
				}
			}
			return nil
		})
	}
	add(os.DirFS("testdata"))
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

func FuzzSplit(f *testing.F) {
	f.Add("Mr. Smith went to the U.S. in 2.5 days. “Why?” he asked… Nobody knew.", 5)
	f.Add("word word, word; word: word — word", 2)
	f.Add("", 0)
	f.Fuzz(func(t *testing.T, text string, maxWords int) {
		maxWords %= 200
		paragraphs := []string{text, Fold(text)}
		checkPassages(t, "fuzz", paragraphs, Split("fuzz", paragraphs, maxWords))
		prev := 0
		for _, r := range Sentences(text) {
			if r[0] < prev || r[0] >= r[1] || r[1] > len(text) {
				t.Fatalf("bad sentence range %v after %d in %q", r, prev, text)
			}
			if utf8.ValidString(text) && !utf8.ValidString(text[r[0]:r[1]]) {
				t.Fatalf("sentence cut inside a rune: %q", text[r[0]:r[1]])
			}
			prev = r[1]
		}
	})
}
