package bot

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"slices"
	"sort"
	"strconv"
	"unicode/utf8"

	"framebot/internal/text"
)

// AnswerOptions tune how questions are answered. The zero value means the
// defaults.
type AnswerOptions struct {
	// Passages is how many passages an answer quotes at most (default 3).
	Passages int
	// Candidates is how many passages are read from the index before
	// choosing (default 30).
	Candidates int
	// MinCoverage is the share of the question's information (IDF-weighted
	// content terms) the best passage must contain for a confident answer
	// (default: the balanced abstention level's, 0.38).
	MinCoverage float64
	// MissingPenalty multiplies the weight of a name in the question that
	// the corpus does not contain at all (default 4): a subject the
	// documents never name makes any match of the other words incidental.
	MissingPenalty float64
	// Margin is how many times the mean rank of the next candidates a
	// best passage covering less than MinCoverage (but at least
	// lowCoverage of it) must reach to be answered (default 4).
	Margin float64
	// TypeBoost raises the rank of a candidate passage holding an answer
	// of the kind the question asks for (a time for "When…", a number for
	// "How many…", a sentence defining the subject for "What is…"; see
	// answerType) by this share of it (default 1.5: 2.5 times the rank;
	// negative: off).
	TypeBoost float64
	// NameWeight multiplies the weight in coverage of a word the question
	// writes as a name (capitalised) and the corpus holds (default 1.5):
	// a question is about its names, so a passage matching the common
	// words around a name but not the name covers less of it.
	NameWeight float64
	// SentenceWeight orders an answer's quotes: each is placed by its
	// rank (as a share of the best's) mixed with this share of the largest
	// part of the question one of its sentences holds (default 0.65;
	// negative: by rank alone). The sentence that answers a question
	// usually holds most of its words together.
	SentenceWeight float64
}

// Abstention levels: how readily the bot says that no passage answers a
// question, a trade between answering the questions the corpus does answer
// and withholding an answer from those it does not. Each is a MinCoverage
// (abstainCoverage; see AnswerOptions.Abstain); docs/benchmarks.md, "Tenth
// round", gives what each does on the QA sets.
const (
	// AbstainLenient answers nearly every question some passage covers
	// in part: for a corpus that holds the answers to almost everything
	// asked of it.
	AbstainLenient = "lenient"
	// AbstainBalanced is the default.
	AbstainBalanced = "balanced"
	// AbstainStrict withholds most answers the corpus does not hold, and
	// some it does.
	AbstainStrict = "strict"
)

// AbstainLevels lists the abstention levels, least abstaining first.
var AbstainLevels = []string{AbstainLenient, AbstainBalanced, AbstainStrict}

// abstainCoverage is each level's MinCoverage, chosen on qa-dev and the
// unseen QA set together, on a 0.02 grid:
//   - lenient: the most abstention that answers at least 99 % of the
//     answerable questions on both;
//   - balanced: the most abstention that answers at least 97 % of them on
//     both and still finds as many answers as SQLite FTS5 over whole
//     paragraphs (which never abstains) in the first quote and in the
//     first three (qa.py's hit@1 and hit@3). A withheld answer is a miss,
//     so abstaining more would cost answers the corpus holds;
//   - strict: the most answers that abstain on at least 90 % of the
//     unanswerable questions on both.
//
// docs/benchmarks.md ("Fourteenth round") has the grid.
var abstainCoverage = map[string]float64{AbstainLenient: 0.34, AbstainBalanced: 0.38, AbstainStrict: 0.74}

// Abstain returns o with the MinCoverage of level (one of AbstainLevels;
// "" is AbstainBalanced).
func (o AnswerOptions) Abstain(level string) (AnswerOptions, error) {
	c, ok := abstainCoverage[cmp.Or(level, AbstainBalanced)]
	if !ok {
		return o, fmt.Errorf("abstention level %q: want one of %v", level, AbstainLevels)
	}
	o.MinCoverage = c
	return o, nil
}

// lowCoverage is the share of MinCoverage below which nothing is quoted:
// confident and quote (through picks) share it, so an answer always quotes
// a passage.
const lowCoverage = 0.6

