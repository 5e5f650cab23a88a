package slack

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"framebot/bot"
)

// onEvent routes an Events API event (already acknowledged). It decides
// quickly whether to answer; the answer is worked out on the pool.
func (a *Adapter) onEvent(ctx context.Context, ev slackevents.EventsAPIEvent) {
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok && !a.seen.add(cb.EventID) {
		a.log.Debug("duplicate event ignored", "event_id", cb.EventID)
		return
	}
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		// Direct messages arrive as message.im; answering the mention too
		// would answer twice.
		if isDM(e.Channel) || a.ignoreSender(e.User, e.BotID, "") || !a.allowed(e.Channel) {
			return
		}
		a.question(ctx, e.User, e.BotID, e.Channel, threadOf(e.ThreadTimeStamp, e.TimeStamp), e.Text, false)
	case *slackevents.MessageEvent:
		switch e.SubType {
		case "", "thread_broadcast", "file_share", "bot_message":
		default:
			return // edits, deletions, joins…
		}
		if a.ignoreSender(e.User, e.BotID, e.SubType) || !a.allowed(e.Channel) {
			return
		}
		if e.ChannelType == "im" || isDM(e.Channel) {
			a.question(ctx, e.User, e.BotID, e.Channel, threadOf(e.ThreadTimeStamp, e.TimeStamp), e.Text, false)
			return
		}
		// In a channel, a mention is answered through app_mention; other
		// messages only when they follow up in a thread the bot answered.
		if e.ThreadTimeStamp == "" || a.mention.MatchString(e.Text) {
			return
		}
		a.question(ctx, e.User, e.BotID, e.Channel, e.ThreadTimeStamp, e.Text, true)
	}
}

// ignoreSender reports whether a message is the bot's own or, unless
// configured otherwise, another bot's.
func (a *Adapter) ignoreSender(user, botID, subtype string) bool {
	if user != "" && user == a.botUser {
		return true
	}
	if botID != "" && botID == a.botID {
		return true
	}
	isBot := botID != "" || subtype == "bot_message"
	return isBot && !a.cfg.AnswerBots
}

func threadOf(threadTS, ts string) string {
	if threadTS != "" {
		return threadTS
	}
	return ts
}

// question answers text in thread; followUp answers only when the bot
// already answered in that thread.
func (a *Adapter) question(ctx context.Context, user, botID, channel, thread, text string, followUp bool) {
	if user == "" {
		user = botID
	}
	t := target{channel: channel, thread: thread, user: user}
	job := func(ctx context.Context) {
		if followUp {
			if a.store == nil {
				return
			}
			ok, err := a.store.AnsweredInThread(ctx, Platform, channel, thread)
			if err != nil {
				a.log.Error("thread lookup failed", "channel", channel, "error", err.Error())
				return
			}
			if !ok {
				return
			}
		}
		if ok, wait := a.limiter.Allow(user); !ok {
			a.bot.NoteRateLimited(Platform)
			a.log.Info("question rate limited", "channel", channel, "user", user)
			pt := t
			pt.private = true
			if err := a.send(ctx, pt, textMessage(slowDown(wait))); err != nil {
				a.log.Error("could not send slow down", "channel", channel, "error", err.Error())
			}
			return
		}
		req := bot.Request{Platform: Platform, User: user, Channel: channel, Thread: thread, Text: a.cleanIncoming(text), Prefix: a.cfg.Command}
		rep, err := a.bot.Ask(ctx, req)
		if err != nil {
			a.fail(ctx, t, "ask", err)
			return
		}
		a.reply(ctx, t, req, rep)
	}
	if followUp {
		// Whether the bot answers a follow-up is known only on the pool:
		// when the queue is full it is dropped without a "busy" reply,
		// which might answer a conversation that was not for the bot.
		a.submit(ctx, t, job)
		return
	}
	a.enqueue(ctx, t, job)
}

// reply renders rep and sends it to t; an answer is remembered first so
// that its buttons and its thread find it.
func (a *Adapter) reply(ctx context.Context, t target, req bot.Request, rep bot.Reply) {
	var o RenderOptions
	if rep.Answer != nil && a.store != nil {
		id, err := a.store.RememberAnswer(ctx, bot.AnswerRecord{
			Platform: Platform, Channel: t.channel, Thread: t.thread, User: req.User,
			Question: rep.Answer.Question, Context: rep.Answer.Context, Passages: rep.Answer.Passages, At: a.now(),
		})
		if err != nil {
			a.log.Error("remember answer failed", "channel", t.channel, "error", err.Error())
		} else {
			o.AnswerID = id
			o.Share = t.private && t.responseURL != ""
		}
	}
	if err := a.sendAnswer(ctx, t, Render(rep, o), o.AnswerID); err != nil {
		a.log.Error("send reply failed", "channel", t.channel, "error", err.Error())
	}
}

// links matches Slack's <url|label> and <url> markup in incoming text.
var links = regexp.MustCompile(`<((?:https?|mailto):[^|>]*)(?:\|([^>]*))?>`)

// cleanIncoming turns Slack's message markup into the words the user typed:
// the bot's mention removed, links reduced to their label, entities decoded.
func (a *Adapter) cleanIncoming(s string) string {
	if a.mention != nil {
		s = a.mention.ReplaceAllString(s, " ")
	}
	s = links.ReplaceAllStringFunc(s, func(m string) string {
		sub := links.FindStringSubmatch(m)
		if sub[2] != "" {
			return sub[2]
		}
		return sub[1]
	})
	s = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
	return strings.TrimSpace(s)
}

// rateLimited are the subcommands that count as questions.
var rateLimited = map[string]bool{"ask": true, "summary": true}

