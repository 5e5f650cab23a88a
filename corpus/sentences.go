package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// abbreviations are words that are usually followed by a period inside a
// sentence (titles, "approx.", "No. 5"), lower-cased and without the period.
// Abbreviations written with inner periods ("U.S.", "e.g.") and single
// initials ("J. Smith") are recognised without a list.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "mx": true, "dr": true, "prof": true,
	"sr": true, "jr": true, "st": true, "mt": true, "ft": true, "gen": true,
	"lt": true, "col": true, "maj": true, "sgt": true, "capt": true, "cmdr": true,
	"adm": true, "gov": true, "sen": true, "rep": true, "pres": true, "rev": true,
	"hon": true, "vs": true, "approx": true, "dept": true, "est": true, "fig": true,
	"figs": true, "no": true, "nos": true, "vol": true, "ch": true, "pp": true,
	"jan": true, "feb": true, "mar": true, "apr": true, "jun": true, "jul": true,
	"aug": true, "sep": true, "sept": true, "oct": true, "nov": true, "dec": true,
	"ave": true, "blvd": true, "cf": true, "al": true, "ed": true, "eds": true,
}

// Sentences returns the byte ranges [start, end) of the sentences of text,
// in order, each trimmed of surrounding whitespace. Together they cover all
// of text except whitespace between sentences.
//
// A sentence ends at a run of '.', '!', '?' or '…' (plus any closing quotes
// or brackets) followed by whitespace and a word that does not start in
// lower case, or at the end of text; CJK full stops end a sentence on their
// own. A period does not end a sentence after a known abbreviation ("Mr.",
// "approx."), a word with inner periods ("U.S.", "e.g.") or a single
// initial, nor inside a number ("2.5").
func Sentences(text string) [][2]int {
	var out [][2]int
	start := 0
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isTerminator(r) {
			i += size
			continue
		}
		j := i + size
		for j < len(text) {
			r2, s2 := utf8.DecodeRuneInString(text[j:])
			if !isTerminator(r2) {
				break
			}
			j += s2
		}
		termEnd := j
		for j < len(text) {
			r2, s2 := utf8.DecodeRuneInString(text[j:])
			if !isCloser(r2) {
				break
			}
			j += s2
		}
		if sentenceEnds(text, start, i, termEnd, j) {
			out = appendTrimmed(out, text, start, j)
			start = j
		}
		i = j
	}
	return appendTrimmed(out, text, start, len(text))
}

// sentenceEnds decides whether the terminators text[term:termEnd], followed
// by closers up to end, close the sentence that began at start.
func sentenceEnds(text string, start, term, termEnd, end int) bool {
	first, _ := utf8.DecodeRuneInString(text[term:])
	if first == '。' || first == '！' || first == '？' {
		return true
	}
	if end == len(text) {
		return true
	}
	next, _ := utf8.DecodeRuneInString(text[end:])
	if !unicode.IsSpace(next) {
		return false // "2.5", "U.S.A", "…and"
	}
	rest := strings.TrimLeftFunc(text[end:], unicode.IsSpace)
	if rest == "" {
		return true
	}
	following, _ := utf8.DecodeRuneInString(rest)
	if unicode.IsLower(following) {
		return false
	}
	if text[term:termEnd] != "." {
		return true
	}
	// A lone period: is the word before it an abbreviation?
	wordStart := strings.LastIndexFunc(text[start:term], unicode.IsSpace) + 1 + start
	word := strings.TrimLeftFunc(text[wordStart:term], func(r rune) bool {
		return isOpener(r) || isCloser(r)
	})
	switch {
	case word == "":
		return true
	case utf8.RuneCountInString(word) == 1 && unicode.IsLetter(firstRune(word)):
		return false // an initial: "J. Smith"
	case strings.Contains(word, "."):
		return false // "U.S.", "e.g."
	case abbreviations[strings.ToLower(word)]:
		return false
	}
	return true
}

// appendTrimmed appends text[start:end] minus surrounding whitespace, unless
// nothing is left.
func appendTrimmed(out [][2]int, text string, start, end int) [][2]int {
	s, e := trimRange(text, start, end)
	if s < e {
		out = append(out, [2]int{s, e})
	}
	return out
}

// trimRange narrows [start, end) of text to exclude leading and trailing
// whitespace.
func trimRange(text string, start, end int) (int, int) {
	seg := text[start:end]
	trimmed := strings.TrimLeftFunc(seg, unicode.IsSpace)
	start += len(seg) - len(trimmed)
	trimmed = strings.TrimRightFunc(trimmed, unicode.IsSpace)
	return start, start + len(trimmed)
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

func isTerminator(r rune) bool {
	switch r {
	case '.', '!', '?', '…', '。', '！', '？':
		return true
	}
	return false
}

// isCloser reports closing quotes and brackets that may follow a sentence's
// final punctuation and belong to that sentence.
func isCloser(r rune) bool {
	switch r {
	case '"', '\'', '”', '’', '»', '›', ')', ']', '}', '」', '』':
		return true
	}
	return false
}

func isOpener(r rune) bool {
	switch r {
	case '"', '\'', '“', '‘', '«', '‹', '(', '[', '{', '「', '『', '„':
		return true
	}
	return false
}
