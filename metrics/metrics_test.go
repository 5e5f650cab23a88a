package metrics_test

import (
	"context"
	"errors"
	"framebot/internal/testbot"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"framebot/bot"
	"framebot/index"
	"framebot/metrics"
	"framebot/sqlite"
)

// fakeAdapter is an adapter whose connection the test switches.
type fakeAdapter struct {
	name string
	up   atomic.Bool
}

func (f *fakeAdapter) Platform() string { return f.name }
func (f *fakeAdapter) Connected() bool  { return f.up.Load() }

// saturatingAdapter also reports whether its queue is full.
type saturatingAdapter struct {
	fakeAdapter
	full atomic.Bool
}

func (s *saturatingAdapter) Saturated() bool { return s.full.Load() }

// realBot indexes the embedded corpus and returns a bot reporting to m,
// with a state database holding feedback votes.
func realBot(t *testing.T, m *metrics.Metrics) (*bot.Bot, *index.Index, *sqlite.DB) {
	t.Helper()
	ctx := context.Background()
	ix := testbot.Index(t)
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	b := testbot.Bot(ix)
	b.Feedback = st
	b.Observer = m
	return b, ix, st
}

// scrape fetches /metrics and parses it.
func scrape(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, metrics.PathMetrics, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d\n%s", rec.Code, rec.Body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

// value returns the value of the family's sample whose labels include
// labels ("k=v" pairs), and whether there is one.
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) (float64, bool) {
	f, ok := fams[name]
	if !ok {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for _, kv := range labels {
			k, v, _ := strings.Cut(kv, "=")
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		}
	}
	return 0, false
}

