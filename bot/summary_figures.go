package bot

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
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

// tokenize splits s into words (letters, digits, apostrophes), numbers
// (digits with thousands separators and a decimal point: "10,000", "2.5")
// and single punctuation marks; spaces separate and are dropped.
func tokenize(s string) []token {
	var out []token
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r):
			i += size
		case unicode.IsDigit(r) || unicode.IsLetter(r):
			j, num := wordEnd(s, i)
			out = append(out, token{text: s[i:j], num: num})
			i = j
		default:
			out = append(out, token{text: s[i : i+size]})
			i += size
		}
	}
	return out
}

// wordEnd returns the end of the word or number starting at i, and whether
// it is a number (digits only, with separators).
func wordEnd(s string, i int) (end int, num bool) {
	digits, letters := false, false
	j := i
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		switch {
		case unicode.IsDigit(r):
			digits = true
		case unicode.IsLetter(r):
			letters = true
		case (r == ',' || r == '.') && digits && !letters && j+1 < len(s) && isASCIIDigit(s[j+1]):
			// inside a number: "10,000", "2.5"
		case (r == '\'' || r == '’') && letters && j+size < len(s) && unicode.IsLetter(firstRune(s[j+size:])):
			// inside a word: "Ukraine’s"
		default:
			return j, digits && !letters
		}
		j += size
	}
	return j, digits && !letters
}

func isASCIIDigit(b byte) bool { return b >= '0' && b <= '9' }

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// Words around numbers that shape a figure.
var (
	// atLeast before a number makes it a lower bound.
	atLeast = map[string]bool{"over": true, "least": true, "exceeding": true, "above": true, "than": true}
	// atMost before a number makes it an upper bound ("up to", "under").
	atMost = map[string]bool{"to": true, "under": true, "below": true, "maximum": true}
	// roughly before a number makes it approximate.
	roughly = map[string]bool{"about": true, "around": true, "some": true, "nearly": true, "almost": true,
		"roughly": true, "approximately": true, "approx": true, "circa": true, "estimated": true}
	// multipliers after a number scale it.
	multipliers = map[string]float64{"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
)

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
		lo, ok := parseNumber(toks[i].text)
		if !ok || isIdentifierNumber(toks, i) {
			continue
		}
		hi := lo
		j := i + 1
		j, lo, hi = scale(toks, j, lo, hi)
		// A range: "10,000 to 20,000", "26–28", "between 5 and 7".
		if j+1 < len(toks) && toks[j+1].num && (isWord(toks[j], "to") || isDash(toks[j]) ||
			(isWord(toks[j], "and") && start > 0 && isWord(toks[start-1], "between"))) {
			if v, ok := parseNumber(toks[j+1].text); ok && v >= lo {
				j, _, hi = scale(toks, j+2, v, v)
				i = j - 1
			}
		}
		f := figure{lo: lo, hi: hi}
		// Qualifiers before the number.
		if start > 0 {
			prev := strings.ToLower(toks[start-1].text)
			switch {
			case roughly[prev]:
				f.approx = true
			case atLeast[prev] && (prev != "than" || start > 1 && strings.EqualFold(toks[start-2].text, "more")):
				f.hi = math.Inf(1)
			case prev == "than" && start > 1 && (strings.EqualFold(toks[start-2].text, "fewer") || strings.EqualFold(toks[start-2].text, "less")):
				f.lo = 0
			case atMost[prev] && prev != "to":
				f.lo = 0
			case prev == "to" && start > 1 && strings.EqualFold(toks[start-2].text, "up"):
				f.lo = 0
			}
		}
		// The counted noun.
		k := j
		if k+1 < len(toks) && isDash(toks[k]) && !toks[k+1].num {
			w := strings.ToLower(toks[k+1].text)
			if w == "plus" {
				f.hi = math.Inf(1)
				k += 2
			} else {
				if isNoun(toks[k+1].text) {
					f.key, f.noun = singular(w), w
				}
				out = v.appendFigure(out, f)
				continue
			}
		} else if k < len(toks) && toks[k].text == "+" {
			f.hi = math.Inf(1)
			k++
		}
		if k < len(toks) && isCapitalised(toks[k].text) && k+1 < len(toks) {
			k++ // "20,000 European troops"
		}
		if k < len(toks) && isNoun(toks[k].text) {
			w := strings.ToLower(toks[k].text)
			f.key, f.noun = singular(w), w
		}
		out = v.appendFigure(out, f)
	}
	return out
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
		if m, ok := multipliers[strings.ToLower(toks[j].text)]; ok {
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
	return i > 0 && isCapitalised(toks[i-1].text) && !isSentenceStart(toks, i-1)
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
	return !t.num && t.text != "" && unicode.IsLetter(firstRune(t.text))
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

func isCapitalised(s string) bool {
	r := firstRune(s)
	return unicode.IsUpper(r)
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
	_, mult := multipliers[s]
	return !mult && !roughly[s] && !strings.HasSuffix(s, "ly")
}

// singular is a rough English singular: "troops" → "troop", "countries" →
// "country"; words ending in "ss", "us" or "is" are left alone.
func singular(w string) string {
	switch {
	case len(w) > 4 && strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		return w[:len(w)-1]
	}
	return w
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
// topic are read. Two figures are about the same thing when they count the
// same noun ("troops", the "point" of "28-point"). Documents A and B
// conflict on a noun when A gives a figure that agrees with none of B's and
// B gives one that agrees with none of A's: a source that gives several
// figures (an initial and a revised plan) is not contradicted by another
// repeating one of them. Figures inside one document are never compared:
// they are revisions, phases or breakdowns more often than contradictions.
func (v *vocab) findConflicts(cands []*sentence) []Conflict {
	byKey := map[string]map[string][]claim{} // key → doc → claims
	var keys []string
	var docOrder []string
	docSeen := map[string]bool{}
	for _, s := range cands {
		if s.cov == 0 {
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
	var out []Conflict
	for _, key := range keys {
		docs := byKey[key]
		if len(docs) < 2 {
			continue
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
				ca, cb := unmatched(docs[a], docs[b]), unmatched(docs[b], docs[a])
				if ca == nil || cb == nil {
					continue
				}
				add(*ca)
				add(*cb)
			}
		}
		if len(claims) >= 2 {
			out = append(out, Conflict{About: "the number of " + v.pluralOf(noun), Claims: claims})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].Claims) > len(out[j].Claims) })
	return out
}

// unmatched returns the first of mine that agrees with none of theirs, or
// nil.
func unmatched(mine, theirs []claim) *claim {
	for i, m := range mine {
		ok := false
		for _, t := range theirs {
			if m.agrees(t.figure) {
				ok = true
				break
			}
		}
		if !ok {
			return &mine[i]
		}
	}
	return nil
}

// plural turns the noun as written into a plural for "the number of …".
func plural(w string) string {
	switch {
	case w == "" || strings.HasSuffix(w, "s") || w == "personnel" || w == "people" || w == "staff":
		return w
	case strings.HasSuffix(w, "y") && len(w) > 2 && !strings.ContainsRune("aeiou", rune(w[len(w)-2])):
		return w[:len(w)-1] + "ies"
	}
	return w + "s"
}
