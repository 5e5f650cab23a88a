// Package console is framebot's terminal adapter: it answers one question
// (framebot ask) or a stream of messages on standard input (framebot chat),
// rendering replies as plain text or JSON lines.
package console

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	"framebot/bot"
)

// Format is how replies are printed.
type Format string

// The formats the console prints.
const (
	Text Format = "text"
	JSON Format = "json"
)

// ParseFormat checks a --format value. It returns an error naming the
// accepted values when s is not one of them.
func ParseFormat(s string) (Format, error) {
	switch Format(s) {
	case Text, JSON:
		return Format(s), nil
	}
	return "", fmt.Errorf("unknown format %q: use text or json", s)
}

// Render writes rep to w in format f. bold, when true, marks matched words
// with ANSI bold (for a terminal); JSON output never carries escapes.
func Render(w io.Writer, rep bot.Reply, f Format, bold bool) error {
	if f == JSON {
		return renderJSON(w, rep)
	}
	_, err := io.WriteString(w, RenderText(rep, bold)+"\n")
	return err
}

func renderJSON(w io.Writer, rep bot.Reply) error {
	var v any
	switch {
	case rep.Answer != nil:
		v = rep.Answer
	case rep.Summary != nil:
		v = rep.Summary
	case rep.Sources != nil:
		v = rep.Sources
	case rep.Status != nil:
		v = statusJSON(rep.Status)
	default:
		v = map[string]string{"text": rep.Text}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode reply: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func statusJSON(s *bot.Status) any {
	return struct {
		*bot.Status
		Uptime string `json:"uptime"`
	}{s, s.Uptime.String()}
}

// RenderText renders rep as plain text.
func RenderText(rep bot.Reply, bold bool) string {
	switch {
	case rep.Answer != nil:
		return answerText(rep.Answer, bold)
	case rep.Summary != nil:
		return summaryText(rep.Summary)
	case rep.Sources != nil:
		return sourcesText(rep.Sources)
	case rep.Status != nil:
		return statusText(rep.Status)
	}
	return rep.Text
}

func answerText(a *bot.Answer, bold bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Q: %s\n", a.Question)
	if a.Context != "" {
		fmt.Fprintf(&b, "(in the context of: %s)\n", a.Context)
	}
	if !a.Answered {
		b.WriteString("Not in the corpus: no passage answers this confidently.")
		if len(a.Nearest) > 0 {
			b.WriteString("\nNearest sources:")
			for _, s := range a.Nearest {
				fmt.Fprintf(&b, "\n  - %s", cite(s.Title, s.Source, s.URL))
			}
		}
		return b.String()
	}
	for i, p := range a.Passages {
		fmt.Fprintf(&b, "\n%d. “%s”\n   — %s%s", i+1, highlight(p, bold), cite(p.Title, p.Source, p.URL), bot.PageRef(p.Page))
	}
	if a.Note != "" {
		fmt.Fprintf(&b, "\n\n(%s)", a.Note)
	}
	return b.String()
}

// highlight marks the passage's highlights in ANSI bold when bold is set.
func highlight(p bot.Passage, bold bool) string {
	if !bold || len(p.Highlights) == 0 {
		return p.Text
	}
	var b strings.Builder
	last := 0
	for _, h := range p.Highlights {
		if h.Start < last || h.End > len(p.Text) || h.Start >= h.End {
			continue
		}
		b.WriteString(p.Text[last:h.Start])
		b.WriteString("\x1b[1m" + p.Text[h.Start:h.End] + "\x1b[0m")
		last = h.End
	}
	b.WriteString(p.Text[last:])
	return b.String()
}

func cite(title, source, url string) string {
	title, source, url = bot.SafeName(title), bot.SafeName(source), bot.SafeName(url)
	s := title
	if source != "" && source != title {
		s += " [" + source + "]"
	}
	if url != "" {
		s += " <" + url + ">"
	}
	return s
}

func summaryText(s *bot.Summary) string {
	var b strings.Builder
	if len(s.Sentences) == 0 {
		fmt.Fprintf(&b, "Nothing in the corpus about %q.", s.Topic)
		if len(s.Suggestions) > 0 {
			fmt.Fprintf(&b, " Try: %s.", strings.Join(s.Suggestions, "; "))
		}
		return b.String()
	}
	fmt.Fprintf(&b, "Summary: %s (%s)\n", s.Topic, bot.CountDocuments(s.Documents))
	for _, x := range s.Sentences {
		fmt.Fprintf(&b, "\n• “%s” — %s", x.Text, cite(x.Title, x.Source, x.URL))
	}
	for _, c := range s.Conflicts {
		fmt.Fprintf(&b, "\n\nSources differ on %s:", c.About)
		for _, x := range c.Claims {
			fmt.Fprintf(&b, "\n  - “%s” — %s", x.Text, cite(x.Title, x.Source, x.URL))
		}
	}
	return b.String()
}

func sourcesText(l *bot.SourceList) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%d documents", bot.SafeName(l.Title), l.Total)
	if l.Pages > 1 {
		fmt.Fprintf(&b, ", page %d of %d", l.Page, l.Pages)
	}
	b.WriteString(")")
	for _, s := range l.Sources {
		fmt.Fprintf(&b, "\n  - %s — %d passages%s", cite(s.Title, s.Source, s.URL), s.Passages, bot.PageCount(s.Pages))
		if !s.Updated.IsZero() {
			fmt.Fprintf(&b, ", updated %s", s.Updated.UTC().Format(time.RFC3339))
		}
	}
	return b.String()
}

func statusText(s *bot.Status) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Documents: %d\nPassages: %d\nIndex size: %s\n", s.Documents, s.Passages, humanize.IBytes(uint64(max(s.IndexBytes, 0))))
	if !s.LastUpdate.IsZero() {
		fmt.Fprintf(&b, "Last update: %s\n", s.LastUpdate.UTC().Format(time.RFC3339))
	}
	if s.Watcher != "" {
		fmt.Fprintf(&b, "Watcher: %s\n", s.Watcher)
	}
	fmt.Fprintf(&b, "Uptime: %s\nFeedback: %d helpful, %d not helpful", s.Uptime, s.Helpful, s.NotHelpful)
	return b.String()
}