func TestMetricsExposeEachFigureAfterAQuestion(t *testing.T) {
	ctx := context.Background()
	m := metrics.New(nil)
	b, ix, st := realBot(t, m)
	slackAd := &fakeAdapter{name: "slack"}
	slackAd.up.Store(true)
	m.AddAdapter(slackAd)
	m.AddAdapter(&fakeAdapter{name: "matrix"})
	m.SetSources(metrics.Sources{Catalog: ix, LastUpdate: ix.LastUpdate, Feedback: st, Lag: func() time.Duration { return 1500 * time.Millisecond }})
	m.SetIndexReady()
	for _, helpful := range []bool{true, true, false} {
		if err := st.RecordFeedback(ctx, bot.Feedback{Platform: "slack", User: "U1", Channel: "C1", Question: "q", Helpful: helpful, At: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}

	rep, err := b.Ask(ctx, bot.Request{Platform: "slack", User: "U1", Text: "What guarantees does the plan give?"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Answer == nil || !rep.Answer.Answered {
		t.Fatalf("the question was not answered: %+v", rep)
	}
	if _, err := b.Ask(ctx, bot.Request{Platform: "matrix", User: "@u:x", Text: "zzyzx qwrtp flibbertigibbet"}); err != nil {
		t.Fatal(err)
	}
	b.NoteRateLimited("slack")
	b.NoteBusy("slack")
	b.NoteBusy("slack")
	docs, passages, _, err := ix.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}

	fams := scrape(t, m.Handler())
	type sample struct {
		name   string
		labels []string
	}
	tests := []struct {
		sample
		want float64
	}{
		{sample{metrics.NameQuestions, []string{"platform=slack", "outcome=answered"}}, 1},
		{sample{metrics.NameQuestions, []string{"platform=matrix", "outcome=unanswered"}}, 1},
		{sample{metrics.NameAnsweredRatio, nil}, 0.5},
		{sample{metrics.NameAnswerDuration, []string{"platform=slack"}}, 1}, // observations
		{sample{metrics.NameRateLimited, []string{"platform=slack"}}, 1},
		{sample{metrics.NameBusy, []string{"platform=slack"}}, 2},
		{sample{metrics.NameDocuments, nil}, float64(docs)},
		{sample{metrics.NamePassages, nil}, float64(passages)},
		{sample{metrics.NameIndexLag, nil}, 1.5},
		{sample{metrics.NameIndexReady, nil}, 1},
		{sample{metrics.NameAdapterUp, []string{"adapter=slack"}}, 1},
		{sample{metrics.NameAdapterUp, []string{"adapter=matrix"}}, 0},
		{sample{metrics.NameFeedback, []string{"helpful=true"}}, 2},
		{sample{metrics.NameFeedback, []string{"helpful=false"}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name+"{"+strings.Join(tt.labels, ",")+"}", func(t *testing.T) {
			got, ok := value(fams, tt.name, tt.labels...)
			if !ok {
				t.Fatalf("%s%v is not exposed", tt.name, tt.labels)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s%v (-want +got):\n%s", tt.name, tt.labels, diff)
			}
		})
	}
	// Figures whose exact value depends on the disk and the clock: present
	// and plausible.
	if got, ok := value(fams, metrics.NameIndexBytes); !ok || got <= 0 {
		t.Errorf("%s = %v (exposed %v), want > 0", metrics.NameIndexBytes, got, ok)
	}
	if got, ok := value(fams, metrics.NameLastUpdate); !ok || time.Since(time.Unix(int64(got), 0)) > time.Hour {
		t.Errorf("%s = %v (exposed %v), want about now", metrics.NameLastUpdate, got, ok)
	}
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes"} {
		if _, ok := fams[name]; !ok {
			t.Errorf("%s is not exposed", name)
		}
	}
}

func TestFailedQuestionIsCountedAsAnError(t *testing.T) {
	m := metrics.New(nil)
	ix := failingSearcher{}
	b := bot.New(bot.NewAnswerer(ix, bot.AnswerOptions{}), nil)
	b.Observer = m
	if _, err := b.Ask(context.Background(), bot.Request{Platform: "console", Text: "what guarantees?"}); err == nil {
		t.Fatal("Ask succeeded on a failing index")
	}
	fams := scrape(t, m.Handler())
	if got, _ := value(fams, metrics.NameQuestions, "platform=console", "outcome=error"); got != 1 {
		t.Errorf("errors counted = %v, want 1", got)
	}
	if _, ok := value(fams, metrics.NameAnswerDuration, "platform=console"); ok {
		t.Error("a failed question was observed as an answer latency")
	}
}

type failingSearcher struct{}

func (failingSearcher) Search(context.Context, string, int) (*bot.SearchResult, error) {
	return nil, io.ErrUnexpectedEOF
}

// get fetches path from h and returns the status and body.
func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

func TestReadyzWaitsForTheIndexAndEveryAdapter(t *testing.T) {
	m := metrics.New(nil)
	h := m.Handler()
	sat := &saturatingAdapter{fakeAdapter: fakeAdapter{name: "slack"}}
	slackAd, matrixAd := &sat.fakeAdapter, &fakeAdapter{name: "matrix"}
	m.AddAdapter(sat)
	m.AddAdapter(matrixAd)
	type probe struct {
		Code int
		Body string
	}
	steps := []struct {
		name   string
		change func()
		want   probe
	}{
		{"before the index is loaded it is not ready", func() {},
			probe{503, "waiting index: loading\nwaiting slack: not connected\nwaiting matrix: not connected\n"}},
		{"with the index loaded it waits for the adapters", m.SetIndexReady,
			probe{503, "ok index\nwaiting slack: not connected\nwaiting matrix: not connected\n"}},
		{"with one adapter connected it waits for the other", func() { slackAd.up.Store(true) },
			probe{503, "ok index\nok slack\nwaiting matrix: not connected\n"}},
		{"with every adapter connected it is ready", func() { matrixAd.up.Store(true) },
			probe{200, "ok index\nok slack\nok matrix\n"}},
		{"a saturated adapter makes it unready", func() { sat.full.Store(true) },
			probe{503, "ok index\nwaiting slack: saturated: the answer queue is full and new requests are told to try again\nok matrix\n"}},
		{"it is ready again once the queue drains", func() { sat.full.Store(false) },
			probe{200, "ok index\nok slack\nok matrix\n"}},
		{"an adapter that loses its connection makes it unready", func() { slackAd.up.Store(false) },
			probe{503, "ok index\nwaiting slack: not connected\nok matrix\n"}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.change()
			code, body := get(t, h, metrics.PathReadyz)
			if diff := cmp.Diff(s.want, probe{code, body}); diff != "" {
				t.Errorf("GET /readyz (-want +got):\n%s", diff)
			}
			if code, _ := get(t, h, metrics.PathHealthz); code != http.StatusOK {
				t.Errorf("GET /healthz = %d, want 200 whatever the readiness", code)
			}
		})
	}
}

func TestServerServesUntilTheContextEnds(t *testing.T) {
	m := metrics.New(nil)
	srv, err := metrics.Listen("127.0.0.1:0", m.Handler(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	url := "http://" + srv.Addr().String()
	for _, tt := range []struct {
		path string
		want int
	}{
		{metrics.PathHealthz, 200},
		{metrics.PathReadyz, 503},
		{metrics.PathMetrics, 200},
		{"/slack/events", 404},
	} {
		resp, err := http.Get(url + tt.path)
		if err != nil {
			t.Fatalf("GET %s: %v", tt.path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("GET %s = %d, want %d", tt.path, resp.StatusCode, tt.want)
		}
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if _, err := http.Get(url + metrics.PathHealthz); err == nil {
		t.Error("the listener still serves after Run returned")
	}
}
