package loadtest

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"framebot/beir"
	"framebot/bot"
	"framebot/index"
	"framebot/metrics"
	"framebot/sqlite"
)

// EnvDuration overrides how long users ask (default one minute), e.g. for
// a quick try: FRAMEBOT_LOAD_DURATION=10s.
const EnvDuration = "FRAMEBOT_LOAD_DURATION"

// DefaultPlan is the load: 50 users asking at once for a minute,
// 5 of them once a second (faster than any default per-user limit), the
// others waiting 7 s after each reply (within Slack's default 10 a
// minute), while a document is added every 2 s. perMinute and burst are
// the adapter's limit.
func DefaultPlan(set *beir.Set, perMinute, burst int) Plan {
	d := time.Minute
	if v, err := time.ParseDuration(os.Getenv(EnvDuration)); err == nil && v > 0 {
		d = v
	}
	qs := make([]string, len(set.Queries))
	for i, q := range set.Queries {
		qs[i] = q.Text
	}
	return Plan{
		Users: 50, Fast: 5, Duration: d,
		Think: 7 * time.Second, FastEvery: time.Second, Grace: time.Minute,
		Queries: qs, PerMinute: perMinute, Burst: burst,
		AddEvery: 2 * time.Second,
	}
}

// Setup opens the synthetic index for a load benchmark, skipping it when
// EnvCorpus is not set. The index is closed when b ends, after removing the
// documents the run added.
func Setup(b *testing.B) (*index.Index, *beir.Set) {
	b.Helper()
	dir := CorpusDir()
	if dir == "" {
		b.Skipf("set %s to a folder made by ../shared/bench/gen_corpus.py 200000", EnvCorpus)
	}
	ix, set, err := OpenSynthetic(context.Background(), dir, b.Logf)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ix.Close() })
	return ix, set
}

// addTimeout bounds one document addition.
const addTimeout = 30 * time.Second

// Adder returns a Plan.Add that upserts NewDocument(set, n) into ix, and
// registers the removal of every added document when b ends.
func Adder(b *testing.B, ix *index.Index, set *beir.Set) func(ctx context.Context, n int) error {
	var ids []string
	b.Cleanup(func() {
		for _, id := range ids {
			if _, err := ix.Delete(context.Background(), id); err != nil {
				b.Logf("remove %s: %v", id, err)
			}
		}
	})
	return func(ctx context.Context, n int) error {
		doc := NewDocument(set, n)
		ids = append(ids, doc.ID)
		// An addition that can't reach the disk in time counts as an
		// error rather than holding up the run.
		ctx, cancel := context.WithTimeout(ctx, addTimeout)
		defer cancel()
		_, err := ix.Upsert(ctx, doc)
		return err
	}
}

// Report logs r and reports its figures as benchmark metrics, with the
// rate-limit refusals m counted; it fails b when there were errors or the
// limit did not hold.
func ReportTo(b *testing.B, r Report, m *metrics.Metrics) {
	b.Helper()
	limited := Counter(m, metrics.NameRateLimited)
	r.Limited = int(limited)
	b.Logf("\n%sanswered ratio %.2f, rate-limit refusals counted by the metrics: %.0f", r, Gauge(m, metrics.NameAnsweredRatio), limited)
	b.ReportMetric(float64(r.P50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(r.P99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(r.Asked+r.FastAsked), "questions")
	b.ReportMetric(float64(r.Errors()), "errors")
	b.ReportMetric(limited, "rate-limited")
	b.ReportMetric(float64(r.PeakRSS>>20), "peak-RSS-MiB")
	b.ReportMetric(float64(r.Added), "docs-added")
	if r.Errors() > 0 {
		b.Errorf("%d errors, want 0", r.Errors())
	}
	if !r.LimitHolds() {
		b.Errorf("the per-user limit did not hold: a fast user got %d answers, the limit allows %d; %d refused", r.FastAnsweredMax, r.FastAllowed, r.Limited)
	}
}

// Counter returns the sum of the samples of counter family name in m.
func Counter(m *metrics.Metrics, name string) float64 {
	fams, err := m.Registry().Gather()
	if err != nil {
		return -1
	}
	sum := 0.0
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, s := range f.GetMetric() {
			sum += s.GetCounter().GetValue() + s.GetGauge().GetValue()
		}
	}
	return sum
}

// Gauge returns the value of gauge family name in m.
func Gauge(m *metrics.Metrics, name string) float64 { return Counter(m, name) }

// Bot is the bot a load benchmark runs: the real answer engine on ix, with
// a state database (feedback, subscriptions) closed when b ends, and
// metrics, which count the rate-limit refusals. Its logger shows warnings
// and errors only.
func Bot(b *testing.B, ix *index.Index) (*bot.Bot, *sqlite.DB, *metrics.Metrics, *slog.Logger) {
	b.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "state.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	m := metrics.New(nil)
	bt := bot.New(bot.NewAnswerer(ix, bot.AnswerOptions{}), ix)
	bt.Feedback, bt.Subscriptions, bt.Observer = st, st, m
	return bt, st, m, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
