package bot

import (
	"regexp"
	"strings"

	"framebot/internal/text"
)

// An answer type is the kind of answer a question's wording asks for: a
// time ("When was…", "In what year…"), a quantity ("How many…", "What
// percentage…") or a definition ("What is a surname?", "Who was Adolph
// Sax?"). A passage holding a word of that kind (a year, a month and day,
// a number), or for a definition a sentence that opens with the subject
// and says what it is, is more likely to hold the answer than one that
// only shares the question's words: answer-type matching, long used by
// question-answering systems (TREC QA, whose definition questions were
// answered from such patterns). Questions of any other wording, and
// keyword queries, have no answer type and are ranked as before.
type answerType int

const (
	anyAnswer answerType = iota
	timeAnswer
	quantityAnswer
	definitionAnswer
)

// asked is what a question asks for: its answer type and, for a
// definition, the stemmed words of its subject.
type asked struct {
	typ     answerType
	subject []string
}

var (
	asksTime     = regexp.MustCompile(`(?i)^\s*when\b|\b(what|which)\s+(year|years|century|decade|date|day|month|era|period)\b|\bhow\s+long\s+ago\b`)
	asksQuantity = regexp.MustCompile(`(?i)\bhow\s+(many|much|long|old|far|large|big|tall|high|deep|wide|often|fast|heavy)\b|\bwhat\s+((is|was|are|were)\s+the\s+)?(percent|percentage|proportion|share|fraction|number|amount|population|size)\b`)
	// A year, an unambiguous month or a century; "March" and "May" only
	// beside a number, since both are also common words.
	timeWord = regexp.MustCompile(`(?i)\b(1[0-9]{3}|20[0-9]{2})s?\b|\b(january|february|april|june|july|august|september|october|november|december|century|centuries)\b|\b(march|may)\s+[0-9]|[0-9]\s+(march|may)\b|[0-9]\s*(bc|bce|ad|ce)\b`)
	// A digit or a number word ("one" is left out: it is mostly a pronoun).
	quantityWord = regexp.MustCompile(`(?i)[0-9]|\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|hundreds|thousand|thousands|million|millions|billion|billions|dozen|percent)\b`)
)

// askedBy returns what question asks for.
func askedBy(question string) asked {
	switch {
	case asksTime.MatchString(question):
		return asked{typ: timeAnswer}
	case asksQuantity.MatchString(question):
		return asked{typ: quantityAnswer}
	}
	if s := definitionSubject(question); s != nil {
		return asked{typ: definitionAnswer, subject: s}
	}
	return asked{typ: anyAnswer}
}

// heldBy reports whether text holds an answer of the kind a asks for.
func (a asked) heldBy(text string) bool {
	if a.typ == definitionAnswer {
		return definesSubject(a.subject, text)
	}
	return hasType(a.typ, text)
}

// asksDefinition matches a question that asks what or who something is,
// with nothing after its subject: "What is neuroscience?", "Who was
// Adolph Sax?", "What are GUIs?", and the other ways of asking it ("What
// does forename mean?", "What is meant by force majeure?", "What is the
// definition of religion?", "How is a surname defined?", "Define
// confidential information."). Each group is the subject, an article and
// quotes left out; the first whose subject passes subjectWords counts.
var asksDefinition = func() []*regexp.Regexp {
	const (
		subject = `(?:(?:a|an|the)\s+)?["“']?([^?"”]+?)["”']?`
		end     = `\s*[.?]*\s*$`
	)
	var out []*regexp.Regexp
	for _, form := range []string{
		`(?:what|who)\s+(?:is|are|was|were)\s+` + subject,
		`what\s+(?:does|do)\s+(?:the\s+(?:term|word|phrase)\s+)?` + subject + `\s+mean`,
		`what\s+(?:is|are)\s+(?:meant\s+by|the\s+(?:definition|meaning)\s+of)\s+` + subject,
		`(?:what|how)\s+(?:is|are)\s+` + subject + `\s+defined(?:\s+as)?`,
		`define\s+` + subject,
	} {
		out = append(out, regexp.MustCompile(`(?i)^\s*`+form+end))
	}
	return out
}()

// maxSubjectWords is the most words a definition's subject has: a longer
// one is a question of another kind ("What is the last league listed in
// the article?").
const maxSubjectWords = 4

