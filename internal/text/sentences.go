package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// abbreviationList holds the words usually followed by a period inside a
// sentence (titles, "approx.", "No. 5"), in lower case and without the
// period.
const abbreviationList = `mr mrs ms mx dr prof sr jr st mt ft gen lt col maj sgt capt cmdr
	adm gov sen rep pres rev hon vs approx dept est fig figs no nos vol ch pp
	jan feb mar apr jun jul aug sep sept oct nov dec ave blvd cf al ed eds`

// Abbreviations returns the words after which a period does not end a
// sentence by default (titles, "approx.", "No."), in lower case and
// without the period; a new slice each time, for building a
// SentenceSplitter with more or fewer of them.
func Abbreviations() []string { return strings.Fields(abbreviationList) }

// SentenceSplitter splits text into sentences. Its zero value knows no
// abbreviations; NewSentenceSplitter gives one that does.
type SentenceSplitter struct {
	abbreviations map[string]bool
}

// NewSentenceSplitter returns a splitter that does not end a sentence at a
// lone period after one of abbreviations (any case, without the period).
// Abbreviations written with inner periods ("U.S.", "e.g.") and single
// initials ("J. Smith") are recognised without a list.
func NewSentenceSplitter(abbreviations []string) SentenceSplitter {
	m := make(map[string]bool, len(abbreviations))
	for _, a := range abbreviations {
		m[strings.ToLower(strings.TrimSuffix(a, "."))] = true
	}
	return SentenceSplitter{abbreviations: m}
}

// english is the splitter Sentences uses; nothing changes it.
var english = NewSentenceSplitter(Abbreviations())

// Sentences splits text with the default abbreviations; see
// SentenceSplitter.Split.
func Sentences(text string) [][2]int { return english.Split(text) }

// Split returns the byte ranges [start, end) of the sentences of text, in
// order, each trimmed of surrounding whitespace. Together they cover all of
// text except whitespace between sentences.
//
// A sentence ends at a run of '.', '!', '?' or '…' (plus any closing quotes
// or brackets) followed by whitespace and a word that does not start in
// lower case, or at the end of text; CJK full stops end a sentence on their
// own. A period does not end a sentence after a known abbreviation ("Mr.",
// "approx."), a word with inner periods ("U.S.", "e.g.") or a single
// initial, nor inside a number ("2.5").
func (sp SentenceSplitter) Split(text string) [][2]int {
	var out [][2]int
	start := 0
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isTerminator(r) {
			i += size
			continue
		}
		termEnd := skipWhile(text, i+size, isTerminator)
		j := skipWhile(text, termEnd, IsCloser)
		if sp.ends(text, start, i, termEnd, j) {
			out = appendTrimmed(out, text, start, j)
			start = j
		}
		i = j
	}
	return appendTrimmed(out, text, start, len(text))
}

// skipWhile returns the end of the run of runes from i that satisfy f.
func skipWhile(text string, i int, f func(rune) bool) int {
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !f(r) {
			break
		}
		i += size
	}
	return i
}

// ends decides whether the terminators text[term:termEnd], followed by
// closers up to end, close the sentence that began at start.
func (sp SentenceSplitter) ends(text string, start, term, termEnd, end int) bool {
	first := FirstRune(text[term:])
	if first == '。' || first == '！' || first == '？' {
		return true
	}
	if end == len(text) {
		return true
	}
	if !unicode.IsSpace(FirstRune(text[end:])) {
		return false // "2.5", "U.S.A", "…and"
	}
	rest := strings.TrimLeftFunc(text[end:], unicode.IsSpace)
	if rest == "" {
		return true
	}
	if unicode.IsLower(FirstRune(rest)) {
		return false
	}
	if text[term:termEnd] != "." {
		return true
	}
	// A lone period: is the word before it an abbreviation?
	wordStart := strings.LastIndexFunc(text[start:term], unicode.IsSpace) + 1 + start
	word := strings.TrimLeftFunc(text[wordStart:term], func(r rune) bool {
		return IsOpener(r) || IsCloser(r)
	})
	switch {
	case word == "":
		return true
	case utf8.RuneCountInString(word) == 1 && unicode.IsLetter(FirstRune(word)):
		return false // an initial: "J. Smith"
	case strings.Contains(word, "."):
		return false // "U.S.", "e.g."
	case sp.abbreviations[strings.ToLower(word)]:
		return false
	}
	return true
}

// appendTrimmed appends text[start:end] minus surrounding whitespace, unless
// nothing is left.
func appendTrimmed(out [][2]int, text string, start, end int) [][2]int {
	if start, end = TrimRange(text, start, end); start < end {
		out = append(out, [2]int{start, end})
	}
	return out
}

// TrimRange narrows the byte range [start, end) of text to leave out its
// leading and trailing white space, as strings.TrimSpace would, keeping
// offsets into text.
func TrimRange(text string, start, end int) (int, int) {
	seg := text[start:end]
	trimmed := strings.TrimLeftFunc(seg, unicode.IsSpace)
	start += len(seg) - len(trimmed)
	return start, start + len(strings.TrimRightFunc(trimmed, unicode.IsSpace))
}

func isTerminator(r rune) bool {
	switch r {
	case '.', '!', '?', '…', '。', '！', '？':
		return true
	}
	return false
}

// IsCloser reports closing quotes and brackets, which may follow a
// sentence's final punctuation and belong to that sentence.
func IsCloser(r rune) bool {
	switch r {
	case '"', '\'', '”', '’', '»', '›', ')', ']', '}', '」', '』':
		return true
	}
	return false
}

// IsOpener reports opening quotes and brackets.
func IsOpener(r rune) bool {
	switch r {
	case '"', '\'', '“', '‘', '«', '‹', '(', '[', '{', '「', '『', '„':
		return true
	}
	return false
}
