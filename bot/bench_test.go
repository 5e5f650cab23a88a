package bot_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"framebot/beir"
	"framebot/bot"
	"framebot/corpus"
	"framebot/index"
	"framebot/internal/testbot"
)

// The synthetic benchmarks read a BEIR folder written by
// ../shared/bench/gen_corpus.py, named by FRAMEBOT_BENCH_DIR:
//
//	python3 ../shared/bench/gen_corpus.py 200000 /tmp/scale-200k
//	FRAMEBOT_BENCH_DIR=/tmp/scale-200k go test -run '^$' -bench Synthetic -benchtime 1x ./bot/
func benchSet(b *testing.B) *beir.Set {
	b.Helper()
	dir := os.Getenv("FRAMEBOT_BENCH_DIR")
	if dir == "" {
		b.Skip("set FRAMEBOT_BENCH_DIR to a folder made by gen_corpus.py")
	}
	s, err := beir.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func indexDocs(b *testing.B, dir string, docs []*corpus.Document) *index.Index {
	b.Helper()
	ix, err := index.Open(dir, index.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := ix.Sync(context.Background(), docs, nil); err != nil {
		b.Fatal(err)
	}
	return ix
}

// BenchmarkIndexEmbedded indexes the embedded corpus into a new index.
func BenchmarkIndexEmbedded(b *testing.B) {
	docs, _, err := corpus.Load(corpus.Default(), corpus.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		ix := indexDocs(b, filepath.Join(b.TempDir(), "ix"), docs)
		ix.Close()
	}
	b.ReportMetric(float64(corpus.CountPassages(docs)*b.N)/b.Elapsed().Seconds(), "passages/s")
}

// BenchmarkAskEmbedded answers the test questions on the embedded corpus.
func BenchmarkAskEmbedded(b *testing.B) {
	a := bot.NewAnswerer(testbot.Index(b), bot.AnswerOptions{})
	qs := benchQuestions(b)
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := a.Ask(ctx, qs[i%len(qs)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIndexSynthetic indexes the synthetic corpus (200,000 passages
// with gen_corpus.py 200000) into a new index.
func BenchmarkIndexSynthetic(b *testing.B) {
	docs := benchSet(b).Documents(0)
	b.ResetTimer()
	for b.Loop() {
		ix := indexDocs(b, filepath.Join(b.TempDir(), "ix"), docs)
		ix.Close()
	}
	b.ReportMetric(float64(corpus.CountPassages(docs)*b.N)/b.Elapsed().Seconds(), "passages/s")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.Sys)/(1<<20), "MB-sys")
}

var (
	synthOnce sync.Once
	synthIx   *index.Index
)

// BenchmarkAskSynthetic answers the Cranfield questions on the synthetic
// corpus; the index is built once, outside the timing.
func BenchmarkAskSynthetic(b *testing.B) {
	s := benchSet(b)
	synthOnce.Do(func() {
		dir, err := os.MkdirTemp("", "framebot-bench-")
		if err != nil {
			b.Fatal(err)
		}
		synthIx = indexDocs(b, filepath.Join(dir, "ix"), s.Documents(0))
	})
	a := bot.NewAnswerer(synthIx, bot.AnswerOptions{})
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := a.Ask(ctx, s.Queries[i%len(s.Queries)].Text); err != nil {
			b.Fatal(err)
		}
	}
}

func benchQuestions(b *testing.B) []string {
	var out []string
	qs := loadQuestionsTB(b, "questions.json")
	for _, q := range qs.Answerable {
		out = append(out, q.Q)
	}
	return append(out, qs.OffTopic...)
}
