package slack

import (
	"testing"
	"time"
)

// waitConnected polls a.Connected until it is want.
func waitConnected(t *testing.T, a *Adapter, want bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for a.Connected() != want {
		if time.Now().After(deadline) {
			t.Fatalf("Connected() stayed %v, want %v", !want, want)
		}
		<-tick.C
	}
}

func TestConnectedFollowsTheSocket(t *testing.T) {
	h := start(t, harnessOpts{})
	waitConnected(t, h.a, true)
	h.f.drop()
	h.f.waitConnects(2)
	waitConnected(t, h.a, true)
	stopAndKeep(h)
	if h.a.Connected() {
		t.Error("Connected() after Run returned")
	}
}

func TestConnectedInHTTPModeOnceServing(t *testing.T) {
	h := start(t, harnessOpts{cfg: Config{Mode: ModeHTTP}})
	waitConnected(t, h.a, true)
	stopAndKeep(h)
	if h.a.Connected() {
		t.Error("Connected() after Run returned")
	}
}

// stopAndKeep cancels the adapter and waits for Run, leaving its result for
// the harness's own cleanup.
func stopAndKeep(h *harness) {
	h.cancel()
	err := <-h.done
	h.done <- err
}
