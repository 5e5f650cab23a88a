package corpus

import (
	"strings"
	"unicode"

	"framebot/internal/text"
)

// smallWords are the words title case leaves in lower case.
var smallWords = map[string]bool{
	"a": true, "an": true, "the": true, "and": true, "or": true, "but": true,
	"nor": true, "of": true, "in": true, "on": true, "at": true, "to": true,
	"for": true, "by": true, "with": true, "from": true, "as": true, "vs": true,
	"via": true, "per": true, "into": true, "over": true, "is": true, "&": true,
}

// looksLikeHeading reports whether a paragraph reads as a section heading
// rather than as prose: short, and not ended like a sentence. Questions
// count as headings only in title case ("What's Next?"), so a real
// one-sentence question stays prose. Scraped text files carry no markup, so
// this is the only way to tell their headings apart.
func looksLikeHeading(para string) bool {
	words := strings.Fields(para)
	n := len(words)
	if n == 0 || n > 20 {
		return false
	}
	end := strings.TrimRightFunc(para, func(r rune) bool { return text.IsCloser(r) || unicode.IsSpace(r) })
	switch text.LastRune(end) {
	case '.', '!', '…', ';', ',', '。', '！':
		return false
	case '?', '？':
		return n <= 12 && titleCase(words)
	}
	return n <= 8 || titleCase(words)
}

// titleCase reports whether at least three quarters of the words that title
// case would capitalise start with an upper-case letter or a digit.
func titleCase(words []string) bool {
	total, upper := 0, 0
	for i, w := range words {
		w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if w == "" || (i > 0 && smallWords[strings.ToLower(w)]) {
			continue
		}
		r := text.FirstRune(w)
		if unicode.IsLetter(r) && !unicode.IsUpper(r) && !unicode.IsLower(r) {
			return false // a script without case says nothing
		}
		total++
		if unicode.IsUpper(r) || unicode.IsDigit(r) {
			upper++
		}
	}
	return total > 0 && upper*4 >= total*3
}
