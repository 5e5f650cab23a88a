package bot

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"framebot/internal/text"
)

// WeightedText is text a search adds to a question at a reduced weight.
type WeightedText struct {
	Text string
	// Weight is the share (0–1] of a question word's weight each of the
	// text's words gets.
	Weight float64
}

// ContextSearcher is a Searcher that can add words from a conversation's
// earlier turns to a question, at reduced weight. An Answerer whose
// Searcher lacks it answers follow-ups without borrowing words.
type ContextSearcher interface {
	// SearchContext is Search with extra's words added, each at its
	// weight, unless text already has them.
	SearchContext(ctx context.Context, text string, extra []WeightedText, limit int) (*SearchResult, error)
}

// Borrowed is what a follow-up takes from its thread's earlier turns.
type Borrowed struct {
	// Terms are the earlier subject's words, each at a reduced weight.
	Terms []WeightedText
	// Docs are the documents the thread already quoted; their passages
	// rank DocBoost higher (0.2: 20 %).
	Docs     map[string]bool
	DocBoost float64
	// Label names the borrowed subject for the user.
	Label string
}

func (b Borrowed) docBoost(doc string) float64 {
	if b.Docs[doc] {
		return 1 + b.DocBoost
	}
	return 1
}

func (a *Answerer) searchWith(ctx context.Context, q string, from Borrowed) (*SearchResult, error) {
	if cs, ok := a.search.(ContextSearcher); ok && len(from.Terms) > 0 {
		return cs.SearchContext(ctx, q, from.Terms, a.opts.Candidates)
	}
	return a.search.Search(ctx, q, a.opts.Candidates)
}

// termShare is the share of its weight a term has in the question.
func termShare(t Term) float64 {
	if t.Weight > 0 && t.Weight < 1 {
		return t.Weight
	}
	return 1
}

// FollowupOptions tune how follow-ups borrow from their thread. The zero
// value means the defaults, chosen on ../shared/bench/qa-dev (see
// docs/benchmarks.md, "Follow-ups in a thread").
type FollowupOptions struct {
	// Weight is the share of a question word's weight that a borrowed
	// subject word gets (default 0.5).
	Weight float64
	// DocBoost raises passages of documents the thread already quoted
	// (default 0.2: 20 %).
	DocBoost float64
	// MaxTerms is how many subject words are borrowed at most (default 2),
	// besides the first two names or title phrases, which are borrowed
	// whole: they are what Answer.Context names.
	MaxTerms int
}

func (o FollowupOptions) withDefaults() FollowupOptions {
	if o.Weight <= 0 {
		o.Weight = 0.5
	}
	if o.DocBoost < 0 {
		o.DocBoost = 0
	} else if o.DocBoost == 0 {
		o.DocBoost = 0.2
	}
	if o.MaxTerms <= 0 {
		o.MaxTerms = 2
	}
	return o
}

// Anaphora is the language data follow-up detection reads: the words that
// point back to an earlier subject. DefaultAnaphora is English.
type Anaphora struct {
	// Pronouns stand for an earlier subject wherever they are ("when did
	// it end?").
	Pronouns map[string]bool
	// Possessives point back only before the question's first content
	// word ("what is its capital?"); after one they usually refer to it
	// ("how did the genre expand its reach?").
	Possessives map[string]bool
	// Generic are nouns that ask for something rather than name a subject
	// ("what is the name of its founder?").
	Generic map[string]bool
	// Trailing point back only as the question's last word ("who reported
	// that?"); elsewhere they are usually determiners or conjunctions.
	Trailing map[string]bool
	// Openers start an elliptical question ("and the revised one?").
	Openers []string
	// Connectors may join the words of a name ("Coalition of the Willing").
	Connectors map[string]bool
}

// DefaultAnaphora returns the English follow-up words.
func DefaultAnaphora() Anaphora {
	set := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, w := range strings.Fields(s) {
			m[w] = true
		}
		return m
	}
	return Anaphora{
		Pronouns:    set("it itself they them theirs themselves he him himself she hers herself"),
		Possessives: set("its it's their his her"),
		Generic:     set("name names type types kind kinds year years part parts number percentage amount date time period role example way"),
		Trailing:    set("that this these those there then"),
		Openers:     []string{"and ", "and what about ", "what about ", "how about ", "also ", "same for "},
		Connectors:  set("of the de la von van der du del"),
	}
}