func (o AnswerOptions) withDefaults() AnswerOptions {
	if o.Passages <= 0 {
		o.Passages = 3
	}
	if o.Candidates <= 0 {
		o.Candidates = 30
	}
	if o.MinCoverage <= 0 {
		o.MinCoverage = abstainCoverage[AbstainBalanced]
	}
	if o.MissingPenalty <= 0 {
		o.MissingPenalty = 4
	}
	if o.Margin <= 0 {
		o.Margin = 4
	}
	if o.NameWeight <= 0 {
		o.NameWeight = 1.5
	}
	if o.TypeBoost == 0 {
		o.TypeBoost = 1.5
	}
	if o.SentenceWeight == 0 {
		o.SentenceWeight = 0.65
	}
	return o
}

// MaxQuestionRunes is the longest question read; the rest is ignored.
const MaxQuestionRunes = 1000

// Answerer turns questions into answers with quoted passages.
type Answerer struct {
	search Searcher
	opts   AnswerOptions
}

// NewAnswerer returns an Answerer that reads passages from s.
func NewAnswerer(s Searcher, opts AnswerOptions) *Answerer {
	return &Answerer{search: s, opts: opts.withDefaults()}
}

// candidate is a hit with the evidence computed for it.
type candidate struct {
	Hit
	coverage float64 // IDF-weighted share of question terms in the passage
	rank     float64 // score used to order the answer
	words    map[string]bool
}

// Ask answers question. It returns an error only when the index fails; a
// question the corpus can't answer gives an Answer with Answered false and
// the nearest sources.
func (a *Answerer) Ask(ctx context.Context, question string) (*Answer, error) {
	return a.AskWith(ctx, question, Borrowed{})
}

// Ranked returns the passages an answer to question would be chosen from,
// in the order the answerer ranks them (BM25 weighed by coverage of the
// question), however confident the best one is: framebot eval scores the
// chat path's ranking with it. It returns an error only when the index
// fails.
func (a *Answerer) Ranked(ctx context.Context, question string) ([]Hit, error) {
	r, err := a.rank(ctx, question, Borrowed{})
	if err != nil {
		return nil, err
	}
	out := make([]Hit, len(r.cands))
	for i, c := range r.cands {
		out[i] = c.Hit
	}
	return out, nil
}

// ranking is a question's candidates, as Ask and Ranked see them.
type ranking struct {
	q       string        // the question, cleaned ("" when empty)
	res     *SearchResult // nil for an empty question
	weights []float64     // each term's weight in coverage
	total   float64       // the question's information, which coverage is a share of
	cands   []candidate   // best first
}

// rank cleans question, searches for it (with what a follow-up borrows)
// and ranks the candidates.
func (a *Answerer) rank(ctx context.Context, question string, from Borrowed) (ranking, error) {
	r := ranking{q: CleanText(question, MaxQuestionRunes)}
	if r.q == "" {
		return r, nil
	}
	var err error
	if r.res, err = a.searchWith(ctx, r.q, from); err != nil {
		return r, fmt.Errorf("search for %q: %w", text.Truncate(r.q, 80), err)
	}
	r.weights = a.coverageWeights(r.res.Terms)
	r.total = a.questionInformation(r.res.Terms)
	r.cands = a.candidates(r.res, r.weights, r.total, from, askedBy(r.q))
	return r, nil
}

// AskWith is Ask for a follow-up: from holds what it borrows from its
// thread (see followup.go).
func (a *Answerer) AskWith(ctx context.Context, question string, from Borrowed) (*Answer, error) {
	r, err := a.rank(ctx, question, from)
	if err != nil {
		return nil, err
	}
	ans := &Answer{Question: r.q, Passages: []Passage{}}
	if r.q == "" {
		ans.Note = "The question is empty."
		return ans, nil
	}
	res, cands := r.res, r.cands
	if len(res.Terms) == 0 {
		ans.Note = "The question has no words to look up."
		return ans, nil
	}
	if !a.confident(cands) {
		ans.Nearest = nearest(cands, 3)
		ans.Note = "No passage of the corpus answers this confidently."
		return ans, nil
	}
	ans.Passages = a.quote(cands, r.weights, r.total)
	ans.Answered = len(ans.Passages) > 0
	for _, t := range res.Terms {
		if t.Corrected != "" {
			ans.Note = "Spelling variants were matched too."
			break
		}
	}
	return ans, nil
}

