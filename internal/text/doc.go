// Package text is framebot's one text toolkit: words, sentences with byte
// offsets, stemming, singular and plural nouns, and truncation. The corpus
// splitter, the index and the answer engine all use it, so that they agree
// on what a word, a stem and a sentence are.
//
// It depends on the standard library and on the Snowball English stemmer
// the index uses (github.com/blevesearch/snowballstem) only. Its language
// knowledge (abbreviations, invariant nouns) is English and held as data;
// nothing in it can be changed by a caller.
package text
