package live

import (
	"sync"
	"time"
)

// lagClock remembers since when the service has been applying a batch.
type lagClock struct {
	mu    sync.Mutex
	since time.Time // zero when idle
}

func (c *lagClock) start(now time.Time) {
	c.mu.Lock()
	c.since = now
	c.mu.Unlock()
}

func (c *lagClock) done() {
	c.mu.Lock()
	c.since = time.Time{}
	c.mu.Unlock()
}

// Lag returns the indexing lag: how long the batch of corpus changes being
// applied has waited since the watcher handed it over, or 0 when every
// change handed over is in the index. Changes that arrive meanwhile wait
// for that batch, so the lag bounds their wait too. It is safe to call
// from any goroutine.
func (s *Service) Lag() time.Duration {
	return s.lag.at(time.Now())
}

func (c *lagClock) at(now time.Time) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.since.IsZero() {
		return 0
	}
	return max(now.Sub(c.since), 0)
}
