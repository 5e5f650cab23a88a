package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// CleanText makes chat text safe to process: invalid UTF-8 is replaced,
// control, format (zero-width, bidirectional override) and private-use
// characters are dropped, whitespace is folded, and the result is cut to at
// most maxRunes runes (0 means no limit).
func CleanText(s string, maxRunes int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	var b strings.Builder
	b.Grow(min(len(s), 4*max(maxRunes, 64)))
	n := 0
	space := true // drop leading space
	for _, r := range s {
		if maxRunes > 0 && n >= maxRunes {
			break
		}
		switch {
		case unicode.IsSpace(r):
			if !space {
				b.WriteByte(' ')
				n++
				space = true
			}
			continue
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), unicode.Is(unicode.Co, r), r == utf8.RuneError:
			continue
		}
		b.WriteRune(r)
		n++
		space = false
	}
	return strings.TrimRight(b.String(), " ")
}
