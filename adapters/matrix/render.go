package matrix

import (
	"fmt"
	"html"
	"net/url"
	"strings"
	"time"

	"maunium.net/go/mautrix/event"

	"framebot/bot"
	"framebot/internal/text"
)

// maxBodyBytes keeps a message well under Matrix's 64 KiB event limit, with
// room for the HTML, the relation and encryption overhead.
const maxBodyBytes = 24 << 10

// Render turns rep into the content of a Matrix message of type msgType
// (m.notice or m.text): org.matrix.custom.html with each passage in a
// <blockquote> and matched words in <strong>, and a plain-text body
// (bot.PlainText, the console's wording) for clients without HTML. Corpus text is escaped, so no
// markup from a document survives, and "m.mentions" is empty so that a
// quote containing @room or a user ID pings no one.
func Render(rep bot.Reply, msgType event.MessageType) *event.MessageEventContent {
	var h string
	switch {
	case rep.Answer != nil:
		h = answerHTML(rep.Answer)
	case rep.Summary != nil:
		h = summaryHTML(rep.Summary)
	case rep.Sources != nil:
		h = sourcesHTML(rep.Sources)
	case rep.Status != nil:
		h = statusHTML(rep.Status)
	default:
		h = textHTML(rep.Text)
	}
	return content(msgType, bot.PlainText(rep, nil), h)
}

// RenderAnnouncement renders a corpus announcement as one digest message.
func RenderAnnouncement(a bot.Announcement, msgType event.MessageType) *event.MessageEventContent {
	var b, h strings.Builder
	n := len(a.Changes)
	noun := "changes"
	if n == 1 {
		noun = "change"
	}
	fmt.Fprintf(&b, "Corpus updated (%d %s):", n, noun)
	fmt.Fprintf(&h, "<p><strong>Corpus updated</strong> (%d %s):</p>\n<ul>\n", n, noun)
	for _, c := range a.Changes {
		kind := c.Kind.Label()
		fmt.Fprintf(&b, "\n  - %s: %s", kind, bot.Cite(c.Title, c.Source, c.URL))
		fmt.Fprintf(&h, "<li>%s: %s", esc(kind), htmlCite(c.Title, c.Source, c.URL))
		if c.Opening != "" {
			fmt.Fprintf(&b, "\n    “%s”", c.Opening)
			fmt.Fprintf(&h, "<blockquote>%s</blockquote>", escLines(c.Opening))
		}
		h.WriteString("</li>\n")
	}
	h.WriteString("</ul>")
	if a.AnswersUpdated > 0 {
		line := bot.AnswersUpdatedLine(a.AnswersUpdated)
		fmt.Fprintf(&b, "\n%s.", line)
		fmt.Fprintf(&h, "\n<p>%s.</p>", esc(line))
	}
	return content(msgType, b.String(), h.String())
}

func content(msgType event.MessageType, body, formatted string) *event.MessageEventContent {
	if len(body) > maxBodyBytes || len(formatted) > maxBodyBytes {
		// Cutting HTML would leave it unbalanced: send the text alone.
		body = cut(body, maxBodyBytes)
		formatted = textHTML(body)
	}
	return &event.MessageEventContent{
		MsgType:       msgType,
		Body:          body,
		Format:        event.FormatHTML,
		FormattedBody: formatted,
		Mentions:      &event.Mentions{},
	}
}

// cut shortens s to at most n bytes on a rune boundary and marks the cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return text.TruncateBytes(s, n) + "\n…"
}

func esc(s string) string { return html.EscapeString(s) }

// escLines escapes s and keeps its line breaks.
func escLines(s string) string { return strings.ReplaceAll(esc(s), "\n", "<br>") }

func textHTML(s string) string { return escLines(s) }

