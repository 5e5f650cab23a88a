// Package loadtest is what the load benchmarks of the chat adapters share
// (adapters/slack and adapters/matrix BenchmarkLoad*): the synthetic corpus
// and its index, kept between runs; the documents added while users ask;
// the simulated users; and the figures reported (latency percentiles,
// errors, rate-limit outcomes, peak memory).
//
// It is imported by tests only.
package loadtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"framebot/beir"
	"framebot/corpus"
	"framebot/index"
)

// EnvCorpus names the variable that points at the BEIR folder written by
// ../shared/bench/gen_corpus.py (the same one the bot benchmarks read).
const EnvCorpus = "FRAMEBOT_BENCH_DIR"

// CorpusDir returns the synthetic corpus folder, or "" when EnvCorpus is
// not set (the benchmarks then skip).
func CorpusDir() string { return os.Getenv(EnvCorpus) }

// IndexDir returns where the index of the collection in dir is cached: a
// folder under os.TempDir named after the collection's path, size and
// modification time and the index's mapping version, so that a new corpus
// or mapping gets a new index and an unchanged one is reused.
func IndexDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", dir, err)
	}
	fi, err := os.Stat(filepath.Join(abs, "corpus.jsonl"))
	if err != nil {
		return "", fmt.Errorf("synthetic corpus: %w", err)
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%s|%d|%d|%s", abs, fi.Size(), fi.ModTime().UnixNano(), index.MappingVersion))
	return filepath.Join(os.TempDir(), "framebot-load-"+hex.EncodeToString(sum[:6])), nil
}

// OpenSynthetic loads the BEIR collection in dir and opens its cached
// index, brought in line with the collection by Sync: the first run indexes
// every passage (minutes on two cores), later ones only compare hashes and
// remove the documents an earlier load run added. logf, when not nil,
// reports progress. It returns an error when the collection can't be read
// or the index can't be opened or written; the index is in use by another
// process (index.ErrLocked) when two load benchmarks run at once.
func OpenSynthetic(ctx context.Context, dir string, logf func(format string, args ...any)) (*index.Index, *beir.Set, error) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	set, err := beir.Load(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("load synthetic corpus: %w", err)
	}
	ixDir, err := IndexDir(dir)
	if err != nil {
		return nil, nil, err
	}
	ix, err := index.Open(ixDir, index.Options{})
	if err != nil {
		return nil, nil, err
	}
	docs := set.Documents(0)
	start := time.Now()
	last := start
	st, err := ix.Sync(ctx, docs, func(done, total int) {
		if time.Since(last) > 15*time.Second {
			last = time.Now()
			logf("indexing %s: %d/%d documents", ixDir, done, total)
		}
	})
	if err != nil {
		ix.Close()
		return nil, nil, fmt.Errorf("index synthetic corpus: %w", err)
	}
	logf("index %s ready in %s: %d added, %d removed, %d unchanged, %d passages", ixDir, time.Since(start).Round(time.Millisecond), st.Added, st.Removed, st.Unchanged, st.Passages)
	return ix, set, nil
}

// NewDocument builds the n-th document a load run adds: the text of one of
// the collection's documents under a new ID, so that it is split and
// indexed like the others.
func NewDocument(set *beir.Set, n int) *corpus.Document {
	src := set.Docs[(n*7919)%len(set.Docs)]
	return beir.ToDocument(beir.Doc{
		ID:    fmt.Sprintf("load/added-%06d", n),
		Title: fmt.Sprintf("Load addition %d: %s", n, src.Title),
		Text:  src.Text,
	}, 0)
}
