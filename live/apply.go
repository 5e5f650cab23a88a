// Package live keeps the index in step with a corpus folder while the bot
// runs: it applies the batches of a corpus.Watcher to the index, reports
// each added, updated or removed document, and announces them to the
// subscribed conversations.
//
// It sits between corpus (which watches and parses, and imports no search
// library) and bot (which never imports fsnotify or Bleve).
package live

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"framebot/bot"
	"framebot/corpus"
	"framebot/index"
)

// Index is what the applier needs of the index.
type Index interface {
	// Meta returns what the index remembers of a document.
	Meta(id string) (index.DocMeta, bool)
	// Apply indexes and removes documents, returning the changes made.
	Apply(ctx context.Context, upserts []*corpus.Document, deletes []string) ([]index.Change, error)
	// Documents lists the indexed documents.
	Documents(ctx context.Context) ([]bot.Source, error)
}

var _ Index = (*index.Index)(nil)

// DefaultChunk is how many documents the applier parses and indexes at a
// time: memory stays bounded and searches interleave with a large batch.
const DefaultChunk = 64

// Applier brings the index in line with the batches of a corpus.Watcher.
// It is used from one goroutine at a time.
type Applier struct {
	// Root is the corpus folder the batches' paths are relative to.
	Root string
	// Index receives the documents.
	Index Index
	// Load tunes parsing, as for the start-up load.
	Load corpus.Options
	// Chunk is the number of documents parsed and indexed at a time
	// (DefaultChunk when 0).
	Chunk int
	// Logger receives what happened; nil discards it.
	Logger *slog.Logger

	// failed remembers, per path, the hash of a content that could not be
	// parsed, so that a rescan does not report it again.
	failed map[string]string
}

// Apply makes the index match the batch and returns the changes made.
//
// A path that no longer exists is removed from the index, with every
// document under it when it was a folder. Any other path is loaded: a new
// document is added, a changed one has all its passages replaced at once,
// and an unchanged one (same content hash) is left alone. A file that
// fails to load keeps its last good version in the index, and the reason
// is logged. For a Full batch, every indexed document not in the batch is
// removed.
//
// Apply returns an error, with the changes already made, when the index
// can't be read or written or ctx ends.
func (a *Applier) Apply(ctx context.Context, b corpus.Batch) ([]bot.DocChange, error) {
	if a.failed == nil {
		a.failed = map[string]string{}
	}
	indexed, err := a.Index.Documents(ctx)
	if err != nil {
		return nil, fmt.Errorf("list indexed documents: %w", err)
	}
	root, err := os.OpenRoot(a.Root)
	if err != nil {
		return nil, fmt.Errorf("open corpus %s: %w", a.Root, err)
	}
	defer root.Close()

	deletes, load := a.triage(root, b, indexed)
	var out []bot.DocChange
	if len(deletes) > 0 {
		chs, err := a.Index.Apply(ctx, nil, deletes)
		out = appendChanges(out, chs, nil)
		if err != nil {
			return out, fmt.Errorf("remove documents: %w", err)
		}
	}
	chunk := a.Chunk
	if chunk <= 0 {
		chunk = DefaultChunk
	}
	for len(load) > 0 {
		n := min(chunk, len(load))
		docs, dels := a.load(root, load[:n])
		load = load[n:]
		chs, err := a.Index.Apply(ctx, docs, dels)
		out = appendChanges(out, chs, docs)
		if err != nil {
			return out, fmt.Errorf("index documents: %w", err)
		}
	}
	if len(out) > 0 {
		a.logger().Info("corpus changes indexed", slog.Int("changes", len(out)), slog.Bool("full_scan", b.Full))
	}
	return out, nil
}

