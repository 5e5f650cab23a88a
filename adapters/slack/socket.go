package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// runSocket receives events over Socket Mode until ctx ends. The client
// reconnects by itself, with capped backoff, when the socket drops or Slack
// asks it to; should it give up for another reason, it is started again
// after backoff. Run returns only when the app-level token is refused, with
// an error naming the variable to fix.
func (a *Adapter) runSocket(ctx context.Context) error {
	sm := socketmode.New(a.client, socketmode.OptionLog(slog.NewLogLogger(a.log.Handler(), slog.LevelDebug)))
	errc := make(chan error, 1)
	go func() { errc <- sm.RunContext(ctx) }()
	for n := 0; ; {
		select {
		case err := <-errc:
			a.connected.Store(false)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if socketAuthError(err) {
				return fmt.Errorf("slack refused the app-level token: set %s to the app's app-level token (xapp-…, connections:write scope): %w", a.cfg.AppTokenEnv, err)
			}
			d := backoff(n)
			n++
			a.log.Warn("slack socket mode stopped, restarting", "error", redact(err), "retry_in", d.String())
			if err := a.sleep(ctx, d); err != nil {
				return err
			}
			go func() { errc <- sm.RunContext(ctx) }()
		case evt := <-sm.Events:
			if evt.Type == socketmode.EventTypeConnected {
				n = 0
			}
			a.onSocketEvent(ctx, sm, evt)
		}
	}
}

// socketAuthError reports whether Socket Mode stopped because Slack refused
// the app-level token (the errors slack-go's socketmode gives up on).
func socketAuthError(err error) bool {
	var se slack.SlackErrorResponse
	msg := err.Error()
	if errors.As(err, &se) {
		msg = se.Err
	}
	switch msg {
	case "invalid_auth", "account_inactive", "not_authed", "token_revoked", "token_expired", "not_allowed_token_type":
		return true
	}
	var sc slack.StatusCodeError
	return errors.As(err, &sc) && sc.Code == http.StatusNotFound
}

// onSocketEvent acknowledges a request at once, then routes it.
func (a *Adapter) onSocketEvent(ctx context.Context, sm *socketmode.Client, evt socketmode.Event) {
	ack := func() bool {
		if evt.Request == nil {
			return false
		}
		if err := sm.AckCtx(ctx, evt.Request.EnvelopeID, nil); err != nil {
			a.log.Warn("socket mode ack failed", "envelope_id", evt.Request.EnvelopeID, "error", err.Error())
		}
		return true
	}
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		a.connected.Store(false)
		a.log.Debug("slack socket connecting")
	case socketmode.EventTypeConnected:
		a.connected.Store(true)
		n := 0
		if c, ok := evt.Data.(*socketmode.ConnectedEvent); ok {
			n = c.ConnectionCount
		}
		a.log.Info("slack socket connected", "connection_count", n)
	case socketmode.EventTypeConnectionError:
		a.connected.Store(false)
		msg := ""
		if e, ok := evt.Data.(*slack.ConnectionErrorEvent); ok && e.ErrorObj != nil {
			msg = e.ErrorObj.Error()
		}
		a.log.Warn("slack socket connection failed; retrying", "error", msg)
	case socketmode.EventTypeInvalidAuth:
		a.connected.Store(false)
		a.log.Error("slack refused the app-level token", "env", a.cfg.AppTokenEnv)
	case socketmode.EventTypeDisconnect:
		a.connected.Store(false)
		a.log.Info("slack asked to reconnect")
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorBadMessage, socketmode.EventTypeErrorWriteFailed:
		a.log.Warn("slack socket error", "type", string(evt.Type), "error", socketErr(evt.Data))
	case socketmode.EventTypeEventsAPI:
		if !ack() {
			return
		}
		if ev, ok := evt.Data.(slackevents.EventsAPIEvent); ok {
			a.onEvent(ctx, ev)
		}
	case socketmode.EventTypeSlashCommand:
		if evt.Request == nil {
			return
		}
		// onSlash never waits; when the queue is full the "busy" reply
		// travels in the acknowledgement.
		var payload any
		if c, ok := evt.Data.(slack.SlashCommand); ok && !a.onSlash(ctx, c) {
			payload = busyPayload()
		}
		if err := sm.AckCtx(ctx, evt.Request.EnvelopeID, payload); err != nil {
			a.log.Warn("socket mode ack failed", "envelope_id", evt.Request.EnvelopeID, "error", err.Error())
		}
	case socketmode.EventTypeInteractive:
		if !ack() {
			return
		}
		if ic, ok := evt.Data.(slack.InteractionCallback); ok {
			a.onInteraction(ctx, ic)
		}
	}
}

func socketErr(data any) string {
	switch e := data.(type) {
	case *socketmode.ErrorBadMessage:
		return e.Cause.Error()
	case *socketmode.ErrorWriteFailed:
		return e.Cause.Error()
	case *slack.IncomingEventError:
		return e.ErrorObj.Error()
	case error:
		return e.Error()
	}
	return "unknown"
}