// onSlash queues a slash command without waiting; it returns false when
// the queue is full, and the caller then replies that the bot is busy in
// its acknowledgement.
func (a *Adapter) onSlash(ctx context.Context, c slack.SlashCommand) bool {
	t := target{channel: c.ChannelID, user: c.UserID, responseURL: c.ResponseURL, private: !a.cfg.PublicSlash}
	if c.ResponseURL == "" {
		t.private = true // no response_url: fall back to chat.postEphemeral
	}
	return a.submit(ctx, t, func(ctx context.Context) {
		if !a.allowed(c.ChannelID) {
			nt := t
			nt.private = true
			if err := a.send(ctx, nt, textMessage(msgNotHere)); err != nil {
				a.log.Error("send reply failed", "channel", c.ChannelID, "error", err.Error())
			}
			return
		}
		line := a.cleanIncoming(c.Text)
		req := bot.Request{Platform: Platform, User: c.UserID, Channel: c.ChannelID, Prefix: a.cfg.Command}
		name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		if cmd, ok := a.bot.Lookup(name); ok && rateLimited[cmd.Name] {
			if ok, wait := a.limiter.Allow(c.UserID); !ok {
				a.bot.NoteRateLimited(Platform)
				nt := t
				nt.private = true
				if err := a.send(ctx, nt, textMessage(slowDown(wait))); err != nil {
					a.log.Error("send reply failed", "channel", c.ChannelID, "error", err.Error())
				}
				return
			}
		}
		rep, err := a.bot.Command(ctx, req, a.cfg.Command, line)
		if err != nil {
			a.fail(ctx, t, "command", err)
			return
		}
		a.reply(ctx, t, req, rep)
	})
}

// onInteraction handles a button press (already acknowledged). A press
// carries one action; a payload listing more (forged or replayed) is
// handled for its first known action only, so that it counts one vote.
func (a *Adapter) onInteraction(ctx context.Context, ic slack.InteractionCallback) {
	if ic.Type != slack.InteractionTypeBlockActions {
		return
	}
	channel := ic.Channel.ID
	if channel == "" {
		channel = ic.Container.ChannelID
	}
	t := target{channel: channel, user: ic.User.ID, responseURL: ic.ResponseURL, private: true}
	for _, act := range ic.ActionCallback.BlockActions {
		switch act.ActionID {
		case actionHelpful, actionNotHelpful, actionShare, actionAskAgain:
		default:
			continue
		}
		a.enqueue(ctx, t, func(ctx context.Context) {
			if err := a.onButton(ctx, t, act.ActionID, act.Value); err != nil {
				a.fail(ctx, t, act.ActionID, err)
			}
		})
		return
	}
}

func (a *Adapter) onButton(ctx context.Context, t target, action, value string) error {
	if a.store == nil {
		return errors.New("buttons need the state database")
	}
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil || id <= 0 {
		return a.send(ctx, t, textMessage(msgBadInput))
	}
	rec, ok, err := a.store.Answer(ctx, id)
	if err != nil {
		return err
	}
	if !ok || rec.Platform != Platform {
		return a.send(ctx, t, textMessage(msgGone))
	}
	if action == actionShare {
		return a.share(ctx, t, rec)
	}
	if action == actionAskAgain {
		return a.askAgain(ctx, t, rec)
	}
	f := bot.Feedback{
		Platform: Platform, User: t.user, Channel: rec.Channel, AnswerID: rec.ID, Question: rec.Question,
		Passages: rec.Passages, Helpful: action == actionHelpful, At: a.now(),
	}
	if err := a.store.RecordFeedback(ctx, f); err != nil {
		return err
	}
	a.log.Info("feedback recorded", "answer_id", rec.ID, "helpful", f.Helpful, "user", t.user)
	return a.send(ctx, t, textMessage(msgThanks))
}

// share reposts a private answer in the channel, then removes the private
// copy.
func (a *Adapter) share(ctx context.Context, t target, rec bot.AnswerRecord) error {
	ans := &bot.Answer{Question: rec.Question, Answered: len(rec.Passages) > 0, Passages: rec.Passages, Context: rec.Context}
	msg := Render(bot.Reply{Answer: ans}, RenderOptions{AnswerID: rec.ID, SharedBy: t.user})
	ts, err := a.post(ctx, target{channel: t.channel}, msg)
	if err != nil {
		var se slack.SlackErrorResponse
		if !errors.As(err, &se) || (se.Err != "not_in_channel" && se.Err != "channel_not_found") || t.responseURL == "" {
			return err
		}
		// Not a member of the channel (not_in_channel, channel_not_found):
		// the response_url can still post there.
		a.log.Info("sharing through response_url", "channel", t.channel, "reason", se.Err)
		pub := t
		pub.private = false
		if err := a.send(ctx, pub, msg); err != nil {
			return err
		}
	} else if a.store != nil {
		// Follow-ups in the shared answer's thread are answered too.
		if _, err := a.store.RememberAnswer(ctx, bot.AnswerRecord{
			Platform: Platform, Channel: t.channel, MessageID: ts, User: rec.User,
			Question: rec.Question, Context: rec.Context, Passages: rec.Passages, At: a.now(),
		}); err != nil {
			a.log.Error("remember shared answer failed", "channel", t.channel, "error", err.Error())
		}
	}
	if t.responseURL != "" {
		if err := a.respond(ctx, t.responseURL, &slack.WebhookMessage{DeleteOriginal: true}); err != nil {
			a.log.Warn("could not remove the private answer", "channel", t.channel, "error", err.Error())
		}
	}
	return nil
}
