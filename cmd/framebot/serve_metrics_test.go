package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// listenAddr waits until serve's log (in stderr) says that the listener
// logged as msg is listening, and returns its address. The test gives
// serve port 0 and reads the port it got: a port found free beforehand
// can be taken by another test's connection before serve binds it.
func listenAddr(t *testing.T, stderr *syncBuffer, msg string, done <-chan error) string {
	t.Helper()
	re := regexp.MustCompile(`msg="` + regexp.QuoteMeta(msg) + `".* addr=(\S+)`)
	var addr string
	whileServing(t, done, func() (bool, string) {
		m := re.FindStringSubmatch(stderr.String())
		if m == nil {
			return false, fmt.Sprintf("serve has not logged %q:\n%s", msg, stderr.String())
		}
		addr = m[1]
		return true, ""
	})
	return addr
}

// probeClient gives up on a listener that accepts and never answers.
var probeClient = &http.Client{Timeout: 10 * time.Second}

// probe GETs url and returns its status and body; status 0 when nothing
// answers within probeClient's timeout.
func probe(url string) (int, string) {
	resp, err := probeClient.Get(url)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// waitProbe polls url until its status is want; done is the server's
// end, as in waitUntil.
func waitProbe(t *testing.T, url string, want int, done <-chan error) string {
	t.Helper()
	return waitUntil(t, url, func(code int, _ string) bool { return code == want }, done)
}

// TestServeReportsReadinessAndMetrics runs framebot serve with the metrics
// listener and the Slack adapter in HTTP mode, against a local stand-in
// for Slack's auth.test that answers only when the test lets it: /readyz
// is 503 while Slack has not accepted the token, then 200, and /metrics
// reports the index and the adapter.
func TestServeReportsReadinessAndMetrics(t *testing.T) {
	release := make(chan struct{})
	slackAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/auth.test" {
			http.NotFound(w, r)
			return
		}
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "team_id": "TFAKE", "user_id": "UFRAMEBOT", "bot_id": "BFRAMEBOT"})
	}))
	defer slackAPI.Close()
	t.Setenv("FRAMEBOT_TEST_METRICS_BOT", "xoxb-test-token")
	t.Setenv("FRAMEBOT_TEST_METRICS_SECRET", "test-signing-secret")

	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.yaml")
	cfg := fmt.Sprintf(`data_dir: %s
metrics:
  listen: %q
slack:
  enabled: true
  mode: http
  listen: %q
  bot_token_env: FRAMEBOT_TEST_METRICS_BOT
  signing_secret_env: FRAMEBOT_TEST_METRICS_SECRET
  api_url: %s/api/
`, filepath.Join(dir, "data"), "127.0.0.1:0", "127.0.0.1:0", slackAPI.URL)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	var stderr syncBuffer
	go func() { done <- cmdServe(ctx, []string{"--config", cfgPath}, nil, io.Discard, &stderr) }()

	base := "http://" + listenAddr(t, &stderr, "metrics listening", done)
	waitProbe(t, base+"/healthz", http.StatusOK, done)
	// The index loads, but Slack has not answered auth.test yet.
	waitProbe(t, base+"/readyz", http.StatusServiceUnavailable, done)
	body := waitUntil(t, base+"/readyz", func(code int, body string) bool {
		return code == http.StatusServiceUnavailable && strings.Contains(body, "ok index")
	}, done)
	if diff := cmp.Diff("ok index\nwaiting slack: not connected\n", body); diff != "" {
		t.Errorf("/readyz before Slack answers (-want +got):\n%s", diff)
	}
	close(release)
	if diff := cmp.Diff("ok index\nok slack\n", waitProbe(t, base+"/readyz", http.StatusOK, done)); diff != "" {
		t.Errorf("/readyz once connected (-want +got):\n%s", diff)
	}
	_, metrics := probe(base + "/metrics")
	for _, want := range []string{
		`framebot_adapter_connected{adapter="slack"} 1`,
		"framebot_index_ready 1",
		"framebot_index_documents ",
		"framebot_index_passages ",
		`framebot_feedback_total{helpful="true"} 0`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	// The chat listener does not serve the operator's paths.
	slackAddr := listenAddr(t, &stderr, "slack http endpoints listening", done)
	if code, _ := probe("http://" + slackAddr + "/metrics"); code == http.StatusOK {
		t.Error("the Slack listener serves /metrics")
	}

	cancel()
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	if code, _ := probe(base + "/healthz"); code != 0 {
		t.Errorf("/healthz answers %d after serve stopped", code)
	}
}

// waitUntil polls url until ok holds for its status and body, and returns
// the body.
func waitUntil(t *testing.T, url string, ok func(code int, body string) bool, done <-chan error) string {
	t.Helper()
	var body string
	whileServing(t, done, func() (bool, string) {
		var code int
		code, body = probe(url)
		return ok(code, body), fmt.Sprintf("GET %s: still %d %q", url, code, body)
	})
	return body
}

// whileServing calls check every 20 ms until it holds, for at most a
// minute; then the test fails with check's last word on the state. done
// yields when the server under test returns: the test then fails at once
// with the server's error rather than polling on (a CI run once saw only
// "still 0" after 60 s).
func whileServing(t *testing.T, done <-chan error, check func() (ok bool, state string)) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, state := check()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(state)
		}
		select {
		case err := <-done:
			t.Fatalf("%s, and the server stopped: %v", state, err)
		case <-tick.C:
		}
	}
}

func TestMetricsListenIsValidated(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"empty turns the listener off", Config{}, ""},
		{"a port of its own", Config{Metrics: MetricsConfig{Listen: "127.0.0.1:9090"}}, ""},
		{"not host:port", Config{Metrics: MetricsConfig{Listen: "9090"}}, `listen: "9090" is not host:port`},
		{"Slack's HTTP port", Config{Metrics: MetricsConfig{Listen: ":3000"}}, "port 3000 is slack.listen's"},
		{"any free port, as Slack's", Config{Metrics: MetricsConfig{Listen: "127.0.0.1:0"}}, ""},
	}
	tests[3].cfg.Slack.Enabled, tests[3].cfg.Slack.Mode = true, "http"
	tests[4].cfg.Slack.Enabled, tests[4].cfg.Slack.Mode, tests[4].cfg.Slack.Listen = true, "http", "127.0.0.1:0"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Metrics.Validate(tt.cfg.Slack)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if tt.wantErr == "" && got != "" || !strings.Contains(got, tt.wantErr) {
				t.Errorf("Validate() = %q, want %q", got, tt.wantErr)
			}
		})
	}
}
