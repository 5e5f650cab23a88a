package index

import (
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
)

// tokenizerWords is the name of wordTokenizer in Bleve's registry.
const tokenizerWords = "framebot_words"

// wordTokenizer splits text into words exactly as Bleve's "unicode"
// tokenizer does (Unicode text segmentation, UAX #29), several times
// faster on the ASCII text most documents are made of. Text is cut at
// ASCII spaces and control characters, where UAX #29 always breaks; a
// piece made of ASCII letters, digits and punctuation is split by the word
// rules directly, and any other piece (or text that is not valid UTF-8)
// goes to the unicode tokenizer. The
// tests hold it to the unicode tokenizer's output, token for token.
type wordTokenizer struct {
	slow analysis.Tokenizer
}

func newWordTokenizer() *wordTokenizer {
	return &wordTokenizer{slow: unicode.NewUnicodeTokenizer()}
}

// ASCII word-break classes (UAX #29).
const (
	wbOther   = iota // punctuation that always breaks
	wbSpace          // space and control characters: break, never a word
	wbLetter         // ALetter
	wbDigit          // Numeric
	wbMidLet         // MidLetter ':'
	wbMidBoth        // MidNumLet '.', Single_Quote '\''
	wbMidNum         // MidNum ',' ';'
	wbJoin           // ExtendNumLet '_'
	wbHigh           // not ASCII
)

// wbClass is the word-break class of every byte value, sixteen to a
// line: a constant, so that the tokenizer's hot loops index static data.
// TestWordBreakClassTable holds it to the rules (wbClasses).
const wbClass = "\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" +
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" +
	"\x01\x00\x00\x00\x00\x00\x00\x05\x00\x00\x00\x00\x06\x00\x05\x00" +
	"\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x04\x06\x00\x00\x00\x00" +
	"\x00\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02" +
	"\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x00\x00\x00\x00\x07" +
	"\x00\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02" +
	"\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x00\x00\x00\x00\x01" +
	"\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08" +
	"\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08" +
	"\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08" +
	"\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08" +
	"\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08" +
	"\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08" +
	"\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08" +
	"\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08"

func (t *wordTokenizer) Tokenize(input []byte) analysis.TokenStream {
	// About one word in six bytes of English text. The tokens are
	// allocated together, as many as that estimate (then the estimate for
	// the rest), not 64 at a time: most fields are short (a title, a
	// section), and the surplus was a third of all that indexing
	// allocated.
	out := make(analysis.TokenStream, 0, len(input)/6+1)
	var arena []analysis.Token
	t.words(input, func(start, end int, typ analysis.TokenType) {
		if len(arena) == 0 {
			arena = make([]analysis.Token, max(8, (len(input)-start)/6+1))
		}
		tok := &arena[0]
		arena = arena[1:]
		tok.Term, tok.Start, tok.End, tok.Type = input[start:end], start, end, typ
		tok.Position = len(out) + 1
		out = append(out, tok)
	})
	return out
}

// words calls emit with the byte range and type of each token Tokenize
// returns, in order, without making the tokens.
func (t *wordTokenizer) words(input []byte, emit func(start, end int, typ analysis.TokenType)) {
	if !utf8.Valid(input) {
		// The unicode tokenizer stops at the first invalid byte.
		for _, tok := range t.slow.Tokenize(input) {
			emit(tok.Start, tok.End, tok.Type)
		}
		return
	}
	for i := 0; i < len(input); {
		if wbClass[input[i]] == wbSpace {
			i++
			continue
		}
		// A piece runs to the next ASCII space or control character.
		end, ascii := i, true
		for end < len(input) {
			c := wbClass[input[end]]
			if c == wbSpace {
				break
			}
			if c == wbHigh {
				ascii = false
			}
			end++
		}
		if ascii {
			asciiWords(input, i, end, emit)
		} else {
			for _, tok := range t.slow.Tokenize(input[i:end]) {
				emit(i+tok.Start, i+tok.End, tok.Type)
			}
		}
		i = end
	}
}

// asciiWords emits the words of input[start:end], which holds ASCII
// letters, digits and punctuation only: runs of letters, digits and '_',
// joined across one ':', '.' or '\” between two letters and across one
// ',', ';', '.' or '\” between two digits. A word of digits and '_' alone
// is Numeric; any other word is AlphaNumeric; a lone '_' run is a word too.
func asciiWords(input []byte, start, end int, emit func(start, end int, typ analysis.TokenType)) {
	i := start
	for i < end {
		c := wbClass[input[i]]
		if c != wbLetter && c != wbDigit && c != wbJoin {
			i++ // punctuation on its own: not a word
			continue
		}
		w := i
		letters := false
	scan:
		for i < end {
			c = wbClass[input[i]]
			switch c {
			case wbLetter:
				letters = true
				i++
				continue
			case wbDigit, wbJoin:
				i++
				continue
			case wbMidLet, wbMidBoth, wbMidNum:
				if i+1 < end {
					prev, next := wbClass[input[i-1]], wbClass[input[i+1]]
					if prev == next && ((prev == wbLetter && c != wbMidNum) || (prev == wbDigit && c != wbMidLet)) {
						i += 2
						continue
					}
				}
			}
			break scan
		}
		typ := analysis.Numeric
		if letters || onlyJoins(input[w:i]) {
			typ = analysis.AlphaNumeric
		}
		emit(w, i, typ)
	}
}

func onlyJoins(b []byte) bool {
	for _, c := range b {
		if c != '_' {
			return false
		}
	}
	return true
}
