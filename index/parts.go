package index

import (
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

// filterParts is the name of partsFilter in Bleve's registry.
const filterParts = "framebot_parts"

// partsFilter keeps every token and adds, after a compound word, each of
// its parts as a token of its own. Unicode word segmentation (UAX #29)
// keeps "max_connections", "net.core.somaxconn" and "example.com" whole,
// so a question about "somaxconn" or "max connections" found nothing in a
// configuration document. A compound is joined by '_' anywhere, or by '.'
// or ':' between two letters; a part is a run between joins of at least
// minPartRunes characters ("U.S." and "e.g." add none). A part has its
// own byte range in the text, so highlights mark it, and the compound's
// position. What a word adds depends on the word alone (termCounter
// caches it per word). It runs first, on the tokenizer's output, so that
// the filters after it (possessives, lower case, stop words, stemming)
// treat each part as a word.
type partsFilter struct{}

// minPartRunes is the shortest part added: single letters and digits
// ("u", "s" of "u.s") would match almost every passage. maxParts is the
// most parts one word adds: a name has a few ("org.apache.commons.io"),
// and a word of a million joins in a hostile document adds no more.
const (
	minPartRunes = 2
	maxParts     = 16
)

func (partsFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	var out analysis.TokenStream // nil until a compound comes
	for i, tok := range input {
		if !hasJoin(tok.Term) {
			if out != nil {
				out = append(out, tok)
			}
			continue
		}
		if out == nil {
			out = make(analysis.TokenStream, i, len(input)+4)
			copy(out, input[:i])
		}
		out = append(out, tok)
		eachPart(tok.Term, func(start, end int) {
			out = append(out, &analysis.Token{
				// A copy: later filters may rewrite a token's bytes in place.
				Term:     append([]byte(nil), tok.Term[start:end]...),
				Start:    tok.Start + start,
				End:      tok.Start + end,
				Position: tok.Position,
				Type:     partType(tok.Term[start:end]),
			})
		})
	}
	if out == nil {
		return input
	}
	return out
}

// eachPart calls fn with the byte range of each part of word that
// partsFilter adds, in order; never for a word without a join.
func eachPart(word []byte, fn func(start, end int)) {
	if !hasJoin(word) {
		return
	}
	start, n := 0, 0
	for i := 0; i < len(word) && n < maxParts; {
		r, size := utf8.DecodeRune(word[i:])
		if !isJoin(word, i, r, size) {
			i += size
			continue
		}
		if utf8.RuneCount(word[start:i]) >= minPartRunes {
			fn(start, i)
			n++
		}
		i += size
		start = i
	}
	if n < maxParts && utf8.RuneCount(word[start:]) >= minPartRunes {
		fn(start, len(word))
	}
}

// hasJoin reports whether word holds a join (see isJoin): the quick test
// that leaves almost every word alone.
func hasJoin(word []byte) bool {
	for i, c := range word {
		if (c == '_' || c == '.' || c == ':') && isJoin(word, i, rune(c), 1) {
			return true
		}
	}
	return false
}

// isJoin reports whether the rune r of size bytes at word[i] joins the
// parts of a compound: '_', or '.' or ':' with a letter on either side.
func isJoin(word []byte, i int, r rune, size int) bool {
	switch r {
	case '_':
		return true
	case '.', ':':
		before, _ := utf8.DecodeLastRune(word[:i])
		after, _ := utf8.DecodeRune(word[i+size:])
		return unicode.IsLetter(before) && unicode.IsLetter(after)
	}
	return false
}

// partType is Numeric for a part of digits alone, as the tokenizer types
// such a word, and AlphaNumeric for any other.
func partType(part []byte) analysis.TokenType {
	for _, c := range part {
		if c < '0' || c > '9' {
			return analysis.AlphaNumeric
		}
	}
	return analysis.Numeric
}
