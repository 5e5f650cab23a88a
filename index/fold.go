package index

import (
	"framebot/internal/text"

	"github.com/blevesearch/bleve/v2/analysis"
)

// filterFold is the name of foldFilter in Bleve's registry.
const filterFold = "framebot_fold"

// foldFilter folds each token's term to ASCII where a Latin letter carries
// a diacritic or is a ligature: "Köppen" is indexed and searched as
// "koppen", "Pétionville" as "petionville", "Straße" as "strasse". People
// type names without their accents ("Jose", "Sao Paulo", "Ataturk"), and
// documents hold them both ways, so without it one spelling never found
// the other. It is text.FoldAccents (Lucene's ASCII folding, as Bleve
// ports it, and the marks after a Latin letter dropped) on the term alone:
// the token's byte range in the text is kept, so a highlight marks the
// word as written. It runs after the lower-case filter and before the
// stop words and stemming, so "für" and "fur" are one word to both, and
// text.Stem folds as it does.
type foldFilter struct{}

func (foldFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, tok := range input {
		tok.Term = text.FoldAccents(tok.Term)
	}
	return input
}
