package bot

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"framebot/internal/text"
)

// SummaryOptions tune summaries. The zero value means the defaults.
type SummaryOptions struct {
	// Candidates is how many passages are read from the index before
	// choosing sentences (default 50).
	Candidates int
	// MinSentences and MaxSentences bound the length of a brief (defaults 3
	// and 7). Fewer than MinSentences are given only when the corpus has no
	// more sentences on the topic.
	MinSentences, MaxSentences int
	// MinCoverage is the share of the topic's information (IDF-weighted
	// content terms) a passage must contain for its document to count as
	// discussing the topic; a topic no passage covers that well gets no
	// brief (default 0.5).
	MinCoverage float64
	// Lambda trades relevance against redundancy when choosing sentences
	// (maximal marginal relevance; default 0.7).
	Lambda float64
	// Vocabulary says which words after a number are not what it counts,
	// for the figures compared across sources (nil lists: the defaults).
	Vocabulary Vocabulary
}

func (o SummaryOptions) withDefaults() SummaryOptions {
	if o.Candidates <= 0 {
		o.Candidates = 50
	}
	if o.MinSentences <= 0 {
		o.MinSentences = 3
	}
	if o.MaxSentences < o.MinSentences {
		o.MaxSentences = max(7, o.MinSentences)
	}
	if o.MinCoverage <= 0 {
		o.MinCoverage = 0.5
	}
	if o.Lambda <= 0 || o.Lambda > 1 {
		o.Lambda = 0.7
	}
	return o
}

// MaxTopicRunes is the longest topic read; the rest is ignored.
const MaxTopicRunes = 200

// Limits on what counts as a sentence worth quoting in a brief.
const (
	minSentenceWords = 6
	maxSentenceWords = 70
	// maxSummaryCandidates caps the sentences ranked, so the similarity
	// matrix stays small whatever the passages hold.
	maxSummaryCandidates = 400
)

// Summarizer writes extractive briefs: verbatim, cited sentences of the
// corpus on a topic, with the figures the sources disagree on.
// It is safe for concurrent use.
type Summarizer struct {
	search    Searcher
	proposals *ProposalFinder
	opts      SummaryOptions
	vocab     *vocab
}

// NewSummarizer returns a Summarizer that reads passages from s. p, when
// not nil, lists the corpus's proposals offered as suggestions for a topic
// the corpus does not discuss.
func NewSummarizer(s Searcher, p *ProposalFinder, opts SummaryOptions) *Summarizer {
	opts = opts.withDefaults()
	return &Summarizer{search: s, proposals: p, opts: opts, vocab: opts.Vocabulary.compile()}
}

// sentence is one candidate sentence of a brief with the evidence for it.
type sentence struct {
	text      string
	pass      *Hit
	hitRank   int     // rank of its passage in the search results
	start     int     // byte offset in the passage
	cov       float64 // IDF-weighted share of topic terms in the sentence
	passCov   float64 // same, for its whole passage
	score     float64 // relevance × centrality
	rel       float64
	vec       tfidf
	anaphoric bool
	leads     bool // the topic is its first or second word
}

// Summarize writes the brief on topic. A topic the corpus does not discuss
// gives a Summary without sentences, with Suggestions of known proposals
// when a PassageLister was given. Summarize returns an error when the index
// can't be read or ctx ends.
func (z *Summarizer) Summarize(ctx context.Context, topic string) (*Summary, error) {
	q := strings.TrimSpace(strings.Trim(CleanText(topic, MaxTopicRunes), `"'“”‘’«»`))
	sum := &Summary{Topic: q, Sentences: []SummarySentence{}}
	if !text.HasWord(q) {
		return sum, nil
	}
	search := z.search.Search
	if ps, ok := z.search.(PassageSearcher); ok {
		search = ps.SearchPassages
	}
	res, err := search(ctx, q, z.opts.Candidates)
	if err != nil {
		return nil, fmt.Errorf("search for %q: %w", text.Truncate(q, 80), err)
	}
	weights := termWeights(res.Terms)
	var total float64
	for _, w := range weights {
		total += w
	}
	if total == 0 {
		return z.abstain(ctx, sum)
	}

	passCov, best, docs := z.evidence(res, weights, total)
	if best < z.opts.MinCoverage {
		return z.abstain(ctx, sum)
	}
	sum.Documents = len(docs)

	cands := z.candidates(res, weights, total, passCov)
	rankSentences(cands)
	chosen := z.choose(cands, len(docs))
	for _, s := range orderForReading(chosen) {
		sum.Sentences = append(sum.Sentences, citeSentence(s))
	}
	sum.Conflicts = z.vocab.findConflicts(cands, docs, q)
	return sum, nil
}

