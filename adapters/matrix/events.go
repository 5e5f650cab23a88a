package matrix

import (
	"context"
	"fmt"
	"strings"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"framebot/bot"
	"framebot/internal/text"
)

// Sentences users see when something fails; the detail goes to the log.
const (
	msgFailed  = "Sorry, something went wrong while answering. Please try again in a moment."
	msgLimited = "You're asking faster than I can answer; please wait %s and ask again."
)

// onMember handles membership changes: invites to the bot, and any change
// that makes the cached member count of a room stale.
func (a *Adapter) onMember(ctx context.Context, evt *event.Event) {
	a.forget(evt.RoomID)
	if evt.GetStateKey() != a.me.String() || evt.Mautrix.EventSource&event.SourceInvite == 0 {
		return
	}
	m := evt.Content.AsMember()
	if m.Membership != event.MembershipInvite {
		return
	}
	a.mu.Lock()
	busy := a.invites[evt.RoomID]
	a.invites[evt.RoomID] = true
	a.mu.Unlock()
	if busy {
		return
	}
	room, inviter, direct := evt.RoomID, evt.Sender, m.IsDirect
	a.workers.Go(ctx, func(ctx context.Context) {
		defer func() {
			a.mu.Lock()
			delete(a.invites, room)
			a.mu.Unlock()
		}()
		a.handleInvite(ctx, room, inviter, direct)
	}, nil)
}

func (a *Adapter) handleInvite(ctx context.Context, room id.RoomID, inviter id.UserID, direct bool) {
	if !a.cfg.inviterAllowed(inviter) {
		err := a.retry(ctx, "decline invite", func() error {
			_, err := a.client.LeaveRoom(ctx, room, &mautrix.ReqLeave{Reason: "framebot only joins rooms when invited by an allowed user or server"})
			return err
		})
		if err != nil {
			a.log.Warn("matrix decline invite failed", "room_id", room.String(), "inviter", inviter.String(), "error", errString(err))
			return
		}
		a.log.Info("matrix invite declined", "room_id", room.String(), "inviter", inviter.String())
		return
	}
	if direct {
		if err := a.state.Set(ctx, keyDirect+room.String(), "1"); err != nil {
			a.log.Warn("matrix remember direct room failed", "room_id", room.String(), "error", errString(err))
		}
	}
	err := a.retry(ctx, "join", func() error {
		_, err := a.client.JoinRoomByID(ctx, room)
		return err
	})
	if err != nil {
		a.log.Warn("matrix join failed", "room_id", room.String(), "inviter", inviter.String(), "error", errString(err))
		return
	}
	a.log.Info("matrix room joined", "room_id", room.String(), "inviter", inviter.String(), "direct", direct)
}

// onEncrypted warns, once per room, that an encrypted message can't be read
// when encryption is off; with encryption on, the crypto helper decrypts
// and the decrypted event comes back through onMessage.
func (a *Adapter) onEncrypted(_ context.Context, evt *event.Event) {
	if a.cli.Crypto != nil || evt.Sender == a.me || evt.Timestamp < a.started {
		return
	}
	a.mu.Lock()
	warned := a.noCrypto[evt.RoomID]
	a.noCrypto[evt.RoomID] = true
	a.mu.Unlock()
	if !warned {
		a.log.Warn("matrix encrypted message ignored: encryption is off (build with -tags goolm and set MATRIX_PICKLE_KEY)", "room_id", evt.RoomID.String())
	}
}

// onMessage queues a message for the workers when it may be for the bot.
// A mention or a command is checked against the per-user limit here, on
// the sync loop, so a flood from one user never takes a worker from the
// others; whether a plain message is a thread follow-up or sits in a
// direct room needs lookups, which the worker does.
func (a *Adapter) onMessage(ctx context.Context, evt *event.Event) {
	if !a.fresh(evt) {
		return
	}
	c := evt.Content.AsMessage()
	if c.MsgType != event.MsgText || c.RelatesTo.GetReplaceID() != "" {
		// Notices are what bots send; edits would answer twice.
		return
	}
	m := a.parse(evt, c)
	if m.command || m.mentioned {
		if !a.allow(ctx, evt, m) {
			return
		}
		m.allowed = true
	}
	a.workers.Go(ctx, func(ctx context.Context) { a.handleMessage(ctx, evt, m) },
		func() {
			a.reply(context.WithoutCancel(ctx), evt, m.thread, "", bot.Reply{Text: msgFailed})
		})
}

// message is what onMessage read from a message event.
type message struct {
	req       bot.Request
	text      string // the message without the mention
	line      string // the command line, when command
	thread    id.EventID
	command   bool
	mentioned bool
	allowed   bool // already passed the per-user limit
}

