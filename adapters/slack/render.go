package slack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/slack-go/slack"

	"framebot/bot"
	txt "framebot/internal/text"
)

// Slack's limits on a message.
const (
	maxText   = 3000 // characters in one text object
	maxBlocks = 50   // blocks in one message
	maxFields = 10   // fields in one section
	maxNotify = 300  // characters of the fallback text we send
)

// Action IDs of the buttons on answers.
const (
	actionHelpful    = "feedback_helpful"
	actionNotHelpful = "feedback_not_helpful"
	actionShare      = "share_in_channel"
)

// Message is a Slack message: Block Kit blocks and the fallback text shown in
// notifications and by clients that can't show blocks.
type Message struct {
	Text   string        `json:"text"`
	Blocks []slack.Block `json:"blocks"`
}

// RenderOptions add the interactive parts of an answer.
type RenderOptions struct {
	// AnswerID, when not zero, adds Helpful / Not helpful buttons carrying it.
	AnswerID int64
	// Share adds a "Share in channel" button (for private answers).
	Share bool
	// SharedBy is the user who shared the answer into the channel.
	SharedBy string
}

// WriteJSON prints rep as the message the adapter would send, as
// {"text": fallback, "blocks": [...]} (framebot ask --format slack).
func WriteJSON(w io.Writer, rep bot.Reply) error {
	b, err := Render(rep, RenderOptions{}).MarshalIndent()
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// MarshalIndent encodes m as indented JSON ending with a newline, with &, <
// and > left as they are (Slack's entities stay readable).
func (m Message) MarshalIndent() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("encode slack message: %w", err)
	}
	return buf.Bytes(), nil
}

// Render turns a reply into a Slack message. Every piece of corpus or user
// text is escaped: it can't mention, link or break the formatting.
func Render(rep bot.Reply, o RenderOptions) Message {
	switch {
	case rep.Answer != nil:
		return renderAnswer(rep.Answer, o)
	case rep.Summary != nil:
		return renderSummary(rep.Summary)
	case rep.Sources != nil:
		return renderSources(rep.Sources)
	case rep.Status != nil:
		return renderStatus(rep.Status)
	}
	return renderText(rep.Text)
}

func mrkdwn(s string) *slack.TextBlockObject {
	// verbatim: no automatic links, channel names or mentions.
	return slack.NewTextBlockObject(slack.MarkdownType, truncateEscaped(s, maxText), false, true)
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, txt.Truncate(s, 75), false, false)
}

func section(s string) slack.Block { return slack.NewSectionBlock(mrkdwn(s), nil, nil) }

func contextLine(s string) slack.Block { return slack.NewContextBlock("", mrkdwn(s)) }

// finish caps the body to Slack's block limit, keeping room for tail (the
// buttons), and builds the message.
func finish(text string, body []slack.Block, tail ...slack.Block) Message {
	room := maxBlocks - len(tail)
	if len(body) > room {
		body = append(body[:room-1], contextLine("…more was left out: Slack allows 50 blocks in a message."))
	}
	// The fallback is mrkdwn too where blocks are not shown.
	return Message{Text: escape(txt.Truncate(text, maxNotify)), Blocks: append(body, tail...)}
}

