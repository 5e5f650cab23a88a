package bot

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"framebot/internal/text"
)

// figure is a number a sentence gives for something it counts: "10,000 to
// 20,000 troops", "a 28-point plan", "more than 600 miles".
type figure struct {
	// lo and hi bound the value; hi is +Inf for "more than N" or "N-plus".
	lo, hi float64
	// approx widens the comparison: "about", "some", "nearly"…
	approx bool
	// key is the counted noun, lower case and singular ("troop"); noun is
	// as written ("troops").
	key, noun string
}

// token is a word, number or punctuation mark of a sentence.
type token struct {
	text string
	num  bool
}

// tokenize splits s into text.Tokens: words, numbers ("10,000", "2.5")
// and single punctuation marks.
func tokenize(s string) []token {
	ts := text.Tokens(s)
	out := make([]token, len(ts))
	for i, t := range ts {
		out[i] = token{text: t.Text, num: t.Number}
	}
	return out
}

// Words around numbers that shape a figure: English grammar, fixed, so
// written as switches rather than package-level tables.

// atLeast reports a word that, before a number, makes it a lower bound.
func atLeast(w string) bool {
	switch w {
	case "over", "least", "exceeding", "above", "than":
		return true
	}
	return false
}

// atMost reports a word that, before a number, makes it an upper bound
// ("up to", "under").
func atMost(w string) bool {
	switch w {
	case "to", "under", "below", "maximum":
		return true
	}
	return false
}

// roughly reports a word that, before a number, makes it approximate.
func roughly(w string) bool {
	switch w {
	case "about", "around", "some", "nearly", "almost", "roughly", "approximately", "approx", "circa", "estimated":
		return true
	}
	return false
}

// multiplier returns how much a word after a number scales it ("million").
func multiplier(w string) (float64, bool) {
	switch w {
	case "thousand":
		return 1e3, true
	case "million":
		return 1e6, true
	case "billion":
		return 1e9, true
	case "trillion":
		return 1e12, true
	}
	return 0, false
}

// figures finds the figures of a sentence. A figure is a number written in
// digits (or a range "N to M", "between N and M", "N–M"), optionally scaled
// by "million"…, followed within two words by the noun it counts: either
// hyphenated to it ("28-point") or the first lower-case word after it that
// is not a function word, skipping at most one capitalised adjective
// ("20,000 European troops"). Years, numbers inside identifiers
// ("SRCE-2025-17") and numbers naming a thing ("Article 5") are not
// figures, nor are numbers of the vocabulary's uncounted nouns ("5 years").
func (v *vocab) figures(s string) []figure {
	toks := tokenize(s)
	var out []figure
	for i := 0; i < len(toks); i++ {
		if !toks[i].num {
			continue
		}
		start := i
		f, j, ok := numberAt(toks, i)
		if !ok {
			continue
		}
		i = j - 1
		qualify(&f, toks, start)
		countedNoun(&f, toks, j)
		out = v.appendFigure(out, f)
	}
	return out
}

// numberAt reads the number or range that starts at token i ("10,000 to
// 20,000", "26–28", "between 5 and 7", "1.5 million"). It returns the
// figure's bounds, the index of the token after it, and false for what is
// no figure (an unreadable number, an identifier).
func numberAt(toks []token, i int) (f figure, next int, ok bool) {
	lo, ok := parseNumber(toks[i].text)
	if !ok || isIdentifierNumber(toks, i) {
		return figure{}, i + 1, false
	}
	j, lo, hi := scale(toks, i+1, lo, lo)
	if j+1 < len(toks) && toks[j+1].num && (isWord(toks[j], "to") || isDash(toks[j]) ||
		(isWord(toks[j], "and") && i > 0 && isWord(toks[i-1], "between"))) {
		if v, ok := parseNumber(toks[j+1].text); ok && v >= lo {
			j, _, hi = scale(toks, j+2, v, v)
		}
	}
	return figure{lo: lo, hi: hi}, j, true
}

