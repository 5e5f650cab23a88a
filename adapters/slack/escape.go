package slack

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"framebot/bot"
	"framebot/internal/text"
)

// zwsp is a zero-width space. Slack's mrkdwn has no escape character, so a
// formatting character from untrusted text is fenced with zero-width spaces:
// a marker must touch a word boundary on its outer side and text on its
// inner side to open or close bold, italics, strike or code, and with a
// fence on both sides it satisfies neither reading of U+200B (as a word
// character or as space).
const zwsp = "\u200b"

// escapeRune appends r to b escaped for a mrkdwn text object. lineStart
// reports whether r begins a line (where ">" would start a quote).
func escapeRune(b *strings.Builder, r rune, lineStart bool) {
	switch r {
	case '&':
		b.WriteString("&amp;")
	case '<':
		b.WriteString("&lt;")
	case '>':
		if lineStart {
			b.WriteString(zwsp)
		}
		b.WriteString("&gt;")
	case '*', '_', '~', '`':
		b.WriteString(zwsp)
		b.WriteRune(r)
		b.WriteString(zwsp)
	case '@':
		// A plain @here never notifies through the API without
		// link_names, but a fence keeps it so in any client.
		b.WriteRune(r)
		b.WriteString(zwsp)
	case utf8.RuneError:
		b.WriteRune('\uFFFD')
	default:
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return
		}
		b.WriteRune(r)
	}
}

// escape returns s safe to place inside a mrkdwn text object: it can't
// mention, link or format.
func escape(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	line := true
	for _, r := range s {
		escapeRune(&b, r, line)
		line = r == '\n'
	}
	return b.String()
}

// segment is a run of a passage, bold or not.
type segment struct {
	text string
	bold bool
}

// segments cuts p.Text into plain and bold runs. Highlights are widened to
// whole words (bold markers inside a word are not formatting in Slack),
// merged when they touch, and invalid spans are dropped.
func segments(p bot.Passage) []segment {
	text := p.Text
	var spans []bot.Span
	for _, h := range p.Highlights {
		if h.Start < 0 || h.End > len(text) || h.Start >= h.End {
			continue
		}
		s, e := h.Start, h.End
		for s > 0 {
			r, n := utf8.DecodeLastRuneInString(text[:s])
			if !isWord(r) {
				break
			}
			s -= n
		}
		for e < len(text) {
			r, n := utf8.DecodeRuneInString(text[e:])
			if !isWord(r) {
				break
			}
			e += n
		}
		// Bold can't start or end with space.
		for s < e && isSpaceByte(text[s]) {
			s++
		}
		for e > s && isSpaceByte(text[e-1]) {
			e--
		}
		if s >= e {
			continue
		}
		if n := len(spans); n > 0 && s <= spans[n-1].End {
			if s < spans[n-1].Start {
				continue // out of order: ignore rather than reorder
			}
			spans[n-1].End = max(spans[n-1].End, e)
			continue
		}
		spans = append(spans, bot.Span{Start: s, End: e})
	}
	var out []segment
	last := 0
	for _, sp := range spans {
		if sp.Start > last {
			out = append(out, segment{text: text[last:sp.Start]})
		}
		out = append(out, segment{text: text[sp.Start:sp.End], bold: true})
		last = sp.End
	}
	if last < len(text) {
		out = append(out, segment{text: text[last:]})
	}
	return out
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) }

func isSpaceByte(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// quotePrefix starts every line of a mrkdwn block quote.
const quotePrefix = "&gt; "

// quoteMrkdwn renders a passage as a mrkdwn block quote with its highlights
// in bold, at most limit characters long (runes, Slack's measure). A cut
// passage ends with "…"; bold markers always stay balanced and never enclose
// an empty run or a line break, and no escape sequence is split.
func quoteMrkdwn(p bot.Passage, limit int) string {
	w := newQuoteWriter(limit)
	for _, seg := range segments(p) {
		for _, r := range seg.text {
			if w.cut {
				break
			}
			w.writeRune(r, seg.bold)
		}
		w.closeBold()
		if w.cut {
			break
		}
	}
	return w.String()
}

// quoteWriter writes a block quote rune by rune within a budget of runes,
// keeping bold markers balanced.
type quoteWriter struct {
	b strings.Builder
	// n is the runes written; budget leaves room for "…" and a closing
	// bold marker.
	n, budget int
	// cut is set once something did not fit: the quote ends there.
	cut bool
	// line is true at the start of a line (where ">" would open a quote).
	line bool
	// open is true while a bold marker is open and has content.
	open bool
	// spaces are held back inside bold: bold can't end with a space.
	spaces string
	piece  strings.Builder
}

func newQuoteWriter(limit int) *quoteWriter {
	w := &quoteWriter{budget: limit - 2, line: true}
	w.b.WriteString(quotePrefix)
	w.n = utf8.RuneCountInString(quotePrefix)
	return w
}

// emit writes s if it fits the budget; otherwise it sets cut and returns
// false.
func (w *quoteWriter) emit(s string) bool {
	m := utf8.RuneCountInString(s)
	if w.n+m > w.budget {
		w.cut = true
		return false
	}
	w.b.WriteString(s)
	w.n += m
	return true
}

// closeBold ends an open bold run, then writes the spaces held back in it.
func (w *quoteWriter) closeBold() {
	if w.open {
		w.b.WriteByte('*')
		w.n++
		w.open = false
	}
	if w.spaces != "" {
		w.emit(w.spaces)
		w.spaces = ""
	}
}

// writeRune writes r of a bold or plain run: a line break starts a new
// quoted line, a space inside bold is held back, anything else is escaped,
// opening bold first when needed.
func (w *quoteWriter) writeRune(r rune, bold bool) {
	switch {
	case r == '\r':
		return
	case r == '\n':
		w.closeBold()
		if w.emit("\n" + quotePrefix) {
			w.line = true
		}
		return
	case bold && unicode.IsSpace(r):
		if w.open {
			w.spaces += string(r)
		} else {
			w.emit(string(r))
		}
		return
	}
	w.piece.Reset()
	if bold {
		if !w.open {
			w.piece.WriteByte('*')
		}
		w.piece.WriteString(w.spaces)
	}
	escapeRune(&w.piece, r, w.line)
	if !w.emit(w.piece.String()) {
		return
	}
	w.spaces = ""
	w.line = false
	w.open = bold
}

// String returns the quote, ending with "…" when it was cut.
func (w *quoteWriter) String() string {
	if w.cut {
		return w.b.String() + "…"
	}
	return w.b.String()
}

// truncateEscaped cuts already-escaped mrkdwn to at most n runes, as
// text.Truncate does, without splitting an entity (&amp;).
func truncateEscaped(s string, n int) string {
	t := text.Truncate(s, n)
	if t == s {
		return s
	}
	kept := strings.TrimSuffix(t, text.Ellipsis)
	// Back off out of an entity: an "&" among the last six runes kept with
	// no ";" after it.
	if i := strings.LastIndexByte(kept, '&'); i >= 0 && !strings.Contains(kept[i:], ";") && utf8.RuneCountInString(kept[i:]) <= 6 {
		kept = kept[:i]
	}
	return kept + text.Ellipsis
}
