package corpus

import (
	"fmt"
	"log/slog"
	"slices"
	"unicode"
	"unicode/utf8"

	"framebot/internal/text"
)

// Split cuts paragraphs into passages for document docID: one passage per
// paragraph, except that a paragraph of more than maxWords words (0 or less
// means 80) is cut at sentence boundaries into runs of at most maxWords
// words, of roughly even length. A sentence longer than maxWords stays whole unless it is longer
// than twice that, in which case it is cut after a clause (",", ";", ":",
// dash) or, failing that, between words. Passages never split a word.
//
// For every passage p, paragraphs[p.Para][p.Start:p.End] == p.Text, and
// Text is never empty or padded with whitespace. Empty paragraphs yield no
// passage. Ordinals count from 0.
func Split(docID string, paragraphs []string, maxWords int) []Passage {
	if maxWords <= 0 {
		maxWords = defaultMaxPassageWords
	}
	var out []Passage
	for i, para := range paragraphs {
		for _, r := range chunks(para, maxWords) {
			out = append(out, Passage{
				Doc:     docID,
				Ordinal: len(out),
				Para:    i,
				Start:   r[0],
				End:     r[1],
				Text:    para[r[0]:r[1]],
			})
		}
	}
	return out
}

// chunks returns the byte ranges of the passages of one paragraph.
func chunks(para string, maxWords int) [][2]int {
	s, e := text.TrimRange(para, 0, len(para))
	if s == e {
		return nil
	}
	total := wordCount(para[s:e])
	if total <= maxWords {
		return [][2]int{{s, e}}
	}
	// Aim for pieces of even length rather than full ones and a stub.
	target := (total + (total+maxWords-1)/maxWords - 1) / ((total + maxWords - 1) / maxWords)
	var out [][2]int
	cur, curWords := [2]int{-1, -1}, 0
	flush := func() {
		if cur[0] >= 0 {
			out = append(out, cur)
		}
		cur, curWords = [2]int{-1, -1}, 0
	}
	for _, sent := range text.Sentences(para) {
		n := wordCount(para[sent[0]:sent[1]])
		if n > 2*maxWords {
			flush()
			out = append(out, cutLong(para, sent, maxWords)...)
			continue
		}
		if cur[0] >= 0 && (curWords+n > maxWords || curWords >= target) {
			flush()
		}
		if cur[0] < 0 {
			cur = sent
		} else {
			cur[1] = sent[1]
		}
		curWords += n
	}
	flush()
	return out
}

// cutLong cuts the sentence text[r[0]:r[1]] into pieces of at most maxWords
// words, preferring to end a piece after a clause if that keeps it at least
// half full.
func cutLong(text string, r [2]int, maxWords int) [][2]int {
	words := wordRanges(text, r[0], r[1])
	var out [][2]int
	begin, clause := 0, -1
	for k, w := range words {
		if endsClause(text[w[0]:w[1]]) {
			clause = k
		}
		if k-begin+1 < maxWords {
			continue
		}
		cut := k
		if clause >= begin && clause-begin+1 >= maxWords/2 {
			cut = clause
		}
		out = append(out, [2]int{words[begin][0], words[cut][1]})
		begin, clause = cut+1, -1
	}
	if begin < len(words) {
		out = append(out, [2]int{words[begin][0], words[len(words)-1][1]})
	}
	return out
}

// endsClause reports whether a word ends with clause punctuation or is a
// dash standing between clauses.
func endsClause(word string) bool {
	switch text.LastRune(word) {
	case ',', ';', ':', '—', '–':
		return true
	}
	return false
}

// wordRanges returns the byte ranges of the whitespace-separated words of
// text[start:end].
func wordRanges(text string, start, end int) [][2]int {
	var out [][2]int
	inWord := -1
	for i := start; i < end; {
		r, size := utf8.DecodeRuneInString(text[i:end])
		if unicode.IsSpace(r) {
			if inWord >= 0 {
				out = append(out, [2]int{inWord, i})
				inWord = -1
			}
		} else if inWord < 0 {
			inWord = i
		}
		i += size
	}
	if inWord >= 0 {
		out = append(out, [2]int{inWord, end})
	}
	return out
}

func wordCount(s string) int {
	n, in := 0, false
	for i := 0; i < len(s); {
		c := s[i]
		var space bool
		if c < utf8.RuneSelf {
			space = asciiSpace[c]
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			space = unicode.IsSpace(r)
			i += size
		}
		if !space && !in {
			n++
		}
		in = !space
	}
	return n
}

// asciiSpace is strings.Fields' set of ASCII spaces.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// CountPassages returns how many passages docs hold in all.
func CountPassages(docs []*Document) int {
	n := 0
	for _, d := range docs {
		n += len(d.Passages)
	}
	return n
}

// splitCapped splits doc's paragraphs into at most opts.MaxPassages
// passages. Past the cap, the paragraphs not quoted are dropped and
// doc.Note says how much was left out: the document is still answerable
// from its first part, and nothing it holds can make the index grow
// without bound. Each paragraph yields at least one passage, so only the
// first MaxPassages paragraphs are split at all.
func splitCapped(doc *Document, opts Options, log *slog.Logger) []Passage {
	paras := doc.Paragraphs
	capped := len(paras) > opts.MaxPassages
	if capped {
		paras = paras[:opts.MaxPassages]
	}
	ps := Split(doc.ID, paras, opts.MaxPassageWords)
	if len(ps) > opts.MaxPassages {
		capped = true
		ps = ps[:opts.MaxPassages]
	}
	if !capped {
		return ps
	}
	kept := ps[len(ps)-1].Para + 1
	doc.Note = fmt.Sprintf("indexed its first %d passages only (the cap, max_passages_per_doc); the rest, after paragraph %d of %d, is left out", opts.MaxPassages, kept, len(doc.Paragraphs))
	log.Warn("document cut at the passage cap", slog.Int("max_passages", opts.MaxPassages), slog.Int("paragraphs", len(doc.Paragraphs)), slog.Int("paragraphs_indexed", kept))
	// Copy what is kept, so that the arrays of everything left out
	// can be freed.
	doc.Paragraphs = slices.Clone(doc.Paragraphs[:kept])
	return slices.Clone(ps)
}
