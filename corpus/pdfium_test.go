package corpus

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// testPDF is the engine the package's PDF tests share, as a process
// shares one: an engine per test would start the runtime each time.
var testPDF = NewPDFEngine()

func TestMain(m *testing.M) {
	code := m.Run()
	if err := testPDF.Close(); err != nil {
		code = 1
	}
	os.Exit(code)
}

// started reports whether e's runtime was started.
func (e *PDFEngine) started() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.pool != nil
}

// TestPDFEngineStartsOnTheFirstPDF loads a folder without PDFs, then one
// with a PDF, with one engine: the runtime starts only for the second.
func TestPDFEngineStartsOnTheFirstPDF(t *testing.T) {
	e := NewPDFEngine()
	defer e.Close()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("The tide turns at noon."), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.md"), []byte("# Tides\n\nThe tide turns at noon."), 0o644); err != nil {
		t.Fatal(err)
	}
	docs, skipped, err := LoadDir(dir, Options{PDF: e})
	if err != nil || len(docs) != 2 || len(skipped) != 0 {
		t.Fatalf("LoadDir = %d docs, skipped %v, %v", len(docs), skipped, err)
	}
	if e.started() {
		t.Fatal("the PDF engine started for a folder without PDFs")
	}
	pdf := textPDF(1, func(int) []string { return []string{"The harbour opens at dawn."} })
	if err := os.WriteFile(filepath.Join(dir, "harbour.pdf"), pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	doc, err := LoadFile(dir, "harbour.pdf", Options{PDF: e})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"The harbour opens at dawn."}, doc.Paragraphs); diff != "" {
		t.Errorf("paragraphs (-want +got):\n%s", diff)
	}
	if !e.started() {
		t.Error("the PDF engine did not start for a PDF")
	}
}

// TestClosedPDFEngineRefusesPDFs closes an engine that has read a PDF:
// the next PDF is unreadable, not a crash, and a second Close does nothing.
func TestClosedPDFEngineRefusesPDFs(t *testing.T) {
	e := NewPDFEngine()
	pdf := textPDF(1, func(int) []string { return []string{"The harbour opens at dawn."} })
	if _, err := Parse("harbour.pdf", pdf, Options{PDF: e}); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := Parse("harbour.pdf", pdf, Options{PDF: e}); !errors.Is(err, ErrUnreadable) {
		t.Errorf("Parse after Close = %v, want one wrapping %q", err, ErrUnreadable)
	}
	if err := e.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestParseWithoutAnEngineReadsPDFs leaves Options.PDF nil: Parse starts
// an engine for the file and stops it after.
func TestParseWithoutAnEngineReadsPDFs(t *testing.T) {
	pdf := textPDF(1, func(int) []string { return []string{"The harbour opens at dawn."} })
	doc, err := Parse("harbour.pdf", pdf, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"The harbour opens at dawn."}, doc.Paragraphs); diff != "" {
		t.Errorf("paragraphs (-want +got):\n%s", diff)
	}
}
