package matrix

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"framebot/bot"
)

var _ bot.StaleEditor = (*Adapter)(nil)

// EditStale replaces the bot's answer a with its corrected rendering: an
// m.replace edit whose m.new_content is the whole corrected answer, sent
// like any message (encrypted in an encrypted room), with m.mentions
// empty. The error wraps bot.ErrNotEditable when the server refuses the
// edit for good (forbidden, unknown room), and is another error when it
// may succeed later.
func (a *Adapter) EditStale(ctx context.Context, ans bot.StaleAnswer) error {
	if ans.MessageID == "" {
		return fmt.Errorf("answer %d: %w: no event ID", ans.ID, bot.ErrNotEditable)
	}
	content := RenderStale(ans, a.msgType(), a.cfg.CommandPrefix)
	content.SetEdit(id.EventID(ans.MessageID))
	content.Mentions = &event.Mentions{}
	_, err := a.send(ctx, id.RoomID(ans.Channel), event.EventMessage, content)
	if err != nil {
		if errors.Is(err, mautrix.MForbidden) || errors.Is(err, mautrix.MNotFound) {
			return fmt.Errorf("edit answer %d: %w: %w", ans.ID, bot.ErrNotEditable, err)
		}
		return fmt.Errorf("edit answer %d: %w", ans.ID, err)
	}
	return nil
}

// RenderStale renders a corrected answer: each quote that no longer stands
// is struck through (<del>) with what happened and when, and what the
// document says now when a close passage exists; the last line tells how
// to ask again. An answer whose quotes all stand again renders as it was
// sent.
func RenderStale(a bot.StaleAnswer, msgType event.MessageType, prefix string) *event.MessageEventContent {
	ans := &bot.Answer{Question: a.Question, Answered: len(a.Passages) > 0, Passages: a.Passages, Context: a.Context}
	n := a.StaleCount()
	if n == 0 {
		return Render(bot.Reply{Answer: ans}, msgType)
	}
	if prefix == "" {
		prefix = DefaultPrefix
	}
	var b, h strings.Builder
	head := bot.StaleHeading(n)
	fmt.Fprintf(&b, "⚠ %s\nQ: %s\n", head, a.Question)
	fmt.Fprintf(&h, "<p>⚠ <em>%s</em></p>\n<p><strong>Q:</strong> %s</p>\n", esc(head), esc(a.Question))
	if a.Context != "" {
		fmt.Fprintf(&b, "(in the context of: %s)\n", a.Context)
		fmt.Fprintf(&h, "<p><em>(in the context of: %s)</em></p>\n", esc(a.Context))
	}
	for i, p := range a.Passages {
		var st bot.QuoteState
		if i < len(a.Quotes) {
			st = a.Quotes[i]
		}
		citation := bot.Cite(titleOr(p), p.Source, p.URL)
		hcite := htmlCite(titleOr(p), p.Source, p.URL)
		switch st.Kind {
		case bot.QuoteChanged, bot.QuoteRemoved:
			fmt.Fprintf(&b, "\n[no longer true] “%s”\n  — %s\n  %s\n", p.Text, citation, bot.StaleNote(st))
			fmt.Fprintf(&h, "<blockquote><del>%s</del></blockquote>\n<p>— %s</p>\n<p><em>%s</em></p>\n", escLines(p.Text), hcite, esc(bot.StaleNote(st)))
			if st.Now != "" {
				fmt.Fprintf(&b, "  now: “%s”\n", st.Now)
				fmt.Fprintf(&h, "<p>now:</p>\n<blockquote>%s</blockquote>\n", escLines(st.Now))
			}
		default:
			fmt.Fprintf(&b, "\n“%s”\n  — %s\n", p.Text, citation)
			fmt.Fprintf(&h, "<blockquote>%s</blockquote>\n<p>— %s</p>\n", highlightHTML(p), hcite)
			if note := bot.StaleNote(st); note != "" {
				fmt.Fprintf(&b, "  %s\n", note)
				fmt.Fprintf(&h, "<p><em>%s</em></p>\n", esc(note))
			}
		}
	}
	ask := prefix + " ask " + a.Question
	fmt.Fprintf(&b, "\nAsk again: %s", ask)
	fmt.Fprintf(&h, "<p>Ask again: <code>%s</code></p>", esc(ask))
	return content(msgType, b.String(), h.String())
}

// titleOr is the passage's title, or its document when it has none.
func titleOr(p bot.Passage) string {
	if strings.TrimSpace(p.Title) == "" {
		return p.Doc
	}
	return p.Title
}
