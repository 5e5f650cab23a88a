package corpus

import (
	"bytes"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"framebot/internal/testfs"
)

const goodText = "A Title\n\nA sentence worth quoting."

// writeFiles creates files (slash paths → content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		testfs.Write(t, dir, name, content)
	}
}

func docIDs(docs []*Document) []string {
	var ids []string
	for _, d := range docs {
		ids = append(ids, d.ID)
	}
	return ids
}

// skipKinds maps each skipped path to the sentinel its reason names.
func skipKinds(skipped []Skipped) map[string]string {
	kinds := map[string]string{}
	for _, s := range skipped {
		kind := "other: " + s.Reason
		for _, err := range []error{ErrTooLarge, ErrBinary, ErrNotUTF8, ErrEmpty, ErrSymlink, ErrNotRegular} {
			if strings.HasSuffix(s.Reason, err.Error()) {
				kind = err.Error()
			}
		}
		if strings.Contains(s.Reason, "permission denied") {
			kind = "permission denied"
		}
		kinds[s.Path] = kind
	}
	return kinds
}

func TestLoadDir(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	corpusDir := filepath.Join(root, "corpus")
	writeFiles(t, outside, map[string]string{"secret.txt": goodText})
	writeFiles(t, corpusDir, map[string]string{
		"b.txt":                     goodText,
		"a/nested/deep.md":          "# Deep\n\nA sentence worth quoting.",
		"a/page.HTML":               "<title>Page</title><p>A sentence worth quoting.</p>",
		"binary.txt":                "GIF89a\x00\x01\x02",
		"latin1.txt":                "Caf\xe9 au lait, tr\xe8s bon.",
		"big.txt":                   strings.Repeat("A sentence worth quoting. ", 100),
		"chrome.txt":                "Post a Comment\n\nPrevious Post Next Post",
		"unreadable.txt":            goodText,
		".hidden.txt":               goodText,
		".git/config.txt":           goodText,
		"draft.md~":                 goodText,
		"notes.txt.swp":             goodText,
		"#autosave.txt#":            goodText,
		"download.html.crdownload":  goodText,
		"image.png":                 "\x89PNG\r\n",
		"README":                    goodText,
		"a/nested/also.markdown":    "Also\n\nA sentence worth quoting.",
		"a/nested/ignored/x.tmp":    goodText,
		"a/nested/ignored/keep.htm": "<p>A sentence worth quoting.</p>",
	})
	if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(corpusDir, "escape.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("b.txt", filepath.Join(corpusDir, "inside.txt")); err != nil {
		t.Fatal(err)
	}
	unreadable := filepath.Join(corpusDir, "unreadable.txt")
	if err := os.Chmod(unreadable, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(unreadable, 0o644) })
	// Root ignores file permissions, so the unreadable case only applies
	// to other users.
	canRead := os.Geteuid() == 0

	var logs bytes.Buffer
	docs, skipped, err := LoadDir(corpusDir, Options{
		MaxFileSize: 1000,
		Logger:      slog.New(slog.NewTextHandler(&logs, nil)),
	})
	if err != nil {
		t.Fatalf("LoadDir: %v", err)
	}

	wantIDs := []string{"a/nested/also.markdown", "a/nested/deep.md", "a/nested/ignored/keep.htm", "a/page.HTML", "b.txt"}
	wantSkips := map[string]string{
		"big.txt":        ErrTooLarge.Error(),
		"binary.txt":     ErrBinary.Error(),
		"chrome.txt":     ErrEmpty.Error(),
		"escape.txt":     ErrSymlink.Error(),
		"inside.txt":     ErrSymlink.Error(),
		"latin1.txt":     ErrNotUTF8.Error(),
		"unreadable.txt": "permission denied",
	}
	if canRead {
		wantIDs = append(wantIDs, "unreadable.txt")
		delete(wantSkips, "unreadable.txt")
	}
	if diff := cmp.Diff(wantIDs, docIDs(docs)); diff != "" {
		t.Errorf("document IDs mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantSkips, skipKinds(skipped)); diff != "" {
		t.Errorf("skipped mismatch (-want +got):\n%s", diff)
	}
	for _, s := range skipped {
		if !strings.Contains(logs.String(), "path="+s.Path) {
			t.Errorf("no warning logged for %s", s.Path)
		}
	}
	for _, d := range docs {
		if d.ModTime.IsZero() || len(d.Passages) == 0 || d.Passages[0].Text != "A sentence worth quoting." {
			t.Errorf("document %s: ModTime %v, passages %+v", d.ID, d.ModTime, d.Passages)
		}
	}
}

