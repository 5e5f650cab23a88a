package slack

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Tokens the fake accepts.
const (
	fakeBotToken = "xoxb-fake-bot-token"
	fakeAppToken = "xapp-fake-app-token"
	fakeBotUser  = "UFRAMEBOT"
	fakeBotID    = "BFRAMEBOT"
)

// fakeSlack is a local Slack: the Web API methods the adapter calls
// (form-encoded POSTs with JSON replies), response_url endpoints, and
// Socket Mode over a real WebSocket.
type fakeSlack struct {
	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	posts    []post            // every message the bot sent, in order
	calls    map[string]int    // Web API calls by method
	limit    map[string]int    // method → how many 429s to answer next
	acks     map[string]bool   // envelope IDs acknowledged
	ackBody  map[string]string // envelope ID → the ack's payload (JSON), when it has one
	conn     *websocket.Conn   // the current Socket Mode connection
	connects int               // Socket Mode connections accepted
	wmu      sync.Mutex        // serialises writes to conn
	changed  chan struct{}     // closed and replaced on every change
	ts       int               // last message ts handed out
	// hold, when not nil, makes response_url posts wait until it is
	// closed (a slow response_url); held counts the posts waiting.
	hold chan struct{}
	held int
	// fail maps a Web API method or "response_url" to how many of its next
	// calls answer 503 Service Unavailable.
	fail map[string]int
	// internal maps a Web API method to how many of its next calls answer
	// ok:false with internal_error (Slack failing, not refusing).
	internal map[string]int
	// retryAfter is the Retry-After of the 429s (default "2").
	retryAfter string
	// updates records chat.update calls (stale_test.go).
	updates fakeUpdates
}

// post is one message the bot sent.
type post struct {
	// Via is the method: chat.postMessage, chat.postEphemeral or
	// response_url.
	Via                   string
	Channel, Thread, User string
	TS                    string
	Text                  string
	Blocks                json.RawMessage
	// ResponseType, Delete are set for response_url posts.
	ResponseType string
	Delete       bool
}

func newFakeSlack(t testing.TB) *fakeSlack {
	t.Helper()
	f := &fakeSlack{t: t, calls: map[string]int{}, limit: map[string]int{}, fail: map[string]int{}, internal: map[string]int{}, acks: map[string]bool{}, ackBody: map[string]string{}, changed: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", f.api)
	mux.HandleFunc("/response/", f.response)
	mux.HandleFunc("/socket", f.socket)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		f.mu.Lock()
		if f.conn != nil {
			f.conn.Close()
		}
		f.mu.Unlock()
		f.srv.Close()
	})
	return f
}

// notify wakes waiters; f.mu must be held.
func (f *fakeSlack) notify() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// waitFor polls cond (under f.mu) until it holds or the deadline passes.
func (f *fakeSlack) waitFor(what string, cond func() bool) {
	f.t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		f.mu.Lock()
		ok := cond()
		ch := f.changed
		f.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			f.t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// waitPosts waits until at least n messages were sent and returns them.
func (f *fakeSlack) waitPosts(n int) []post {
	f.t.Helper()
	f.waitFor(fmt.Sprintf("%d messages", n), func() bool { return len(f.posts) >= n })
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]post(nil), f.posts...)
}

// postCount returns how many messages were sent.
func (f *fakeSlack) postCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.posts)
}

func (f *fakeSlack) callCount(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method]
}

// holdResponses makes response_url posts wait until the returned function
// is called: a response_url that does not answer.
func (f *fakeSlack) holdResponses() (release func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := make(chan struct{})
	f.hold = ch
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			f.hold = nil
			f.mu.Unlock()
			close(ch)
		})
	}
}

// failNext makes the next n calls of method ("response_url" for those)
// answer 503.
func (f *fakeSlack) failNext(method string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail[method] = n
}

// retryAfterValue is the Retry-After header of a 429; f.mu must be held.
func (f *fakeSlack) retryAfterValue() string {
	if f.retryAfter == "" {
		return "2"
	}
	return f.retryAfter
}