// qualify applies the word before the number at start: "about" makes f
// approximate, "more than" open above, "up to" and "under" open below.
func qualify(f *figure, toks []token, start int) {
	if start == 0 {
		return
	}
	prev := strings.ToLower(toks[start-1].text)
	before := func(w string) bool { return start > 1 && strings.EqualFold(toks[start-2].text, w) }
	switch {
	case roughly(prev):
		f.approx = true
	case atLeast(prev) && (prev != "than" || before("more")):
		f.hi = math.Inf(1)
	case prev == "than" && (before("fewer") || before("less")):
		f.lo = 0
	case atMost(prev) && prev != "to":
		f.lo = 0
	case prev == "to" && before("up"):
		f.lo = 0
	}
}

// countedNoun sets the noun f counts, read from token k on: hyphenated to
// the number ("28-point"), or the next word, past "+", "-plus" and one
// capitalised adjective ("20,000 European troops").
func countedNoun(f *figure, toks []token, k int) {
	if k+1 < len(toks) && isDash(toks[k]) && !toks[k+1].num {
		w := strings.ToLower(toks[k+1].text)
		if w != "plus" {
			if isNoun(toks[k+1].text) {
				f.key, f.noun = text.Singular(w), w
			}
			return
		}
		f.hi = math.Inf(1)
		k += 2
	} else if k < len(toks) && toks[k].text == "+" {
		f.hi = math.Inf(1)
		k++
	}
	if k < len(toks) && text.IsCapitalised(toks[k].text) && k+1 < len(toks) {
		k++ // "20,000 European troops"
	}
	if k < len(toks) && isNoun(toks[k].text) {
		w := strings.ToLower(toks[k].text)
		f.key, f.noun = text.Singular(w), w
	}
}

func (v *vocab) appendFigure(out []figure, f figure) []figure {
	if f.key == "" || v.uncounted[f.key] || v.uncounted[f.noun] {
		return out
	}
	return append(out, f)
}

// scale applies a multiplier word after a number ("1.5 million").
func scale(toks []token, j int, lo, hi float64) (int, float64, float64) {
	if j < len(toks) {
		if m, ok := multiplier(strings.ToLower(toks[j].text)); ok {
			return j + 1, lo * m, hi * m
		}
	}
	return j, lo, hi
}