// evidence measures what each retrieved passage says of the topic, as for
// answers: the share of the topic's information it holds (passCov). Only
// the topic's own words count (stems and exact forms; no corrected spelling),
// not the index's spelling variants of names: "condition" is no evidence
// of a passage discussing a coalition. It returns the best share and the
// documents that discuss the topic (a passage holding MinCoverage).
//
// A passage that holds only the topic's numbers ("8.1" of "Article 8.1",
// in "Windows 8.1") is no evidence that its document discusses the topic,
// when the topic has words; its sentences are quoted (passCov above 0)
// only when another passage of its document names the topic in words.
func (z *Summarizer) evidence(res *SearchResult, weights []float64, total float64) (passCov []float64, best float64, docs map[string]bool) {
	passCov = make([]float64, len(res.Hits))
	numbersOnly := make([]bool, len(res.Hits))
	docs = map[string]bool{}
	named := map[string]bool{} // documents with a passage holding a topic word
	topicHasWords := hasWordTerm(res.Terms, nil)
	for i := range res.Hits {
		h := &res.Hits[i]
		var got float64
		held := sentenceTerms(h, [2]int{0, len(h.Text)}, res.Terms)
		for t := range held {
			got += weights[t]
		}
		passCov[i] = got / total
		if numbersOnly[i] = topicHasWords && !hasWordTerm(res.Terms, held); numbersOnly[i] {
			continue
		}
		named[h.Doc] = named[h.Doc] || got > 0
		best = max(best, passCov[i])
		if passCov[i] >= z.opts.MinCoverage {
			docs[h.Doc] = true
		}
	}
	for i, h := range res.Hits {
		if numbersOnly[i] && !named[h.Doc] {
			passCov[i] = 0
		}
	}
	return passCov, best, docs
}

// hasWordTerm reports whether terms hold a term with a letter (not a
// number), among those in held when held is not nil.
func hasWordTerm(terms []Term, held map[int]bool) bool {
	for i, t := range terms {
		if (held == nil || held[i]) && strings.ContainsFunc(t.Text, unicode.IsLetter) {
			return true
		}
	}
	return false
}

// abstain fills sum for a topic the corpus does not discuss.
func (z *Summarizer) abstain(ctx context.Context, sum *Summary) (*Summary, error) {
	if z.proposals == nil {
		return sum, nil
	}
	ps, err := z.proposals.Proposals(ctx)
	if err != nil {
		return nil, err
	}
	sum.Suggestions = nearestProposals(sum.Topic, ps, 3)
	return sum, nil
}

// candidates splits the retrieved passages into sentences worth quoting,
// each with its share of the topic's terms.
func (z *Summarizer) candidates(res *SearchResult, weights []float64, total float64, passCov []float64) []*sentence {
	var out []*sentence
	seen := map[string]bool{}
	for i := range res.Hits {
		h := &res.Hits[i]
		if passCov[i] == 0 {
			continue
		}
		for _, r := range text.Sentences(h.Text) {
			text := h.Text[r[0]:r[1]]
			if seen[text] || !quotable(text) {
				continue
			}
			seen[text] = true
			var got float64
			for t := range sentenceTerms(h, r, res.Terms) {
				got += weights[t]
			}
			out = append(out, &sentence{
				text: text, pass: h, hitRank: i, start: r[0],
				cov: got / total, passCov: passCov[i],
				anaphoric: startsAnaphoric(text),
				leads:     leadsWithTopic(h, r, res.Terms),
			})
			if len(out) == maxSummaryCandidates {
				return out
			}
		}
	}
	return out
}

// sentenceTerms returns the indexes of the topic terms highlighted inside
// the range r (a sentence, or the whole passage) of passage h. Highlights
// are the index's own matches (stems, exact forms, corrected spellings);
// each is mapped back to the term it is a form of (termMatches).
func sentenceTerms(h *Hit, r [2]int, terms []Term) map[int]bool {
	out := map[int]bool{}
	for _, sp := range h.Highlights {
		if sp.Start < r[0] || sp.End > r[1] || sp.Start >= sp.End {
			continue
		}
		word := strings.ToLower(h.Text[sp.Start:sp.End])
		for i, t := range terms {
			if termMatches(word, t) {
				out[i] = true
			}
		}
	}
	return out
}

// leadsWithTopic reports whether a topic term is the first or second word
// of the sentence r of h: the sentence is then about the topic ("Security
// guarantees are promises…") rather than mentioning it on the way.
func leadsWithTopic(h *Hit, r [2]int, terms []Term) bool {
	for _, sp := range h.Highlights {
		if sp.Start < r[0] || sp.End > r[1] || sp.Start >= sp.End {
			continue
		}
		if len(strings.Fields(h.Text[r[0]:sp.Start])) > 1 {
			return false
		}
		word := strings.ToLower(h.Text[sp.Start:sp.End])
		for _, t := range terms {
			if termMatches(word, t) {
				return true
			}
		}
	}
	return false
}

// termMatches reports whether word (lower case, as written in a passage) is
// a form of t: the index's stem of the word (its possessive dropped) is
// the term's indexed form. Matching by prefix took "treating" for "treaty"
// (stem "treati") and "park" for "Paris". The index's corrected spelling
// does not count: a brief has no room to say that "miles" was read as
// "milk", and a misspelt topic gets suggestions instead.
func termMatches(word string, t Term) bool {
	return word == strings.ToLower(t.Text) || text.Stem(word) == t.Key
}

