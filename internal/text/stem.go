package text

import (
	"github.com/blevesearch/snowballstem"
	snowball "github.com/blevesearch/snowballstem/english"
)

// Stem returns the stem of w, a word in lower case, by Porter's revised
// English stemmer ("Porter2", the Snowball English stemmer, as Bleve's
// "stemmer_en_snowball"): "guarantees", "guaranteed" and "guarantee" all
// give "guarante". Accents are folded first (FoldAccents: "köppen" gives
// "koppen"), as the index folds them. It is the stemmer the index applies
// to every term, so a stem made here is a stem the index knows. Porter2
// was measured against Porter's original algorithm on the five dev sets
// (docs/benchmarks.md, "Seventh round").
func Stem(w string) string {
	if !isASCII(w) {
		w = string(FoldAccents([]byte(w)))
	}
	env := snowballstem.NewEnv(w)
	snowball.Stem(env)
	return env.Current()
}
