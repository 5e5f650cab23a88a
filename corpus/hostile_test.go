package corpus

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"framebot/internal/testfs"
)

// countingFS wraps an fs.FS and counts the bytes read from each file, so a
// test can tell whether Load read a file it should have skipped unread.
type countingFS struct {
	fs.FS
	mu   sync.Mutex
	read map[string]int64
}

func newCountingFS(dir string) *countingFS {
	return &countingFS{FS: os.DirFS(dir), read: map[string]int64{}}
}

func (c *countingFS) Open(name string) (fs.File, error) {
	f, err := c.FS.Open(name)
	if err != nil {
		return nil, err
	}
	return &countingFile{File: f, name: name, c: c}, nil
}

// ReadDir keeps fs.WalkDir's lstat-like view of symlinks: os.DirFS's
// ReadDir reports them as symlinks, which Open through the wrapper would
// hide.
func (c *countingFS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(c.FS, name) }

func (c *countingFS) bytesRead(name string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.read[name]
}

type countingFile struct {
	fs.File
	name string
	c    *countingFS
}

func (f *countingFile) Read(p []byte) (int, error) {
	n, err := f.File.Read(p)
	f.c.mu.Lock()
	f.c.read[f.name] += int64(n)
	f.c.mu.Unlock()
	return n, err
}

func writeHostile(t *testing.T, path string, data []byte) {
	t.Helper()
	testfs.Write(t, filepath.Dir(path), filepath.Base(path), string(data))
}

