// Package testbot builds the real answer engine for tests: an index of the
// embedded corpus (plus folders of extra documents) and a bot over it. Many
// packages' tests need exactly that; this is the one place that builds it.
package testbot

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"framebot/bot"
	"framebot/corpus"
	"framebot/index"
)

// Open creates an index in dir holding the embedded corpus and the
// documents of each folder in extra. It returns an error when a folder can't
// be read or the index can't be written.
func Open(ctx context.Context, dir string, extra ...string) (*index.Index, error) {
	docs, _, err := corpus.Load(corpus.Default(), corpus.Options{})
	if err != nil {
		return nil, fmt.Errorf("load the embedded corpus: %w", err)
	}
	for _, d := range extra {
		more, _, err := corpus.LoadDir(d, corpus.Options{})
		if err != nil {
			return nil, fmt.Errorf("load %s: %w", d, err)
		}
		docs = append(docs, more...)
	}
	ix, err := index.Open(dir, index.Options{})
	if err != nil {
		return nil, err
	}
	if _, err := ix.Sync(ctx, docs, nil); err != nil {
		ix.Close()
		return nil, err
	}
	return ix, nil
}

// Index is Open in a temporary folder of tb, closed when tb ends.
func Index(tb testing.TB, extra ...string) *index.Index {
	tb.Helper()
	ix, err := Open(context.Background(), filepath.Join(tb.TempDir(), "ix"), extra...)
	if err != nil {
		tb.Fatalf("index the embedded corpus: %v", err)
	}
	tb.Cleanup(func() { ix.Close() })
	return ix
}

// IndexDocs indexes docs alone (not the embedded corpus) in a temporary
// folder of tb, closed when tb ends.
func IndexDocs(tb testing.TB, docs []*corpus.Document) *index.Index {
	tb.Helper()
	ix, err := index.Open(filepath.Join(tb.TempDir(), "ix"), index.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	if _, err := ix.Sync(context.Background(), docs, nil); err != nil {
		tb.Fatal(err)
	}
	return ix
}

// IndexFolders is IndexDocs of the documents of the folders; it returns
// them too.
func IndexFolders(tb testing.TB, dirs ...string) (*index.Index, []*corpus.Document) {
	tb.Helper()
	var docs []*corpus.Document
	for _, d := range dirs {
		more, _, err := corpus.LoadDir(d, corpus.Options{})
		if err != nil {
			tb.Fatal(err)
		}
		docs = append(docs, more...)
	}
	return IndexDocs(tb, docs), docs
}

var (
	sharedOnce sync.Once
	sharedDir  string
	sharedIx   *index.Index
	sharedErr  error
)

// Run runs the tests of m, then closes and removes the Shared index; a
// package whose tests use Shared calls it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(testbot.Run(m)) }
//
// Fuzzing starts a process per worker, so an index left behind by each
// would pile up in the temporary folder.
func Run(m *testing.M) int {
	code := m.Run()
	if sharedIx != nil {
		sharedIx.Close()
	}
	if sharedDir != "" {
		os.RemoveAll(sharedDir)
	}
	return code
}

// Shared returns one index of the embedded corpus for the whole test
// binary, for tests that only read it (fuzz targets run it thousands of
// times). Its folder is under os.TempDir; Run removes it.
func Shared(tb testing.TB) *index.Index {
	tb.Helper()
	sharedOnce.Do(func() {
		sharedDir, sharedErr = os.MkdirTemp("", "framebot-testbot-")
		if sharedErr != nil {
			return
		}
		sharedIx, sharedErr = Open(context.Background(), filepath.Join(sharedDir, "ix"))
	})
	if sharedErr != nil {
		tb.Fatalf("index the embedded corpus: %v", sharedErr)
	}
	return sharedIx
}

// Bot returns a bot answering from ix with the default command table.
func Bot(ix *index.Index) *bot.Bot {
	return bot.New(bot.NewAnswerer(ix, bot.AnswerOptions{}), ix)
}
