package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"framebot/internal/text"
)

// maxWrapWidth is the longest line, in runes, of a hard-wrapped block.
// Scraped text that puts one paragraph per line has far longer lines.
const maxWrapWidth = 120

// parseText splits plain text into blocks. Blank lines always separate
// paragraphs. Within a run of non-blank lines, a line break is kept as a
// paragraph break unless the text is hard-wrapped: see joinLines. Bullet
// lines ("•", "-", "*", "1.") start a list item, without their glyph.
func parseText(src string) []block {
	src = strings.ReplaceAll(src, "\r\n", "\n")
	src = strings.ReplaceAll(src, "\r", "\n")
	var group []string
	// One block per paragraph, mostly: sized once, so that a file of
	// millions of one-line paragraphs does not grow its slice by copying.
	out := make([]block, 0, paragraphRuns(src))
	flush := func() {
		out = linesToBlocks(out, group)
		group = group[:0]
	}
	for line := range strings.SplitSeq(src, "\n") {
		line = Fold(line)
		if line == "" {
			flush()
			continue
		}
		group = append(group, line)
	}
	flush()
	return out
}

// paragraphRuns counts the runs of non-blank lines of src: the number of
// blocks of a text without lists or joined lines.
func paragraphRuns(src string) int {
	n, blank := 0, true
	for line := range strings.SplitSeq(src, "\n") {
		empty := strings.TrimSpace(line) == ""
		if !empty && blank {
			n++
		}
		blank = empty
	}
	return n
}

// linesToBlocks appends to out the blocks of a run of non-blank, folded
// lines. Appending to one slice, rather than returning one per run, keeps
// a file of millions of one-line paragraphs to one growing slice.
func linesToBlocks(out []block, lines []string) []block {
	if len(lines) == 0 {
		return out
	}
	wrapped := isWrapped(lines)
	width := 0
	for _, l := range lines {
		width = max(width, utf8.RuneCountInString(l))
	}
	var parts []string // lines of the paragraph being joined
	flush := func() {
		if len(parts) > 0 {
			out[len(out)-1].text = strings.Join(parts, " ")
			parts = parts[:0]
		}
	}
	prevMeta := false
	for i, line := range lines {
		item, text := stripBullet(line)
		_, _, meta := metaLine(line)
		if i == 0 || item || meta || prevMeta || !joinLines(lines[i-1], line, wrapped, width) {
			flush()
			k := kindPara
			if item {
				k = kindItem
			}
			out = append(out, block{kind: k})
		}
		parts = append(parts, text)
		prevMeta = meta
	}
	flush()
	return out
}

// isWrapped reports whether lines look hard-wrapped: several lines, none
// longer than maxWrapWidth, and most full-width lines (a short first line
// is a title, a short line a paragraph end) breaking mid-sentence.
func isWrapped(lines []string) bool {
	if len(lines) < 2 {
		return false
	}
	width := 0
	for _, l := range lines {
		n := utf8.RuneCountInString(l)
		if n > maxWrapWidth {
			return false
		}
		width = max(width, n)
	}
	full, open := 0, 0
	for _, l := range lines[:len(lines)-1] {
		if utf8.RuneCountInString(l)*4 < width*3 {
			continue
		}
		full++
		if !endsSentence(l) {
			open++
		}
	}
	return full > 0 && open*2 >= full
}

// joinLines decides whether next continues the paragraph of prev. In
// hard-wrapped text a full-width line continues even if it happens to end
// a sentence, and a short one ends its paragraph; anywhere, a line that
// stops mid-sentence followed by one starting in lower case continues.
func joinLines(prev, next string, wrapped bool, width int) bool {
	full := utf8.RuneCountInString(prev)*4 >= width*3
	if !endsSentence(prev) && unicode.IsLower(text.FirstRune(next)) {
		return true
	}
	return wrapped && full
}

// endsSentence reports whether s ends with sentence punctuation, possibly
// followed by closing quotes or brackets.
func endsSentence(s string) bool {
	s = strings.TrimRightFunc(s, text.IsCloser)
	switch text.LastRune(s) {
	case '.', '!', '?', '…', '。', '！', '？':
		return true
	}
	return false
}

// bulletGlyphs start a list item when followed by a space; the non-ASCII
// ones also without a space.
const bulletGlyphs = "•·◦▪▫‣●○■□►➢✓✔-*–"

// stripBullet reports whether line is a list item and returns it without
// its bullet or number.
func stripBullet(line string) (bool, string) {
	r, size := utf8.DecodeRuneInString(line)
	if strings.ContainsRune(bulletGlyphs, r) {
		rest := line[size:]
		if rest == "" {
			return false, line
		}
		if next := text.FirstRune(rest); unicode.IsSpace(next) || (r >= utf8.RuneSelf && r != '–') {
			if text := strings.TrimSpace(rest); text != "" {
				return true, text
			}
		}
		return false, line
	}
	// "1. ", "12) "
	digits := 0
	for digits < len(line) && digits < 3 && line[digits] >= '0' && line[digits] <= '9' {
		digits++
	}
	if digits > 0 && digits+1 < len(line) && (line[digits] == '.' || line[digits] == ')') && line[digits+1] == ' ' {
		if text := strings.TrimSpace(line[digits+1:]); text != "" {
			return true, text
		}
	}
	return false, line
}
