package slack

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// maxBody is the largest request body read; Slack's are a few kilobytes.
const maxBody = 1 << 20

// runHTTP serves the Events API, slash-command and interactivity endpoints
// on cfg.Listen until ctx ends.
func (a *Adapter) runHTTP(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.cfg.Listen)
	if err != nil {
		return fmt.Errorf("slack http mode: listen on %s: %w", a.cfg.Listen, err)
	}
	srv := &http.Server{
		Handler:           a.handler(ctx),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	// Connected before Addr returns: the listener is bound, requests queue
	// in the kernel until Serve accepts them.
	a.connected.Store(true)
	a.mu.Lock()
	a.addr = ln.Addr()
	close(a.listening)
	a.mu.Unlock()
	a.log.Info("slack http endpoints listening", "addr", ln.Addr().String(), "events", EventsPath, "commands", CommandsPath, "interactive", InteractivePath)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("slack http mode: %w", err)
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		return ctx.Err()
	}
}

// Addr waits until HTTP mode is listening and returns its address; it
// returns nil if ctx ends first.
func (a *Adapter) Addr(ctx context.Context) net.Addr {
	select {
	case <-a.listening:
		a.mu.Lock()
		defer a.mu.Unlock()
		return a.addr
	case <-ctx.Done():
		return nil
	}
}

// handler returns the HTTP endpoints; requests are processed on ctx (the
// adapter's lifetime), not the request's.
func (a *Adapter) handler(ctx context.Context) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+EventsPath, func(w http.ResponseWriter, r *http.Request) { a.serveEvents(ctx, w, r) })
	mux.HandleFunc("POST "+CommandsPath, func(w http.ResponseWriter, r *http.Request) { a.serveCommand(ctx, w, r) })
	mux.HandleFunc("POST "+InteractivePath, func(w http.ResponseWriter, r *http.Request) { a.serveInteractive(ctx, w, r) })
	return a.verified(mux)
}

// verified refuses, with 401, any request whose Slack signature is missing,
// wrong or more than five minutes old; nothing of it is processed.
func (a *Adapter) verified(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		}
		if err := verifySignature(r.Header, body, a.secrets.signingSecret, a.now()); err != nil {
			a.log.Warn("slack request refused", "path", r.URL.Path, "reason", err.Error(), "remote", r.RemoteAddr)
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		// A signed request replayed inside the five minutes its signature
		// is valid is acknowledged and not processed again. (Events are
		// also deduplicated by event ID, which survives Slack's retries.)
		if r.URL.Path != EventsPath && !a.replays.add(replayKey(r.Header, body)) {
			a.log.Warn("slack request replayed; ignored", "path", r.URL.Path, "remote", r.RemoteAddr)
			ackHTTP(w)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// maxReplays is how many signed requests are remembered against replay:
// more than Slack sends to one app in the five minutes a signature is
// valid, and about 1.5 MB at most.
const maxReplays = 16384

// replayKey identifies a signed request: its timestamp and a hash of its
// body, which the signature covers.
func replayKey(h http.Header, body []byte) string {
	sum := sha256.Sum256(body)
	return h.Get("X-Slack-Request-Timestamp") + ":" + hex.EncodeToString(sum[:])
}

// ackHTTP answers Slack with an empty 200 at once, before any work.
func ackHTTP(w http.ResponseWriter) {
	w.WriteHeader(http.StatusOK)
	_ = http.NewResponseController(w).Flush()
}

// busyHTTP answers a slash command with the ephemeral "busy" reply in the
// acknowledgement itself, so that it costs no call to Slack.
func busyHTTP(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(busyPayload())
}

// busyPayload is the ephemeral "busy" reply to a slash command.
func busyPayload() *slack.Msg {
	return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: msgBusy}
}

func (a *Adapter) serveEvents(ctx context.Context, w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		a.log.Warn("unreadable slack event", "error", err.Error())
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	if ev.Type == slackevents.URLVerification {
		var v slackevents.ChallengeResponse
		if err := json.Unmarshal(body, &v); err != nil {
			http.Error(w, "bad challenge", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, v.Challenge)
		return
	}
	ackHTTP(w)
	if ev.Type == slackevents.CallbackEvent {
		a.onEvent(ctx, ev)
	}
}

func (a *Adapter) serveCommand(ctx context.Context, w http.ResponseWriter, r *http.Request) {
	c, err := slack.SlashCommandParse(r)
	if err != nil {
		http.Error(w, "bad command", http.StatusBadRequest)
		return
	}
	// onSlash never waits: it queues the command or says the queue is
	// full, so the acknowledgement is always complete at once.
	if !a.onSlash(ctx, c) {
		busyHTTP(w)
		return
	}
	ackHTTP(w)
}

func (a *Adapter) serveInteractive(ctx context.Context, w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, err := url.ParseQuery(string(body))
	var ic slack.InteractionCallback
	if err == nil {
		err = json.Unmarshal([]byte(form.Get("payload")), &ic)
	}
	if err != nil {
		a.log.Warn("unreadable slack interaction", "error", err.Error())
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	ackHTTP(w)
	a.onInteraction(ctx, ic)
}
