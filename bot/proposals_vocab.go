package bot

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"framebot/internal/text"
)

// Vocabulary is the language and domain knowledge the proposals list and
// the summaries' figures use: which nouns name a plan, which adjectives say
// nothing about which plan it is, which words after a number are not what
// it counts. It is data so that a corpus on another domain (or in another
// register) can change it without touching the code; DefaultVocabulary is
// tuned on English news and reference text.
//
// A nil list means the default list; an empty one means none. Words are
// single lower-case words; plurals of ProposalHeads match too.
type Vocabulary struct {
	// ProposalHeads are the nouns that head a proposal's name: "plan" in
	// "peace plan", "Treaty" in "Treaty of Versailles".
	ProposalHeads []string `yaml:"proposal_heads"`
	// FirstMentionHeads are the heads whose phrases count from their first
	// mention ("land swap proposal"); a phrase headed by another word must
	// be named twice, or be a proper name, to count: said once, "peace
	// deal" is as likely a turn of phrase as a proposal.
	FirstMentionHeads []string `yaml:"first_mention_heads"`
	// GenericModifiers describe a proposal's state or quality rather than
	// which one it is ("the revised plan", "a credible guarantee"); they
	// are not part of its name.
	GenericModifiers []string `yaml:"generic_modifiers"`
	// NameConnectors are the small words inside proper names ("Coalition
	// of the Willing"). "and" is not one by default: it joins two names
	// more often than it sits inside one ("Serapis and the Alliance").
	NameConnectors []string `yaml:"name_connectors"`
	// CountedUnits are the units of "N-unit" plans: "point" finds the
	// "28-point plan" and the "20-point peace plan".
	CountedUnits []string `yaml:"counted_units"`
	// NumberedNames are the words that, followed by a number, name a
	// provision: "article" finds "Article 5".
	NumberedNames []string `yaml:"numbered_names"`
	// UncountedNouns follow numbers without being what a source counts:
	// units of time and dates, shares, and words that make the number a
	// name ("Article 5-like") or a rank. Figures about them are never
	// compared.
	UncountedNouns []string `yaml:"uncounted_nouns"`
	// InvariantPlurals are nouns whose plural is the word as written
	// ("personnel", "staff", "women"), for "the number of personnel".
	InvariantPlurals []string `yaml:"invariant_plurals"`
}

// DefaultVocabulary returns the vocabulary used when none is configured.
func DefaultVocabulary() Vocabulary {
	return Vocabulary{
		ProposalHeads: wordList(`plan proposal framework agreement accord deal treaty pact coalition alliance
			guarantee assurance initiative roadmap settlement arrangement memorandum doctrine
			charter compact declaration protocol`),
		FirstMentionHeads: wordList(`proposal`),
		GenericModifiers: wordList(`initial revised tentative current new final future possible proposed controversial
			emerging sustainable comprehensive refined eventual credible reliable durable vague potential strong clear
			practical real typical traditional alternative entire overall formal informal broad broader wider whole
			original latest first second third previous existing updated draft detailed full flexible genuine long
			short good bad better best big great small large major minor key main specific general actual similar
			different whatever certain concrete robust solid weak firm fair just lasting permanent temporary
			this that these those such their its his her our your my any every each some no another other`),
		NameConnectors: wordList(`of the for`),
		CountedUnits:   wordList(`point`),
		NumberedNames:  wordList(`article`),
		UncountedNouns: wordList(`year years month months week weeks day days hour hours minute minutes second seconds
			decade decades century centuries percent per cent pct time times am pm gmt utc bc ad
			january february march april may june july august september october november december
			like style type th st nd rd plus fold`),
		InvariantPlurals: wordList(`personnel people staff police men women children`),
	}
}

// wordList splits a literal list of words.
func wordList(s string) []string { return strings.Fields(s) }

// WithDefaults returns v with each nil list replaced by the default one.
func (v Vocabulary) WithDefaults() Vocabulary {
	d := DefaultVocabulary()
	for _, f := range []struct{ got, def *[]string }{
		{&v.ProposalHeads, &d.ProposalHeads},
		{&v.FirstMentionHeads, &d.FirstMentionHeads},
		{&v.GenericModifiers, &d.GenericModifiers},
		{&v.NameConnectors, &d.NameConnectors},
		{&v.CountedUnits, &d.CountedUnits},
		{&v.NumberedNames, &d.NumberedNames},
		{&v.UncountedNouns, &d.UncountedNouns},
		{&v.InvariantPlurals, &d.InvariantPlurals},
	} {
		if *f.got == nil {
			*f.got = *f.def
		}
	}
	return v
}