// questionInformation is the total weight of the question's terms that
// coverage is a share of: a name the corpus lacks weighs MissingPenalty
// times its IDF, one it holds NameWeight times (as in coverageWeights).
func (a *Answerer) questionInformation(terms []Term) float64 {
	var total float64
	for _, t := range terms {
		if t.Missing && t.Name {
			total += t.IDF * a.opts.MissingPenalty * termShare(t)
			continue
		}
		total += t.IDF * termShare(t) * a.nameWeight(t)
	}
	return total
}

// candidates scores the hits of res: each one's coverage of the question
// (the weight of its own matched terms, and at contextWeight those of its
// heading and of passages near it in its document, as a share of total)
// and its rank, BM25 weighed by coverage, the thread's document boost
// and, for a question asking for an answer type (at), whether the passage
// holds an answer of that type. They come back sorted, best first.
func (a *Answerer) candidates(res *SearchResult, weights []float64, total float64, from Borrowed, at asked) []candidate {
	cands := make([]candidate, 0, len(res.Hits))
	for _, h := range res.Hits {
		cands = append(cands, candidate{Hit: h, words: wordSet(h.Text)})
	}
	for i := range cands {
		c := &cands[i]
		if total > 0 {
			c.coverage = coveredWeight(cands, i, weights) / total
		}
		// Coverage weighs in beside BM25, whose sum over terms can favour a
		// passage repeating one rare word over one that answers the question.
		c.rank = c.Score * (0.25 + c.coverage)
		c.rank *= from.docBoost(c.Doc)
		if at.typ != anyAnswer && a.opts.TypeBoost > 0 && at.heldBy(c.Text) {
			c.rank *= 1 + a.opts.TypeBoost
		}
	}
	sortCandidates(cands)
	return cands
}

// coveredWeight is the weight of the question terms cands[i] matches, plus
// contextWeight times that of the terms only its heading or passages near
// it match: a passage under "Connection limits" that never repeats those
// words still covers a question about connection limits, though less than
// one that says them.
func coveredWeight(cands []candidate, i int, weights []float64) float64 {
	c := cands[i]
	own := matchedSet(c.Matched, len(weights))
	near := map[int]bool{}
	for _, t := range c.SectionMatched {
		if t >= 0 && t < len(weights) && !own[t] {
			near[t] = true
		}
	}
	for _, o := range cands {
		if o.Doc == c.Doc && o.Ordinal != c.Ordinal && abs(o.Ordinal-c.Ordinal) <= contextPassages {
			for _, t := range o.Matched {
				if t >= 0 && t < len(weights) && !own[t] {
					near[t] = true
				}
			}
		}
	}
	var got float64
	for t := range own {
		got += weights[t]
	}
	for t := range near {
		got += contextWeight * weights[t]
	}
	return got
}

// quote picks the passages a confident answer quotes, each with the rest
// of its paragraph as far as it fits (see withParagraph), and orders them
// by rank and by how much of the question one sentence of each holds
// (AnswerOptions.SentenceWeight; total is the question's information).
func (a *Answerer) quote(cands []candidate, weights []float64, total float64) []Passage {
	// The floor never exceeds the best candidate's coverage, which
	// confident has accepted: a confident answer quotes at least one
	// passage.
	floor := max(a.opts.MinCoverage*lowCoverage, cands[0].coverage*0.6)
	joined := map[string]bool{} // "doc#ordinal" of parts quoted with a passage above
	// Each quote's place: the value picks took it at, as a share of the
	// first's (picks' values never rise), mixed with its best sentence's
	// coverage. Without the mix the places keep picks' order.
	w := max(a.opts.SentenceWeight, 0)
	type quoted struct {
		p     Passage
		place float64
	}
	var qs []quoted
	var first float64
	for c, v := range picks(cands, floor) {
		if joined[partKey(c.Doc, c.Ordinal)] {
			continue // quoted already, with a passage above: the next takes its place
		}
		p, with := withParagraph(c, weights, func(ord int) bool { return joined[partKey(c.Doc, ord)] })
		joined[partKey(c.Doc, c.Ordinal)] = true
		for _, o := range with {
			joined[partKey(c.Doc, o)] = true
		}
		p.Score = round3(c.rank)
		if len(qs) == 0 {
			first = v
		}
		var share float64
		if first > 0 {
			share = v / first
		}
		place := (1-w)*share + w*sentenceCoverage(c, weights, total)
		if qs = append(qs, quoted{p, place}); len(qs) == a.opts.Passages {
			break
		}
	}
	slices.SortStableFunc(qs, func(x, y quoted) int { return cmp.Compare(y.place, x.place) })
	out := make([]Passage, len(qs))
	for i, q := range qs {
		out[i] = q.p
	}
	return out
}