// triage sorts the paths of batch b into the indexed documents to remove
// (each once) and the files to load: those whose content differs from
// the index's and from the last one that failed. indexed lists the
// documents in the index.
func (a *Applier) triage(root *os.Root, b corpus.Batch, indexed []bot.Source) (deletes, load []string) {
	gone := map[string]bool{}
	remove := func(id string) {
		if !gone[id] {
			gone[id] = true
			deletes = append(deletes, id)
		}
	}
	if b.Full {
		for _, id := range notInFullBatch(b, indexed) {
			remove(id)
		}
	}
	for _, p := range b.Paths {
		info, err := root.Lstat(filepath.FromSlash(p))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			for _, s := range indexed {
				if s.Doc == p || strings.HasPrefix(s.Doc, p+"/") {
					remove(s.Doc)
				}
			}
			delete(a.failed, p)
		case err == nil && info.IsDir():
			if _, ok := a.Index.Meta(p); ok {
				remove(p) // a file replaced by a folder
			}
		default:
			if !a.unchanged(root, p) {
				load = append(load, p)
			}
		}
	}
	return deletes, load
}

// notInFullBatch returns the indexed documents that the full batch b
// names neither as a file nor as a file still being written.
func notInFullBatch(b corpus.Batch, indexed []bot.Source) []string {
	keep := map[string]bool{}
	for _, p := range b.Paths {
		keep[p] = true
	}
	for _, p := range b.Busy {
		keep[p] = true
	}
	var out []string
	for _, s := range indexed {
		if !keep[s.Doc] {
			out = append(out, s.Doc)
		}
	}
	return out
}

// load parses the files paths: it returns the documents read, and the
// indexed ones whose file has gone since the batch was made. A file that
// fails to load is remembered by its hash, and the reason logged; its
// last good version, if any, stays indexed.
func (a *Applier) load(root *os.Root, paths []string) (docs []*corpus.Document, dels []string) {
	log := a.logger()
	for _, p := range paths {
		doc, err := corpus.LoadFile(a.Root, p, a.Load)
		switch {
		case err == nil:
			docs = append(docs, doc)
			delete(a.failed, p)
		case errors.Is(err, fs.ErrNotExist):
			if _, ok := a.Index.Meta(p); ok {
				dels = append(dels, p) // deleted since the batch was made
			}
		default:
			a.failed[p] = hashOf(root, p)
			if _, ok := a.Index.Meta(p); ok {
				log.Warn("corpus file can't be loaded; its last good version stays indexed", slog.String("path", p), slog.String("reason", err.Error()))
			} else {
				log.Warn("corpus file can't be loaded; not indexed", slog.String("path", p), slog.String("reason", err.Error()))
			}
		}
	}
	return docs, dels
}

// unchanged reports whether file p holds exactly what the index has, or
// what failed to load last time: reading and hashing is much cheaper than
// parsing, and a rescan looks at every file.
func (a *Applier) unchanged(root *os.Root, p string) bool {
	h := hashOf(root, p)
	if h == "" {
		return false // let the loader say what is wrong
	}
	if m, ok := a.Index.Meta(p); ok && m.Hash == h {
		return true
	}
	return a.failed[p] == h
}

// hashOf returns the hex SHA-256 of the regular file p, as in
// corpus.Document.Hash, or "" when it can't be read.
func hashOf(root *os.Root, p string) string {
	info, err := root.Lstat(filepath.FromSlash(p))
	if err != nil || !info.Mode().IsRegular() {
		return ""
	}
	f, err := root.Open(filepath.FromSlash(p))
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

// appendChanges turns index changes into announced changes, taking each
// added or updated document's opening from docs.
func appendChanges(out []bot.DocChange, chs []index.Change, docs []*corpus.Document) []bot.DocChange {
	byID := make(map[string]*corpus.Document, len(docs))
	for _, d := range docs {
		byID[d.ID] = d
	}
	for _, c := range chs {
		dc := bot.DocChange{Kind: c.Kind, Doc: c.Doc, Title: c.Meta.Title, Source: c.Meta.Source, URL: c.Meta.URL, Passages: c.Meta.Passages}
		if d := byID[c.Doc]; d != nil && c.Kind != bot.Removed {
			dc.Opening = bot.Opening(d.Paragraphs)
		}
		out = append(out, dc)
	}
	return out
}

func (a *Applier) logger() *slog.Logger {
	if a.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return a.Logger
}