// Validate checks v, defaults applied, and says what to fix: every entry
// must be one lower-case word, and there must be at least one proposal
// head. It returns the errors joined, each naming its list by its
// configuration key.
func (v Vocabulary) Validate() error {
	v = v.WithDefaults()
	var errs []error
	if len(v.ProposalHeads) == 0 {
		errs = append(errs, errors.New(`proposal_heads: list at least one noun that names a plan, such as "plan" or "treaty", or leave the key out for the default list`))
	}
	for _, l := range []struct {
		key   string
		words []string
	}{
		{"proposal_heads", v.ProposalHeads},
		{"first_mention_heads", v.FirstMentionHeads},
		{"generic_modifiers", v.GenericModifiers},
		{"name_connectors", v.NameConnectors},
		{"counted_units", v.CountedUnits},
		{"numbered_names", v.NumberedNames},
		{"uncounted_nouns", v.UncountedNouns},
		{"invariant_plurals", v.InvariantPlurals},
	} {
		for _, w := range l.words {
			if !isVocabularyWord(w) {
				errs = append(errs, fmt.Errorf("%s: %q is not one lower-case word; write each entry as a single word of lower-case letters, such as %q", l.key, w, suggestWord(w)))
			}
		}
	}
	return errors.Join(errs...)
}

// suggestWord offers a valid entry for w: its last word, in lower case,
// without what is not a letter ("Peace Plan" → "plan").
func suggestWord(w string) string {
	f := strings.Fields(w)
	if len(f) == 0 {
		return "plan"
	}
	s := strings.ToLower(strings.TrimFunc(f[len(f)-1], func(r rune) bool { return !unicode.IsLetter(r) }))
	if !isVocabularyWord(s) {
		return "plan"
	}
	return s
}

// isVocabularyWord reports one word of lower-case letters (hyphens and
// apostrophes inside it allowed).
func isVocabularyWord(w string) bool {
	if w == "" || strings.ToLower(w) != w {
		return false
	}
	for i, r := range w {
		switch {
		case unicode.IsLetter(r):
		case (r == '-' || r == '\'') && i > 0 && i < len(w)-1:
		default:
			return false
		}
	}
	return true
}

// vocab is a Vocabulary compiled for lookups.
type vocab struct {
	heads, firstMention, modifiers, connectors lexicon
	units, numbered, uncounted, invariant      lexicon
	// pointPlan matches "28-point plan", "20-point peace plan": the
	// number, the unit, and the one or two words after the unit, one of
	// which should be a proposal head. nil without units.
	pointPlan *regexp.Regexp
}

// lexicon is a set of words.
type lexicon map[string]bool

func lexiconOf(ws []string) lexicon {
	s := make(lexicon, len(ws))
	for _, w := range ws {
		s[w] = true
	}
	return s
}

// compile returns v, defaults applied, ready for lookups. Words are
// matched in lower case; an invalid entry (see Validate) only never
// matches.
func (v Vocabulary) compile() *vocab {
	v = v.WithDefaults()
	c := &vocab{
		heads: lexiconOf(v.ProposalHeads), firstMention: lexiconOf(v.FirstMentionHeads),
		modifiers: lexiconOf(v.GenericModifiers), connectors: lexiconOf(v.NameConnectors),
		units: lexiconOf(v.CountedUnits), numbered: lexiconOf(v.NumberedNames),
		uncounted: lexiconOf(v.UncountedNouns), invariant: lexiconOf(v.InvariantPlurals),
	}
	if len(v.CountedUnits) > 0 {
		alts := make([]string, len(v.CountedUnits))
		for i, u := range v.CountedUnits {
			alts[i] = regexp.QuoteMeta(u)
		}
		c.pointPlan = regexp.MustCompile(`\b(\d{1,3})[-‑–](` + strings.Join(alts, "|") + `)\s+([a-z]+)(?:\s+([a-z]+))?`)
	}
	return c
}

// isHead reports whether w, in any case and number, is a proposal head.
func (v *vocab) isHead(w string) bool { return v.heads[text.Singular(strings.ToLower(w))] }

// pluralOf is plural with the vocabulary's invariant plurals.
func (v *vocab) pluralOf(noun string) string {
	if v.invariant[noun] {
		return noun
	}
	return text.Plural(noun)
}
