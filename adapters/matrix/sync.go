package matrix

import (
	"context"
	"errors"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// syncer is mautrix's DefaultSyncer with framebot's failure policy:
// M_UNKNOWN_TOKEN stops, M_LIMIT_EXCEEDED waits retry_after_ms, anything
// else backs off and the sync resumes from the saved token.
type syncer struct {
	*mautrix.DefaultSyncer
	a        *Adapter
	failures int // consecutive failed syncs; only the sync goroutine uses it
}

func newSyncer(a *Adapter) *syncer {
	s := &syncer{DefaultSyncer: mautrix.NewDefaultSyncer(), a: a}
	s.OnSync(s.onSync)
	s.OnEventType(event.StateMember, a.onMember)
	s.OnEventType(event.EventMessage, a.onMessage)
	s.OnEventType(event.EventReaction, a.onReaction)
	s.OnEventType(event.EventEncrypted, a.onEncrypted)
	return s
}

// OnFailedSync decides what happens after a failed /sync.
func (s *syncer) OnFailedSync(_ *mautrix.RespSync, err error) (time.Duration, error) {
	s.a.connected.Store(false)
	if errors.Is(err, mautrix.MUnknownToken) {
		return 0, err
	}
	if d, ok := retryAfter(err); ok {
		s.a.log.Warn("matrix sync rate limited", "retry_in", d.String())
		return d, nil
	}
	s.failures++
	d := s.a.backoff(s.failures)
	s.a.log.Warn("matrix sync failed, retrying", "error", errString(err), "retry_in", d.String(), "failures", s.failures)
	return d, nil
}

// onSync runs first for each sync response: it resets the failure count,
// signals readiness, and marks the timeline events that precede the bot's
// own join in a room it just joined, which it must not answer.
func (s *syncer) onSync(_ context.Context, resp *mautrix.RespSync, _ string) bool {
	if s.failures > 0 {
		s.a.log.Info("matrix sync resumed", "failures", s.failures)
		s.failures = 0
	}
	a := s.a
	a.mu.Lock()
	trim(a.skip, 10000)
	for _, room := range resp.Rooms.Join {
		tl := room.Timeline.Events
		for i := len(tl) - 1; i >= 0; i-- {
			e := tl[i]
			if e.Type == event.StateMember && e.GetStateKey() == a.me.String() {
				if m, _ := e.Content.Raw["membership"].(string); m == string(event.MembershipJoin) {
					for _, old := range tl[:i] {
						a.skip[old.ID] = true
					}
					break
				}
			}
		}
	}
	a.mu.Unlock()
	a.connected.Store(true)
	// Anything sent after Ready is closed comes in a later response.
	a.markReady()
	return true
}

// fresh reports whether evt should be handled: not the bot's own, not from
// before the bot started or joined the room, and not seen before.
func (a *Adapter) fresh(evt *event.Event) bool {
	if evt.Sender == a.me || evt.Timestamp < a.started {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.skip[evt.ID] || a.seen[evt.ID] {
		return false
	}
	trim(a.seen, 10000)
	a.seen[evt.ID] = true
	return true
}

// forget clears the member count cache of a room.
func (a *Adapter) forget(room id.RoomID) {
	a.mu.Lock()
	delete(a.members, room)
	a.mu.Unlock()
}