func renderAnswer(a *bot.Answer, o RenderOptions) Message {
	var body []slack.Block
	if o.SharedBy != "" && userID.MatchString(o.SharedBy) {
		body = append(body, contextLine(fmt.Sprintf("Shared by <@%s>", o.SharedBy)))
	}
	body = append(body, section("*Q:* "+escape(a.Question)))
	if a.Context != "" {
		body = append(body, contextLine("_in the context of: "+escape(a.Context)+"_"))
	}
	var text string
	if len(a.Passages) == 0 {
		msg := "Not in the corpus: no passage answers this confidently."
		if a.Question == "" && a.Note != "" {
			msg = escape(a.Note)
		}
		if len(a.Nearest) > 0 {
			msg += "\n*Nearest sources:*"
			for _, s := range a.Nearest {
				msg += "\n• " + cite(s.Title, s.Doc, s.Source, s.URL)
			}
		}
		body = append(body, section(msg))
		text = "Not in the corpus: " + a.Question
	} else {
		for _, p := range a.Passages {
			body = append(body, section(quoteMrkdwn(p, maxText)), contextLine(cite(p.Title, p.Doc, p.Source, p.URL)+escape(bot.PassageRef(p))))
		}
		first := a.Passages[0]
		text = fmt.Sprintf("“%s” — %s", txt.Truncate(bot.CleanText(first.Text, 0), 200), titleOf(first.Title, first.Doc))
		if n := len(a.Passages) - 1; n > 0 {
			text += fmt.Sprintf(" (+%d more)", n)
		}
	}
	if a.Note != "" && (a.Question != "" || len(a.Passages) > 0) {
		body = append(body, contextLine("_"+escape(a.Note)+"_"))
	}
	var tail []slack.Block
	var buttons []slack.BlockElement
	if o.AnswerID != 0 {
		id := strconv.FormatInt(o.AnswerID, 10)
		buttons = append(buttons,
			slack.NewButtonBlockElement(actionHelpful, id, plain("Helpful")),
			slack.NewButtonBlockElement(actionNotHelpful, id, plain("Not helpful")))
		if o.Share && len(a.Passages) > 0 {
			buttons = append(buttons, slack.NewButtonBlockElement(actionShare, id, plain("Share in channel")).WithStyle(slack.StylePrimary))
		}
	}
	if len(buttons) > 0 {
		tail = append(tail, slack.NewActionBlock("answer_actions", buttons...))
	}
	return finish(text, body, tail...)
}

// userID matches a Slack user ID, the only thing rendered as a mention.
var userID = regexp.MustCompile(`^[UW][A-Z0-9]{2,20}$`)

func titleOf(title, doc string) string {
	if strings.TrimSpace(title) == "" {
		return bot.SafeName(doc)
	}
	return bot.SafeName(title)
}

// cite renders a citation: title in bold, source, and a link when the URL is
// a plain http(s) URL.
func cite(title, doc, source, link string) string {
	title, source = titleOf(title, doc), bot.SafeName(source)
	s := "*" + escape(strings.TrimSpace(title)) + "*"
	if source != "" && source != title {
		s += " · " + escape(source)
	}
	if l := safeLink(link); l != "" {
		s += " · " + l
	}
	return s
}

// safeLink returns a mrkdwn link to raw, labelled with its host, or "" when
// raw is not an absolute http(s) URL that can be written safely.
func safeLink(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	s := u.String()
	if strings.ContainsAny(s, "<>| \t\n\"") {
		return ""
	}
	return "<" + strings.ReplaceAll(s, "&", "&amp;") + "|" + escape(u.Hostname()) + ">"
}

// renderText renders a plain message, split into sections on line breaks
// when it is longer than a text object holds.
func renderText(t string) Message {
	var body []slack.Block
	for _, chunk := range chunkLines(strings.Split(t, "\n"), escape) {
		body = append(body, section(chunk))
	}
	if len(body) == 0 {
		body = append(body, section(" "))
	}
	return finish(t, body)
}

