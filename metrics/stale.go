package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"framebot/bot"
)

// Names of the stale-answer metrics.
const (
	NameAnswersStale    = "framebot_answers_stale_total"
	NameStaleEditsSent  = "framebot_stale_edits_sent_total"
	NameStaleEditFailed = "framebot_stale_edits_failed_total"
)

// StaleMetrics counts what the stale-answer machinery does; it is a
// bot.StaleObserver.
type StaleMetrics struct {
	stale  prometheus.Counter
	sent   *prometheus.CounterVec
	failed *prometheus.CounterVec
}

var _ bot.StaleObserver = (*StaleMetrics)(nil)

// Stale registers the stale-answer counters in m's registry and returns
// them. Call it once.
func (m *Metrics) Stale() *StaleMetrics {
	s := &StaleMetrics{
		stale: prometheus.NewCounter(prometheus.CounterOpts{
			Name: NameAnswersStale,
			Help: "Earlier answers marked stale because a document they quoted changed or was removed.",
		}),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameStaleEditsSent,
			Help: "Edits of stale answers delivered, by platform.",
		}, []string{"platform"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameStaleEditFailed,
			Help: "Failed attempts to edit a stale answer (each is retried with backoff, up to a limit), by platform.",
		}, []string{"platform"}),
	}
	m.reg.MustRegister(s.stale, s.sent, s.failed)
	return s
}

// AnswersStale counts n answers newly marked stale.
func (s *StaleMetrics) AnswersStale(n int) { s.stale.Add(float64(n)) }

// StaleEditSent counts an edit delivered on platform.
func (s *StaleMetrics) StaleEditSent(platform string) { s.sent.WithLabelValues(platform).Inc() }

// StaleEditFailed counts a failed edit on platform.
func (s *StaleMetrics) StaleEditFailed(platform string) { s.failed.WithLabelValues(platform).Inc() }