// gzipBomb returns a gzip stream that inflates to n zero bytes.
func gzipBomb(t *testing.T, n int) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := io.Copy(w, io.LimitReader(zeroReader{}, int64(n))); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// zipBomb returns a zip archive holding one file of n zero bytes.
func zipBomb(t *testing.T, n int) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.Create("bomb.txt")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(w, io.LimitReader(zeroReader{}, int64(n))); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestHostileDocumentsAreSkippedOrLoaded puts every kind of hostile file
// in one corpus folder: each is either loaded as the document it is or
// skipped with a reason, the good files beside them are all loaded, and
// nothing outside the folder is read.
func TestHostileDocumentsAreSkippedOrLoaded(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "corpus")
	outside := filepath.Join(root, "outside")
	writeHostile(t, filepath.Join(outside, "secret.txt"), []byte("The outside secret is swordfish and must never be quoted.\n"))

	writeHostile(t, filepath.Join(dir, "good.txt"), []byte("A good document sits beside the hostile ones and is loaded.\n"))
	writeHostile(t, filepath.Join(dir, "truncated.html"), []byte(
		`<!doctype html><html><head><title>Truncated page</title></head><body><article>`+
			`<p>The first paragraph of the truncated page is complete and can be quoted.</p>`+
			`<p>The second paragraph is cut off in the mid`))
	writeHostile(t, filepath.Join(dir, "unclosed.md"), []byte("---\ntitle: Unclosed\n\nThe front matter never closes, so this is Markdown.\n\n```go\nfunc unterminated() {\n"))

	// A 50 MB file: a text header, the rest a hole, so the test writes
	// little. It must be refused by its size, unread.
	big := filepath.Join(dir, "big.txt")
	writeHostile(t, big, []byte(strings.Repeat("A big text file of many words. ", 100)))
	if err := os.Truncate(big, 50<<20); err != nil {
		t.Fatal(err)
	}

	// Compressed files renamed as documents: inflated they would be
	// gigabytes; read as they are, they are binary.
	writeHostile(t, filepath.Join(dir, "bomb.html"), gzipBomb(t, 16<<20))
	writeHostile(t, filepath.Join(dir, "bomb.txt"), zipBomb(t, 16<<20))
	writeHostile(t, filepath.Join(dir, "bomb.md"), gzipBomb(t, 1<<20))

	// Symlinks out of the folder, to a file and to a folder.
	if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(dir, "link.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "linkdir")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../outside/secret.txt", filepath.Join(dir, "relative-link.md")); err != nil {
		t.Fatal(err)
	}

	wantSkipped := map[string]error{
		"big.txt":          ErrTooLarge,
		"bomb.html":        ErrBinary,
		"bomb.txt":         ErrBinary,
		"bomb.md":          ErrBinary,
		"link.txt":         ErrSymlink,
		"linkdir":          ErrSymlink,
		"relative-link.md": ErrSymlink,
	}
	wantDocs := []string{"good.txt", "truncated.html", "unclosed.md"}

	check := func(t *testing.T, docs []*Document, skipped []Skipped) {
		t.Helper()
		var gotDocs []string
		for _, d := range docs {
			gotDocs = append(gotDocs, d.ID)
			for _, p := range d.Paragraphs {
				if strings.Contains(p, "swordfish") {
					t.Errorf("%s quotes a file outside the corpus: %q", d.ID, p)
				}
			}
		}
		if diff := cmp.Diff(wantDocs, gotDocs); diff != "" {
			t.Errorf("documents (-want +got):\n%s", diff)
		}
		got := map[string]string{}
		for _, s := range skipped {
			got[s.Path] = s.Reason
		}
		want := map[string]string{}
		for p, e := range wantSkipped {
			want[p] = e.Error()
			if !strings.Contains(got[p], e.Error()) {
				continue
			}
			got[p] = e.Error() // the reason's detail (offsets, sizes) varies
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("skipped files and reasons (-want +got):\n%s", diff)
		}
	}

	t.Run("LoadDir", func(t *testing.T) {
		docs, skipped, err := LoadDir(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		check(t, docs, skipped)
		for _, d := range docs {
			if d.ID == "truncated.html" && !strings.Contains(strings.Join(d.Paragraphs, "\n"), "The first paragraph of the truncated page is complete") {
				t.Errorf("truncated.html lost its complete paragraph: %q", d.Paragraphs)
			}
		}
	})

	t.Run("Load reads no byte of the over-large file and no more than the bombs hold", func(t *testing.T) {
		fsys := newCountingFS(dir)
		docs, skipped, err := Load(fsys, Options{})
		if err != nil {
			t.Fatal(err)
		}
		check(t, docs, skipped)
		if n := fsys.bytesRead("big.txt"); n != 0 {
			t.Errorf("read %d bytes of the 50 MB file, want 0: the size check must come first", n)
		}
		for _, name := range []string{"bomb.html", "bomb.txt", "bomb.md"} {
			fi, err := os.Stat(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if n := fsys.bytesRead(name); n > fi.Size() {
				t.Errorf("read %d bytes of %s, a %d byte file: it was inflated", n, name, fi.Size())
			}
		}
	})

	t.Run("LoadFile refuses the links and paths out of the folder", func(t *testing.T) {
		for _, tt := range []struct {
			rel  string
			want error
		}{
			{"link.txt", ErrSymlink},
			{"relative-link.md", ErrSymlink},
			{"linkdir/secret.txt", fs.ErrInvalid},
			{"../outside/secret.txt", fs.ErrInvalid},
			{"/etc/passwd.txt", fs.ErrInvalid},
			{"big.txt", ErrTooLarge},
			{"bomb.html", ErrBinary},
		} {
			_, err := LoadFile(dir, tt.rel, Options{})
			if !errors.Is(err, tt.want) && !(tt.want == fs.ErrInvalid && isEscapeError(err)) {
				t.Errorf("LoadFile(%q) = %v, want %v", tt.rel, err, tt.want)
			}
		}
	})
}

// isEscapeError reports whether err is os.Root refusing a path that leaves
// the root (through a symlink or ".."), the other acceptable refusal.
func isEscapeError(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "path escapes from parent") || errors.Is(err, fs.ErrInvalid))
}

// TestHostileFileReplacedWhileLoadingIsOneVersion renames new versions of
// a file over it while the corpus is loaded again and again: each load
// sees one whole version, never a mix, and never fails.
func TestHostileFileReplacedWhileLoadingIsOneVersion(t *testing.T) {
	dir := t.TempDir()
	versions := [][]byte{
		[]byte(strings.Repeat("Alpha version sentence number one of many. ", 400)),
		[]byte(strings.Repeat("Bravo edition line, quite another text. ", 400)),
	}
	hashes := map[string]int{}
	var parsed []*Document
	for i, v := range versions {
		sum := sha256.Sum256(v)
		hashes[hex.EncodeToString(sum[:])] = i
		d, err := Parse("doc.txt", v, Options{})
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, d)
	}
	target := filepath.Join(dir, "doc.txt")
	writeHostile(t, target, versions[0])
	writeHostile(t, filepath.Join(dir, "steady.txt"), []byte("A steady document that never changes.\n"))

	stop := make(chan struct{})
	var renames atomic.Int64
	writerDone := make(chan error, 1)
	go func() {
		for i := 1; ; i++ {
			select {
			case <-stop:
				writerDone <- nil
				return
			default:
			}
			tmp := filepath.Join(dir, fmt.Sprintf(".doc.txt.%d.tmp", i))
			if err := os.WriteFile(tmp, versions[i%2], 0o644); err != nil {
				writerDone <- err
				return
			}
			if err := os.Rename(tmp, target); err != nil {
				writerDone <- err
				return
			}
			renames.Add(1)
		}
	}()

	seen := map[int]int{}
	deadline := time.Now().Add(20 * time.Second)
	for loads := 0; loads < 200 || (len(seen) < 2 && time.Now().Before(deadline)); loads++ {
		docs, skipped, err := LoadDir(dir, Options{})
		if err != nil {
			t.Fatalf("load %d: %v", loads, err)
		}
		if len(skipped) != 0 {
			t.Fatalf("load %d skipped %v", loads, skipped)
		}
		if len(docs) != 2 || docs[0].ID != "doc.txt" || docs[1].ID != "steady.txt" {
			t.Fatalf("load %d: documents %v, want doc.txt and steady.txt", loads, hostileIDs(docs))
		}
		d := docs[0]
		v, ok := hashes[d.Hash]
		if !ok {
			t.Fatalf("load %d: doc.txt has hash %s, neither version's", loads, d.Hash)
		}
		if diff := cmp.Diff(parsed[v].Paragraphs, d.Paragraphs); diff != "" {
			t.Fatalf("load %d: paragraphs are not version %d's (-want +got):\n%s", loads, v, diff)
		}
		seen[v]++
	}
	close(stop)
	if err := <-writerDone; err != nil {
		t.Fatal(err)
	}
	t.Logf("versions seen over the loads: %v; %d renames", seen, renames.Load())
}

