// Package metrics is framebot's operator view: Prometheus collectors for
// questions, answer latency, the index, the corpus watcher, the chat
// adapters and feedback, and the /healthz and /readyz probes, served on a
// listener of their own (never the chat adapters' port).
//
// The bot package defines the Observer it reports questions to; this
// package implements it, so bot never imports Prometheus.
package metrics

import (
	"context"
	"log/slog"
	"math"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"framebot/bot"
)

// Metric names, for dashboards, alerts and tests.
const (
	NameQuestions       = "framebot_questions_total"
	NameAnsweredRatio   = "framebot_questions_answered_ratio"
	NameAnswerDuration  = "framebot_answer_duration_seconds"
	NameRateLimited     = "framebot_questions_rate_limited_total"
	NameBusy            = "framebot_requests_busy_total"
	NameDocuments       = "framebot_index_documents"
	NamePassages        = "framebot_index_passages"
	NameIndexBytes      = "framebot_index_size_bytes"
	NameLastUpdate      = "framebot_index_last_update_timestamp_seconds"
	NameIndexLag        = "framebot_index_lag_seconds"
	NameIndexReady      = "framebot_index_ready"
	NameAdapterUp       = "framebot_adapter_connected"
	NameFeedback        = "framebot_feedback_total"
	NameScrapeErrors    = "framebot_metrics_source_errors_total"
	outcomeAnswered     = "answered"
	outcomeUnanswered   = "unanswered"
	outcomeError        = "error"
	sourceTimeout       = 5 * time.Second
	defaultLatencyStart = 0.005
)

// Sources are where the metrics read the bot's state at each scrape. Nil
// fields are left out of the exposition.
type Sources struct {
	// Catalog gives the number of documents and passages and the index
	// size.
	Catalog bot.Catalog
	// LastUpdate says when the index last changed.
	LastUpdate func() time.Time
	// Lag is the indexing lag of the corpus watcher (live.Service.Lag).
	Lag func() time.Duration
	// Feedback gives the helpful and not helpful vote counts.
	Feedback bot.FeedbackStore
}

// Adapter is a chat adapter whose connection state is reported and
// needed for readiness.
type Adapter interface {
	// Platform names it ("slack", "matrix").
	Platform() string
	// Connected reports whether it receives events now.
	Connected() bool
}

// Saturation is an adapter that can report that its answer queue is full.
// It is optional: readiness asks the adapters that implement it.
type Saturation interface {
	// Saturated reports whether new requests are being turned away as busy.
	Saturated() bool
}

// Metrics holds the collectors and the readiness state. Create it with
// New; its methods are safe for concurrent use.
type Metrics struct {
	reg         *prometheus.Registry
	questions   *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	rateLimited *prometheus.CounterVec
	busy        *prometheus.CounterVec
	sourceErrs  *prometheus.CounterVec
	log         *slog.Logger

	mu         sync.Mutex
	src        Sources
	adapters   []Adapter
	indexReady bool
	answered   float64 // questions answered, for the ratio
	handled    float64 // questions answered or abstained on
}

var (
	_ bot.Observer     = (*Metrics)(nil)
	_ bot.BusyObserver = (*Metrics)(nil)
)