// sentenceCoverage is the largest share of the question's information
// (total, with each term weighing as in coverage) that one sentence of c
// holds.
func sentenceCoverage(c candidate, weights []float64, total float64) float64 {
	if total <= 0 || len(c.At) == 0 {
		return 0
	}
	var best float64
	k := 0
	seen := make([]bool, len(weights))
	for _, s := range text.Sentences(c.Text) {
		clear(seen)
		var got float64
		for ; k < len(c.At) && c.At[k].Start < s[1]; k++ {
			t := c.At[k].Term
			if c.At[k].Start >= s[0] && t >= 0 && t < len(weights) && !seen[t] {
				seen[t] = true
				got += weights[t]
			}
		}
		best = max(best, got/total)
	}
	return best
}

// confident decides whether the best candidate answers the question: it
// must cover enough of the question's information, or cover a fair part
// and stand clearly above the other candidates.
func (a *Answerer) confident(cands []candidate) bool {
	if len(cands) == 0 {
		return false
	}
	best := cands[0]
	if best.coverage >= a.opts.MinCoverage {
		return true
	}
	if best.coverage < a.opts.MinCoverage*lowCoverage || len(cands) < 2 {
		return false
	}
	var rest float64
	n := 0
	for _, c := range cands[1:min(len(cands), 6)] {
		rest += c.rank
		n++
	}
	return best.rank >= a.opts.Margin*(rest/float64(n))
}

// sortCandidates orders candidates best first, by RankedBefore on their
// rank.
func sortCandidates(cands []candidate) {
	sort.SliceStable(cands, func(i, j int) bool {
		return RankedBefore(&cands[i].Hit, cands[i].rank, &cands[j].Hit, cands[j].rank)
	})
}

// picks yields the passages above floor in the order quotes take them,
// each with the value it was taken at: best first, no near-duplicates, and
// a passage from a document not yet yielded preferred over one about as
// good from a document already yielded (its rank lowered). The values
// never rise. It works lazily: a caller that stops after a few quotes
// ranks no further.
func picks(cands []candidate, floor float64) iter.Seq2[candidate, float64] {
	return func(yield func(candidate, float64) bool) {
		var out []candidate
		used := map[string]int{}
		rest := append([]candidate(nil), cands...)
		for len(rest) > 0 {
			bi, bv := -1, 0.0
			for i, c := range rest {
				if c.coverage < floor {
					continue
				}
				v := c.rank
				for range used[c.Doc] {
					v *= 0.85
				}
				if bi < 0 || v > bv { // strict: ties keep the sorted order
					bi, bv = i, v
				}
			}
			if bi < 0 {
				return
			}
			c := rest[bi]
			rest = append(rest[:bi], rest[bi+1:]...)
			if slices.ContainsFunc(out, func(o candidate) bool { return jaccard(o.words, c.words) >= 0.6 }) {
				continue
			}
			out = append(out, c)
			used[c.Doc]++
			if !yield(c, bv) {
				return
			}
		}
	}
}

// maxJoinedRunes caps a passage joined with its paragraph's neighbouring
// parts, well under every platform's limit on one quoted text.
const maxJoinedRunes = 1500