// parseNumber reads "10,000", "2.5" or "28". Commas must group thousands.
func parseNumber(s string) (float64, bool) {
	if strings.Contains(s, ",") {
		parts := strings.Split(s, ",")
		for i, p := range parts {
			intPart, _, _ := strings.Cut(p, ".")
			if i > 0 && len(intPart) != 3 || i == 0 && (len(p) == 0 || len(p) > 3) {
				return 0, false
			}
		}
		s = strings.ReplaceAll(s, ",", "")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

// isIdentifierNumber reports a number that names rather than counts: a
// year, a part of a code ("SRCE-2025-17"), or a number after a capitalised
// word ("Article 5", "Resolution 2231").
func isIdentifierNumber(toks []token, i int) bool {
	t := toks[i].text
	if len(t) == 4 && !strings.ContainsAny(t, ",.") {
		if v, _ := strconv.Atoi(t); v >= 1800 && v <= 2100 {
			return true
		}
	}
	if i > 0 && isDash(toks[i-1]) {
		return true
	}
	if i+2 < len(toks) && isDash(toks[i+1]) && toks[i+2].num {
		// "26–28" is a range, "2025-1764" a code: a code's parts are long
		// or the first is a year.
		return len(toks[i+2].text) > 4
	}
	return i > 0 && text.IsCapitalised(toks[i-1].text) && !isSentenceStart(toks, i-1)
}

// isSentenceStart reports whether token i opens the sentence: only
// punctuation before it, back to a sentence end or the start.
func isSentenceStart(toks []token, i int) bool {
	for k := i - 1; k >= 0; k-- {
		if isWordToken(toks[k]) || toks[k].num {
			return false
		}
		if strings.ContainsAny(toks[k].text, ".!?") {
			return true
		}
	}
	return true
}

func isWordToken(t token) bool {
	return !t.num && t.text != "" && unicode.IsLetter(text.FirstRune(t.text))
}

// isWord reports a word token equal to w, case-insensitively; w == ""
// matches any word.
func isWord(t token, w string) bool {
	if !isWordToken(t) {
		return false
	}
	return w == "" || strings.EqualFold(t.text, w)
}

func isDash(t token) bool {
	switch t.text {
	case "-", "–", "‑", "—":
		return true
	}
	return false
}

// isNoun is the best guess without a tagger: a lower-case word of letters,
// not a function word nor a multiplier.
func isNoun(s string) bool {
	if len(s) < 3 || stopWords[s] {
		return false
	}
	for _, r := range s {
		if !unicode.IsLower(r) {
			return false
		}
	}
	_, mult := multiplier(s)
	return !mult && !roughly(s) && !strings.HasSuffix(s, "ly")
}

// agrees reports whether two figures can describe the same quantity: their
// ranges overlap, approximate ones within 10%.
func (f figure) agrees(g figure) bool {
	flo, fhi := f.lo, f.hi
	glo, ghi := g.lo, g.hi
	if f.approx {
		flo, fhi = flo*0.9, fhi*1.1
	}
	if g.approx {
		glo, ghi = glo*0.9, ghi*1.1
	}
	return flo <= ghi && glo <= fhi
}

// claim is a figure with the sentence that gives it.
type claim struct {
	figure
	s *sentence
}

// findConflicts reports figures about the topic that sources disagree on.
//
// The rule is deliberately conservative. Only sentences that mention the
// topic, in documents that discuss it (discussing), are read: a figure in
// a document about something else counts something else, whatever its
// noun. Two figures are about the same thing when they count the same
// noun ("troops", the "point" of "28-point") and their sentences share
// context besides the topic and the noun (a name such as "Ukraine", or
// two words): 100,000 women in an army and 50,000 women at a protest are
// not two counts of one thing. Documents A and B conflict on a noun when A gives a figure that
// agrees with none of B's and B gives one that agrees with none of A's, in
// sentences that share context: a source that gives several figures (an
// initial and a revised plan) is not contradicted by another repeating one
// of them. Figures inside one document are never compared: they are
// revisions, phases or breakdowns more often than contradictions.
func (v *vocab) findConflicts(cands []*sentence, discussing map[string]bool, topic string) []Conflict {
	byKey, keys, docOrder := v.claimsByNoun(cands, discussing)
	topicWords := map[string]bool{}
	for _, w := range contentWords(topic) {
		topicWords[contextKey(w)] = true
	}
	var out []Conflict
	for _, key := range keys {
		if c, ok := v.conflictOn(byKey[key], docOrder, topicWords); ok {
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].Claims) > len(out[j].Claims) })
	return out
}

// claimsByNoun collects the figures of the sentences on the topic, in
// documents that discuss it, by counted noun and document. keys lists the
// nouns and docOrder the documents in the order first seen.
func (v *vocab) claimsByNoun(cands []*sentence, discussing map[string]bool) (byKey map[string]map[string][]claim, keys, docOrder []string) {
	byKey = map[string]map[string][]claim{} // key → doc → claims
	docSeen := map[string]bool{}
	for _, s := range cands {
		if s.cov == 0 || !discussing[s.pass.Doc] {
			continue
		}
		for _, f := range v.figures(s.text) {
			if byKey[f.key] == nil {
				byKey[f.key] = map[string][]claim{}
				keys = append(keys, f.key)
			}
			byKey[f.key][s.pass.Doc] = append(byKey[f.key][s.pass.Doc], claim{f, s})
			if !docSeen[s.pass.Doc] {
				docSeen[s.pass.Doc] = true
				docOrder = append(docOrder, s.pass.Doc)
			}
		}
	}
	return byKey, keys, docOrder
}

