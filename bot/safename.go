package bot

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SafeName makes a file name or title from the corpus safe to print: a
// file name can hold a newline (and forge a line of the output) or a
// bidirectional override (and show its text reversed). Control
// characters, line and paragraph separators and the bidirectional
// controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) are
// written as Go escapes (\n, \u202e), so that the reader sees they are
// there; invalid UTF-8 becomes U+FFFD. Everything else, accents and other
// scripts included, is kept. Every renderer calls it on names and titles;
// JSON output keeps the raw name (JSON escapes it).
func SafeName(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if !unsafeRune(r) {
			b.WriteRune(r)
			continue
		}
		switch r {
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x100 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		}
	}
	return b.String()
}

func needsEscape(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if unsafeRune(r) {
			return true
		}
	}
	return false
}

// unsafeRune reports whether r is escaped by SafeName.
func unsafeRune(r rune) bool {
	switch {
	case unicode.IsControl(r): // C0, DEL, C1
		return true
	case r == '\u2028', r == '\u2029': // line and paragraph separators
		return true
	case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069', r == '\u200E', r == '\u200F', r == '\u061C':
		return true
	}
	return false
}
