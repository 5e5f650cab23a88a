package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Words returns the words of s in lower case: its runs of letters and
// digits, so that "Ukraine’s 10,000" gives "ukraine", "s", "10", "000".
// It is the splitter for comparing texts by the words they share.
func Words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !IsWordRune(r) })
}

// FirstWords returns the first n words of s, as Words gives them,
// without splitting the rest (a definition's subject opens its sentence).
func FirstWords(s string, n int) []string {
	var out []string
	start := -1
	for i, r := range s {
		switch {
		case IsWordRune(r):
			if start < 0 {
				start = i
			}
			continue
		case start < 0:
			continue
		}
		if out = append(out, strings.ToLower(s[start:i])); len(out) == n {
			return out
		}
		start = -1
	}
	if start >= 0 {
		out = append(out, strings.ToLower(s[start:]))
	}
	return out
}

// IsWordRune reports whether r belongs to a word: a letter or a digit.
func IsWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// HasWord reports whether s holds a word: a letter or a digit.
func HasWord(s string) bool { return strings.IndexFunc(s, IsWordRune) >= 0 }

// Token is a word, a number or a punctuation mark of a text, as written.
type Token struct {
	// Text is the token as it stands in the text.
	Text string
	// Number reports a number: digits only, with thousands separators or a
	// decimal point ("10,000", "2.5").
	Number bool
}

// Tokens splits s into words (letters and digits, with apostrophes inside:
// "Ukraine’s"), numbers (digits with thousands separators and a decimal
// point: "10,000", "2.5") and single punctuation marks; spaces separate
// tokens and are dropped. It is the splitter for reading a sentence word by
// word, where "10,000" is one number.
func Tokens(s string) []Token {
	var out []Token
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r):
			i += size
		case IsWordRune(r):
			j, num := tokenEnd(s, i)
			out = append(out, Token{Text: s[i:j], Number: num})
			i = j
		default:
			out = append(out, Token{Text: s[i : i+size]})
			i += size
		}
	}
	return out
}

// tokenEnd returns the end of the word or number starting at i, and whether
// it is a number (digits only, with separators).
func tokenEnd(s string, i int) (end int, num bool) {
	digits, letters := false, false
	j := i
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		switch {
		case unicode.IsDigit(r):
			digits = true
		case unicode.IsLetter(r):
			letters = true
		case (r == ',' || r == '.') && digits && !letters && j+1 < len(s) && isASCIIDigit(s[j+1]):
			// inside a number: "10,000", "2.5"
		case (r == '\'' || r == '’') && letters && j+size < len(s) && unicode.IsLetter(FirstRune(s[j+size:])):
			// inside a word: "Ukraine’s"
		default:
			return j, digits && !letters
		}
		j += size
	}
	return j, digits && !letters
}

func isASCIIDigit(b byte) bool { return b >= '0' && b <= '9' }

// Trigrams returns the letter trigrams of s in lower case, with a space
// before and after it, for a likeness of short texts that forgives typos.
func Trigrams(s string) map[string]bool {
	m := map[string]bool{}
	r := []rune(" " + strings.ToLower(s) + " ")
	for i := 0; i+3 <= len(r); i++ {
		m[string(r[i:i+3])] = true
	}
	return m
}

// FirstRune returns the first rune of s, or utf8.RuneError when s is empty
// or starts with invalid UTF-8.
func FirstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// LastRune returns the last rune of s, or utf8.RuneError when s is empty
// or ends with invalid UTF-8.
func LastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

// IsCapitalised reports whether s starts with an upper-case letter.
func IsCapitalised(s string) bool { return unicode.IsUpper(FirstRune(s)) }
