package index

import (
	"os"
	"testing"
)

// BenchmarkVerifySegments measures the check Open runs at every start on
// the index in $FRAMEBOT_BENCH_INDEX (e.g. the 200,000-passage one built
// by framebot eval --index DIR ../shared/bench/...; see docs/hardening.md).
func BenchmarkVerifySegments(b *testing.B) {
	dir := os.Getenv("FRAMEBOT_BENCH_INDEX")
	if dir == "" {
		b.Skip("set FRAMEBOT_BENCH_INDEX to an index folder")
	}
	ix, err := Open(dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	var size int64
	for b.Loop() {
		if err := verifySegments(ix.bleve); err != nil {
			b.Fatal(err)
		}
	}
	_, _, size, _ = ix.Stats(b.Context())
	b.ReportMetric(float64(size)/(1<<20), "index_MB")
}
