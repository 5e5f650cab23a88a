package corpus

import "unicode"

// scripts lists the writing systems told apart by the foreign-script rule.
// Han and the Japanese kana share a name because Japanese text mixes them.
var scripts = []struct {
	name  string
	table *unicode.RangeTable
}{
	{"Latin", unicode.Latin},
	{"Cyrillic", unicode.Cyrillic},
	{"Greek", unicode.Greek},
	{"Arabic", unicode.Arabic},
	{"Hebrew", unicode.Hebrew},
	{"Devanagari", unicode.Devanagari},
	{"Thai", unicode.Thai},
	{"Hangul", unicode.Hangul},
	{"CJK", unicode.Han},
	{"CJK", unicode.Hiragana},
	{"CJK", unicode.Katakana},
	{"Georgian", unicode.Georgian},
	{"Armenian", unicode.Armenian},
}

// scriptOf names the script of letter r, "Other" when not listed.
func scriptOf(r rune) string {
	for _, s := range scripts {
		if unicode.Is(s.table, r) {
			return s.name
		}
	}
	return "Other"
}

// scriptCounts counts the letters of text by script.
func scriptCounts(text string) map[string]int {
	counts := make(map[string]int)
	addScriptCounts(counts, text)
	return counts
}

// addScriptCounts adds the letters of text to counts, by script.
func addScriptCounts(counts map[string]int, text string) {
	for _, r := range text {
		if unicode.IsLetter(r) {
			counts[scriptOf(r)]++
		}
	}
}

// dominantScript returns the script most letters of blocks are written in,
// or "" when they have no letters.
func dominantScript(blocks []block) string {
	// One map for all the blocks: a map per block cost a gigabyte of
	// garbage on a file of two million one-word paragraphs.
	counts := make(map[string]int)
	for _, b := range blocks {
		addScriptCounts(counts, b.text)
	}
	best, max := "", 0
	for s, n := range counts {
		if n > max || (n == max && s < best) {
			best, max = s, n
		}
	}
	return best
}
