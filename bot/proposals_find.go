package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"framebot/internal/text"
)

// mention is one proposal named in a sentence.
type mention struct {
	name  string
	named bool // a proper name or an "N-point" plan, not a common-noun phrase
}

// proposalsIn finds the proposals a sentence names:
//
//   - "N-point plan" and the like: a number of a counted unit and a
//     proposal head;
//   - proper names that contain a proposal head: "Coalition of the
//     Willing", "Minsk Agreement"; and numbered names: "Article N";
//   - common-noun phrases of one or two modifiers and a proposal head:
//     "security guarantees", "land swap proposal", "peace deal".
//
// Title-cased lines (headings) are skipped: every word there looks like a
// name.
func (v *vocab) proposalsIn(s string) []mention {
	if isTitleCased(strings.Fields(s)) {
		return nil
	}
	out := v.pointPlans(s)
	toks := tokenize(s)
	claimed := map[int]bool{} // token index of heads already named
	out = append(out, v.properNames(toks, claimed)...)
	out = append(out, v.numberedNames(toks)...)
	return append(out, v.commonPhrases(toks, claimed)...)
}

// isTitleCased reports a line of three or more words, most of them
// capitalised: a heading, not a sentence.
func isTitleCased(words []string) bool {
	if len(words) == 0 {
		return true
	}
	capital := 0
	for _, w := range words {
		if unicode.IsUpper(text.FirstRune(strings.TrimLeft(w, `"'“‘(`))) {
			capital++
		}
	}
	return len(words) >= 3 && capital*10 > len(words)*6
}

// pointPlans finds "28-point plan", "20-point peace plan": a counted unit
// followed by a proposal head, or by one word and a head.
func (v *vocab) pointPlans(s string) []mention {
	if v.pointPlan == nil {
		return nil
	}
	var out []mention
	for _, m := range v.pointPlan.FindAllStringSubmatch(s, -1) {
		switch {
		case v.isHead(m[3]):
			out = append(out, mention{name: m[1] + "-" + m[2] + " " + m[3], named: true})
		case m[4] != "" && v.isHead(m[4]):
			out = append(out, mention{name: m[1] + "-" + m[2] + " " + m[3] + " " + m[4], named: true})
		}
	}
	return out
}

// properNames finds runs of capitalised words joined by connectors ("of",
// "the"…) that hold a proposal head, without the connectors they start
// with; the heads they hold are marked in claimed.
func (v *vocab) properNames(toks []token, claimed map[int]bool) []mention {
	var out []mention
	for i := 0; i < len(toks); {
		if !isWordToken(toks[i]) || !text.IsCapitalised(toks[i].text) {
			i++
			continue
		}
		last, hasHead, capitals := v.nameRun(toks, i, claimed)
		// A name does not start with a connector, nor with a function
		// word capitalised only because it opens the sentence or a
		// quotation: "the Coalition of the Willing", "This Plan", "“A
		// Plan…”"; but "the No Child Left Behind Act".
		from := i
		for from < last && (v.isConnector(toks[from]) || stopWords[strings.ToLower(toks[from].text)] && opensText(toks, from)) {
			from++
		}
		if hasHead && capitals-countCapitalised(toks[i:from]) >= 2 {
			out = append(out, mention{name: joinTokens(toks[from : last+1]), named: true})
		}
		i = last + 1
	}
	return out
}

// numberedNames finds "Article 5": a numbered name and its number.
func (v *vocab) numberedNames(toks []token) []mention {
	var out []mention
	for i := 0; i+1 < len(toks); i++ {
		if isWordToken(toks[i]) && v.numbered[strings.ToLower(toks[i].text)] && toks[i+1].num {
			out = append(out, mention{name: toks[i].text + " " + toks[i+1].text, named: true})
		}
	}
	return out
}

// commonPhrases finds lower-case proposal heads not claimed by a name,
// with the one or two modifiers before them: "security guarantees". A bare
// head is no proposal. A count before the modifiers makes it a name ("30-plus
// nation coalition").
func (v *vocab) commonPhrases(toks []token, claimed map[int]bool) []mention {
	var out []mention
	for i, t := range toks {
		if !isWordToken(t) || claimed[i] || text.IsCapitalised(t.text) || !v.isHead(t.text) {
			continue
		}
		start := v.modifiersBefore(toks, i)
		if start == i {
			continue
		}
		if start >= 2 && isDash(toks[start-1]) && toks[start-2].num {
			// "30-plus nation coalition"; "28-point plan" was found by
			// pointPlans.
			if !v.units[strings.ToLower(toks[start].text)] {
				out = append(out, mention{name: toks[start-2].text + "-" + joinTokens(toks[start:i+1]), named: true})
			}
			continue
		}
		name := joinTokens(toks[start : i+1])
		if isSentenceStart(toks, start) {
			name = lowerInitial(name)
		}
		out = append(out, mention{name: name})
	}
	return out
}