func (a *Adapter) parse(evt *event.Event, c *event.MessageEventContent) message {
	body := c.Body
	if c.RelatesTo.GetReplyTo() != "" {
		body = event.TrimReplyFallbackText(body)
	}
	formatted := ""
	if c.Format == event.FormatHTML {
		formatted = event.TrimReplyFallbackHTML(c.FormattedBody)
	}
	m := message{thread: c.RelatesTo.GetThreadParent()}
	m.mentioned, m.text = a.mention.find(body, formatted, c.Mentions)
	m.req = bot.Request{
		Platform: Platform,
		User:     evt.Sender.String(),
		Channel:  evt.RoomID.String(),
		Thread:   m.thread.String(),
		Prefix:   a.cfg.CommandPrefix,
	}
	m.line, m.command = commandLine(m.text, a.cfg.CommandPrefix)
	return m
}

// allow applies the per-user limit to m. A refused user is told to slow
// down (once a minute at most, by the sender pool) and allow returns
// false.
func (a *Adapter) allow(ctx context.Context, evt *event.Event, m message) bool {
	ok, wait := a.limiter.Allow(m.req.User)
	if ok {
		return true
	}
	a.bot.NoteRateLimited(Platform)
	if a.warnLimited(evt.Sender) {
		notice := bot.Reply{Text: fmt.Sprintf(msgLimited, text.Count(int(wait.Seconds())+1, "second"))}
		a.senders.Go(ctx, func(ctx context.Context) { a.reply(ctx, evt, m.thread, "", notice) }, nil)
	}
	return false
}

// handleMessage answers a message if it is addressed to the bot: a command,
// a mention, a direct room, or a thread the bot answered in. The reply is
// sent by the sender pool, so the worker goes on to the next question
// while the homeserver takes the last answer.
func (a *Adapter) handleMessage(ctx context.Context, evt *event.Event, m message) {
	if !m.command && !m.mentioned && !a.followUp(ctx, evt.RoomID, m.thread) && !a.direct(ctx, evt.RoomID) {
		return
	}
	if !m.allowed && !a.allow(ctx, evt, m) {
		return
	}
	log := a.log.With("room_id", m.req.Channel, "event_id", evt.ID.String(), "user", m.req.User)
	var (
		rep bot.Reply
		err error
	)
	start := a.now()
	if m.command {
		rep, err = a.bot.Command(ctx, m.req, a.cfg.CommandPrefix, m.line)
	} else {
		req := m.req
		req.Text = m.text
		rep, err = a.bot.Ask(ctx, req)
	}
	if err != nil {
		log.Error("matrix answer failed", "error", errString(err))
		rep = bot.Reply{Text: msgFailed}
	}
	question := ""
	if rep.Answer != nil {
		question = rep.Answer.Question
	}
	took := a.now().Sub(start)
	a.senders.Go(ctx, func(ctx context.Context) {
		a.reply(ctx, evt, m.thread, question, rep)
		log.Info("matrix message answered", "command", m.command, "thread", m.thread != "", "answered", rep.Answer != nil && rep.Answer.Answered, "duration_ms", took.Milliseconds(), "sent_after_ms", a.now().Sub(start).Milliseconds())
	}, func() {
		a.reply(context.WithoutCancel(ctx), evt, m.thread, "", bot.Reply{Text: msgFailed})
	})
}

// warnLimited reports whether to tell sender they are rate limited: once a
// minute at most, so a flood does not get a flood of notices.
func (a *Adapter) warnLimited(sender id.UserID) bool {
	now := a.now().UnixMilli()
	a.mu.Lock()
	defer a.mu.Unlock()
	if now-a.lastWarn[sender] < time.Minute.Milliseconds() {
		return false
	}
	trim(a.lastWarn, 10000)
	a.lastWarn[sender] = now
	return true
}

// followUp reports whether thread is one the bot answered in, or is rooted
// at one of its answers.
func (a *Adapter) followUp(ctx context.Context, room id.RoomID, thread id.EventID) bool {
	if thread == "" {
		return false
	}
	ok, err := a.state.AnsweredInThread(ctx, Platform, room.String(), thread.String())
	if err != nil {
		a.log.Warn("matrix thread lookup failed", "room_id", room.String(), "error", errString(err))
		return false
	}
	if ok {
		return true
	}
	_, ok, err = a.state.AnswerByMessage(ctx, Platform, room.String(), thread.String())
	if err != nil {
		a.log.Warn("matrix answer lookup failed", "room_id", room.String(), "error", errString(err))
	}
	return ok
}