// rateLimit makes the next n calls of method answer 429 with Retry-After.
func (f *fakeSlack) rateLimit(method string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limit[method] = n
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// api serves the Web API: POST /api/METHOD.
func (f *fakeSlack) api(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	// Slack takes the token as a bearer header (JSON methods) or a form
	// field (form methods).
	want := fakeBotToken
	if method == "apps.connections.open" {
		want = fakeAppToken
	}
	if r.Header.Get("Authorization") != "Bearer "+want && r.PostForm.Get("token") != want {
		writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[method]++
	if f.fail[method] > 0 {
		f.fail[method]--
		w.WriteHeader(http.StatusServiceUnavailable)
		f.notify()
		return
	}
	if f.internal[method] > 0 {
		f.internal[method]--
		writeJSON(w, map[string]any{"ok": false, "error": "internal_error"})
		f.notify()
		return
	}
	if f.limit[method] > 0 {
		f.limit[method]--
		w.Header().Set("Retry-After", f.retryAfterValue())
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"ok":false,"error":"ratelimited"}`)
		f.notify()
		return
	}
	switch method {
	case "auth.test":
		writeJSON(w, map[string]any{"ok": true, "url": "https://fake.slack.com/", "team": "Fake", "user": "framebot", "team_id": "TFAKE", "user_id": fakeBotUser, "bot_id": fakeBotID})
	case "apps.connections.open":
		writeJSON(w, map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/socket"})
	case "chat.postMessage", "chat.postEphemeral":
		p := post{Via: method, Channel: r.Form.Get("channel"), Thread: r.Form.Get("thread_ts"), User: r.Form.Get("user"), Text: r.Form.Get("text"), Blocks: json.RawMessage(r.Form.Get("blocks"))}
		if p.Channel == "CNOTMEMBER" {
			writeJSON(w, map[string]any{"ok": false, "error": "not_in_channel"})
			return
		}
		f.ts++
		p.TS = fmt.Sprintf("1700000000.%06d", f.ts)
		f.posts = append(f.posts, p)
		f.notify()
		if method == "chat.postEphemeral" {
			writeJSON(w, map[string]any{"ok": true, "message_ts": p.TS})
			return
		}
		writeJSON(w, map[string]any{"ok": true, "channel": p.Channel, "ts": p.TS})
	case "chat.update":
		f.chatUpdate(w, r)
	default:
		writeJSON(w, map[string]any{"ok": false, "error": "unknown_method"})
	}
}

// responseURL returns a response_url for a command or button in channel.
func (f *fakeSlack) responseURL(channel string) string {
	return f.srv.URL + "/response/" + channel
}

// response serves response_url posts (JSON bodies).
func (f *fakeSlack) response(w http.ResponseWriter, r *http.Request) {
	var m struct {
		Text           string          `json:"text"`
		Blocks         json.RawMessage `json:"blocks"`
		ResponseType   string          `json:"response_type"`
		DeleteOriginal bool            `json:"delete_original"`
	}
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	hold := f.hold
	if hold != nil {
		f.held++
		f.notify()
	}
	f.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-r.Context().Done():
			return
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["response_url"]++
	if f.fail["response_url"] > 0 {
		f.fail["response_url"]--
		w.WriteHeader(http.StatusServiceUnavailable)
		f.notify()
		return
	}
	if f.limit["response_url"] > 0 {
		f.limit["response_url"]--
		w.Header().Set("Retry-After", f.retryAfterValue())
		w.WriteHeader(http.StatusTooManyRequests)
		f.notify()
		return
	}
	f.posts = append(f.posts, post{Via: "response_url", Channel: strings.TrimPrefix(r.URL.Path, "/response/"), Text: m.Text, Blocks: m.Blocks, ResponseType: m.ResponseType, Delete: m.DeleteOriginal})
	f.notify()
	_, _ = io.WriteString(w, "ok")
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// socket serves a Socket Mode connection: hello, then envelopes sent by the
// test; it records acks and pings the client as Slack does.
func (f *fakeSlack) socket(w http.ResponseWriter, r *http.Request) {
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	f.wmu.Lock()
	err = conn.WriteJSON(map[string]any{"type": "hello", "num_connections": 1, "connection_info": map[string]any{"app_id": "AFAKE"}})
	f.wmu.Unlock()
	if err != nil {
		conn.Close()
		return
	}
	f.mu.Lock()
	f.conn = conn
	f.connects++
	f.notify()
	f.mu.Unlock()
	done := make(chan struct{})
	defer close(done)
	go func() {
		tick := time.NewTicker(2 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				_ = conn.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(time.Second))
			}
		}
	}()
	for {
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if err := conn.ReadJSON(&ack); err != nil {
			return
		}
		f.mu.Lock()
		f.acks[ack.EnvelopeID] = true
		if len(ack.Payload) > 0 && string(ack.Payload) != "null" {
			f.ackBody[ack.EnvelopeID] = string(ack.Payload)
		}
		f.notify()
		f.mu.Unlock()
	}
}

// waitConnects waits until n Socket Mode connections were made.
func (f *fakeSlack) waitConnects(n int) {
	f.t.Helper()
	f.waitFor(fmt.Sprintf("socket connection %d", n), func() bool { return f.connects >= n && f.conn != nil })
}

// drop closes the current Socket Mode connection, as Slack does when it
// recycles a socket or the network fails.
func (f *fakeSlack) drop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.conn != nil {
		f.conn.Close()
		f.conn = nil
	}
}

var envelopeSeq struct {
	sync.Mutex
	n int
}

// send writes an envelope of typ with payload on the current connection and
// returns its envelope ID.
func (f *fakeSlack) send(typ string, payload any) string {
	f.t.Helper()
	id, err := f.trySend(typ, payload)
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

// trySend is send for goroutines other than the test's: it returns the
// error instead of failing the test.
func (f *fakeSlack) trySend(typ string, payload any) (string, error) {
	envelopeSeq.Lock()
	envelopeSeq.n++
	id := fmt.Sprintf("env-%d", envelopeSeq.n)
	envelopeSeq.Unlock()
	f.mu.Lock()
	conn := f.conn
	f.mu.Unlock()
	if conn == nil {
		return "", fmt.Errorf("no socket connection to send on")
	}
	f.wmu.Lock()
	defer f.wmu.Unlock()
	if err := conn.WriteJSON(map[string]any{"envelope_id": id, "type": typ, "payload": payload, "accepts_response_payload": typ != "events_api", "retry_attempt": 0}); err != nil {
		return "", fmt.Errorf("send envelope: %w", err)
	}
	return id, nil
}

// waitAck waits until envelope id was acknowledged.
func (f *fakeSlack) waitAck(id string) {
	f.t.Helper()
	f.waitFor("ack of "+id, func() bool { return f.acks[id] })
}

// event wraps an inner event in an Events API callback.
func event(id string, inner map[string]any) map[string]any {
	return map[string]any{
		"token": "legacy", "team_id": "TFAKE", "api_app_id": "AFAKE", "type": "event_callback",
		"event_id": id, "event_time": 1700000000, "event": inner,
	}
}