// quotable rejects what would read badly as a quoted sentence: fragments,
// headings, questions and run-ons.
func quotable(s string) bool {
	words := strings.Fields(s)
	if len(words) < minSentenceWords || len(words) > maxSentenceWords {
		return false
	}
	last := strings.TrimRightFunc(s, text.IsCloser)
	end, _ := utf8.DecodeLastRuneInString(last)
	if end != '.' && end != '!' {
		return false // headings, list items, questions
	}
	lower, capital := 0, 0
	for _, w := range words {
		r, _ := utf8.DecodeRuneInString(w)
		switch {
		case unicode.IsUpper(r):
			capital++
		case unicode.IsLower(r):
			lower++
		}
	}
	// A sentence needs running text; a title-cased line is a heading.
	return lower >= 3 && capital <= 2*lower
}

// startsAnaphoric reports a sentence opening with a pronoun that points
// back at the sentence before it, which reads badly out of context.
func startsAnaphoric(s string) bool {
	w, _, _ := strings.Cut(s, " ")
	switch strings.ToLower(strings.Trim(w, `,"'“”`)) {
	case "he", "she", "they", "it", "this", "these", "those", "that", "his", "her", "their", "its":
		return true
	}
	return false
}

// choose picks the brief's sentences by maximal marginal relevance: each
// step takes the sentence with the best mix of score and novelty, with a
// bonus for a document not quoted yet. A sentence must hold 30% of the
// topic's information and 45% of what the best sentence holds; others only
// fill up to MinSentences, only from passages that discuss the topic, and
// only if they name some of it. docs is the number of documents
// discussing the topic: a brief on a topic few documents discuss is shorter.
func (z *Summarizer) choose(cands []*sentence, docs int) []*sentence {
	bestCov := 0.0
	for _, s := range cands {
		bestCov = max(bestCov, s.cov)
	}
	floor := max(0.3, 0.45*bestCov)
	limit := min(z.opts.MaxSentences, max(z.opts.MinSentences, z.opts.MinSentences+docs))
	maxScore := 0.0
	for _, s := range cands {
		maxScore = max(maxScore, s.score)
	}
	if maxScore == 0 {
		return nil
	}
	eligible := func(s *sentence, n int) bool {
		if s.cov >= floor {
			return true
		}
		// Filling up: a sentence that names the topic at least.
		return n < z.opts.MinSentences && s.cov > 0 && s.passCov >= z.opts.MinCoverage
	}
	var out []*sentence
	used := map[string]bool{}
	taken := make([]bool, len(cands))
	for len(out) < limit {
		bi, bv := -1, 0.0
		for i, s := range cands {
			if taken[i] || !eligible(s, len(out)) {
				continue
			}
			sim := 0.0
			for _, o := range out {
				sim = max(sim, cosine(s.vec, o.vec))
			}
			if sim >= nearDuplicate {
				continue
			}
			v := z.opts.Lambda*s.score/maxScore - (1-z.opts.Lambda)*sim
			if !used[s.pass.Doc] {
				v += newDocBonus
			}
			if bi < 0 || v > bv {
				bi, bv = i, v
			}
		}
		if bi < 0 {
			break
		}
		s := cands[bi]
		if len(out) >= z.opts.MinSentences && s.score < weakSentence*maxScore {
			break
		}
		taken[bi] = true
		out = append(out, s)
		used[s.pass.Doc] = true
	}
	return out
}

const (
	// nearDuplicate is the cosine similarity above which two sentences say
	// the same thing.
	nearDuplicate = 0.6
	// newDocBonus favours quoting a document not quoted yet, so the brief
	// spans the sources.
	newDocBonus = 0.1
	// weakSentence ends a brief that has its minimum length once the best
	// remaining sentence scores below this share of the best one.
	weakSentence = 0.3
)

// orderForReading groups the chosen sentences by document, documents in
// order of relevance (the rank of their best passage) and sentences in
// their documents' order, so that each source's argument reads in sequence.
func orderForReading(chosen []*sentence) []*sentence {
	docRank := map[string]int{}
	for _, s := range chosen {
		if r, ok := docRank[s.pass.Doc]; !ok || s.hitRank < r {
			docRank[s.pass.Doc] = s.hitRank
		}
	}
	out := append([]*sentence(nil), chosen...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.pass.Doc != b.pass.Doc {
			return docRank[a.pass.Doc] < docRank[b.pass.Doc]
		}
		if a.pass.Ordinal != b.pass.Ordinal {
			return a.pass.Ordinal < b.pass.Ordinal
		}
		return a.start < b.start
	})
	return out
}

func citeSentence(s *sentence) SummarySentence {
	return SummarySentence{Text: s.text, Title: s.pass.Title, Doc: s.pass.Doc, Source: s.pass.Source, URL: s.pass.URL}
}

// runSummary runs the summary command; a missing topic gets the usage line.
func runSummary(ctx context.Context, b *Bot, _ Request, args string) (Reply, error) {
	if !text.HasWord(args) {
		return Reply{}, nil
	}
	if b.Summarizer == nil {
		return Reply{}, ErrComingSoon
	}
	s, err := b.Summarizer.Summarize(ctx, args)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Summary: s}, nil
}
