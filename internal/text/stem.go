package text

import porterstemmer "github.com/blevesearch/go-porterstemmer"

// Stem returns the Porter stem of w, a word in lower case: "guarantees",
// "guaranteed" and "guarantee" all give "guarante". It is the stemmer the
// index applies to every term (Bleve's "stemmer_porter"), so a stem made
// here is a stem the index knows.
func Stem(w string) string {
	return string(porterstemmer.StemWithoutLowerCasing([]rune(w)))
}
