// Package wait polls a condition with a deadline, the way tests wait for
// something to happen instead of sleeping a fixed time.
package wait

import (
	"testing"
	"time"
)

// For checks cond every interval until it holds, and fails tb when it still
// does not after timeout; what names the awaited thing in the failure.
func For(tb testing.TB, what string, timeout, interval time.Duration, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}