func hostileIDs(docs []*Document) []string {
	var ids []string
	for _, d := range docs {
		ids = append(ids, d.ID)
	}
	return ids
}

// TestHostileThousandsOfTinyFilesAreAllLoaded loads 3000 one-line files in
// nested folders: all are loaded, none is skipped, each once.
func TestHostileThousandsOfTinyFilesAreAllLoaded(t *testing.T) {
	dir := t.TempDir()
	const n = 3000
	for i := range n {
		name := filepath.Join(dir, fmt.Sprintf("d%02d", i%30), fmt.Sprintf("s%d", i%7), fmt.Sprintf("tiny%04d.txt", i))
		writeHostile(t, name, fmt.Appendf(nil, "Tiny note %04d mentions token tinymarker%04d.\n", i, i))
	}
	docs, skipped, err := LoadDir(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(skipped) != 0 {
		t.Errorf("skipped %d files, first %v", len(skipped), skipped[0])
	}
	ids := map[string]bool{}
	for _, d := range docs {
		if ids[d.ID] {
			t.Errorf("%s loaded twice", d.ID)
		}
		ids[d.ID] = true
		if len(d.Passages) != 1 {
			t.Errorf("%s has %d passages, want 1", d.ID, len(d.Passages))
		}
	}
	if len(ids) != n {
		t.Errorf("loaded %d documents, want %d", len(ids), n)
	}
}

// FuzzFrontMatter fuzzes the Markdown front matter splitter and decoder on
// their own (FuzzParseMarkdown reaches them only through a whole
// document): no panic, the split loses no byte, and the metadata is valid
// UTF-8 when the input is.
func FuzzFrontMatter(f *testing.F) {
	for _, s := range []string{
		"---\ntitle: T\nsource: S\nurl: https://x\ndate: 2024-01-02\n---\nbody",
		"---\r\ntitle: [unclosed\r\n...\r\nbody",
		"---\n---\n",
		"---\ntitle: &a [*a, *a]\n---\n",
		"---\ndate: 2024-13-45T99:99:99Z\n---\nx",
		"---\ntitle: !!binary aGVsbG8=\nsource: !!int 12\n---\n",
		"---\n" + strings.Repeat("- [", 200) + "\n---\n",
		"no front matter\n---\n",
	} {
		f.Add(s)
	}
	log := Options{}.withDefaults().Logger
	f.Fuzz(func(t *testing.T, src string) {
		fm, body, ok := splitFrontMatter(src)
		if !ok {
			if fm != "" || body != src {
				t.Fatalf("no front matter, but split into %q and %q", fm, body)
			}
			return
		}
		if !strings.HasPrefix(src[strings.Index(src, "\n")+1:], fm) || !strings.HasSuffix(src, body) {
			t.Fatalf("split %q into %q and %q, which are not its parts", src, fm, body)
		}
		m := parseFrontMatter(fm, log)
		if utf8.ValidString(src) && (!utf8.ValidString(m.title) || !utf8.ValidString(m.source) || !utf8.ValidString(m.url)) {
			t.Fatalf("invalid UTF-8 metadata %+v from %q", m, fm)
		}
	})
}
