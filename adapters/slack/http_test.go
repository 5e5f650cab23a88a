package slack

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// signed returns the Slack signature headers for body at ts.
func signed(secret string, ts time.Time, body string) http.Header {
	h := http.Header{}
	t := strconv.FormatInt(ts.Unix(), 10)
	h.Set("X-Slack-Request-Timestamp", t)
	h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(sign(secret, t, []byte(body))))
	return h
}

// httpPost posts body to the adapter's path with headers.
func (h *harness) httpPost(path, contentType, body string, hdr http.Header) (int, string) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	addr := h.a.Addr(ctx)
	if addr == nil {
		h.t.Fatal("adapter is not listening")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr.String()+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func mentionBody(t *testing.T, id, channel, ts, text string) string {
	t.Helper()
	b, err := json.Marshal(event(id, map[string]any{"type": "app_mention", "user": "UALICE", "text": "<@" + fakeBotUser + "> " + text, "ts": ts, "channel": channel, "event_ts": ts}))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestHTTPModeVerifiesEveryRequest(t *testing.T) {
	now := time.Now()
	h := start(t, harnessOpts{cfg: Config{Mode: ModeHTTP}, now: func() time.Time { return now }})
	const js = "application/json"

	code, body := h.httpPost(EventsPath, js, `{"token":"x","challenge":"chal-123","type":"url_verification"}`, signed(testSecret, now, `{"token":"x","challenge":"chal-123","type":"url_verification"}`))
	if code != http.StatusOK || body != "chal-123" {
		t.Errorf("url_verification = %d %q, want 200 chal-123", code, body)
	}

	refused := []struct {
		name string
		hdr  func(body string) http.Header
	}{
		{"unsigned", func(string) http.Header { return http.Header{} }},
		{"signed with another secret", func(b string) http.Header { return signed("not-the-secret", now, b) }},
		{"signature of another body", func(b string) http.Header { return signed(testSecret, now, b+" ") }},
		{"stale timestamp", func(b string) http.Header { return signed(testSecret, now.Add(-6*time.Minute), b) }},
		{"timestamp in the future", func(b string) http.Header { return signed(testSecret, now.Add(6*time.Minute), b) }},
		{"garbage signature", func(b string) http.Header {
			hd := signed(testSecret, now, b)
			hd.Set("X-Slack-Signature", "v0=zz")
			return hd
		}},
	}
	for i, tt := range refused {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			b := mentionBody(t, "EvBad"+strconv.Itoa(i), "C1", "1700002000.00010"+strconv.Itoa(i), question)
			if code, _ := h.httpPost(EventsPath, js, b, tt.hdr(b)); code != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", code)
			}
			form := url.Values{"command": {"/framework"}, "text": {"help"}, "channel_id": {"C1"}, "user_id": {"UALICE"}, "response_url": {h.f.responseURL("C1")}}.Encode()
			if code, _ := h.httpPost(CommandsPath, "application/x-www-form-urlencoded", form, tt.hdr(form)); code != http.StatusUnauthorized {
				t.Errorf("slash command: status %d, want 401", code)
			}
		})
	}

	b := mentionBody(t, "EvGood", "C1", "1700002100.000100", question)
	if code, _ := h.httpPost(EventsPath, js, b, signed(testSecret, now, b)); code != http.StatusOK {
		t.Fatalf("signed event: status %d", code)
	}
	// The same event again (Slack's retry) is answered once.
	if code, _ := h.httpPost(EventsPath, js, b, signed(testSecret, now, b)); code != http.StatusOK {
		t.Fatalf("retried event: status %d", code)
	}
	p := h.f.waitPosts(1)[0]
	if p.Channel != "C1" || p.Thread != "1700002100.000100" {
		t.Errorf("answer in %s thread %q", p.Channel, p.Thread)
	}

	form := url.Values{"command": {"/framework"}, "text": {"ask " + question}, "channel_id": {"C1"}, "user_id": {"UALICE"}, "response_url": {h.f.responseURL("C1")}, "trigger_id": {"1"}}.Encode()
	code, body = h.httpPost(CommandsPath, "application/x-www-form-urlencoded", form, signed(testSecret, now, form))
	if code != http.StatusOK || body != "" {
		t.Errorf("slash command ack = %d %q, want an empty 200", code, body)
	}
	p = h.f.waitPosts(2)[1]
	id := p.buttonValue(t, actionHelpful)
	if p.Via != "response_url" || p.ResponseType != "ephemeral" || id == "" {
		t.Fatalf("slash answer = %+v", p)
	}

	payload, _ := json.Marshal(clickPayload(h.f, "C1", actionHelpful, id))
	form = url.Values{"payload": {string(payload)}}.Encode()
	if code, _ := h.httpPost(InteractivePath, "application/x-www-form-urlencoded", form, signed(testSecret, now, form)); code != http.StatusOK {
		t.Fatalf("interaction: status %d", code)
	}
	if p := h.f.waitPosts(3)[2]; p.Text != msgThanks {
		t.Errorf("click answered %q", p.Text)
	}
	if got := h.f.postCount(); got != 3 {
		t.Errorf("%d messages sent, want 3: refused requests must not be processed", got)
	}
	if helpful, _, _ := h.db.FeedbackCounts(context.Background()); helpful != 1 {
		t.Errorf("helpful votes = %d, want 1", helpful)
	}
}

