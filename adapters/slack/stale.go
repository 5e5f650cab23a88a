package slack

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"framebot/bot"
)

// actionAskAgain is the button on a corrected answer that asks its question
// again, in the answer's thread.
const actionAskAgain = "ask_again"

var _ bot.StaleEditor = (*Adapter)(nil)

// slackUpdater is the Web API method that edits a message (slack.Client).
type slackUpdater interface {
	UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, string, error)
}

var _ slackUpdater = (*slack.Client)(nil)

// notEditable are the chat.update errors that retrying can't fix.
var notEditable = map[string]bool{
	"message_not_found": true, "cant_update_message": true, "channel_not_found": true,
	"edit_window_closed": true, "is_archived": true, "not_in_channel": true,
}

// EditStale replaces the message of a, an answer the bot posted, with its
// corrected rendering (chat.update). Private answers have no message ID
// and are never queued. The error wraps bot.ErrNotEditable when Slack says
// the message can't be edited (deleted, archived channel…), and is
// another error when the call failed and may succeed later.
func (a *Adapter) EditStale(ctx context.Context, ans bot.StaleAnswer) error {
	if ans.MessageID == "" {
		return fmt.Errorf("answer %d: %w: it was private", ans.ID, bot.ErrNotEditable)
	}
	up, ok := a.api.(slackUpdater)
	if !ok {
		return fmt.Errorf("answer %d: %w: the client can't update messages", ans.ID, bot.ErrNotEditable)
	}
	msg := RenderStale(ans)
	err := a.retry(ctx, "chat.update", func() error {
		_, _, _, err := up.UpdateMessageContext(ctx, ans.Channel, ans.MessageID,
			slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...))
		return err
	})
	if err != nil {
		var se slack.SlackErrorResponse
		if errors.As(err, &se) && notEditable[se.Err] {
			return fmt.Errorf("chat.update: %w: %w", bot.ErrNotEditable, err)
		}
		return fmt.Errorf("chat.update: %w", err)
	}
	return nil
}

// sendAnswer sends an answer's message and, when it was posted in the
// channel with the Web API, records its ts against answer id so that the
// answer can be corrected later. Other replies go through send.
func (a *Adapter) sendAnswer(ctx context.Context, t target, msg Message, id int64) error {
	rec, ok := a.store.(bot.AnswerMessageRecorder)
	if id == 0 || !ok || t.responseURL != "" || t.private {
		return a.send(ctx, t, msg)
	}
	ts, err := a.post(ctx, t, msg)
	if err != nil {
		return err
	}
	if err := rec.SetAnswerMessage(ctx, id, ts); err != nil {
		a.log.Warn("answer's message not recorded; it won't be corrected", "channel", t.channel, "error", err.Error())
	}
	return nil
}

// askAgain answers rec's question again, in the thread of the answer.
func (a *Adapter) askAgain(ctx context.Context, t target, rec bot.AnswerRecord) error {
	if ok, wait := a.limiter.Allow(t.user); !ok {
		a.bot.NoteRateLimited(Platform)
		return a.send(ctx, t, textMessage(slowDown(wait)))
	}
	thread := rec.Thread
	if thread == "" {
		thread = rec.MessageID
	}
	req := bot.Request{Platform: Platform, User: t.user, Channel: rec.Channel, Thread: thread, Text: rec.Question, Prefix: a.cfg.Command}
	rep, err := a.bot.Ask(ctx, req)
	if err != nil {
		return err
	}
	a.reply(ctx, target{channel: rec.Channel, thread: thread, user: t.user}, req, rep)
	return nil
}

// RenderStale renders a corrected answer: each quote that no longer stands
// is struck through and says what happened and when, with what the
// document says now when a close passage exists; an Ask again button
// re-answers the question. An answer whose quotes all stand again renders
// as it was sent.
func RenderStale(a bot.StaleAnswer) Message {
	ans := &bot.Answer{Question: a.Question, Answered: len(a.Passages) > 0, Passages: a.Passages, Context: a.Context}
	n := a.StaleCount()
	if n == 0 {
		return Render(bot.Reply{Answer: ans}, RenderOptions{AnswerID: a.ID})
	}
	head := "A source of this answer changed after it was sent."
	if n > 1 {
		head = "Sources of this answer changed after it was sent."
	}
	body := []slack.Block{
		contextLine(":warning: " + head),
		section("*Q:* " + escape(a.Question)),
	}
	if a.Context != "" {
		body = append(body, contextLine("_in the context of: "+escape(a.Context)+"_"))
	}
	for i, p := range a.Passages {
		var st bot.QuoteState
		if i < len(a.Quotes) {
			st = a.Quotes[i]
		}
		body = append(body, staleBlocks(p, st)...)
	}
	id := strconv.FormatInt(a.ID, 10)
	tail := slack.NewActionBlock("answer_actions",
		slack.NewButtonBlockElement(actionAskAgain, id, plain("Ask again")).WithStyle(slack.StylePrimary),
		slack.NewButtonBlockElement(actionHelpful, id, plain("Helpful")),
		slack.NewButtonBlockElement(actionNotHelpful, id, plain("Not helpful")))
	return finish(fmt.Sprintf("Updated: %s of this answer changed — %s", quotesNoun(n), a.Question), body, tail)
}

func quotesNoun(n int) string {
	if n == 1 {
		return "a source"
	}
	return "sources"
}

// staleBlocks renders one quote of a corrected answer.
func staleBlocks(p bot.Passage, st bot.QuoteState) []slack.Block {
	day := ""
	if !st.Since.IsZero() {
		day = " on " + st.Since.UTC().Format("2006-01-02")
	}
	citation := contextLine(cite(p.Title, p.Doc, p.Source, p.URL))
	switch st.Kind {
	case bot.QuoteChanged:
		out := []slack.Block{section(strike(quoteMrkdwn(bot.Passage{Text: p.Text}, maxText-200))), citation,
			contextLine("_Changed" + day + ": the document no longer says this._")}
		if st.Now != "" {
			out = append(out, section("*now:*\n"+quoteMrkdwn(bot.Passage{Text: st.Now}, maxText-20)))
		}
		return out
	case bot.QuoteRemoved:
		return []slack.Block{section(strike(quoteMrkdwn(bot.Passage{Text: p.Text}, maxText-200))), citation,
			contextLine("_Document removed" + day + "._")}
	case bot.QuoteMoved:
		return []slack.Block{section(quoteMrkdwn(p, maxText)), citation,
			contextLine("_Document moved" + day + " to " + escape(bot.SafeName(st.MovedTo)) + "._")}
	}
	return []slack.Block{section(quoteMrkdwn(p, maxText)), citation}
}

// strike strikes through each line of a quote rendered by quoteMrkdwn
// ("&gt; text" lines).
func strike(quoted string) string {
	const prefix = "&gt; "
	lines := strings.Split(quoted, "\n")
	for i, l := range lines {
		text := strings.TrimSpace(strings.TrimPrefix(l, prefix))
		if text == "" {
			continue
		}
		lines[i] = prefix + "~" + text + "~"
	}
	return strings.Join(lines, "\n")
}
