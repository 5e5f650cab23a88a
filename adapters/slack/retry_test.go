package slack

import (
	"context"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"framebot/bot"
	"framebot/internal/testbot"
	"framebot/sqlite"
)

// starting is an adapter whose Run the test drives by hand, recording the
// waits of its retries.
type starting struct {
	a      *Adapter
	mu     sync.Mutex
	sleeps []time.Duration
}

// newStarting builds an HTTP-mode adapter talking to apiURL with bot token
// token; onSleep, when not nil, is called at each wait with their count.
func newStarting(t *testing.T, apiURL, token string, onSleep func(n int)) *starting {
	t.Helper()
	t.Setenv("FRAMEBOT_TEST_SLACK_BOT", token)
	t.Setenv("FRAMEBOT_TEST_SLACK_SECRET", testSecret)
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	b := bot.New(bot.NewAnswerer(testbot.Shared(t), bot.AnswerOptions{}), testbot.Shared(t))
	cfg := Config{Enabled: true, Mode: ModeHTTP, Listen: "127.0.0.1:0", BotTokenEnv: "FRAMEBOT_TEST_SLACK_BOT", SigningSecretEnv: "FRAMEBOT_TEST_SLACK_SECRET", APIURL: apiURL}
	a, err := New(cfg, Deps{Bot: b, Store: db})
	if err != nil {
		t.Fatal(err)
	}
	s := &starting{a: a}
	a.sleep = func(ctx context.Context, d time.Duration) error {
		s.mu.Lock()
		s.sleeps = append(s.sleeps, d)
		n := len(s.sleeps)
		s.mu.Unlock()
		if a.Connected() {
			t.Error("Connected() while Slack is unreachable")
		}
		if onSleep != nil {
			onSleep(n)
		}
		return ctx.Err()
	}
	return s
}

func TestStartRetriesWhileSlackIsUnreachable(t *testing.T) {
	// A port nobody listens on: connection refused.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String() + "/api/"
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := newStarting(t, dead, fakeBotToken, func(n int) {
		if n == 8 {
			cancel()
		}
	})
	err = s.a.Run(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want it to keep retrying until cancelled", err)
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second, 30 * time.Second}
	if diff := cmp.Diff(want, s.sleeps); diff != "" {
		t.Errorf("waits between attempts (-want +got):\n%s", diff)
	}
}

// TestStartWaitsOutServerErrorsThenConnects: two 503s and an ok:false
// internal_error are waited out.
func TestStartWaitsOutServerErrorsThenConnects(t *testing.T) {
	f := newFakeSlack(t)
	f.failNext("auth.test", 2)
	f.mu.Lock()
	f.internal["auth.test"] = 1
	f.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := newStarting(t, f.srv.URL+"/api/", fakeBotToken, nil)
	done := make(chan error, 1)
	go func() { done <- s.a.Run(ctx) }()
	if s.a.Addr(ctx) == nil {
		t.Fatal("never listened")
	}
	if !s.a.Connected() {
		t.Error("not connected once auth.test succeeded")
	}
	cancel()
	<-done
	if diff := cmp.Diff([]time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, s.sleeps); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestStartStopsOnARefusedTokenNamingTheVariable(t *testing.T) {
	f := newFakeSlack(t)
	s := newStarting(t, f.srv.URL+"/api/", "xoxb-revoked", nil)
	err := s.a.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "set FRAMEBOT_TEST_SLACK_BOT") || !strings.Contains(err.Error(), "invalid_auth") {
		t.Fatalf("Run = %v, want the refusal naming FRAMEBOT_TEST_SLACK_BOT", err)
	}
	if strings.Contains(err.Error(), "xoxb-revoked") {
		t.Errorf("the error leaks the token: %v", err)
	}
	if len(s.sleeps) != 0 {
		t.Errorf("retried a refused token: waits %v", s.sleeps)
	}
}

func TestResponseURLServerErrorsAreRetriedWithBackoff(t *testing.T) {
	h := start(t, harnessOpts{})
	h.f.failNext("response_url", 2)
	h.slash("C1", "help")
	h.f.waitPosts(1)
	if n := h.f.callCount("response_url"); n != 3 {
		t.Errorf("response_url called %d times, want 3 (503, 503, then the answer)", n)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if diff := cmp.Diff([]time.Duration{time.Second, 2 * time.Second}, h.sleeps); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestRetryAfterIsCapped(t *testing.T) {
	h := start(t, harnessOpts{})
	h.f.mu.Lock()
	h.f.retryAfter = "86400"
	h.f.mu.Unlock()
	h.f.rateLimit("chat.postMessage", 1)
	h.mention("C1", "1700003000.000100", "", question)
	h.f.waitPosts(1)
	h.mu.Lock()
	defer h.mu.Unlock()
	if diff := cmp.Diff([]time.Duration{60 * time.Second}, h.sleeps); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestReplayedSlashCommandIsAnsweredOnce(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	h := start(t, harnessOpts{cfg: Config{Mode: ModeHTTP}, now: clock})
	form := slashForm(h.f, "C1", "UALICE", "help")
	hdr := signed(testSecret, now, form)
	for i := range 3 {
		if code, body := h.httpPost(CommandsPath, "application/x-www-form-urlencoded", form, hdr); code != http.StatusOK || body != "" {
			t.Fatalf("post %d: %d %q, want an empty 200", i, code, body)
		}
	}
	// The same command signed again a second later is a new request.
	mu.Lock()
	now = now.Add(time.Second)
	mu.Unlock()
	if code, _ := h.httpPost(CommandsPath, "application/x-www-form-urlencoded", form, signed(testSecret, clock(), form)); code != http.StatusOK {
		t.Fatalf("new request: %d", code)
	}
	h.f.waitPosts(2)
	if !h.a.workers.Idle(t.Context()) {
		t.Fatal("workers never idle")
	}
	if n := h.f.postCount(); n != 2 {
		t.Errorf("%d replies, want 2: the replays must not be answered", n)
	}
}

func TestSocketModeStopsOnARefusedAppToken(t *testing.T) {
	f := newFakeSlack(t)
	t.Setenv("FRAMEBOT_TEST_SLACK_BOT", fakeBotToken)
	t.Setenv("FRAMEBOT_TEST_SLACK_APP", "xapp-revoked")
	b := bot.New(bot.NewAnswerer(testbot.Shared(t), bot.AnswerOptions{}), testbot.Shared(t))
	a, err := New(Config{Enabled: true, BotTokenEnv: "FRAMEBOT_TEST_SLACK_BOT", AppTokenEnv: "FRAMEBOT_TEST_SLACK_APP", APIURL: f.srv.URL + "/api/"}, Deps{Bot: b})
	if err != nil {
		t.Fatal(err)
	}
	err = a.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "set FRAMEBOT_TEST_SLACK_APP") {
		t.Fatalf("Run = %v, want the refusal naming FRAMEBOT_TEST_SLACK_APP", err)
	}
}
