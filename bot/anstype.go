package bot

import "regexp"

// An answer type is the kind of answer a question's wording asks for: a
// time ("When was…", "In what year…") or a quantity ("How many…", "What
// percentage…"). A passage holding a word of that kind (a year, a month
// and day, a number) is more likely to hold the answer than one that only
// shares the question's words: answer-type matching, long used by
// question-answering systems (TREC QA). Questions of any other wording,
// and keyword queries, have no answer type and are ranked as before.
type answerType int

const (
	anyAnswer answerType = iota
	timeAnswer
	quantityAnswer
)

var (
	asksTime     = regexp.MustCompile(`(?i)^\s*when\b|\b(what|which)\s+(year|years|century|decade|date|day|month|era|period)\b|\bhow\s+long\s+ago\b`)
	asksQuantity = regexp.MustCompile(`(?i)\bhow\s+(many|much|long|old|far|large|big|tall|high|deep|wide|often|fast|heavy)\b|\bwhat\s+((is|was|are|were)\s+the\s+)?(percent|percentage|proportion|share|fraction|number|amount|population|size)\b`)
	// A year, an unambiguous month or a century; "March" and "May" only
	// beside a number, since both are also common words.
	timeWord = regexp.MustCompile(`(?i)\b(1[0-9]{3}|20[0-9]{2})s?\b|\b(january|february|april|june|july|august|september|october|november|december|century|centuries)\b|\b(march|may)\s+[0-9]|[0-9]\s+(march|may)\b|[0-9]\s*(bc|bce|ad|ce)\b`)
	// A digit or a number word ("one" is left out: it is mostly a pronoun).
	quantityWord = regexp.MustCompile(`(?i)[0-9]|\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|hundreds|thousand|thousands|million|millions|billion|billions|dozen|percent)\b`)
)

// typeOf returns the answer type question asks for.
func typeOf(question string) answerType {
	switch {
	case asksTime.MatchString(question):
		return timeAnswer
	case asksQuantity.MatchString(question):
		return quantityAnswer
	}
	return anyAnswer
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