// New returns the collectors, registered in a registry of their own with
// the Go runtime and process collectors. log receives the errors of the
// sources (nil discards them).
func New(log *slog.Logger) *Metrics {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		log: log,
		questions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameQuestions,
			Help: "Questions handled by the answer engine, by platform and outcome (answered: passages quoted; unanswered: the bot abstained; error: the answer failed).",
		}, []string{"platform", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    NameAnswerDuration,
			Help:    "Time to work out an answer (search and ranking, not the chat platform's delivery), by platform.",
			Buckets: prometheus.ExponentialBucketsRange(defaultLatencyStart, 10, 12),
		}, []string{"platform"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameRateLimited,
			Help: "Questions refused because their user asked faster than the per-user limit, by platform.",
		}, []string{"platform"}),
		busy: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameBusy,
			Help: "Requests turned away with a \"busy, try again\" reply because the adapter's answer queue was full, by platform.",
		}, []string{"platform"}),
		sourceErrs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameScrapeErrors,
			Help: "Failures to read a metric's source (index statistics, feedback counts) during a scrape.",
		}, []string{"source"}),
	}
	m.reg.MustRegister(
		m.questions, m.latency, m.rateLimited, m.busy, m.sourceErrs,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: NameAnsweredRatio,
			Help: "Share of the questions since start that were answered with passages rather than abstained on (NaN before the first question).",
		}, m.answeredRatio),
		stateCollector{m},
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// ObserveQuestion counts a question and its latency (bot.Observer).
func (m *Metrics) ObserveQuestion(platform string, answered bool, d time.Duration) {
	outcome := outcomeUnanswered
	if answered {
		outcome = outcomeAnswered
	}
	m.questions.WithLabelValues(platform, outcome).Inc()
	m.latency.WithLabelValues(platform).Observe(d.Seconds())
	m.mu.Lock()
	m.handled++
	if answered {
		m.answered++
	}
	m.mu.Unlock()
}

// ObserveQuestionError counts a failed question (bot.Observer).
func (m *Metrics) ObserveQuestionError(platform string, _ time.Duration) {
	m.questions.WithLabelValues(platform, outcomeError).Inc()
}

// ObserveRateLimited counts a refused question (bot.Observer).
func (m *Metrics) ObserveRateLimited(platform string) {
	m.rateLimited.WithLabelValues(platform).Inc()
}

// ObserveBusy counts a request turned away because the answer queue was
// full (bot.BusyObserver).
func (m *Metrics) ObserveBusy(platform string) {
	m.busy.WithLabelValues(platform).Inc()
}

func (m *Metrics) answeredRatio() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.handled == 0 {
		return math.NaN()
	}
	return m.answered / m.handled
}

// SetSources sets where the index, watcher and feedback figures come from.
func (m *Metrics) SetSources(s Sources) {
	m.mu.Lock()
	m.src = s
	m.mu.Unlock()
}

// AddAdapter reports a's connection state and makes readiness wait for it.
func (m *Metrics) AddAdapter(a Adapter) {
	m.mu.Lock()
	m.adapters = append(m.adapters, a)
	m.mu.Unlock()
}

// SetIndexReady records that the index is loaded and in step with the
// corpus, so questions can be answered.
func (m *Metrics) SetIndexReady() {
	m.mu.Lock()
	m.indexReady = true
	m.mu.Unlock()
}

// Check is one readiness condition and its state.
type Check struct {
	Name string
	OK   bool
	// Detail says what is awaited when not OK.
	Detail string
}

// Readiness returns the readiness conditions: the index, then each adapter
// in the order added. The bot is ready when all are OK.
func (m *Metrics) Readiness() (ready bool, checks []Check) {
	m.mu.Lock()
	indexReady, adapters := m.indexReady, append([]Adapter(nil), m.adapters...)
	m.mu.Unlock()
	ready = indexReady
	c := Check{Name: "index", OK: indexReady}
	if !indexReady {
		c.Detail = "loading"
	}
	checks = append(checks, c)
	for _, a := range adapters {
		ok := a.Connected()
		c := Check{Name: a.Platform(), OK: ok}
		if !ok {
			c.Detail = "not connected"
		} else if s, isSat := a.(Saturation); isSat && s.Saturated() {
			ok, c.OK = false, false
			c.Detail = "saturated: the answer queue is full and new requests are told to try again"
		}
		checks = append(checks, c)
		ready = ready && ok
	}
	return ready, checks
}

// Registry returns the registry the collectors are in, for tests and for
// registering more collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Paths served by Handler.
const (
	PathMetrics = "/metrics"
	PathHealthz = "/healthz"
	PathReadyz  = "/readyz"
)

// Handler serves /metrics (Prometheus text format), /healthz (200 while
// the process serves) and /readyz (200 once the index is loaded and every
// adapter is connected and not saturated, else 503, with one line per
// condition).
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET "+PathMetrics, promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(m.log.Handler(), slog.LevelError),
		ErrorHandling: promhttp.ContinueOnError,
	}))
	mux.HandleFunc("GET "+PathHealthz, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET "+PathReadyz, func(w http.ResponseWriter, _ *http.Request) {
		ready, checks := m.Readiness()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if !ready {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		for _, c := range checks {
			line := "ok " + c.Name
			if !c.OK {
				line = "waiting " + c.Name + ": " + c.Detail
			}
			_, _ = w.Write([]byte(line + "\n"))
		}
	})
	return mux
}

