package index

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"framebot/corpus"
)

// damageTemplate is a small index, built once per fuzzing process, that
// each fuzz input copies and damages.
var damageTemplate struct {
	once sync.Once
	dir  string
	docs []*corpus.Document
	err  error
}

func templateIndex(tb testing.TB) (string, []*corpus.Document) {
	tb.Helper()
	t := &damageTemplate
	t.once.Do(func() {
		t.dir, t.err = os.MkdirTemp("", "framebot-fuzz-index-")
		if t.err != nil {
			return
		}
		t.docs = walrusCorpus(tb, 30)
		var ix *Index
		if ix, t.err = Open(filepath.Join(t.dir, "ix"), Options{}); t.err != nil {
			return
		}
		_, t.err = ix.Sync(context.Background(), t.docs, nil)
		t.err = errors.Join(t.err, ix.Close())
	})
	if t.err != nil {
		tb.Fatalf("build the template index: %v", t.err)
	}
	return filepath.Join(t.dir, "ix"), t.docs
}

// copyTree copies the files of src into dst.
func copyTree(tb testing.TB, src, dst string) []string {
	tb.Helper()
	var files []string
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files = append(files, rel)
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		tb.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// FuzzDamagedIndex writes junk at a fuzzed offset of a fuzzed file of an
// index (a segment, Bleve's root.bolt, the catalog, index_meta.json),
// then does what framebot does at start: Open, then Sync the corpus. It
// must never panic, and the index must then answer every document's
// question with that document.
func FuzzDamagedIndex(f *testing.F) {
	tmpl, docs := templateIndex(f)
	f.Cleanup(func() { os.RemoveAll(filepath.Dir(tmpl)) })
	for _, seed := range []struct {
		file   uint8
		offset uint32
		junk   []byte
	}{
		{0, 1 << 30, make([]byte, 1500)},
		{1, 4096, []byte("garbage garbage garbage")},
		{2, 0, []byte{0xff, 0xff, 0xff, 0xff}},
		{3, 10, []byte("}")},
		{0, 100, []byte{0}},
	} {
		f.Add(seed.file, seed.offset, seed.junk)
	}
	f.Fuzz(func(t *testing.T, file uint8, offset uint32, junk []byte) {
		if len(junk) == 0 || len(junk) > 4096 {
			return
		}
		dir := filepath.Join(t.TempDir(), "ix")
		files := copyTree(t, tmpl, dir)
		target := filepath.Join(dir, files[int(file)%len(files)])
		fi, err := os.Stat(target)
		if err != nil {
			t.Fatal(err)
		}
		fh, err := os.OpenFile(target, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		_, err = fh.WriteAt(junk, int64(offset)%max(fi.Size(), 1))
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}

		ix, err := Open(dir, Options{})
		if err != nil {
			t.Fatalf("open the damaged index: %v", err)
		}
		defer ix.Close()
		ctx := context.Background()
		if _, err := ix.Sync(ctx, docs, nil); err != nil {
			t.Fatalf("sync the damaged index: %v", err)
		}
		for _, d := range docs[:5] {
			res, err := ix.Search(ctx, "walrus "+d.ID, 3)
			if err != nil {
				t.Fatalf("search %s: %v", d.ID, err)
			}
			if len(res.Hits) == 0 || res.Hits[0].Doc != d.ID {
				var got []string
				for _, h := range res.Hits {
					got = append(got, h.Doc)
				}
				t.Fatalf("damage in %s at %d: search for %s finds %s", files[int(file)%len(files)], int64(offset)%max(fi.Size(), 1), d.ID, strings.Join(got, ", "))
			}
		}
	})
}
