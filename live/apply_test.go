package live

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"framebot/bot"
	"framebot/corpus"
	"framebot/internal/testbot"
	"framebot/internal/testfs"
)

func TestApplierApply(t *testing.T) {
	files := map[string]string{
		"keep.md":       doc("Keep", "Kept as it is."),
		"busy.md":       doc("Busy", "Being rewritten."),
		"folder/one.md": doc("One", "First of the folder."),
		"folder/two.md": doc("Two", "Second of the folder."),
	}
	tests := []struct {
		name  string
		do    func(t *testing.T, dir string)
		batch corpus.Batch
		want  []bot.DocChange
	}{
		{"an unchanged file is left alone", nil, corpus.Batch{Paths: []string{"keep.md"}}, nil},
		{"a removed folder takes its documents with it", func(t *testing.T, dir string) {
			if err := os.RemoveAll(filepath.Join(dir, "folder")); err != nil {
				t.Fatal(err)
			}
		}, corpus.Batch{Paths: []string{"folder"}}, []bot.DocChange{
			{Kind: "removed", Doc: "folder/one.md", Title: "One", Source: "Test desk", Passages: 1},
			{Kind: "removed", Doc: "folder/two.md", Title: "Two", Source: "Test desk", Passages: 1},
		}},
		{"a full scan removes what it does not list and keeps busy files", nil,
			corpus.Batch{Full: true, Paths: []string{"keep.md", "folder/one.md"}, Busy: []string{"busy.md"}},
			[]bot.DocChange{{Kind: "removed", Doc: "folder/two.md", Title: "Two", Source: "Test desk", Passages: 1}}},
		{"a file that became a folder is removed", func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, "keep.md")); err != nil {
				t.Fatal(err)
			}
			testfs.Write(t, dir, "keep.md/inside.md", doc("Inside", "Inside."))
		}, corpus.Batch{Paths: []string{"keep.md"}}, []bot.DocChange{{Kind: "removed", Doc: "keep.md", Title: "Keep", Source: "Test desk", Passages: 1}}},
		{"an empty file keeps the last good version", func(t *testing.T, dir string) {
			testfs.Write(t, dir, "keep.md", "")
		}, corpus.Batch{Paths: []string{"keep.md"}}, nil},
		{"a path that vanished and was never indexed changes nothing", nil, corpus.Batch{Paths: []string{"ghost.md"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var docs []*corpus.Document
			for name, content := range files {
				testfs.Write(t, dir, name, content)
				d, err := corpus.LoadFile(dir, name, corpus.Options{})
				if err != nil {
					t.Fatal(err)
				}
				docs = append(docs, d)
			}
			ix := testbot.IndexDocs(t, docs)
			if tt.do != nil {
				tt.do(t, dir)
			}
			a := &Applier{Root: dir, Index: ix}
			got, err := a.Apply(context.Background(), tt.batch)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, sortChanges); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			// Applying the same batch again changes nothing.
			again, err := a.Apply(context.Background(), tt.batch)
			if err != nil || len(again) != 0 {
				t.Errorf("second Apply = %+v, %v; want no change", again, err)
			}
		})
	}
}