func TestVerifySignature(t *testing.T) {
	now := time.Unix(1700000000, 0)
	body := []byte("token=x&text=hi")
	good := signed("secret", now, string(body))
	tests := []struct {
		name string
		hdr  http.Header
		now  time.Time
		want error
	}{
		{"a good signature passes", good, now, nil},
		{"four minutes late passes", good, now.Add(4 * time.Minute), nil},
		{"six minutes late is stale", good, now.Add(6 * time.Minute), errStale},
		{"no headers is unsigned", http.Header{}, now, errUnsigned},
		{"another secret fails", signed("other", now, string(body)), now, errBadSignature},
		{"a v1 signature fails", func() http.Header {
			h := good.Clone()
			h.Set("X-Slack-Signature", strings.Replace(h.Get("X-Slack-Signature"), "v0=", "v1=", 1))
			return h
		}(), now, errBadSignature},
		{"a bad timestamp fails", func() http.Header {
			h := good.Clone()
			h.Set("X-Slack-Request-Timestamp", "yesterday")
			return h
		}(), now, errBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := verifySignature(tt.hdr, body, "secret", tt.now); got != tt.want {
				t.Errorf("verifySignature = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestConfigValidateSaysWhatToFix(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		env  map[string]string
		want string // "" for valid
	}{
		{"socket mode with both tokens is valid", Config{}, map[string]string{"T_BOT": "xoxb-1", "T_APP": "xapp-1"}, ""},
		{"socket mode without an app token", Config{}, map[string]string{"T_BOT": "xoxb-1"}, "T_APP is not set; socket mode needs an app-level token (xapp-…) with the connections:write scope"},
		{"a user token is not a bot token", Config{}, map[string]string{"T_BOT": "xoxp-1", "T_APP": "xapp-1"}, "T_BOT does not hold a bot token: it must start with xoxb-"},
		{"http mode needs the signing secret", Config{Mode: ModeHTTP}, map[string]string{"T_BOT": "xoxb-1"}, "T_SECRET is not set; http mode needs the app's signing secret (Basic Information page)"},
		{"http mode with a secret is valid", Config{Mode: ModeHTTP}, map[string]string{"T_BOT": "xoxb-1", "T_SECRET": "s"}, ""},
		{"an unknown mode", Config{Mode: "rtm"}, map[string]string{"T_BOT": "xoxb-1", "T_APP": "xapp-1"}, `mode: "rtm" is not socket or http`},
		{"a command without a slash", Config{Command: "framework"}, map[string]string{"T_BOT": "xoxb-1", "T_APP": "xapp-1"}, `command: "framework" must be a slash command such as /framework`},
		{"a channel name instead of an ID", Config{Channels: []string{"#general"}}, map[string]string{"T_BOT": "xoxb-1", "T_APP": "xapp-1"}, `channels: "#general" is not a channel ID`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"T_BOT", "T_APP", "T_SECRET"} {
				t.Setenv(k, tt.env[k])
			}
			tt.cfg.BotTokenEnv, tt.cfg.AppTokenEnv, tt.cfg.SigningSecretEnv = "T_BOT", "T_APP", "T_SECRET"
			err := tt.cfg.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate = %v, want %q", err, tt.want)
			case err != nil && (strings.Contains(err.Error(), "xoxb-1") || strings.Contains(err.Error(), "xoxp-1")):
				t.Errorf("Validate leaks a token: %v", err)
			}
		})
	}
}