// direct reports whether room is a direct chat: the invite said so, or the
// bot and one other person are its only members.
func (a *Adapter) direct(ctx context.Context, room id.RoomID) bool {
	if v, _, err := a.state.Get(ctx, keyDirect+room.String()); err == nil && v == "1" {
		return true
	}
	a.mu.Lock()
	n, ok := a.members[room]
	a.mu.Unlock()
	if !ok {
		resp, err := a.client.JoinedMembers(ctx, room)
		if err != nil {
			a.log.Warn("matrix member list failed", "room_id", room.String(), "error", errString(err))
			return false
		}
		n = len(resp.Joined)
		a.mu.Lock()
		trim(a.members, 10000)
		a.members[room] = n
		a.mu.Unlock()
	}
	return n == 2
}

// reply sends rep as a reply to evt, in thread when the question was in
// one, remembers answers for thread follow-ups and reactions, and offers
// 👍 / 👎 under answers.
func (a *Adapter) reply(ctx context.Context, evt *event.Event, thread id.EventID, question string, rep bot.Reply) {
	content := Render(rep, a.msgType())
	rel := &event.RelatesTo{}
	if thread != "" {
		rel.SetThread(thread, "")
	}
	rel.SetReplyTo(evt.ID)
	content.RelatesTo = rel
	sent, err := a.send(ctx, evt.RoomID, event.EventMessage, content)
	if err != nil {
		a.log.Error("matrix reply failed", "room_id", evt.RoomID.String(), "event_id", evt.ID.String(), "error", errString(err))
		return
	}
	if rep.Answer == nil {
		return
	}
	_, err = a.state.RememberAnswer(ctx, bot.AnswerRecord{
		Platform:  Platform,
		Channel:   evt.RoomID.String(),
		Thread:    thread.String(),
		MessageID: sent.String(),
		User:      evt.Sender.String(),
		Question:  question,
		Context:   rep.Answer.Context,
		Passages:  rep.Answer.Passages,
		At:        a.now(),
	})
	if err != nil {
		a.log.Warn("matrix remember answer failed", "room_id", evt.RoomID.String(), "error", errString(err))
	}
	if *a.cfg.FeedbackReactions && rep.Answer.Answered {
		offer := func(ctx context.Context) {
			for _, key := range []string{thumbsUp, thumbsDown} {
				var r event.ReactionEventContent
				r.RelatesTo.SetAnnotation(sent, key)
				if _, err := a.send(ctx, evt.RoomID, event.EventReaction, &r); err != nil {
					a.log.Warn("matrix feedback reaction failed", "room_id", evt.RoomID.String(), "error", errString(err))
					break
				}
			}
		}
		switch {
		case a.side == nil:
			offer(ctx)
		case !a.side.TryGo(offer, nil):
			a.log.Debug("matrix feedback reactions skipped under load", "room_id", evt.RoomID.String())
		}
	}
}

const (
	thumbsUp   = "👍"
	thumbsDown = "👎"
)

// vote reads a reaction key as feedback: 👍 is helpful, 👎 is not, with or
// without a skin tone or variation selector.
func vote(key string) (helpful, ok bool) {
	switch {
	case strings.HasPrefix(key, thumbsUp):
		return true, true
	case strings.HasPrefix(key, thumbsDown):
		return false, true
	}
	return false, false
}

// onReaction records 👍 / 👎 on one of the bot's answers as feedback.
func (a *Adapter) onReaction(ctx context.Context, evt *event.Event) {
	if !a.fresh(evt) {
		return
	}
	rel := evt.Content.AsReaction().RelatesTo
	helpful, ok := vote(rel.GetAnnotationKey())
	target := rel.GetAnnotationID()
	if !ok || target == "" {
		return
	}
	a.workers.Go(ctx, func(ctx context.Context) {
		rec, found, err := a.state.AnswerByMessage(ctx, Platform, evt.RoomID.String(), target.String())
		if err != nil || !found {
			if err != nil {
				a.log.Warn("matrix answer lookup failed", "room_id", evt.RoomID.String(), "error", errString(err))
			}
			return
		}
		err = a.state.RecordFeedback(ctx, bot.Feedback{
			Platform: Platform,
			AnswerID: rec.ID,
			User:     evt.Sender.String(),
			Channel:  evt.RoomID.String(),
			Question: rec.Question,
			Passages: rec.Passages,
			Helpful:  helpful,
			At:       time.UnixMilli(evt.Timestamp),
		})
		if err != nil {
			a.log.Warn("matrix record feedback failed", "room_id", evt.RoomID.String(), "error", errString(err))
			return
		}
		a.log.Info("matrix feedback recorded", "room_id", evt.RoomID.String(), "helpful", helpful)
	}, nil)
}
