package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Fold collapses every run of whitespace (spaces, tabs, newlines, no-break
// spaces and other Unicode spaces) and control characters into a single
// space, deletes invisible characters that only get in the way of quoting
// and matching (zero-width space, word joiner, byte-order mark, soft
// hyphen) and trims the result. Invalid UTF-8 bytes are kept as they are.
//
// Every paragraph of a Document is folded, so Fold is the normal form the
// index and the bot can compare against.
func Fold(s string) string {
	if f, ok := foldASCII(s); ok {
		return f
	}
	return foldRunes(s)
}

// foldASCII is Fold for ASCII text, where every byte below '!' and DEL
// are the spaces and control characters: s itself when it is already
// folded (no copy), ok false when s holds a byte beyond ASCII.
func foldASCII(s string) (f string, ok bool) {
	folded, space := true, true // space: the byte before was a space, or none
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= utf8.RuneSelf:
			return "", false
		case c == ' ':
			folded = folded && !space
			space = true
		case c < ' ' || c == 0x7f:
			folded = false
		default:
			space = false
		}
	}
	if folded && !space || s == "" {
		return s, true
	}
	var b strings.Builder
	b.Grow(len(s))
	space = false // a space is pending
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c == 0x7f {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteByte(c)
	}
	return b.String(), true
}

// foldRunes is Fold for any text.
func foldRunes(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false // a space is pending
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteByte(s[i])
			i++
			continue
		}
		i += size
		switch {
		case invisible(r):
			continue
		case unicode.IsSpace(r) || unicode.IsControl(r):
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// invisible reports whether r is a format character that renders as nothing
// in running text and would only split words for a search engine.
func invisible(r rune) bool {
	switch r {
	case '\u200b', '\u2060', '\ufeff', '\u00ad':
		return true
	}
	return false
}
