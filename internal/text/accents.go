package text

import (
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
)

// asciiFolder is stateless; one serves every word. (Importing its package
// registers Bleve's character filter "asciifolding" in Bleve's registry,
// under Bleve's own name, as importing any of Bleve's analysis packages
// does.)
var asciiFolder = asciifolding.New()

// FoldAccents returns term folded to ASCII where a Latin letter carries a
// diacritic or is a ligature ("köppen" → "koppen", "straße" → "strasse"):
// each run of runes Lucene's ASCII folding (as Bleve ports it) may change
// (foldable) folded by it, then the combining marks (Unicode category Mn)
// after a Latin letter dropped, as in a decomposed "é". Other scripts
// keep their marks: in Devanagari or Hebrew they are vowels and signs,
// not accents. Invalid bytes are kept as they are. ASCII comes back as it
// is, and folding a folded term changes nothing. Stem folds every word so
// before stemming it, and so does the index, whose stems are Stem's.
func FoldAccents(term []byte) []byte {
	if isASCII(term) {
		return term
	}
	folded := make([]byte, 0, len(term))
	run := -1 // start in term of the run of foldable runes, or -1
	for i := 0; i < len(term); {
		r, size := utf8.DecodeRune(term[i:])
		if foldable(r) {
			if run < 0 {
				run = i
			}
		} else {
			if run >= 0 {
				folded = append(folded, asciiFolder.Filter(term[run:i])...)
				run = -1
			}
			folded = append(folded, term[i:i+size]...)
		}
		i += size
	}
	if run >= 0 {
		folded = append(folded, asciiFolder.Filter(term[run:])...)
	}
	out := folded[:0] // written behind the reading
	latin := false    // the last rune not a mark was a Latin letter
	for i := 0; i < len(folded); {
		r, size := utf8.DecodeRune(folded[i:])
		mark := unicode.Is(unicode.Mn, r)
		switch {
		case mark && latin:
			// An accent on the Latin letter before: dropped.
		default:
			out = append(out, folded[i:i+size]...)
		}
		if !mark {
			latin = unicode.Is(unicode.Latin, r)
		}
		i += size
	}
	return out
}

// foldable reports whether Lucene's ASCII folding may change r: the Latin
// blocks, general punctuation and symbols, Latin ligatures and full-width
// forms. Other scripts (Greek, Cyrillic, Hebrew, Arabic, Indic, CJK, …)
// are never looked up.
func foldable(r rune) bool {
	return r >= utf8.RuneSelf && (r < 0x370 ||
		r >= 0x1D00 && r < 0x1F00 || // phonetic extensions, Latin extended additional
		r >= 0x2000 && r < 0x2E80 || // punctuation, super- and subscripts, letter-like and enclosed forms, Latin extended C
		r >= 0xA720 && r < 0xA800 || // Latin extended D
		r >= 0xFB00 && r < 0xFB07 || // Latin ligatures
		r >= 0xFF00 && r < 0xFF70) // full-width forms
}

func isASCII[T string | []byte](b T) bool {
	for i := 0; i < len(b); i++ {
		if b[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