// stateCollector reads the index, watcher, adapter and feedback figures at
// each scrape, so they are never stale.
type stateCollector struct{ m *Metrics }

var (
	descDocuments  = prometheus.NewDesc(NameDocuments, "Documents in the index.", nil, nil)
	descPassages   = prometheus.NewDesc(NamePassages, "Passages in the index.", nil, nil)
	descIndexBytes = prometheus.NewDesc(NameIndexBytes, "Size of the index folder on disk.", nil, nil)
	descLastUpdate = prometheus.NewDesc(NameLastUpdate, "When the index last changed (Unix time; absent while it never did).", nil, nil)
	descLag        = prometheus.NewDesc(NameIndexLag, "How long the corpus changes being indexed have waited since the watcher handed them over (0 when all are indexed).", nil, nil)
	descReady      = prometheus.NewDesc(NameIndexReady, "1 once the index is loaded and answers questions.", nil, nil)
	descAdapter    = prometheus.NewDesc(NameAdapterUp, "1 while the chat adapter is connected and receiving events.", []string{"adapter"}, nil)
	descFeedback   = prometheus.NewDesc(NameFeedback, "Feedback votes on answers recorded in the state database, by vote.", []string{"helpful"}, nil)
)

func (c stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descDocuments, descPassages, descIndexBytes, descLastUpdate, descLag, descReady, descAdapter, descFeedback} {
		ch <- d
	}
}

func (c stateCollector) Collect(ch chan<- prometheus.Metric) {
	m := c.m
	m.mu.Lock()
	src, indexReady, adapters := m.src, m.indexReady, append([]Adapter(nil), m.adapters...)
	m.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), sourceTimeout)
	defer cancel()

	ch <- prometheus.MustNewConstMetric(descReady, prometheus.GaugeValue, boolValue(indexReady))
	if src.Catalog != nil {
		docs, passages, size, err := src.Catalog.Stats(ctx)
		if err != nil {
			m.sourceErrs.WithLabelValues("index").Inc()
			m.log.Warn("metrics: index statistics unavailable", "error", err.Error())
		} else {
			ch <- prometheus.MustNewConstMetric(descDocuments, prometheus.GaugeValue, float64(docs))
			ch <- prometheus.MustNewConstMetric(descPassages, prometheus.GaugeValue, float64(passages))
			ch <- prometheus.MustNewConstMetric(descIndexBytes, prometheus.GaugeValue, float64(size))
		}
	}
	if src.LastUpdate != nil {
		if t := src.LastUpdate(); !t.IsZero() {
			ch <- prometheus.MustNewConstMetric(descLastUpdate, prometheus.GaugeValue, float64(t.UnixNano())/1e9)
		}
	}
	if src.Lag != nil {
		ch <- prometheus.MustNewConstMetric(descLag, prometheus.GaugeValue, src.Lag().Seconds())
	}
	sort.SliceStable(adapters, func(i, j int) bool { return adapters[i].Platform() < adapters[j].Platform() })
	for _, a := range adapters {
		ch <- prometheus.MustNewConstMetric(descAdapter, prometheus.GaugeValue, boolValue(a.Connected()), a.Platform())
	}
	if src.Feedback != nil {
		helpful, notHelpful, err := src.Feedback.FeedbackCounts(ctx)
		if err != nil {
			m.sourceErrs.WithLabelValues("feedback").Inc()
			m.log.Warn("metrics: feedback counts unavailable", "error", err.Error())
		} else {
			ch <- prometheus.MustNewConstMetric(descFeedback, prometheus.CounterValue, float64(helpful), strconv.FormatBool(true))
			ch <- prometheus.MustNewConstMetric(descFeedback, prometheus.CounterValue, float64(notHelpful), strconv.FormatBool(false))
		}
	}
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
