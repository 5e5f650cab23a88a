package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// documentsCorpus copies real PDF, DOCX and ODT files of corpus/testdata
// into a fresh folder, with an encrypted PDF and a truncated DOCX beside
// them.
func documentsCorpus(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("..", "..", "corpus", "testdata")
	copyFile := func(from, to string, cut bool) {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(src, from))
		if err != nil {
			t.Fatal(err)
		}
		if cut {
			data = data[:len(data)/2]
		}
		if err := os.WriteFile(filepath.Join(dir, to), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyFile("docs/camlidl-pdftex.pdf", "manual.pdf", false)
	copyFile("docs/camlidl-pandoc.docx", "options.docx", false)
	copyFile("docs/camlidl-libreoffice.odt", "options.odt", false)
	copyFile("hostile/encrypted.pdf", "locked.pdf", false)
	copyFile("docs/camlidl-pandoc.docx", "broken.docx", true)
	return dir
}

// TestAskCitesThePageOfAPDF answers from a folder of PDF, DOCX and ODT
// files: a passage of the PDF carries its page in the JSON answer, a
// passage of a DOCX or ODT none.
func TestAskCitesThePageOfAPDF(t *testing.T) {
	dir := documentsCorpus(t)
	ixDir := filepath.Join(t.TempDir(), "ix")
	tests := []struct {
		question string
		docs     []string // acceptable documents of the first passage
		page     int
		contains string
	}{
		{"What are IDL pointers of kind unique mapped to?", []string{"manual.pdf"}, 9, "option type"},
		{"Which attributes can a COM object interface declaration have, and what does the object attribute specify?", []string{"manual.pdf"}, 17, "COM-style object interfaces"},
		{"Which option also generates a C header file?", []string{"options.docx", "options.odt"}, 0, "header"},
	}
	for _, tt := range tests {
		t.Run(tt.question, func(t *testing.T) {
			out, errOut, code := runCLI(t, "", "ask", "--corpus", dir, "--index", ixDir, "--format", "json", tt.question)
			if code != 0 {
				t.Fatalf("exit %d, stderr %s", code, errOut)
			}
			var got struct {
				Answered bool
				Passages []struct {
					Text, Doc string
					Page      *int `json:"page"`
				}
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out)
			}
			if !got.Answered || len(got.Passages) == 0 {
				t.Fatalf("not answered:\n%s", out)
			}
			p := got.Passages[0]
			page := 0
			if p.Page != nil {
				page = *p.Page
				if page == 0 {
					t.Errorf(`"page": 0 printed; it must be left out for unpaged documents`)
				}
			}
			if !contains(tt.docs, p.Doc) || page != tt.page || !strings.Contains(p.Text, tt.contains) {
				t.Errorf("first passage = %s p. %d %q, want one of %v p. %d containing %q", p.Doc, page, p.Text, tt.docs, tt.page, tt.contains)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestIndexReportsBadDocumentsWithTheirReason checks that framebot index
// names each PDF, DOCX or ODT it skipped, with why.
func TestIndexReportsBadDocumentsWithTheirReason(t *testing.T) {
	dir := documentsCorpus(t)
	out, errOut, code := runCLI(t, "", "index", "--corpus", dir, "--index", filepath.Join(t.TempDir(), "ix"))
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	for _, want := range []string{"Skipped 2 files", "locked.pdf", "encrypted", "broken.docx", "unreadable"} {
		if !strings.Contains(out, want) {
			t.Errorf("index output lacks %q:\n%s", want, out)
		}
	}
}

// TestChatFollowsPDFChanges drops a 26-page PDF into a watched corpus: it
// is announced, answered from with its page, and listed with its pages;
// replaced by a 4-page PDF, its pages are updated.
func TestChatFollowsPDFChanges(t *testing.T) {
	dir := t.TempDir()
	writeDoc(t, dir, "otters.md", "Otters", "Sea otters hold hands while they sleep.")
	src := filepath.Join("..", "..", "corpus", "testdata", "docs")
	stdin, feed := io.Pipe()
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(context.Background(), []string{"chat", "--config", fastWatchConfig(t), "--corpus", dir, "--index", filepath.Join(t.TempDir(), "ix"), "--format", "json"}, stdin, &out, &errOut)
	}()
	fmt.Fprintln(feed, "/help")
	waitFor(t, "the help reply", func() bool { return strings.Contains(out.String(), `"text":`) })

	drop := func(from string) {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(src, from))
		if err != nil {
			t.Fatal(err)
		}
		// Written beside, then renamed: the watcher sees a whole file.
		tmp := filepath.Join(dir, ".manual.pdf.tmp")
		if err := os.WriteFile(tmp, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, "manual.pdf")); err != nil {
			t.Fatal(err)
		}
	}
	drop("camlidl-pdftex.pdf")
	waitFor(t, "the added event", func() bool {
		return strings.Contains(out.String(), `{"event":"added","doc":"manual.pdf","title":"Camlidl user’s manual"}`)
	})
	fmt.Fprintln(feed, "What are IDL pointers of kind unique mapped to?")
	waitFor(t, "an answer citing page 9", func() bool {
		return strings.Contains(out.String(), `"doc":"manual.pdf","source":"manual.pdf","ordinal":`) && strings.Contains(out.String(), `"page":9`)
	})
	fmt.Fprintln(feed, "/sources")
	waitFor(t, "the sources with 26 pages", func() bool { return strings.Contains(out.String(), `"pages":26`) })

	drop("camlidl-libreoffice.pdf")
	waitFor(t, "the updated event", func() bool {
		return strings.Contains(out.String(), `{"event":"updated","doc":"manual.pdf","title":"Camlidl user’s manual"}`)
	})
	fmt.Fprintln(feed, "/sources")
	waitFor(t, "the sources with 4 pages", func() bool { return strings.Contains(out.String(), `"pages":4`) })
	feed.Close()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut.String())
	}
}
