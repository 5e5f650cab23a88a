package text

import "unicode/utf8"

// Ellipsis is the mark Truncate puts where it cut a text.
const Ellipsis = "…"

// Truncate returns s cut to at most n runes, the last of them Ellipsis when
// s was cut, for text people read (a title, a quote in an error). It never
// splits a rune; for n < 1 a cut s gives Ellipsis alone.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	keep := max(n-1, 0)
	for i := range s {
		if keep == 0 {
			return s[:i] + Ellipsis
		}
		keep--
	}
	return s + Ellipsis // not reached: s has more than n runes
}

// TruncateBytes returns the longest prefix of s of at most n bytes that does
// not end inside a rune, without a mark: for limits on size (a query, an
// event body) rather than on what people read.
func TruncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	n = max(n, 0)
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
