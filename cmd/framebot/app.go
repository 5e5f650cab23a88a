package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
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
	// skipped lists the files the last load could not use.
	skipped []corpus.Skipped
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
	ix, err := index.Open(dir, index.Options{Logger: log})
	if err != nil {
		return nil, index.SyncStats{}, err
	}
	a := &app{cfg: cfg, log: log, index: ix}
	if cfg.Corpus == "" {
		a.corpus = corpus.Default()
	}
	st, err := a.sync(ctx, progress)
	if err != nil && ctx.Err() != nil {
		ix.Close()
		return nil, st, err
	}
	if err != nil {
		// A failed write (disk full) can leave Bleve's in-memory state
		// broken; reopen the index as it was last written to disk.
		ix.Close()
		var rerr error
		if ix, rerr = index.Open(dir, index.Options{Logger: log}); rerr != nil {
			return nil, st, errors.Join(err, rerr)
		}
		a.index = ix
	}
	a.bot = bot.New(bot.NewAnswerer(ix, bot.AnswerOptions{Passages: cfg.Answer.Passages}), ix)
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

// load reads every document of the corpus.
func (a *app) load() ([]*corpus.Document, error) {
	opts := corpus.Options{MaxFileSize: a.cfg.MaxFileSize, Logger: a.log}
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
		return nil, fmt.Errorf("load corpus: %w", err)
	}
	a.skipped = skipped
	return docs, nil
}

// sync loads the corpus and makes the index match it.
func (a *app) sync(ctx context.Context, progress func(done, total int)) (index.SyncStats, error) {
	docs, err := a.load()
	if err != nil {
		return index.SyncStats{}, err
	}
	st, err := a.index.Sync(ctx, docs, progress)
	if err != nil {
		return st, fmt.Errorf("index corpus: %w", err)
	}
	if st.Added+st.Updated+st.Removed > 0 {
		a.log.Info("index updated", "added", st.Added, "updated", st.Updated, "removed", st.Removed, "unchanged", st.Unchanged, "passages", st.Passages)
	}
	return st, nil
}

func (a *app) Close() error { return a.index.Close() }

// newLogger returns the process's logger, writing text to stderr.
func newLogger(level string) *slog.Logger {
	l, err := parseLevel(level)
	if err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

// answerGCPercent is the garbage collector's target once the corpus is
// indexed. Bulk indexing runs at Go's default (100), which favours
// throughput; answering allocates little that lives, and a heap allowed
// to grow to 1.5 times its live size instead of 2 keeps the process's
// memory about 30 MB lower on a 200,000-passage corpus at no measurable
// cost in latency (docs/benchmarks.md).
const answerGCPercent = 50

// answeringGC applies answerGCPercent, unless GOGC is set.
func answeringGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(answerGCPercent)
	}
}
