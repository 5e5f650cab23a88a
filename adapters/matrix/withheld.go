package matrix

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// Notices for a message the bot could not decrypt. They are sent
// unencrypted: the user's client would not share a key with the bot for
// an encrypted one either.
const (
	msgWithheld = "I could not read your encrypted message: your client did not share its key with me (%s). " +
		"Verify me, or allow sending encrypted messages to unverified sessions in your security settings, then ask again."
	msgNoKey = "I could not read your encrypted message: its key never reached me. " +
		"Verify me, or allow sending encrypted messages to unverified sessions in your security settings, then ask again."
)

// Reasons logged for an undecryptable message besides a withheld code.
const (
	reasonMissing = "missing_session"
	reasonOther   = "decryption_error"
)

// noticeEvery is how often one sender is told at most that the bot could
// not read them.
const noticeEvery = time.Hour

// historySummaryAfter is how long undecryptable history is counted before
// one summary is logged.
const historySummaryAfter = 2 * time.Second

// trustState is the bookkeeping of cross-signing and undecryptable
// messages; the zero value is ready.
type trustState struct {
	// recoveryOut receives the recovery key when cross-signing is set up
	// (nil: standard error).
	recoveryOut io.Writer

	mu       sync.Mutex
	noticed  map[id.UserID]int64 // last notice per sender (Unix ms)
	history  map[id.RoomID]int   // undecryptable history not yet summarised
	flushing bool
}

// recoveryWriter returns where the recovery key is printed.
func (a *Adapter) recoveryWriter() io.Writer {
	if a.trust.recoveryOut != nil {
		return a.trust.recoveryOut
	}
	return os.Stderr
}

// decryptReason names why err kept evt from being decrypted: a withheld
// code (m.unverified, m.blacklisted…), a missing session, or another
// failure. notify is true when the sender can fix it.
func decryptReason(err error, missing bool) (reason string, notify bool) {
	var wh *event.RoomKeyWithheldEventContent
	switch {
	case errors.As(err, &wh) && wh.Code != "":
		return string(wh.Code), true
	case missing:
		return reasonMissing, true
	default:
		return reasonOther, false
	}
}

// onUndecryptable handles a message the crypto helper gave up on. History
// from before the bot's start (or its join) is counted and logged once as
// a summary: a new device can never read it. A new message is logged with
// the reason and, when the sender's client withheld the key or never sent
// it, answered with an unencrypted notice, once an hour per sender.
func (a *Adapter) onUndecryptable(evt *event.Event, err error, missing bool) {
	if evt.Sender == a.me {
		return
	}
	a.mu.Lock()
	old := evt.Timestamp < a.started || a.skip[evt.ID]
	a.mu.Unlock()
	if old {
		a.countHistory(evt.RoomID)
		return
	}
	reason, notify := decryptReason(err, missing)
	a.log.Warn("matrix message could not be decrypted", "room_id", evt.RoomID.String(), "event_id", evt.ID.String(),
		"sender", evt.Sender.String(), "reason", reason, "error", errString(err))
	if !notify || !a.noticeDue(evt.Sender) {
		return
	}
	text := msgNoKey
	if reason != reasonMissing {
		text = fmt.Sprintf(msgWithheld, reason)
	}
	if a.senders == nil {
		return
	}
	a.senders.TryGo(func(ctx context.Context) {
		if err := a.sendNotice(ctx, evt, text); err != nil {
			a.log.Warn("matrix undecryptable notice failed", "room_id", evt.RoomID.String(), "event_id", evt.ID.String(), "error", errString(err))
			return
		}
		a.log.Info("matrix undecryptable notice sent", "room_id", evt.RoomID.String(), "event_id", evt.ID.String(), "sender", evt.Sender.String(), "reason", reason)
	}, nil)
}

// noticeDue reports whether sender may be sent a notice now, and if so
// notes it.
func (a *Adapter) noticeDue(sender id.UserID) bool {
	now := a.now().UnixMilli()
	t := &a.trust
	t.mu.Lock()
	defer t.mu.Unlock()
	if last, ok := t.noticed[sender]; ok && now-last < noticeEvery.Milliseconds() {
		return false
	}
	if t.noticed == nil {
		t.noticed = map[id.UserID]int64{}
	}
	trim(t.noticed, 10000)
	t.noticed[sender] = now
	return true
}

// sendNotice replies to evt, unencrypted even in an encrypted room, in
// its thread when it has one. It waits out rate limits with the same
// transaction ID, like send.
func (a *Adapter) sendNotice(ctx context.Context, evt *event.Event, text string) error {
	content := &event.MessageEventContent{MsgType: event.MsgNotice, Body: text, Mentions: &event.Mentions{}}
	rel := &event.RelatesTo{}
	if enc, ok := evt.Content.Parsed.(*event.EncryptedEventContent); ok && enc.RelatesTo != nil {
		if thread := enc.RelatesTo.GetThreadParent(); thread != "" {
			rel.SetThread(thread, "")
		}
	}
	rel.SetReplyTo(evt.ID)
	content.RelatesTo = rel
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	txn := a.client.TxnID()
	return a.retry(ctx, "send notice", func() error {
		_, err := a.client.SendMessageEvent(ctx, evt.RoomID, event.EventMessage, content, mautrix.ReqSendEvent{TransactionID: txn, DontEncrypt: true})
		return err
	})
}

// countHistory counts an undecryptable event from before the bot's start
// and logs the count once things have been quiet for a moment.
func (a *Adapter) countHistory(room id.RoomID) {
	t := &a.trust
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.history == nil {
		t.history = map[id.RoomID]int{}
	}
	t.history[room]++
	if t.flushing {
		return
	}
	t.flushing = true
	time.AfterFunc(historySummaryAfter, a.logHistory)
}

// logHistory logs the undecryptable history counted so far as one line.
func (a *Adapter) logHistory() {
	t := &a.trust
	t.mu.Lock()
	counts := t.history
	t.history = nil
	t.flushing = false
	t.mu.Unlock()
	total := 0
	rooms := make([]string, 0, len(counts))
	for r, n := range counts {
		total += n
		rooms = append(rooms, r.String())
	}
	if total == 0 {
		return
	}
	sort.Strings(rooms)
	if len(rooms) > 10 {
		rooms = rooms[:10]
	}
	a.log.Info("matrix skipped encrypted history this device has no keys for", "events", total, "rooms", len(rooms), "room_ids", rooms)
}
