package slack

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"framebot/metrics"
)

// slashForm is a signed slash command's form body.
func slashForm(f *fakeSlack, channel, user, text string) string {
	return url.Values{"command": {"/framework"}, "text": {text}, "channel_id": {channel}, "user_id": {user}, "response_url": {f.responseURL(channel)}, "trigger_id": {"1"}}.Encode()
}

// ackResult is what one slash command got back from the adapter.
type ackResult struct {
	code int
	body string
	err  error
	took time.Duration
}

// parallelSlash sends n signed slash commands at once and returns what each
// got back. The client gives up after 20 s, so a stalled acknowledgement
// shows as an error instead of hanging the test.
func (h *harness) parallelSlash(n int, now time.Time) []ackResult {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	addr := h.a.Addr(ctx)
	if addr == nil {
		h.t.Fatal("adapter is not listening")
	}
	client := &http.Client{Timeout: 20 * time.Second}
	out := make([]ackResult, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			form := slashForm(h.f, "C1", fmt.Sprintf("U%03d", i), "help")
			req, err := http.NewRequest(http.MethodPost, "http://"+addr.String()+CommandsPath, strings.NewReader(form))
			if err != nil {
				out[i].err = err
				return
			}
			req.Header = signed(testSecret, now, form)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			start := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				out[i].err = err
				return
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			out[i] = ackResult{code: resp.StatusCode, body: string(b), err: err, took: time.Since(start)}
		}()
	}
	wg.Wait()
	client.CloseIdleConnections()
	return out
}

// TestSlashAcksCompleteWhileWorkersAreStuck reproduces the stall of issue
// 12: with the response_url not answering, the one worker and its queue
// fill up, and every later slash command must still get a complete HTTP
// response: an empty 200 when it was queued, the ephemeral "busy" reply
// when the queue was full.
func TestSlashAcksCompleteWhileWorkersAreStuck(t *testing.T) {
	now := time.Now()
	m := metrics.New(nil)
	h := start(t, harnessOpts{cfg: Config{Mode: ModeHTTP, Workers: 1, Queue: 4}, now: func() time.Time { return now }, observer: m})
	m.AddAdapter(h.a)
	m.SetIndexReady()
	if h.a.Addr(t.Context()) == nil {
		t.Fatal("not listening")
	}
	if ready, _ := m.Readiness(); !ready {
		t.Fatal("not ready before the load")
	}
	release := h.f.holdResponses()
	defer release()

	res := h.parallelSlash(100, now)
	queued, busy := 0, 0
	var slowest time.Duration
	for i, r := range res {
		slowest = max(slowest, r.took)
		switch {
		case r.err != nil:
			t.Errorf("command %d: no complete response: %v", i, r.err)
		case r.code != http.StatusOK:
			t.Errorf("command %d: status %d", i, r.code)
		case r.body == "":
			queued++
		case strings.Contains(r.body, `"response_type":"ephemeral"`) && strings.Contains(r.body, msgBusy):
			busy++
		default:
			t.Errorf("command %d: unexpected body %q", i, r.body)
		}
	}
	t.Logf("slowest complete acknowledgement of 100 parallel commands: %v", slowest)
	// The worker may or may not have taken its first job off the queue
	// before the queue filled: 4 or 5 were accepted.
	if queued < 4 || queued > 5 || queued+busy != 100 {
		t.Errorf("%d queued and %d told busy, want 4 or 5 queued and the rest busy", queued, busy)
	}
	if got := counterSum(t, m, metrics.NameBusy); got != float64(busy) {
		t.Errorf("%s = %v, want %d", metrics.NameBusy, got, busy)
	}
	ready, checks := m.Readiness()
	if ready || checks[1].OK || !strings.Contains(checks[1].Detail, "saturated") {
		t.Errorf("readiness with a full queue = %v %+v, want not ready: saturated", ready, checks)
	}
	// Once the response_url answers again, every queued command is
	// answered.
	release()
	h.f.waitFor(fmt.Sprintf("%d answers", queued), func() bool { return h.f.calls["response_url"] >= queued })
	t.Log("answered")
}

// counterSum returns the sum of the counter name over its labels.
func counterSum(t *testing.T, m *metrics.Metrics, name string) float64 {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, f := range fams {
		if f.GetName() == name {
			for _, x := range f.GetMetric() {
				sum += x.GetCounter().GetValue()
			}
		}
	}
	return sum
}

// TestSocketModeNeverWaitsOnFullQueue checks the same over Socket Mode:
// with the workers stuck, every envelope is still acknowledged, a slash
// command that finds the queue full gets the busy reply in its ack, and a
// mention gets it privately.
func TestSocketModeNeverWaitsOnFullQueue(t *testing.T) {
	h := start(t, harnessOpts{cfg: Config{Workers: 1, Queue: 1}})
	release := h.f.holdResponses()
	defer release()
	var ids []string
	for i := range 10 {
		ids = append(ids, h.f.send("slash_commands", map[string]any{
			"team_id": "TFAKE", "channel_id": "C1", "user_id": fmt.Sprintf("U%d", i), "command": "/framework",
			"text": "help", "response_url": h.f.responseURL("C1"), "trigger_id": "1", "api_app_id": "AFAKE",
		}))
	}
	for _, id := range ids {
		h.f.waitAck(id)
	}
	h.f.mu.Lock()
	busy := 0
	for _, id := range ids {
		if b := h.f.ackBody[id]; b != "" {
			if !strings.Contains(b, msgBusy) || !strings.Contains(b, `"ephemeral"`) {
				t.Errorf("ack payload %s, want the ephemeral busy reply", b)
			}
			busy++
		}
	}
	h.f.mu.Unlock()
	if busy < 8 {
		t.Errorf("%d of 10 commands told busy, want at least 8 (one worker, a queue of one)", busy)
	}
	// A mention while the queue is full is acknowledged and told, in
	// private, to try again.
	h.mention("C1", "1700009000.000100", "", question)
	p := h.f.waitPosts(1)[0]
	if p.Via != "chat.postEphemeral" || p.Text != msgBusy || p.User != "UALICE" {
		t.Errorf("reply to a mention on a full queue = %+v, want the busy reply to UALICE", p)
	}
}
