package bot_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"framebot/bot"
	"framebot/index"
	"framebot/internal/testbot"
)

// summaryBenchIndex opens the index of the synthetic corpus kept across runs
// under os.TempDir(), keyed by the corpus file's path, size and time, so
// only the first run pays for indexing (Sync skips unchanged documents).
func summaryBenchIndex(b *testing.B) *index.Index {
	b.Helper()
	s := benchSet(b)
	dir := os.Getenv("FRAMEBOT_BENCH_DIR")
	summaryIxOnce.Do(func() {
		abs, err := filepath.Abs(dir)
		if err != nil {
			b.Fatal(err)
		}
		fi, err := os.Stat(filepath.Join(abs, "corpus.jsonl"))
		if err != nil {
			b.Fatal(err)
		}
		sum := sha256.Sum256(fmt.Appendf(nil, "%s|%d|%d|%s", abs, fi.Size(), fi.ModTime().UnixNano(), index.MappingVersion))
		ixDir := filepath.Join(os.TempDir(), "framebot-bench-summary-"+hex.EncodeToString(sum[:6]))
		summaryIx = indexDocs(b, ixDir, s.Documents(0))
	})
	if summaryIx == nil {
		b.Fatal("synthetic index failed to open")
	}
	return summaryIx
}

var (
	summaryIxOnce sync.Once
	summaryIx     *index.Index
)

// BenchmarkSummaryEmbedded writes the briefs of the corpus tests, and one
// on an unknown topic, on the embedded corpus.
func BenchmarkSummaryEmbedded(b *testing.B) {
	ix := testbot.Index(b)
	z := bot.NewSummarizer(ix, bot.NewProposalFinder(ix, bot.Vocabulary{}), bot.SummaryOptions{})
	topics := []string{"climate change"}
	for _, tt := range summaryTopics {
		topics = append(topics, tt.topic)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := z.Summarize(ctx, topics[i%len(topics)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSummarySynthetic writes briefs on the Cranfield questions of the
// synthetic corpus (FRAMEBOT_BENCH_DIR, see benchSet). The index is kept
// between runs, and the proposals that suggestions need are listed once
// before the timing (BenchmarkProposalsSynthetic measures that).
//
//	FRAMEBOT_BENCH_DIR=/tmp/scale-200k go test -run '^$' -bench 'Summary|Proposals' -timeout 0 ./bot/
func BenchmarkSummarySynthetic(b *testing.B) {
	ix := summaryBenchIndex(b)
	s := benchSet(b)
	z := bot.NewSummarizer(ix, bot.NewProposalFinder(ix, bot.Vocabulary{}), bot.SummaryOptions{})
	ctx := context.Background()
	if _, err := z.Summarize(ctx, "zzzz qqqq"); err != nil {
		b.Fatal(err)
	}
	sentences := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		sum, err := z.Summarize(ctx, s.Queries[i%len(s.Queries)].Text)
		if err != nil {
			b.Fatal(err)
		}
		sentences += len(sum.Sentences)
	}
	b.ReportMetric(float64(sentences)/float64(b.N), "sentences/op")
}

// BenchmarkProposalsSynthetic lists the proposals of the synthetic corpus:
// a walk over every passage.
func BenchmarkProposalsSynthetic(b *testing.B) {
	ix := summaryBenchIndex(b)
	ctx := context.Background()
	for b.Loop() {
		if _, err := bot.FindProposals(ctx, ix); err != nil {
			b.Fatal(err)
		}
	}
}
