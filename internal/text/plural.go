package text

import (
	"strconv"
	"strings"
)

// invariantNouns are nouns whose plural is the word itself, or that are
// plural already without ending in s.
var invariantNouns = map[string]bool{"personnel": true, "people": true, "staff": true}

// Plural returns the plural of an English noun in the singular: "troop"
// gives "troops", "country" "countries". A noun ending in s, and one that
// does not change ("staff", "personnel", "people"), is returned as it is.
func Plural(noun string) string {
	switch {
	case noun == "" || strings.HasSuffix(noun, "s") || invariantNouns[noun]:
		return noun
	case strings.HasSuffix(noun, "y") && len(noun) > 2 && !strings.ContainsRune("aeiou", rune(noun[len(noun)-2])):
		return noun[:len(noun)-1] + "ies"
	}
	return noun + "s"
}

// Singular returns the singular of an English noun in lower case:
// "countries" gives "country", "troops" "troop". Words ending in ss, us or
// is ("press", "status", "crisis") and short ones are returned as they are.
func Singular(noun string) string {
	switch {
	case len(noun) > 4 && strings.HasSuffix(noun, "ies"):
		return noun[:len(noun)-3] + "y"
	case len(noun) > 3 && strings.HasSuffix(noun, "s") && !strings.HasSuffix(noun, "ss") &&
		!strings.HasSuffix(noun, "us") && !strings.HasSuffix(noun, "is"):
		return noun[:len(noun)-1]
	}
	return noun
}

// Count says how many of noun (in the singular) there are: "1 document",
// "3 documents", "0 documents".
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + Plural(noun)
}