// word is one word of a question with its byte offsets.
type word struct {
	text       string // as written
	lower      string
	start, end int
}

func splitWords(s string) []word {
	var out []word
	start := -1
	for i, r := range s {
		in := unicode.IsLetter(r) || unicode.IsDigit(r) || (start >= 0 && (r == '\'' || r == '’' || r == '-'))
		if in && start < 0 {
			start = i
		}
		if !in && start >= 0 {
			out = append(out, mkWord(s, start, i))
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, mkWord(s, start, len(s)))
	}
	return out
}

func mkWord(s string, start, end int) word {
	t := strings.TrimRight(s[start:end], "'’-")
	t = strings.ReplaceAll(t, "’", "'")
	return word{text: t, lower: strings.ToLower(t), start: start, end: start + len(t)}
}

// LeansOnThread reports whether question points back to an earlier turn
// for its subject: a pronoun ("when did it end?"), a trailing
// demonstrative ("who reported that?") or an elliptical opening ("and the
// revised one?").
func (an Anaphora) LeansOnThread(question string) bool {
	q := strings.ToLower(strings.TrimSpace(question))
	for _, o := range an.Openers {
		if strings.HasPrefix(q, o) {
			return true
		}
	}
	ws := splitWords(q)
	content := false
	for i, w := range ws {
		if an.Pronouns[w.lower] || (i == len(ws)-1 && an.Trailing[w.lower]) || (an.Possessives[w.lower] && !content) {
			return true
		}
		if !stopWords[w.lower] && !an.Generic[w.lower] && !an.Possessives[w.lower] && utf8.RuneCountInString(w.lower) >= 3 && i > 0 {
			content = true
		}
	}
	return false
}

// Names returns the question's own names: runs of capitalised words other
// than its first word, as written ("the Treaty of Rome" gives "Treaty of
// Rome").
func (an Anaphora) Names(question string) []string {
	ws := splitWords(question)
	var out []string
	for i := 0; i < len(ws); i++ {
		if i == 0 || !text.IsCapitalised(ws[i].text) || an.pronoun(ws[i].lower) {
			continue
		}
		j := i
		for k := i + 1; k < len(ws); k++ {
			if text.IsCapitalised(ws[k].text) {
				j = k
			} else if !an.Connectors[ws[k].lower] {
				break
			}
		}
		out = append(out, question[ws[i].start:ws[j].end])
		i = j
	}
	return out
}

func (an Anaphora) pronoun(w string) bool { return an.Pronouns[w] || an.Possessives[w] }

// Subject returns a question's salient words for later follow-ups, most
// salient first: its names and the phrases naming the documents its answer
// quoted (titles), then its other content words. strong counts the names
// and phrases; label joins the first two of them as the user wrote them
// ("" when there is none).
func (an Anaphora) Subject(question string, titles []string) (subject []string, strong int, label string) {
	ws := splitWords(question)
	titleWords := map[string]bool{}
	for _, t := range titles {
		for _, w := range splitWords(strings.ReplaceAll(t, "_", " ")) {
			if !stopWords[w.lower] {
				titleWords[text.Stem(w.lower)] = true
			}
		}
	}
	isStrong := make([]bool, len(ws))
	for i, w := range ws {
		if an.pronoun(w.lower) || stopWords[w.lower] {
			continue
		}
		isStrong[i] = (i > 0 && text.IsCapitalised(w.text)) || titleWords[text.Stem(w.lower)]
	}
	used := make([]bool, len(ws))
	for i := 0; i < len(ws); i++ {
		if !isStrong[i] {
			continue
		}
		j := i
		for k := i + 1; k < len(ws); k++ {
			if isStrong[k] {
				j = k
			} else if !an.Connectors[ws[k].lower] {
				break
			}
		}
		phrase := question[ws[i].start:ws[j].end]
		subject = append(subject, phrase)
		strong++
		if strong <= 2 {
			label = strings.TrimPrefix(label+", "+phrase, ", ")
		}
		for k := i; k <= j; k++ {
			used[k] = true
		}
		i = j
	}
	for i, w := range ws {
		if used[i] || an.pronoun(w.lower) || an.Trailing[w.lower] || stopWords[w.lower] || utf8.RuneCountInString(w.lower) < 3 {
			continue
		}
		subject = append(subject, w.text)
	}
	return subject, strong, label
}
