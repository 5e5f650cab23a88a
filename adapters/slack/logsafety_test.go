package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"framebot/bot"
	"framebot/internal/logcheck"
)

// Words that only the users' messages and Slack's response_urls contain:
// none may reach the log at info level or above.
const (
	secretQuestion = "Qzquestionword"
	secretTopic    = "Qztopicword"
	secretCommand  = "Qzcommandword"
	secretURL      = "Qzcapability"
	secretDeadURL  = "Qzdeadhook"
)

// everyCommand is a command line of each command, with the users' secret
// words where a command takes words.
var everyCommand = []string{
	"ask What guarantees does the plan give " + secretQuestion + "?",
	"summary troops " + secretTopic,
	"proposals", "sources", "sources 2", "new", "subscribe", "unsubscribe", "status", "help", "",
	secretCommand + " please",
}

// TestLogsCarryNoMessageTextOrCapabilityURL runs every command over Socket
// Mode and HTTP, mentions, direct messages, feedback buttons, a failing
// search that quotes the question in its error and a response_url that
// can't be reached, and checks that the log holds none of what users wrote
// nor any response_url.
func TestLogsCarryNoMessageTextOrCapabilityURL(t *testing.T) {
	rec := &logcheck.Recorder{}
	now := time.Now()
	for _, mode := range []string{ModeSocket, ModeHTTP} {
		t.Run(mode, func(t *testing.T) {
			h := start(t, harnessOpts{cfg: Config{Mode: mode, RateLimit: RateLimitConfig{PerMinute: -1}}, logger: rec.Logger(), now: func() time.Time { return now }})
			respURL := h.f.responseURL("C1-" + secretURL)
			sent := 0
			for _, line := range everyCommand {
				h.slashTo(mode, now, line, respURL)
				sent++
			}
			h.f.waitPosts(sent)
			// A mention and a direct message asking the secret question.
			if mode == ModeSocket {
				h.mention("C1", "1700004000.000100", "", "What guarantees does the plan give "+secretQuestion+"?")
				h.message(map[string]any{"user": "UALICE", "text": "summary " + secretTopic, "ts": "1700004001.000100", "channel": "D1", "channel_type": "im"})
				sent += 2
			} else {
				b := mentionBody(t, "EvLog1", "C1", "1700004100.000100", "What guarantees does the plan give "+secretQuestion+"?")
				if code, _ := h.httpPost(EventsPath, "application/json", b, signed(testSecret, now, b)); code != http.StatusOK {
					t.Fatalf("event: %d", code)
				}
				sent++
			}
			posts := h.f.waitPosts(sent)
			// Feedback and share buttons on the answer to the mention.
			var id string
			for _, p := range posts {
				if v := p.buttonValue(t, actionHelpful); v != "" {
					id = v
				}
			}
			if id == "" {
				t.Fatal("no answer with feedback buttons")
			}
			for _, act := range []string{actionHelpful, actionNotHelpful, actionShare} {
				p := clickPayload(h.f, "C1", act, id)
				p["response_url"] = respURL
				h.interact(mode, now, p)
				sent++
			}
			h.f.waitPosts(sent)
			if !h.a.workers.Idle(t.Context()) {
				t.Fatal("workers never idle")
			}
		})
	}
	t.Run("failures", func(t *testing.T) {
		failing := searcherFunc(func(_ context.Context, text string, _ int) (*bot.SearchResult, error) {
			return nil, fmt.Errorf("search for %q: %w", text, errors.New("disk on fire"))
		})
		h := start(t, harnessOpts{searcher: failing, logger: rec.Logger()})
		h.slashTo(ModeSocket, now, "ask guarantees "+secretQuestion, h.f.responseURL("C1-"+secretURL))
		h.f.waitPosts(1)
		// A response_url nobody answers: the send fails after its retries.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		dead := "http://" + ln.Addr().String() + "/" + secretDeadURL + "/T1/B1/x"
		ln.Close()
		h.slashTo(ModeSocket, now, "help", dead)
		if !h.a.workers.Idle(t.Context()) {
			t.Fatal("workers never idle")
		}
	})
	if rec.Records() == 0 {
		t.Fatal("nothing was logged: the check would be vacuous")
	}
	rec.AssertNone(t, secretQuestion, secretTopic, secretCommand, secretURL, secretDeadURL, "/response/", "What guarantees does the plan give")
	if !strings.Contains(rec.String(), "answer failed") || !strings.Contains(rec.String(), "disk on fire") {
		t.Errorf("the failures are not logged with their cause:\n%s", rec.String())
	}
}

// slashTo runs a slash command over Socket Mode or signed HTTP, with
// responseURL, and waits for its acknowledgement.
func (h *harness) slashTo(mode string, now time.Time, text, responseURL string) {
	h.t.Helper()
	if mode == ModeHTTP {
		form := url.Values{"command": {"/framework"}, "text": {text}, "channel_id": {"C1"}, "user_id": {"UALICE"}, "response_url": {responseURL}, "trigger_id": {"1"}}.Encode()
		if code, _ := h.httpPost(CommandsPath, "application/x-www-form-urlencoded", form, signed(testSecret, now, form)); code != http.StatusOK {
			h.t.Fatalf("slash command: %d", code)
		}
		return
	}
	h.f.waitAck(h.f.send("slash_commands", map[string]any{
		"team_id": "TFAKE", "channel_id": "C1", "user_id": "UALICE", "command": "/framework",
		"text": text, "response_url": responseURL, "trigger_id": "1", "api_app_id": "AFAKE",
	}))
}

// interact sends a button payload over Socket Mode or signed HTTP.
func (h *harness) interact(mode string, now time.Time, p map[string]any) {
	h.t.Helper()
	if mode == ModeHTTP {
		raw, _ := json.Marshal(p)
		form := url.Values{"payload": {string(raw)}}.Encode()
		if code, _ := h.httpPost(InteractivePath, "application/x-www-form-urlencoded", form, signed(testSecret, now, form)); code != http.StatusOK {
			h.t.Fatalf("interaction: %d", code)
		}
		return
	}
	h.f.waitAck(h.f.send("interactive", p))
}