// notSubject are words a definition's subject does not hold: with one,
// the question asks for something about the subject, not what it is
// ("What is the population of Oslo?", "What was Oxford known for?",
// "What is the climate like?").
var notSubject = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range []string{
		"a", "an", "the", "of", "in", "for", "from", "to", "by", "on", "with", "at", "about", "as",
		"and", "or", "its", "his", "her", "their", "there", "this", "that", "these", "those", "it",
		"be", "been", "being", "do", "does", "did", "also", "still", "most", "more", "like",
		"known", "used", "called", "made", "considered", "defined", "named",
	} {
		m[w] = true
	}
	return m
}()

// definitionSubject returns the stemmed words of the subject question
// asks to define, or nil when it asks for something else.
func definitionSubject(question string) []string {
	for _, re := range asksDefinition {
		if m := re.FindStringSubmatch(question); m != nil {
			if s := subjectWords(m[1]); s != nil {
				return s
			}
		}
	}
	return nil
}

// subjectWords returns the stemmed words of a definition's subject s, or
// nil when s is too long or holds a word no subject holds (notSubject).
func subjectWords(s string) []string {
	ws := text.FirstWords(s, maxSubjectWords+1)
	if len(ws) == 0 || len(ws) > maxSubjectWords {
		return nil
	}
	out := make([]string, len(ws))
	for i, w := range ws {
		if notSubject[w] {
			return nil
		}
		out[i] = text.Stem(w)
	}
	return out
}

// copulas say what a definition's subject is.
var copulas = map[string]bool{"is": true, "are": true, "was": true, "were": true, "refers": true, "means": true, "denotes": true}

// Where a definition's words stand in its sentence: the subject begins
// within its first subjectStart+1 words (after "A", "The", "In music,"),
// and a copula follows it within copulaWithin words (after "or family
// name", "(SPHL)").
const (
	subjectStart = 2
	copulaWithin = 6
	// classWithin is how far after a singular copula the class it names
	// begins: after at most classWithin-1 adverbs ("is also usually a").
	classWithin = 3
)

// definesSubject reports whether a sentence of passage defines subject:
// it opens with the subject's words, in order, and says what it is (see
// says: "Neuroscience is the scientific study…", "A surname or family
// name is a name…", "Neurons are cells…"). Words compare by their stems,
// so "neurons" defines "neuron".
func definesSubject(subject []string, passage string) bool {
	for _, s := range text.Sentences(passage) {
		ws := text.FirstWords(passage[s[0]:s[1]], subjectStart+1+len(subject)+copulaWithin+classWithin)
		for i := 0; i <= subjectStart && i+len(subject) <= len(ws); i++ {
			if !opensWith(ws[i:], subject) {
				continue
			}
			rest := ws[i+len(subject):]
			if says(rest) {
				return true
			}
		}
	}
	return false
}

// says reports whether the words after a sentence's subject say what it
// is: an apposition ("Adolph Sax, a Belgian instrument maker, …"), or a
// copula within copulaWithin words, where a singular one ("is", "was")
// names the class the subject belongs to ("Tin is a … metal",
// "Neuroscience is the … study"), perhaps after an adverb ("is also a"),
// rather than something about it ("Tin is most commonly alloyed with
// copper", "Tin is often recovered from …").
func says(rest []string) bool {
	if len(rest) > 0 && genus[rest[0]] {
		return true
	}
	for j, w := range rest[:min(len(rest), copulaWithin)] {
		if !copulas[w] {
			continue
		}
		if w != "is" && w != "was" {
			return true
		}
		after := rest[j+1:]
		for k := 0; k < min(len(after), classWithin); k++ {
			if genus[after[k]] {
				return true
			}
			if !adverb(after[k]) {
				break
			}
		}
	}
	return false
}

// genus are the words that open the class a definition names.
var genus = map[string]bool{"a": true, "an": true, "the": true, "one": true, "any": true}

// adverb reports whether w may stand between a copula and the class it
// names ("is also a", "was originally a").
func adverb(w string) bool {
	return w == "also" || strings.HasSuffix(w, "ly")
}

// opensWith reports whether words begin with the stems of subject.
func opensWith(words, subject []string) bool {
	for j, k := range subject {
		if text.Stem(words[j]) != k {
			return false
		}
	}
	return true
}

// hasType reports whether text holds a word of answer type t.
func hasType(t answerType, text string) bool {
	switch t {
	case timeAnswer:
		return timeWord.MatchString(text)
	case quantityAnswer:
		return quantityWord.MatchString(text)
	}
	return false
}
