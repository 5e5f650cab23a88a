// Package testfs writes the files tests need.
package testfs

import (
	"os"
	"path/filepath"
	"testing"
)

// Write creates dir/name (name in slash form, folders made as needed) with
// content, fails tb when it can't, and returns the file's path.
func Write(tb testing.TB, dir, name, content string) string {
	tb.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}