// conflictOn compares the claims on one noun, document by document
// (docs: doc → claims), and returns the conflict when two documents
// disagree on one thing. topicWords are the context keys of the topic's
// words, which say nothing of which thing a figure counts.
func (v *vocab) conflictOn(docs map[string][]claim, docOrder []string, topicWords map[string]bool) (Conflict, bool) {
	if len(docs) < 2 {
		return Conflict{}, false
	}
	var claims []SummarySentence
	noun := ""
	quoted := map[*sentence]bool{}
	add := func(c claim) {
		if quoted[c.s] {
			return
		}
		quoted[c.s] = true
		if noun == "" {
			noun = c.noun
		}
		claims = append(claims, citeSentence(c.s))
	}
	for ai, a := range docOrder {
		for _, b := range docOrder[ai+1:] {
			if ca, cb, ok := disagreeing(docs[a], docs[b], topicWords); ok {
				add(ca)
				add(cb)
			}
		}
	}
	if len(claims) < 2 {
		return Conflict{}, false
	}
	return Conflict{About: "the number of " + v.pluralOf(noun), Claims: claims}, true
}

// disagreeing returns a claim of a that agrees with none of b's and a
// claim of b that agrees with none of a's, the first such pair whose
// sentences share context besides the noun and the topic's words.
func disagreeing(a, b []claim, topicWords map[string]bool) (claim, claim, bool) {
	ua, ub := unmatched(a, b), unmatched(b, a)
	for _, ca := range ua {
		for _, cb := range ub {
			if shareContext(ca, cb, topicWords) {
				return ca, cb, true
			}
		}
	}
	return claim{}, claim{}, false
}

// unmatched returns those of mine that agree with none of theirs.
func unmatched(mine, theirs []claim) []claim {
	var out []claim
	for _, m := range mine {
		ok := false
		for _, t := range theirs {
			if m.agrees(t.figure) {
				ok = true
				break
			}
		}
		if !ok {
			out = append(out, m)
		}
	}
	return out
}

// shareContext reports whether the sentences of two claims share context
// that says they count the same thing: a name both give ("Ukraine",
// "Ukrainian"), or two content words, other than the counted noun, the
// topic's words and numbers. One common word ("including") is not enough.
// A proper name that holds the noun or a topic word ("the 50 states of the
// United States") is part of what is counted, not context.
func shareContext(a, b claim, topicWords map[string]bool) bool {
	skip := map[string]bool{"": true, contextKey(text.Stem(a.key)): true, contextKey(text.Stem(b.key)): true}
	for k := range topicWords {
		skip[k] = true
	}
	mine := contextKeys(a.s.text, skip)
	shared := 0
	for k, name := range contextKeys(b.s.text, skip) {
		if mineName, ok := mine[k]; ok {
			if name && mineName {
				return true
			}
			shared++
		}
	}
	return shared >= 2
}

// contextKeys returns the context keys of the content words of s, each
// with whether it is written as a name (capitalised, not only because it
// opens the sentence), without those in skip, the words right after a
// number, and the words of a capitalised name that holds a word in skip.
func contextKeys(s string, skip map[string]bool) map[string]bool {
	toks := tokenize(s)
	key := make([]string, len(toks))
	for i, t := range toks {
		if i > 0 && toks[i-1].num {
			continue // a counted noun or unit ("2,000 officers", "32 km"), not context
		}
		if w := strings.ToLower(t.text); isWordToken(t) && len(w) >= 2 && !stopWords[w] {
			key[i] = contextKey(text.Stem(w))
		}
	}
	out := map[string]bool{}
	for i := 0; i < len(toks); {
		j, named := i, false
		for j < len(toks) && isWordToken(toks[j]) && text.IsCapitalised(toks[j].text) {
			named = named || skip[key[j]]
			j++
		}
		if j == i {
			j++ // not a name: one token
		}
		for k := i; k < j; k++ {
			if !named && !skip[key[k]] {
				out[key[k]] = out[key[k]] || text.IsCapitalised(toks[k].text) && !isSentenceStart(toks, k)
			}
		}
		i = j
	}
	return out
}

// contextKey is the part of a word (roughly stemmed) that shareContext
// compares: its first five letters, enough for "Ukraine" and "Ukrainian"
// to meet; "" for numbers.
func contextKey(w string) string {
	if strings.ContainsFunc(w, unicode.IsDigit) {
		return ""
	}
	r := []rune(w)
	return string(r[:min(5, len(r))])
}
