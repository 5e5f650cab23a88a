package index

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"framebot/beir"
	"framebot/corpus"
)

// The hot paths on a BEIR folder named by FRAMEBOT_BENCH_DIR (default: the
// Cranfield collection beside the repository):
//
//	go test -run '^$' -bench . ./index/
//	FRAMEBOT_BENCH_DIR=/tmp/scale-200k go test -run '^$' -bench . -benchtime 200x ./index/
func benchDir() string {
	if d := os.Getenv("FRAMEBOT_BENCH_DIR"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "shared", "bench", "cranfield")
}

func loadBench(b *testing.B) *beir.Set {
	b.Helper()
	s, err := beir.Load(benchDir())
	if err != nil {
		b.Skipf("no benchmark collection: %v", err)
	}
	return s
}

var (
	benchOnce sync.Once
	benchIx   *Index
	benchSet  *beir.Set
	benchErr  error
)

// benchIndex indexes the collection once per test binary.
func benchIndex(b *testing.B) (*Index, *beir.Set) {
	b.Helper()
	set := loadBench(b)
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "framebot-index-bench-")
		if err != nil {
			benchErr = err
			return
		}
		benchIx, benchErr = Open(filepath.Join(dir, "ix"), Options{})
		if benchErr == nil {
			_, benchErr = benchIx.Sync(context.Background(), set.Documents(0), nil)
		}
		benchSet = set
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchIx, benchSet
}

// BenchmarkSync indexes the whole collection into a new index.
func BenchmarkSync(b *testing.B) {
	docs := loadBench(b).Documents(0)
	b.ReportAllocs()
	for b.Loop() {
		ix, err := Open(filepath.Join(b.TempDir(), "ix"), Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ix.Sync(context.Background(), docs, nil); err != nil {
			b.Fatal(err)
		}
		ix.Close()
	}
	b.ReportMetric(float64(corpus.CountPassages(docs)*b.N)/b.Elapsed().Seconds(), "passages/s")
}

// BenchmarkStream builds a new index of the collection the way framebot
// eval does: corpus.jsonl read one record at a time, each document handed
// to a Stream. Unlike BenchmarkSync, reading and splitting are timed.
//
//	FRAMEBOT_BENCH_DIR=/tmp/scale-200k go test -run '^$' -bench Stream -benchtime 1x ./index/
func BenchmarkStream(b *testing.B) {
	if _, err := os.Stat(filepath.Join(benchDir(), "corpus.jsonl")); err != nil {
		b.Skipf("no benchmark collection: %v", err)
	}
	benchStream(b, func(add func(beir.Doc) error) error { return beir.EachDoc(benchDir(), add) })
}

// BenchmarkStreamParsed is BenchmarkStream with the collection's JSON
// already read and decoded before the clock starts, as peers.py times
// FTS5 and Xapian (from records in memory to an index on disk): splitting
// into passages, analysis, indexing and the catalog are timed.
func BenchmarkStreamParsed(b *testing.B) {
	if _, err := os.Stat(filepath.Join(benchDir(), "corpus.jsonl")); err != nil {
		b.Skipf("no benchmark collection: %v", err)
	}
	var all []beir.Doc
	if err := beir.EachDoc(benchDir(), func(d beir.Doc) error {
		all = append(all, d)
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	benchStream(b, func(add func(beir.Doc) error) error {
		for _, d := range all {
			if err := add(d); err != nil {
				return err
			}
		}
		return nil
	})
}

// benchStream streams the documents each passes to add into a new index,
// once per iteration, and reports documents a second.
func benchStream(b *testing.B, each func(add func(beir.Doc) error) error) {
	b.ReportAllocs()
	docs := 0
	for b.Loop() {
		ix, err := Open(filepath.Join(b.TempDir(), "ix"), Options{})
		if err != nil {
			b.Fatal(err)
		}
		// Changes are counted, not kept, as framebot eval and sync do.
		written := 0
		st, err := ix.NewStream(context.Background(), func(chs []Change) { written += len(chs) })
		if err != nil {
			b.Fatal(err)
		}
		err = each(func(d beir.Doc) error {
			docs++
			return st.Add(beir.ToDocument(d, 0))
		})
		if err := errors.Join(err, st.Close(), ix.Close()); err != nil {
			b.Fatal(err)
		}
		if written == 0 {
			b.Fatal("no document written")
		}
	}
	b.ReportMetric(float64(docs)/b.Elapsed().Seconds(), "docs/s")
}

// BenchmarkSearch runs the chat path's passage search (30 candidates, with
// highlights) for the collection's queries in turn.
func BenchmarkSearch(b *testing.B) {
	ix, set := benchIndex(b)
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := ix.Search(ctx, set.Queries[i%len(set.Queries)].Text, 30); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSearchNoFeedback is BenchmarkSearch without pseudo-relevance
// feedback, to show what the second search costs.
func BenchmarkSearchNoFeedback(b *testing.B) {
	ix, set := benchIndex(b)
	saved := ix.rank
	ix.rank.FeedbackTerms = 0
	defer func() { ix.rank = saved }()
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := ix.Search(ctx, set.Queries[i%len(set.Queries)].Text, 30); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRankDocuments ranks the top 100 documents per query, as
// framebot eval does.
func BenchmarkRankDocuments(b *testing.B) {
	ix, set := benchIndex(b)
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := ix.RankDocuments(ctx, set.Queries[i%len(set.Queries)].Text, 100); err != nil {
			b.Fatal(err)
		}
	}
}
