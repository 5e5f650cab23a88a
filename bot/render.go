package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	"framebot/internal/text"
)

// PlainText renders rep as plain text, in the wording every adapter shares:
// the console prints it, and Matrix sends it as the body for clients that
// show no HTML. mark, when not nil, wraps each highlighted span of a
// passage (the console makes it ANSI bold on a terminal); spans out of
// order or out of range are left unmarked.
func PlainText(rep Reply, mark func(string) string) string {
	switch {
	case rep.Answer != nil:
		return answerText(rep.Answer, mark)
	case rep.Summary != nil:
		return summaryText(rep.Summary)
	case rep.Sources != nil:
		return sourcesText(rep.Sources)
	case rep.Status != nil:
		return statusText(rep.Status)
	}
	return rep.Text
}

// Cite is a document's plain-text source line: its title, then its source
// in brackets when that differs from the title, then its web address in
// angle brackets. Each part goes through SafeName, so a document can't
// break the line or hide text with control characters.
func Cite(title, source, url string) string {
	title, source, url = SafeName(title), SafeName(source), SafeName(url)
	s := title
	if source != "" && source != title {
		s += " [" + source + "]"
	}
	if url != "" {
		s += " <" + url + ">"
	}
	return s
}

func answerText(a *Answer, mark func(string) string) string {
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
				fmt.Fprintf(&b, "\n  - %s", Cite(s.Title, s.Source, s.URL))
			}
		}
		return b.String()
	}
	for i, p := range a.Passages {
		fmt.Fprintf(&b, "\n%d. “%s”\n   — %s%s", i+1, MarkHighlights(p, nil, mark), Cite(p.Title, p.Source, p.URL), PassageRef(p))
	}
	if a.Note != "" {
		fmt.Fprintf(&b, "\n\n(%s)", a.Note)
	}
	return b.String()
}

// MarkHighlights returns p.Text with each highlight passed through mark
// and the text around them through plain (nil keeps it as it is), so that
// each renderer escapes and emphasises in its own format. Highlights out
// of order or out of range are left unmarked; with no mark, or no
// highlights, all of the text is plain.
func MarkHighlights(p Passage, plain, mark func(string) string) string {
	if plain == nil {
		plain = func(s string) string { return s }
	}
	if mark == nil || len(p.Highlights) == 0 {
		return plain(p.Text)
	}
	var b strings.Builder
	last := 0
	for _, h := range p.Highlights {
		if h.Start < last || h.End > len(p.Text) || h.Start >= h.End {
			continue
		}
		b.WriteString(plain(p.Text[last:h.Start]))
		b.WriteString(mark(p.Text[h.Start:h.End]))
		last = h.End
	}
	b.WriteString(plain(p.Text[last:]))
	return b.String()
}

func summaryText(s *Summary) string {
	var b strings.Builder
	if len(s.Sentences) == 0 {
		fmt.Fprintf(&b, "Nothing in the corpus about %q.", s.Topic)
		if len(s.Suggestions) > 0 {
			fmt.Fprintf(&b, " Try: %s.", strings.Join(s.Suggestions, "; "))
		}
		return b.String()
	}
	fmt.Fprintf(&b, "Summary: %s (%s)\n", s.Topic, CountDocuments(s.Documents))
	for _, x := range s.Sentences {
		fmt.Fprintf(&b, "\n• “%s” — %s", x.Text, Cite(x.Title, x.Source, x.URL))
	}
	for _, c := range s.Conflicts {
		fmt.Fprintf(&b, "\n\nSources differ on %s:", c.About)
		for _, x := range c.Claims {
			fmt.Fprintf(&b, "\n  - “%s” — %s", x.Text, Cite(x.Title, x.Source, x.URL))
		}
	}
	return b.String()
}

func sourcesText(l *SourceList) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s", SafeName(l.Title), text.Count(l.Total, "document"))
	if l.Pages > 1 {
		fmt.Fprintf(&b, ", page %d of %d", l.Page, l.Pages)
	}
	b.WriteString(")")
	for _, s := range l.Sources {
		fmt.Fprintf(&b, "\n  - %s — %s%s", Cite(s.Title, s.Source, s.URL), text.Count(s.Passages, "passage"), PageCount(s.Pages))
		if !s.Updated.IsZero() {
			fmt.Fprintf(&b, ", updated %s", s.Updated.UTC().Format(time.RFC3339))
		}
	}
	return b.String()
}

func statusText(s *Status) string {
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