func answerHTML(a *bot.Answer) string {
	var h strings.Builder
	fmt.Fprintf(&h, "<p><strong>Q:</strong> %s</p>\n", esc(a.Question))
	if a.Context != "" {
		fmt.Fprintf(&h, "<p><em>(in the context of: %s)</em></p>\n", esc(a.Context))
	}
	if !a.Answered {
		h.WriteString("<p>Not in the corpus: no passage answers this confidently.</p>")
		if len(a.Nearest) > 0 {
			h.WriteString("\n<p>Nearest sources:</p>\n<ul>\n")
			for _, s := range a.Nearest {
				fmt.Fprintf(&h, "<li>%s</li>\n", htmlCite(s.Title, s.Source, s.URL))
			}
			h.WriteString("</ul>")
		}
		return h.String()
	}
	for i, p := range a.Passages {
		if i > 0 {
			h.WriteString("\n")
		}
		fmt.Fprintf(&h, "<blockquote>%s</blockquote>\n<p>— %s%s</p>", highlightHTML(p), htmlCite(p.Title, p.Source, p.URL), esc(bot.PassageRef(p)))
	}
	if a.Note != "" {
		fmt.Fprintf(&h, "\n<p><em>%s</em></p>", esc(a.Note))
	}
	return h.String()
}

// highlightHTML escapes the passage and puts its highlights in <strong>;
// spans that are out of order or out of range are ignored.
func highlightHTML(p bot.Passage) string {
	return bot.MarkHighlights(p, escLines, func(s string) string { return "<strong>" + escLines(s) + "</strong>" })
}

// safeURL returns u when it is an absolute http(s) URL, else "": a document
// must not be able to smuggle a javascript: or data: link into a message.
func safeURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return p.String()
}

// htmlCite is the source line: the title, linked when the document has a
// web address, and the source when it differs from the title.
func htmlCite(title, source, link string) string {
	title, source = bot.SafeName(title), bot.SafeName(source)
	s := esc(title)
	if u := safeURL(link); u != "" {
		s = fmt.Sprintf(`<a href="%s">%s</a>`, esc(u), s)
	}
	if source != "" && source != title {
		s += " [" + esc(source) + "]"
	}
	return s
}

func summaryHTML(s *bot.Summary) string {
	var h strings.Builder
	if len(s.Sentences) == 0 {
		fmt.Fprintf(&h, "<p>Nothing in the corpus about “%s”.", esc(s.Topic))
		if len(s.Suggestions) > 0 {
			fmt.Fprintf(&h, " Try: %s.", esc(strings.Join(s.Suggestions, "; ")))
		}
		h.WriteString("</p>")
		return h.String()
	}
	fmt.Fprintf(&h, "<p><strong>Summary: %s</strong> (%s)</p>\n", esc(s.Topic), bot.CountDocuments(s.Documents))
	for _, x := range s.Sentences {
		fmt.Fprintf(&h, "<blockquote>%s</blockquote>\n<p>— %s</p>\n", escLines(x.Text), htmlCite(x.Title, x.Source, x.URL))
	}
	for _, c := range s.Conflicts {
		fmt.Fprintf(&h, "<p><strong>Sources differ on %s:</strong></p>\n<ul>\n", esc(c.About))
		for _, x := range c.Claims {
			fmt.Fprintf(&h, "<li>“%s” — %s</li>\n", escLines(x.Text), htmlCite(x.Title, x.Source, x.URL))
		}
		h.WriteString("</ul>\n")
	}
	return strings.TrimRight(h.String(), "\n")
}

func sourcesHTML(l *bot.SourceList) string {
	var h strings.Builder
	fmt.Fprintf(&h, "<p><strong>%s</strong> (%s", esc(bot.SafeName(l.Title)), text.Count(l.Total, "document"))
	if l.Pages > 1 {
		fmt.Fprintf(&h, ", page %d of %d", l.Page, l.Pages)
	}
	h.WriteString(")</p>")
	if len(l.Sources) == 0 {
		return h.String()
	}
	h.WriteString("\n<ul>\n")
	for _, s := range l.Sources {
		fmt.Fprintf(&h, "<li>%s — %s%s", htmlCite(s.Title, s.Source, s.URL), text.Count(s.Passages, "passage"), bot.PageCount(s.Pages))
		if !s.Updated.IsZero() {
			fmt.Fprintf(&h, ", updated %s", s.Updated.UTC().Format(time.RFC3339))
		}
		h.WriteString("</li>\n")
	}
	h.WriteString("</ul>")
	return h.String()
}

func statusHTML(s *bot.Status) string {
	// The plain-text lines say everything; show them as a list of fields.
	return textHTML(bot.PlainText(bot.Reply{Status: s}, nil))
}