// chunkLines escapes lines and joins them into chunks of at most maxText
// characters.
func chunkLines(lines []string, esc func(string) string) []string {
	var out []string
	var cur strings.Builder
	n := 0
	for _, l := range lines {
		e := truncateEscaped(esc(l), maxText)
		m := len([]rune(e))
		if cur.Len() > 0 && n+1+m > maxText {
			out = append(out, cur.String())
			cur.Reset()
			n = 0
		}
		if cur.Len() > 0 {
			cur.WriteByte('\n')
			n++
		}
		cur.WriteString(e)
		n += m
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

func renderSummary(s *bot.Summary) Message {
	if len(s.Sentences) == 0 {
		t := fmt.Sprintf("Nothing in the corpus about “%s”.", s.Topic)
		if len(s.Suggestions) > 0 {
			t += " Try: " + strings.Join(s.Suggestions, "; ") + "."
		}
		return renderText(t)
	}
	body := []slack.Block{section(fmt.Sprintf("*Summary: %s* (%s)", escape(s.Topic), bot.CountDocuments(s.Documents)))}
	quote := func(x bot.SummarySentence) []slack.Block {
		return []slack.Block{
			section(quoteMrkdwn(bot.Passage{Text: x.Text}, maxText)),
			contextLine(cite(x.Title, x.Doc, x.Source, x.URL)),
		}
	}
	for _, x := range s.Sentences {
		body = append(body, quote(x)...)
	}
	for _, c := range s.Conflicts {
		body = append(body, section("*Sources differ on "+escape(c.About)+":*"))
		for _, x := range c.Claims {
			body = append(body, quote(x)...)
		}
	}
	return finish(fmt.Sprintf("Summary: %s (%s)", s.Topic, bot.CountDocuments(s.Documents)), body)
}

func renderSources(l *bot.SourceList) Message {
	title := bot.SafeName(l.Title)
	head := fmt.Sprintf("%s (%s", title, txt.Count(l.Total, "document"))
	if l.Pages > 1 {
		head += fmt.Sprintf(", page %d of %d", l.Page, l.Pages)
	}
	head += ")"
	body := []slack.Block{section("*" + escape(title) + "*" + escape(strings.TrimPrefix(head, title)))}
	var lines []string
	for _, s := range l.Sources {
		line := "• " + cite(s.Title, s.Doc, s.Source, s.URL) + " — " + txt.Count(s.Passages, "passage") + bot.PageCount(s.Pages)
		if !s.Updated.IsZero() {
			line += ", updated " + s.Updated.UTC().Format("2006-01-02 15:04 MST")
		}
		lines = append(lines, line)
	}
	for _, chunk := range chunkLines(lines, func(s string) string { return s }) {
		body = append(body, section(chunk))
	}
	return finish(head, body)
}

func renderStatus(s *bot.Status) Message {
	field := func(name, value string) *slack.TextBlockObject {
		return mrkdwn("*" + name + "*\n" + escape(value))
	}
	fields := []*slack.TextBlockObject{
		field("Documents", strconv.Itoa(s.Documents)),
		field("Passages", strconv.Itoa(s.Passages)),
		field("Index size", humanize.IBytes(uint64(max(s.IndexBytes, 0)))),
		field("Uptime", s.Uptime.String()),
		field("Feedback", fmt.Sprintf("%d helpful, %d not helpful", s.Helpful, s.NotHelpful)),
	}
	if !s.LastUpdate.IsZero() {
		fields = append(fields, field("Last update", s.LastUpdate.UTC().Format(time.RFC3339)))
	}
	if s.Watcher != "" {
		fields = append(fields, field("Watcher", s.Watcher))
	}
	body := []slack.Block{
		section("*Status*"),
		slack.NewSectionBlock(nil, fields[:min(len(fields), maxFields)], nil),
	}
	return finish(fmt.Sprintf("Status: %s, %s", txt.Count(s.Documents, "document"), txt.Count(s.Passages, "passage")), body)
}

// RenderAnnouncement renders corpus changes as one digest message.
func RenderAnnouncement(a bot.Announcement) Message {
	counts := map[bot.ChangeKind]int{}
	for _, c := range a.Changes {
		counts[c.Kind]++
	}
	var parts []string
	for _, k := range []bot.ChangeKind{bot.Added, bot.Updated, bot.Removed} {
		if counts[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
		}
	}
	summary := strings.Join(parts, ", ")
	body := []slack.Block{section("*Corpus updated:* " + escape(summary))}
	const shown = 15 // two blocks each, well under the limit
	for i, c := range a.Changes {
		if i == shown {
			body = append(body, contextLine(fmt.Sprintf("…and %d more.", len(a.Changes)-shown)))
			break
		}
		line := escape(c.Kind.Label()) + ": " + cite(c.Title, c.Doc, c.Source, c.URL)
		if o := strings.TrimSpace(c.Opening); o != "" && c.Kind != bot.Removed {
			line += "\n" + quoteMrkdwn(bot.Passage{Text: txt.Truncate(o, 280)}, maxText-len([]rune(line))-1)
		}
		body = append(body, section(line))
	}
	if a.AnswersUpdated > 0 {
		body = append(body, contextLine(escape(bot.AnswersUpdatedLine(a.AnswersUpdated))))
	}
	return finish("Corpus updated: "+summary, body)
}
