package slack

import (
	"context"
	"encoding/json"
	"errors"
	"framebot/internal/testbot"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"framebot/sqlite"
)

// payloadSecret signs the fuzzed requests, so they get past the signature
// check to the parsers behind it.
const payloadSecret = "fuzz-signing-secret-0123456789"

// payloadAPI is a Slack Web API that accepts every call without network
// and counts the messages posted.
type payloadAPI struct{ posts atomic.Int64 }

func (*payloadAPI) AuthTestContext(context.Context) (*slack.AuthTestResponse, error) {
	return &slack.AuthTestResponse{UserID: fakeBotUser, BotID: "BFRAMEBOT", TeamID: "TFAKE"}, nil
}

func (p *payloadAPI) PostMessageContext(context.Context, string, ...slack.MsgOption) (string, string, error) {
	p.posts.Add(1)
	return "C", "1700000000.000100", nil
}

func (p *payloadAPI) PostEphemeralContext(context.Context, string, string, ...slack.MsgOption) (string, error) {
	p.posts.Add(1)
	return "", nil
}

// okTransport answers every response_url post with 200, whatever its URL:
// a fuzzed response_url must not reach the network.
type okTransport struct{}

func (okTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(strings.NewReader("ok")), Header: http.Header{}, Request: r}, nil
}

// payloadHarness is a running HTTP-mode adapter on the shared index, with
// its Web API and response_url calls answered in process.
type payloadHarness struct {
	a   *Adapter
	api *payloadAPI
	h   http.Handler
	ctx context.Context
	log *testbot.PanicLog
}

func newPayloadHarness(tb testing.TB) *payloadHarness {
	tb.Helper()
	tb.Setenv("FRAMEBOT_FUZZ_SLACK_BOT", "xoxb-fuzz-bot-token")
	tb.Setenv("FRAMEBOT_FUZZ_SLACK_SECRET", payloadSecret)
	cfg := Config{
		Enabled: true, Mode: ModeHTTP, Listen: "127.0.0.1:0",
		BotTokenEnv: "FRAMEBOT_FUZZ_SLACK_BOT", SigningSecretEnv: "FRAMEBOT_FUZZ_SLACK_SECRET",
		RateLimit: RateLimitConfig{PerMinute: -1}, Workers: 1,
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "state.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	b := testbot.Bot(testbot.Shared(tb))
	b.Feedback, b.Subscriptions = db, db
	pl := &testbot.PanicLog{}
	a, err := New(cfg, Deps{Bot: b, Store: db, Logger: slog.New(pl)})
	if err != nil {
		tb.Fatal(err)
	}
	api := &payloadAPI{}
	a.api = api
	a.http = &http.Client{Transport: okTransport{}, Timeout: 10 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			tb.Errorf("Run: %v", err)
		}
	})
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if a.Addr(wctx) == nil {
		tb.Fatal("adapter did not start")
	}
	return &payloadHarness{a: a, api: api, h: a.handler(ctx), ctx: ctx, log: pl}
}

// post sends body to path, signed, in process, then waits until the worker
// has handled every job it queued. It fails on a panic (recovered by the
// pool or not) and on a job that does not finish within a minute.
func (p *payloadHarness) post(t *testing.T, path, contentType string, body []byte) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(string(body)))
	for k, v := range signed(payloadSecret, time.Now(), string(body)) {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", contentType)
	rec := httptest.NewRecorder()
	p.h.ServeHTTP(rec, req)
	// One worker runs jobs in order: once this one runs, the request's
	// jobs are done.
	drained := make(chan struct{})
	if !p.a.workers.Go(p.ctx, func(context.Context) { close(drained) }, nil) {
		t.Fatal("worker pool stopped")
	}
	select {
	case <-drained:
	case <-time.After(time.Minute):
		t.Fatalf("the jobs of %s %q did not finish within a minute", path, body)
	}
	if ps := p.log.Take(); len(ps) > 0 {
		t.Fatalf("panic handling %s %q: %v", path, body, ps)
	}
	return rec.Code
}

var payloadPaths = []struct{ path, contentType string }{
	{EventsPath, "application/json"},
	{CommandsPath, "application/x-www-form-urlencoded"},
	{InteractivePath, "application/x-www-form-urlencoded"},
}

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// payloadSeeds are well-formed requests of each kind, for the fuzzer to
// start from.
type payloadSeed struct {
	which uint8
	body  []byte
}

