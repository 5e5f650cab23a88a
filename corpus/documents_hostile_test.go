package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestBadDocumentsAreSkippedWithAReason feeds the parsers scanned,
// encrypted, truncated, malformed and oversized files: each must come back
// as an error wrapping the sentinel that names its reason, never a crash
// or a hang.
func TestBadDocumentsAreSkippedWithAReason(t *testing.T) {
	encrypted, err := os.ReadFile(filepath.Join("testdata", "hostile", "encrypted.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(filepath.Join("testdata", "docs", "camlidl-pandoc.docx"))
	if err != nil {
		t.Fatal(err)
	}
	bigXML := func(n int) string {
		var b strings.Builder
		for i := 0; b.Len() < n; i++ {
			fmt.Fprintf(&b, "<w:p><w:r><w:t>Paragraph %d says %x.</w:t></w:r></w:p>", i, i*7919)
		}
		return docxXML(b.String())
	}
	small := Options{MaxFileSize: 256 << 10}
	tests := []struct {
		name string
		file string
		data []byte
		opts Options
		want error
	}{
		{"a scanned PDF has no text layer", "scan.pdf", scannedPDF(), Options{}, ErrNoTextLayer},
		{"a password-protected PDF is encrypted", "locked.pdf", encrypted, Options{}, ErrEncrypted},
		{"a password-protected PDF read again is encrypted too", "locked.pdf", encrypted, Options{}, ErrEncrypted},
		{"a PDF cut after its header is unreadable", "cut.pdf", textPDF(3, func(int) []string { return []string{"Some words."} })[:40], Options{}, ErrUnreadable},
		{"random bytes named .pdf are unreadable", "noise.pdf", bytes.Repeat([]byte{0x8f, 0x13, 0xff, 0x00}, 3000), Options{}, ErrUnreadable},
		{"a text file named .pdf is unreadable", "notes.pdf", []byte("These are notes, not a PDF.\n"), Options{}, ErrUnreadable},
		{"a page tree 5000 levels deep yields nothing", "deep.pdf", deepPagesPDF(5000), Options{}, nil},
		{"a DOCX that is not a zip is unreadable", "a.docx", []byte("PK\x03\x04 but not really a zip"), Options{}, ErrUnreadable},
		{"a truncated DOCX is unreadable", "a.docx", good[:len(good)/2], Options{}, ErrUnreadable},
		{"a zip without document.xml is not a DOCX", "a.docx", zipFiles(t, map[string]string{"hello.txt": "hi"}), Options{}, ErrUnreadable},
		{"an ODT without content.xml is unreadable", "a.odt", zipFiles(t, map[string]string{"mimetype": "application/vnd.oasis.opendocument.text"}), Options{}, ErrUnreadable},
		{"an OLE file named .docx is encrypted", "a.docx", append(append([]byte{}, cfbMagic...), make([]byte, 1024)...), Options{}, ErrEncrypted},
		{"a password-protected ODT is encrypted", "a.odt", zipFiles(t, map[string]string{
			"META-INF/manifest.xml": `<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data/></manifest:file-entry></manifest:manifest>`,
			"content.xml":           "\x93\x12 ciphertext",
		}), Options{}, ErrEncrypted},
		{"a zip bomb named .docx is too large", "bomb.docx", zipFiles(t, map[string]string{
			"word/document.xml": docxXML("<w:p><w:r><w:t>" + strings.Repeat(" ", 64<<20) + "</w:t></w:r></w:p>"),
		}), Options{}, ErrTooLarge},
		{"XML over four times max_file_size is too large", "big.docx", zipFiles(t, map[string]string{"word/document.xml": bigXML(1200 << 10)}), small, ErrTooLarge},
		{"XML nested 100,000 deep is unreadable", "deep.docx", zipFiles(t, map[string]string{
			"word/document.xml": docxXML(nested(100000)),
		}), Options{}, ErrUnreadable},
		{"malformed XML in an ODT is unreadable", "a.odt", zipFiles(t, map[string]string{"content.xml": "<office:document-content><text:p>unclosed"}), Options{}, ErrUnreadable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.PDF = testPDF
			doc, err := Parse(tt.file, tt.data, tt.opts)
			if tt.want == nil {
				if err == nil && len(doc.Passages) > 0 {
					t.Fatalf("got %d passages from a file without text", len(doc.Passages))
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse error = %v, want one wrapping %q", err, tt.want)
			}
		})
	}
}

// TestPDFPageCapKeepsTheFirstPages reads a 10,000-page PDF with a cap of
// 40 pages: the document holds the first 40 pages' text, and no more.
func TestPDFPageCapKeepsTheFirstPages(t *testing.T) {
	doc, err := Parse("long.pdf", manyPagesPDF(10000), Options{MaxPages: 40, PDF: testPDF})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Pages != 40 {
		t.Errorf("Pages = %d, want 40", doc.Pages)
	}
	last := doc.Passages[len(doc.Passages)-1]
	if last.Page > 40 {
		t.Errorf("a passage from page %d, past the cap", last.Page)
	}
}

// TestPDFTimeLimitStopsAndRecovers gives a 10,000-page PDF far less time
// than it needs: the parse stops with ErrUnreadable, and the engine then
// reads the next file as usual.
func TestPDFTimeLimitStopsAndRecovers(t *testing.T) {
	if _, err := Parse("warm.pdf", textPDF(1, func(int) []string { return []string{"Warm up the engine."} }), Options{PDF: testPDF}); err != nil {
		t.Fatal(err)
	}
	_, err := Parse("long.pdf", manyPagesPDF(10000), Options{MaxPages: 10000, ParseTimeout: 50 * time.Millisecond, PDF: testPDF})
	if !errors.Is(err, ErrUnreadable) {
		t.Fatalf("Parse error = %v, want one wrapping %q", err, ErrUnreadable)
	}
	doc, err := Parse("after.pdf", textPDF(1, func(int) []string { return []string{"The engine still reads files."} }), Options{PDF: testPDF})
	if err != nil {
		t.Fatalf("after a killed parse: %v", err)
	}
	if diff := cmp.Diff([]string{"The engine still reads files."}, doc.Paragraphs); diff != "" {
		t.Errorf("paragraphs (-want +got):\n%s", diff)
	}
}

// nested returns n nested paragraphs, numbered so that they don't compress
// like a zip bomb.
func nested(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `<w:p w:rsidR="%08X">`, i*2654435761)
	}
	b.WriteString(strings.Repeat("</w:p>", n))
	return b.String()
}