// modifiersBefore returns where the modifiers of the head at token i
// start: up to two lower-case content words that say which proposal it is,
// not function words, generic modifiers, adverbs, participles,
// possessives or other heads. It returns i when there are none.
func (v *vocab) modifiersBefore(toks []token, i int) int {
	start := i
	for k := i - 1; k >= 0 && i-k <= 2; k-- {
		w := toks[k].text
		if isSentenceStart(toks, k) {
			w = lowerInitial(w) // "Security guarantees are…"
		}
		if !isWordToken(toks[k]) || text.IsCapitalised(w) || stopWords[w] || v.modifiers[w] ||
			strings.HasSuffix(w, "ly") || strings.HasSuffix(w, "ed") || strings.HasSuffix(w, "ing") || strings.ContainsAny(w, "'’") ||
			v.isHead(w) {
			break
		}
		start = k
	}
	return start
}

// nameRun reads the run of capitalised words and connectors that starts at
// token i. It returns the index of the run's last capitalised word, whether
// the run holds a proposal head (marked in claimed) and how many
// capitalised words it has. A head word followed by another capitalised
// word only modifies it ("Alliance Charitable Foundation"): an English
// name's head ends it or comes before a connector ("Treaty of Rome").
func (v *vocab) nameRun(toks []token, i int, claimed map[int]bool) (last int, hasHead bool, capitals int) {
	last = i
	for j := i; j < len(toks); j++ {
		t := toks[j]
		switch {
		case isWordToken(t) && text.IsCapitalised(t.text):
			capitals++
			last = j
			if v.isHead(t.text) && !v.modifiesNext(toks, j) {
				hasHead = true
				claimed[j] = true
			}
		case v.isConnector(t):
		case isDash(t) && j == last+1 && j+1 < len(toks) && isWordToken(toks[j+1]) && text.IsCapitalised(toks[j+1].text):
			// "McKinney–Vento Act"
		default:
			return last, hasHead, capitals
		}
	}
	return last, hasHead, capitals
}

// modifiesNext reports a word followed by a capitalised content word of
// the same name, which it then only modifies.
func (v *vocab) modifiesNext(toks []token, j int) bool {
	if j+1 >= len(toks) {
		return false
	}
	n := toks[j+1]
	return isWordToken(n) && text.IsCapitalised(n.text) && !v.isConnector(n) && !stopWords[strings.ToLower(n.text)]
}

// lowerInitial lower-cases the first letter of s when the rest of its first
// word is lower case: a capital that only marks a sentence's start.
func lowerInitial(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	w, _, _ := strings.Cut(s[size:], " ")
	if !unicode.IsUpper(r) || strings.ToLower(w) != w {
		return s
	}
	return string(unicode.ToLower(r)) + s[size:]
}

// isConnector reports the small words inside names ("Coalition of the
// Willing").
func (v *vocab) isConnector(t token) bool {
	return isWordToken(t) && v.connectors[strings.ToLower(t.text)]
}

// countCapitalised counts the capitalised words of ts.
func countCapitalised(ts []token) int {
	n := 0
	for _, t := range ts {
		if isWordToken(t) && text.IsCapitalised(t.text) {
			n++
		}
	}
	return n
}

// opensText reports a token at the start of its sentence or right after an
// opening quotation mark or bracket.
func opensText(toks []token, i int) bool {
	if i > 0 && strings.ContainsAny(toks[i-1].text, `"“‘'(`) {
		return true
	}
	return isSentenceStart(toks, i)
}

// joinTokens writes tokens as words separated by spaces, dashes joined to
// the words around them ("McKinney–Vento").
func joinTokens(ts []token) string {
	var b strings.Builder
	for i, t := range ts {
		if i > 0 && !isDash(t) && !isDash(ts[i-1]) {
			b.WriteByte(' ')
		}
		b.WriteString(t.text)
	}
	return b.String()
}

// proposalKey merges the ways one proposal is written: case, plurals and,
// for "N-point" plans, the noun after them ("28-point plan", "28-point
// proposal").
func (v *vocab) proposalKey(name string) string {
	if v.pointPlan != nil {
		if m := v.pointPlan.FindStringSubmatch(name); m != nil {
			return m[1] + "-" + m[2]
		}
	}
	f := strings.Fields(strings.ToLower(name))
	for i, w := range f {
		f[i] = text.Singular(w)
	}
	return strings.Join(f, " ")
}
