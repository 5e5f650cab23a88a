package index

import (
	"bufio"
	_ "embed"
	"slices"
	"strings"
	"sync"

	"framebot/internal/text"
)

// irregularText lists the irregular forms of English verbs, a "form lemma"
// pair a line ("went go", "began begin"), after comment lines ("#") that
// carry WordNet's licence: WordNet 3.0's verb.exc (Debian's wordnet-base),
// less the forms that are themselves a noun or a verb of WordNet ("found",
// "saw", "left"), whose other sense would be searched too, and those with
// other than ASCII letters. tools/irregular/make.py writes it.
//
//go:embed irregular.txt
var irregularText string

// irregularForms maps the stem of each word of irregularText to the stems
// of the other forms of its lemma: "began" to "begin" and "begun", "begin"
// to "began" and "begun". These are the forms Porter2 leaves apart, as it
// brings "walked" and "walk" together.
var irregularForms = sync.OnceValue(func() map[string][]string {
	return formGroups(irregularText)
})

// formGroups reads "form lemma" lines into irregularForms's map: each
// stem to the other stems of its lemma's forms, sorted.
func formGroups(list string) map[string][]string {
	groups := map[string][]string{} // a lemma's stem: its forms' stems, and its own
	sc := bufio.NewScanner(strings.NewReader(list))
	for sc.Scan() {
		form, lemma, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(form, "#") {
			continue
		}
		l := text.Stem(lemma)
		g := groups[l]
		for _, s := range []string{l, text.Stem(form)} {
			if !slices.Contains(g, s) {
				g = append(g, s)
			}
		}
		groups[l] = g
	}
	m := map[string][]string{}
	for _, g := range groups {
		for _, a := range g {
			for _, b := range g {
				if a != b && !slices.Contains(m[a], b) {
					m[a] = append(m[a], b)
				}
			}
		}
	}
	for _, alts := range m {
		slices.Sort(alts)
	}
	return m
}