// withParagraph returns c's passage joined with the neighbouring parts of
// its paragraph (when the paragraph was cut into passages), so that the
// quote reads as the document's paragraph does: ranking uses short
// passages, which score precisely, and the quote carries the context an
// answer often sits in beside the matched words. A part is joined when the
// joined text stays within maxJoinedRunes; when only one of the two fits,
// the one holding more of the question's information that c lacks goes
// first. The joined text is the parts as the document has them, one space
// apart (passages are cut between sentences of whitespace-folded text).
// A part quoted already (quoted(ordinal) true) is not joined again. It also
// returns the ordinals of the parts joined.
func withParagraph(c candidate, weights []float64, quoted func(ord int) bool) (Passage, []int) {
	own := matchedSet(c.Matched, len(weights))
	gain := func(p *Part) float64 {
		var g float64
		for _, t := range p.Matched {
			if t >= 0 && t < len(weights) && !own[t] {
				g += weights[t]
			}
		}
		return g
	}
	p := c.Passage
	size := utf8.RuneCountInString(p.Text)
	fits := func(q *Part) bool {
		return q != nil && size+1+utf8.RuneCountInString(q.Text) <= maxJoinedRunes
	}
	type side struct {
		part  *Part
		after bool
	}
	sides := []side{{c.Before, false}, {c.After, true}}
	if c.Before != nil && c.After != nil && gain(c.After) > gain(c.Before) {
		sides[0], sides[1] = sides[1], sides[0]
	}
	var with []int
	for _, sd := range sides {
		ord := c.Ordinal - 1
		if sd.after {
			ord = c.Ordinal + 1
		}
		if !fits(sd.part) || quoted(ord) {
			continue
		}
		size += 1 + utf8.RuneCountInString(sd.part.Text)
		if sd.after {
			p.Text, p.Highlights = joinParts(p.Text, p.Highlights, sd.part.Text, sd.part.Highlights)
		} else {
			p.Text, p.Highlights = joinParts(sd.part.Text, sd.part.Highlights, p.Text, p.Highlights)
		}
		with = append(with, ord)
	}
	return p, with
}

func partKey(doc string, ord int) string { return doc + "#" + strconv.Itoa(ord) }

// joinParts joins two consecutive parts of a paragraph and their highlights.
func joinParts(a string, ha []Span, b string, hb []Span) (string, []Span) {
	spans := append([]Span(nil), ha...)
	off := len(a) + 1
	for _, s := range hb {
		spans = append(spans, Span{Start: s.Start + off, End: s.End + off})
	}
	return a + " " + b, spans
}

// nearest lists the distinct documents of the best candidates.
func nearest(cands []candidate, n int) []Source {
	var out []Source
	seen := map[string]bool{}
	for _, c := range cands {
		if seen[c.Doc] || c.coverage == 0 {
			continue
		}
		seen[c.Doc] = true
		out = append(out, Source{Doc: c.Doc, Title: c.Title, Source: c.Source, URL: c.URL})
		if len(out) == n {
			break
		}
	}
	return out
}

// wordSet is the set of text.Words of s.
func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range text.Words(s) {
		m[w] = true
	}
	return m
}

func jaccard(a, b map[string]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	inter := 0
	for w := range a {
		if b[w] {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

func round3(f float64) float64 {
	return float64(int64(f*1000+0.5)) / 1000
}

// contextPassages is how far (in passages of the same document) a question
// term may appear and still count, at contextWeight, towards a passage's
// coverage: "he stated" quotes the person named one paragraph earlier.
const (
	contextPassages = 2
	contextWeight   = 0.5
	// correctedWeight is the share of a term's weight counted when it only
	// matched through a spelling correction, which may be wrong.
	correctedWeight = 0.5
)

// coverageWeights returns each question term's weight in an answer's
// coverage: termWeights, times NameWeight for a name the corpus holds.
// (Briefs weigh terms by termWeights alone.)
func (a *Answerer) coverageWeights(terms []Term) []float64 {
	w := termWeights(terms)
	for i, t := range terms {
		w[i] *= a.nameWeight(t)
	}
	return w
}

// nameWeight is the factor of t's weight in coverage for being a name the
// corpus holds: AnswerOptions.NameWeight, or 1.
func (a *Answerer) nameWeight(t Term) float64 {
	if t.Name && !t.Missing {
		return a.opts.NameWeight
	}
	return 1
}

// termWeights returns each question term's weight in coverage: its IDF,
// reduced when the term only matches through a spelling correction.
func termWeights(terms []Term) []float64 {
	w := make([]float64, len(terms))
	for i, t := range terms {
		w[i] = t.IDF * termShare(t)
		if t.Corrected != "" {
			w[i] *= correctedWeight
		}
	}
	return w
}

func matchedSet(matched []int, n int) map[int]bool {
	m := make(map[int]bool, len(matched))
	for _, i := range matched {
		if i >= 0 && i < n {
			m[i] = true
		}
	}
	return m
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
