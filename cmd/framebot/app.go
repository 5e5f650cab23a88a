package main

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
	"runtime/debug"

	"framebot/bot"
	"framebot/corpus"
	"framebot/index"
)

// app is the wired core: the corpus, its index and the bot.
type app struct {
	cfg    Config
	log    *slog.Logger
	corpus fs.FS // nil when the corpus is a folder on disk (cfg.Corpus)
	index  *index.Index
	bot    *bot.Bot
	// pdf reads the corpus's PDFs for every load, reload and watcher of
	// the app; it starts on the first PDF and is closed with the app.
	pdf *corpus.PDFEngine
	// skipped lists the files the last load could not use; notes, the
	// documents it used only in part (cut at the passage cap).
	skipped, notes []corpus.Skipped
}

// indexDir says where the index of cfg's corpus lives: IndexDir when set,
// else a folder under DataDir named after the corpus, so that several corpora
// can share one data folder and the index is reused across runs.
func indexDir(cfg Config) (string, error) {
	if cfg.IndexDir != "" {
		return cfg.IndexDir, nil
	}
	if cfg.Corpus == "" {
		return filepath.Join(cfg.DataDir, "index-embedded"), nil
	}
	abs, err := filepath.Abs(cfg.Corpus)
	if err != nil {
		return "", fmt.Errorf("resolve corpus path: %w", err)
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(cfg.DataDir, "index-"+filepath.Base(abs)+"-"+hex.EncodeToString(sum[:6])), nil
}

// openApp loads the corpus, brings the index up to date with it and builds
// the bot. progress, when not nil, reports indexing progress.
func openApp(ctx context.Context, cfg Config, log *slog.Logger, progress func(done, total int)) (*app, index.SyncStats, error) {
	dir, err := indexDir(cfg)
	if err != nil {
		return nil, index.SyncStats{}, err
	}
	answerOpts, err := cfg.Answer.answerOptions()
	if err != nil {
		return nil, index.SyncStats{}, err
	}
	a := &app{cfg: cfg, log: log, pdf: corpus.NewPDFEngine()}
	if cfg.Corpus == "" {
		a.corpus = corpus.Default()
	}
	// A damaged index found while answering is rebuilt in the background
	// from the corpus, read again.
	opts := index.Options{Logger: log, Reload: func(context.Context) ([]*corpus.Document, error) {
		docs, _, err := a.loadCorpus()
		return docs, err
	}}
	ix, err := index.Open(dir, opts)
	if err != nil {
		a.pdf.Close()
		return nil, index.SyncStats{}, err
	}
	a.index = ix
	st, err := a.sync(ctx, progress)
	if err != nil && ctx.Err() != nil {
		ix.Close()
		a.pdf.Close()
		return nil, st, err
	}
	if err != nil {
		// A failed write (disk full) can leave Bleve's in-memory state
		// broken; reopen the index as it was last written to disk.
		ix.Close()
		var rerr error
		if ix, rerr = index.Open(dir, opts); rerr != nil {
			a.pdf.Close()
			return nil, st, errors.Join(err, rerr)
		}
		a.index = ix
	}
	a.bot = bot.New(bot.NewAnswerer(ix, answerOpts), ix)
	wireSummaries(a.bot, ix, ix, cfg.Vocabulary)
	a.bot.Logger = log
	a.bot.Threads = bot.NewThreads(bot.ThreadOptions{MaxThreads: cfg.Threads.Max, MaxTurns: cfg.Threads.Turns, Idle: cfg.Threads.Idle})
	answeringGC()
	if err != nil {
		// The index could not be brought up to date (disk full, unreadable
		// folder): it still answers from what it holds.
		return a, st, &staleIndexError{err}
	}
	return a, st, nil
}

// staleIndexError reports that the index could not be updated from the
// corpus; the app returned with it still serves the index as it stands.
type staleIndexError struct{ err error }

func (e *staleIndexError) Error() string { return e.err.Error() }
func (e *staleIndexError) Unwrap() error { return e.err }

// serveStale lets commands that answer questions go on with an index that
// could not be updated, logging why; other errors are returned.
func serveStale(log *slog.Logger, err error) error {
	var se *staleIndexError
	if errors.As(err, &se) {
		log.Error("index not updated from the corpus; answering from the index as it stands", "error", se.err.Error())
		return nil
	}
	return err
}

// loadCorpus reads every document of the corpus.
func (a *app) loadCorpus() ([]*corpus.Document, []corpus.Skipped, error) {
	opts := a.corpusOptions()
	var (
		docs    []*corpus.Document
		skipped []corpus.Skipped
		err     error
	)
	if a.corpus != nil {
		docs, skipped, err = corpus.Load(a.corpus, opts)
	} else {
		docs, skipped, err = corpus.LoadDir(a.cfg.Corpus, opts)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("load corpus: %w", err)
	}
	return docs, skipped, nil
}

// sync makes the index match the corpus. Documents are handed to an index
// stream as they are parsed, which writes them in batches while the next
// ones are parsed, so that memory does not grow with the corpus;
// documents whose content hash the index already has are left alone, and
// those no longer in the corpus are removed at the end.
func (a *app) sync(ctx context.Context, progress func(done, total int)) (index.SyncStats, error) {
	var (
		st      index.SyncStats
		parsed  int // passages since progress was last reported
		seen    = map[string]bool{}
		written index.SyncStats // by the stream's batches, read once it is closed
	)
	a.notes = nil
	stream, err := a.index.NewStream(ctx, func(chs []index.Change) {
		for _, c := range chs {
			switch c.Kind {
			case bot.Added:
				written.Added++
			case bot.Updated:
				written.Updated++
			}
			written.Passages += c.Meta.Passages
		}
	})
	if err != nil {
		return st, fmt.Errorf("index corpus: %w", err)
	}
	each := func(d *corpus.Document) error {
		if seen[d.ID] {
			return nil
		}
		seen[d.ID] = true
		if d.Note != "" {
			a.notes = append(a.notes, corpus.Skipped{Path: d.ID, Reason: d.Note})
		}
		if m, ok := a.index.Meta(d.ID); ok && m.Hash == d.Hash {
			st.Unchanged++
			return nil
		}
		if parsed += len(d.Passages); parsed >= syncChunk && progress != nil {
			progress(len(seen), 0)
			parsed = 0
		}
		if err := stream.Add(d); err != nil {
			return err
		}
		return ctx.Err()
	}
	skipped, err := a.loadEach(each)
	if cerr := stream.Close(); err == nil {
		err = cerr
	}
	st.Added, st.Updated, st.Passages = written.Added, written.Updated, written.Passages
	if progress != nil {
		progress(len(seen), 0)
	}
	if err == nil {
		a.skipped = skipped
		st.Removed, err = a.removeGone(ctx, seen)
	}
	if err != nil {
		return st, fmt.Errorf("index corpus: %w", err)
	}
	if st.Added+st.Updated+st.Removed > 0 {
		a.log.Info("index updated", "added", st.Added, "updated", st.Updated, "removed", st.Removed, "unchanged", st.Unchanged, "passages", st.Passages)
	}
	return st, nil
}

// loadEach passes each document of the corpus to fn, as corpus.LoadEach.
func (a *app) loadEach(fn func(*corpus.Document) error) ([]corpus.Skipped, error) {
	if a.corpus != nil {
		return corpus.LoadEach(a.corpus, a.corpusOptions(), fn)
	}
	return corpus.LoadDirEach(a.cfg.Corpus, a.corpusOptions(), fn)
}

// removeGone removes from the index every document not in seen, and
// returns how many it removed.
func (a *app) removeGone(ctx context.Context, seen map[string]bool) (int, error) {
	srcs, err := a.index.Documents(ctx)
	if err != nil {
		return 0, err
	}
	var gone []string
	for _, s := range srcs {
		if !seen[s.Doc] {
			gone = append(gone, s.Doc)
		}
	}
	chs, err := a.index.Apply(ctx, nil, gone)
	return len(chs), err
}

// syncChunk is about how many passages sync parses between two progress
// reports.
const syncChunk = 20000

// corpusOptions are the options of every corpus load, reload and watcher
// of the app: the configured limits and the app's PDF engine.
func (a *app) corpusOptions() corpus.Options {
	o := a.cfg.corpusOptions(a.log)
	o.PDF = a.pdf
	return o
}

// Close closes the index, then the PDF engine that a rebuild of the index
// may still have been using.
func (a *app) Close() error { return errors.Join(a.index.Close(), a.pdf.Close()) }

// newLogger returns the command's logger, writing text to w (its stderr).
func newLogger(level string, w io.Writer) *slog.Logger {
	l, err := parseLevel(level)
	if err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// answerGCPercent is the garbage collector's target once the corpus is
// indexed. Bulk indexing runs at Go's default (100), which favours
// throughput; answering allocates little that lives, and a heap allowed
// to grow to 1.25 times its live size keeps a process answering from
// 200,000 passages under 300 MB (298 against 311 MB at 50, for 2–3 ms of
// query p50 and no measurable p99; docs/benchmarks.md).
const answerGCPercent = 25

// answeringGC applies answerGCPercent, unless GOGC is set.
func answeringGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(answerGCPercent)
	}
}
