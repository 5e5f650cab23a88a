package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIndexSkippedListEscapesFileNames: a skipped file whose name holds a
// newline and a right-to-left override can't forge a line of the "Skipped"
// list or reverse its text.
func TestIndexSkippedListEscapesFileNames(t *testing.T) {
	dir := t.TempDir()
	evil := "bad\nSkipped 0 files\u202etxt.exe.txt"
	if err := os.WriteFile(filepath.Join(dir, "good.txt"), []byte("A good document about herons.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, evil), []byte("binary\x00\x01\x02 data"), 0o644); err != nil {
		t.Skipf("this file system refuses the name: %v", err)
	}
	out, errOut, code := runCLI(t, "", "index", "--corpus", dir, "--index", filepath.Join(t.TempDir(), "ix"))
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	if strings.ContainsRune(out, '\u202e') {
		t.Errorf("output holds a raw right-to-left override:\n%q", out)
	}
	if n := strings.Count("\n"+out, "\nSkipped "); n != 1 {
		t.Errorf("%d lines say Skipped, want 1:\n%s", n, out)
	}
	if want := `bad\nSkipped 0 files\u202etxt.exe.txt`; !strings.Contains(out, want) {
		t.Errorf("output lacks the escaped name %s:\n%s", want, out)
	}
}