func TestLoadMissingRoot(t *testing.T) {
	_, _, err := LoadDir(filepath.Join(t.TempDir(), "missing"), Options{})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadDir error = %v, want fs.ErrNotExist", err)
	}
	_, _, err = Load(fstest.MapFS{}, Options{})
	if err != nil {
		t.Errorf("Load of an empty FS: %v", err)
	}
}

func TestLoadDefault(t *testing.T) {
	docs, skipped, err := Load(Default(), Options{})
	if err != nil || len(skipped) != 0 {
		t.Fatalf("Load(Default()): %v, skipped %v", err, skipped)
	}
	want := []string{"000_b0a98ce022b9e442.txt", "001_2b3527afdc599f1b.txt", "002_c96c73586cd9a7a6.txt", "003_98ad250d710648d7.txt"}
	if diff := cmp.Diff(want, docIDs(docs)); diff != "" {
		t.Errorf("IDs mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadFile(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	writeFiles(t, root, map[string]string{
		"sub/good.txt": goodText,
		"binary.txt":   "\x00\x00",
		".hidden.txt":  goodText,
		"big.txt":      strings.Repeat("word ", 100),
	})
	writeFiles(t, outside, map[string]string{"secret.txt": goodText})
	if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(root, "link.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, "dir.txt"), 0o755); err != nil {
		t.Fatal(err)
	}

	doc, err := LoadFile(root, "sub/good.txt", Options{})
	if err != nil {
		t.Fatalf("LoadFile good: %v", err)
	}
	if doc.ID != "sub/good.txt" || doc.ModTime.IsZero() {
		t.Errorf("ID %q, ModTime %v", doc.ID, doc.ModTime)
	}

	tests := []struct {
		rel  string
		want error
	}{
		{"binary.txt", ErrBinary},
		{".hidden.txt", ErrIgnored},
		{"big.txt", ErrTooLarge},
		{"link.txt", ErrSymlink},
		{"dir.txt", ErrNotRegular},
		{"image.png", ErrUnsupported},
		{"missing.txt", fs.ErrNotExist},
		{"../outside.txt", fs.ErrInvalid},
		{"/etc/passwd.txt", fs.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.rel, func(t *testing.T) {
			_, err := LoadFile(root, tt.rel, Options{MaxFileSize: 100})
			if !errors.Is(err, tt.want) {
				t.Errorf("LoadFile(%q) error = %v, want %v", tt.rel, err, tt.want)
			}
		})
	}
}

func TestSupportedAndIgnored(t *testing.T) {
	tests := []struct {
		name               string
		supported, ignored bool
	}{
		{"a.txt", true, false},
		{"a.MD", true, false},
		{"dir/a.markdown", true, false},
		{"a.Html", true, false},
		{"a.htm", true, false},
		{"a.xlsx", false, false},
		{"a.PDF", true, false},
		{"a.docx", true, false},
		{"a.odt", true, false},
		{"README", false, false},
		{".a.txt", true, true},
		{".git/a.md", true, true},
		{"a.txt~", false, true},
		{"#a.txt#", false, true},
		{".#a.txt", true, true},
		{"~$report.txt", true, true},
		{"a.txt.swp", false, true},
		{"a.tmp", false, true},
		{"a.html.part", false, true},
		{"a.html.crdownload", false, true},
		{"./a.txt", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Supported(tt.name); got != tt.supported {
				t.Errorf("Supported(%q) = %v, want %v", tt.name, got, tt.supported)
			}
			if got := Ignored(tt.name); got != tt.ignored {
				t.Errorf("Ignored(%q) = %v, want %v", tt.name, got, tt.ignored)
			}
		})
	}
}

func BenchmarkLoadDefault(b *testing.B) {
	fsys := Default()
	for b.Loop() {
		if _, _, err := Load(fsys, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseManyParagraphs parses a text of a million one-line
// paragraphs (the hostile file of issue 12): its B/op is the garbage one
// such file makes, which bounds the indexer's peak. Run with -benchmem.
func BenchmarkParseManyParagraphs(b *testing.B) {
	var sb strings.Builder
	for i := range 1_000_000 {
		sb.WriteString("p")
		sb.WriteString(strconv.Itoa(i))
		sb.WriteString("\n\n")
	}
	data := []byte(sb.String())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("g.txt", data, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
