package metrics_test

import (
	"testing"

	"framebot/metrics"
)

func TestStaleMetricsCountAnswersAndEdits(t *testing.T) {
	m := metrics.New(nil)
	s := m.Stale()
	s.AnswersStale(3)
	s.StaleEditSent("slack")
	s.StaleEditSent("slack")
	s.StaleEditFailed("matrix")
	fams := scrape(t, m.Handler())
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{metrics.NameAnswersStale, nil, 3},
		{metrics.NameStaleEditsSent, []string{"platform=slack"}, 2},
		{metrics.NameStaleEditFailed, []string{"platform=matrix"}, 1},
	} {
		if got, ok := value(fams, c.name, c.labels...); !ok || got != c.want {
			t.Errorf("%s %v = %v (present %v), want %v", c.name, c.labels, got, ok, c.want)
		}
	}
}
