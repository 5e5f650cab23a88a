package live

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLagIsTheAgeOfTheBatchBeingApplied(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var c lagClock
	steps := []struct {
		name string
		do   func()
		at   time.Time
		want time.Duration
	}{
		{"idle before any batch", func() {}, t0, 0},
		{"a batch taken at t0, 3 s later", func() { c.start(t0) }, t0.Add(3 * time.Second), 3 * time.Second},
		{"a clock that went back", func() {}, t0.Add(-time.Second), 0},
		{"idle once applied", c.done, t0.Add(5 * time.Second), 0},
	}
	for _, s := range steps {
		s.do()
		if diff := cmp.Diff(s.want, c.at(s.at)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", s.name, diff)
		}
	}
}