func payloadSeeds(tb testing.TB) []payloadSeed {
	mention := func(id, channel, text string) []byte {
		return mustJSON(tb, event(id, map[string]any{"type": "app_mention", "user": "UALICE", "text": "<@" + fakeBotUser + "> " + text, "ts": "1.1", "channel": channel, "event_ts": "1.1"}))
	}
	slash := func(text string) []byte {
		return []byte(url.Values{"command": {"/framework"}, "text": {text}, "channel_id": {"C1"}, "user_id": {"UALICE"}, "response_url": {"https://hooks.slack.invalid/x"}, "team_id": {"T"}}.Encode())
	}
	click := func(action, value string) []byte {
		payload := map[string]any{
			"type": "block_actions", "user": map[string]any{"id": "UBOB"}, "channel": map[string]any{"id": "C1"},
			"response_url": "https://hooks.slack.invalid/x",
			"actions":      []map[string]any{{"type": "button", "action_id": action, "block_id": "answer_actions", "value": value}},
		}
		return []byte(url.Values{"payload": {string(mustJSON(tb, payload))}}.Encode())
	}
	return []payloadSeed{
		{0, mention("Ev1", "C1", "Who met in Geneva to discuss the peace framework?")},
		{0, mention("Ev2", "D1", "\x00\u202e<https://x|y> &lt;&amp;")},
		{0, mustJSON(tb, event("Ev3", map[string]any{"type": "message", "channel_type": "im", "user": "UALICE", "text": "troops", "ts": "2.2", "channel": "D1"}))},
		{0, mustJSON(tb, event("Ev4", map[string]any{"type": "message", "user": "UALICE", "text": "more?", "ts": "3.3", "thread_ts": "1.1", "channel": "C1"}))},
		{0, mustJSON(tb, event("Ev5", map[string]any{"type": "message", "subtype": "bot_message", "bot_id": "BOTHER", "text": "hi", "ts": "4.4", "channel": "D1"}))},
		{0, []byte(`{"type":"url_verification","challenge":"abc","token":"t"}`)},
		{0, []byte(`{"type":"event_callback","event":{"type":"app_mention","text":null,"blocks":[{"type":"rich_text"}]}}`)},
		{0, []byte(`{"type":"event_callback","event":"x"}`)},
		{0, []byte(`{}`)},
		{1, slash("help")},
		{1, slash("ask What guarantees does the plan give?")},
		{1, slash("sources ../../etc/passwd")},
		{1, slash("summary ../../x")},
		{1, []byte("text=%ZZ&%%%")},
		{2, click(actionHelpful, "1")},
		{2, click(actionShare, "99999999999999999999")},
		{2, click(actionNotHelpful, "-1")},
		{2, []byte("payload=%7B%22type%22%3A%22block_actions%22%2C%22actions%22%3Anull%7D")},
		{2, []byte("payload=not json")},
	}
}

// FuzzSlackPayload posts arbitrary signed bodies to the HTTP endpoints
// (Events API JSON, slash-command and interactivity forms): the adapter
// parses them, routes events and runs commands on the shared index. No
// request may panic the handler or a worker, or hang.
func FuzzSlackPayload(f *testing.F) {
	for _, s := range payloadSeeds(f) {
		f.Add(s.which, s.body)
	}
	p := newPayloadHarness(f)
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		if len(body) > 64<<10 {
			return
		}
		ep := payloadPaths[int(which)%len(payloadPaths)]
		code := p.post(t, ep.path, ep.contentType, body)
		if code >= 500 {
			t.Fatalf("%s %q: status %d", ep.path, body, code)
		}
	})
}

// FuzzSlackEventText fuzzes the fields of an otherwise well-formed message
// event, which random bytes rarely reach: the text (mention markup, links,
// entities), its channel and its subtype.
func FuzzSlackEventText(f *testing.F) {
	for _, s := range []struct{ typ, channel, subtype, thread, text string }{
		{"app_mention", "C1", "", "", "<@" + fakeBotUser + "> Who met in Geneva?"},
		{"app_mention", "C1", "", "1.1", "<@" + fakeBotUser + "|framebot> <https://a.example|a link> &amp;&lt;&gt;"},
		{"message", "D1", "", "", "<@" + fakeBotUser + "> <mailto:x@y|> <https://|> <@U1|<@U2>>"},
		{"message", "C1", "thread_broadcast", "1.1", strings.Repeat("troops ", 1000)},
		{"message", "D1", "file_share", "", "\xff\xfe\x00\u202e"},
		{"message", "C1", "message_changed", "", "edited"},
	} {
		f.Add(s.typ, s.channel, s.subtype, s.thread, s.text)
	}
	p := newPayloadHarness(f)
	f.Fuzz(func(t *testing.T, typ, channel, subtype, thread, text string) {
		if len(text) > 64<<10 {
			return
		}
		inner := map[string]any{"type": typ, "user": "UALICE", "text": text, "ts": "1.1", "channel": channel, "event_ts": "1.1"}
		if subtype != "" {
			inner["subtype"] = subtype
		}
		if thread != "" {
			inner["thread_ts"] = thread
		}
		body, err := json.Marshal(event("EvFuzz"+time.Now().Format(time.RFC3339Nano), inner))
		if err != nil {
			return // invalid UTF-8 is replaced by Marshal; other errors can't be sent
		}
		// 400 is the answer to an event type slack-go does not know.
		if code := p.post(t, EventsPath, "application/json", body); code != http.StatusOK && code != http.StatusBadRequest {
			t.Fatalf("event %s: status %d", body, code)
		}
	})
}

// TestFuzzPayloadHarnessReachesTheBot checks that the fuzz harness is not
// hollow: a seed mention is answered with a posted message.
func TestFuzzPayloadHarnessReachesTheBot(t *testing.T) {
	p := newPayloadHarness(t)
	seeds := payloadSeeds(t)
	if code := p.post(t, EventsPath, "application/json", seeds[0].body); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if n := p.api.posts.Load(); n != 1 {
		t.Errorf("%d messages posted for one mention, want 1", n)
	}
}
