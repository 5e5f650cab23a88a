//go:build goolm

package matrix

import (
	"context"
	"testing"
	"time"

	"framebot/internal/dendritetest"
)

// TestConnectedFollowsTheSync checks the connection state the metrics and
// /readyz report: connected after the first sync, not while the homeserver
// is down, connected again once it is back, and not after Run returns.
func TestConnectedFollowsTheSync(t *testing.T) {
	srv := dendritetest.Start(t)
	srv.CreateAccount(t, "framebot", "framebot-password", false)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	state := openState(t, "state.db")
	botID, token, _ := srv.Login(t, "framebot", "framebot-password")
	no := false
	cfg := Config{Homeserver: srv.URL(), UserID: botID, AccessToken: token, Encryption: &no, Workers: 1}
	run := startAdapter(t, ctx, cfg, newBot(t, state), state)
	if !run.a.Connected() {
		t.Fatal("not connected after the first sync")
	}
	srv.Stop(t)
	poll(t, "disconnected while the homeserver is down", func() bool { return !run.a.Connected() })
	srv.Restart(t)
	poll(t, "connected again", run.a.Connected)
	run.stop(t)
	if run.a.Connected() {
		t.Error("Connected() after Run returned")
	}
}
