package index

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"framebot/bot"
	txt "framebot/internal/text"
)

// Limits that keep a chat message from turning into an expensive query.
const (
	maxQueryBytes = 4000 // longer questions are cut (at a rune boundary)
	maxTerms      = 64   // content terms kept, highest IDF first
	maxVariants   = 3    // spelling variants added per term
	maxFuzzyTerms = 8    // terms looked up for variants per question
	maxLimit      = 100  // passages returned at most
)

// questionWordWeight scales the IDF and boost of question words
// (Ranking.QuestionWords).
const questionWordWeight = 0.25

// queryTerm is one analysed content term of a question.
type queryTerm struct {
	bot.Term
	raw      string // lower-cased surface form
	name     bool   // written with a capital letter: may be a name
	question bool   // one of Ranking.QuestionWords: weighs little
	count    int    // times the question says it
	// variants are the indexed irregular forms (irregular.go) and close
	// spellings of the word that the corpus holds, forms first.
	variants []string
	weight   float64 // share of a question term's weight (0: all); see context.go
}

// Search returns up to limit passages for text, best first. text is analysed
// like the passages and turned into term queries: it is never parsed as
// query syntax, so no field, wildcard, fuzzy or regular-expression operator
// can be injected. Search returns an error when the index can't be read or
// ctx ends.
func (ix *Index) Search(ctx context.Context, text string, limit int) (*bot.SearchResult, error) {
	return ix.SearchContext(ctx, text, nil, limit)
}

// SearchContext is Search with extra words from a conversation's earlier
// turns, each at its reduced weight (see context.go).
func (ix *Index) SearchContext(ctx context.Context, text string, extra []bot.WeightedText, limit int) (*bot.SearchResult, error) {
	return ix.search(ctx, text, extra, limit, ix.rank.PassageDocPrior)
}

// SearchPassages is Search with passages ranked on their own words alone,
// not weighed by their documents (Ranking.PassageDocPrior): briefs use it,
// to find every document that discusses a topic rather than the one most
// about it.
func (ix *Index) SearchPassages(ctx context.Context, text string, limit int) (*bot.SearchResult, error) {
	return ix.search(ctx, text, nil, limit, false)
}

// search is SearchContext, with the passages weighed by their documents
// when prior is true.
func (ix *Index) search(ctx context.Context, text string, extra []bot.WeightedText, limit int, prior bool) (*bot.SearchResult, error) {
	if limit <= 0 {
		limit = 10
	}
	limit = min(limit, maxLimit)
	res := &bot.SearchResult{}
	err := ix.withReader(func(r bleveindex.IndexReader) error {
		p, err := ix.planContext(ctx, r, text, extra)
		if err != nil || p == nil {
			return err
		}
		for _, t := range p.terms {
			res.Terms = append(res.Terms, t.Term)
		}
		depth := limit
		if prior {
			depth = max(limit, ix.rank.PassageDepth)
		}
		// Only IDs and scores: the stored fields are read for the hits
		// returned, not for every one weighed.
		req := bleve.NewSearchRequestOptions(p.query, depth, 0, false)
		sr, err := ix.bleve.SearchInContext(p.ctx, req)
		if err != nil {
			return fmt.Errorf("search index: %w", err)
		}
		res.Hits = ix.hits(sr.Hits)
		sortHits(res.Hits)
		if prior {
			if res.Hits, err = ix.weighByDocument(ctx, r, p.terms, res.Hits, limit); err != nil {
				return err
			}
			sortHits(res.Hits)
		}
		if len(res.Hits) > limit {
			res.Hits = res.Hits[:limit]
		}
		// readHits keeps the order.
		res.Hits, err = ix.readHits(r, res.Hits, p.terms)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// hits turns Bleve's hits into passages, without their text (see
// readHits); hits of documents removed since the search ran are left out.
func (ix *Index) hits(dms search.DocumentMatchCollection) []bot.Hit {
	var out []bot.Hit
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	for _, h := range dms {
		doc, ord, ok := splitPassageID(h.ID)
		if !ok {
			continue
		}
		m, ok := ix.hitMeta(doc)
		if !ok {
			continue // removed since the search ran
		}
		out = append(out, bot.Hit{Passage: bot.Passage{
			Title:   m.Title,
			Doc:     doc,
			Source:  m.Source,
			URL:     m.URL,
			Ordinal: ord,
			Score:   h.Score,
		}})
	}
	return out
}

// weighByDocument multiplies each hit's score by its document's
// whole-document score (docBM25, the one RankDocuments mixes in) divided by
// the largest among the hits' documents: of two passages matching the
// question alike, the one in a document about the question's subject goes
// first, and a passage whose words only meet by chance in a document about
// something else goes down. The product needs no weight to tune; on every
// dev set it ranks the chat path's passages better than either score alone
// (docs/benchmarks.md, "Fourth round"). Terms of a conversation's earlier
// turns count at their reduced weight, as in the passage query.
//
// hits come best first by their own scores. Scoring a document whole walks
// all its passages, so the documents scored hold at most
// Ranking.PassageDocMaxPassages passages in all: the hits weighed are the
// longest run of the best ones whose documents fit, and the others are
// dropped. When that run is shorter than limit, the hits keep their own
// scores (a corpus of long manuals). It returns the hits kept.
func (ix *Index) weighByDocument(ctx context.Context, r bleveindex.IndexReader, terms []queryTerm, hits []bot.Hit, limit int) ([]bot.Hit, error) {
	at := map[string]int{}
	var docs []DocScore
	budget, used, kept := ix.rank.PassageDocMaxPassages, 0, len(hits)
	ix.mu.RLock()
	for i, h := range hits {
		if _, ok := at[h.Doc]; ok {
			continue
		}
		n := ix.docs[h.Doc].Passages
		if budget > 0 && used+n > budget {
			kept = i
			break
		}
		used += n
		at[h.Doc] = len(docs)
		docs = append(docs, DocScore{Doc: h.Doc})
	}
	ix.mu.RUnlock()
	if kept == 0 || kept < min(limit, len(hits)) {
		return hits, nil
	}
	hits = hits[:kept]
	ds, err := ix.docBM25(ctx, r, terms, docs, false)
	if err != nil {
		return nil, err
	}
	var top float64
	for _, d := range ds {
		top = max(top, d)
	}
	if top <= 0 {
		return hits, nil // no document holds a term as a whole: passages alone
	}
	for i := range hits {
		hits[i].Score *= ds[at[hits[i].Doc]] / top
	}
	return hits, nil
}

// readHits reads each hit's stored text and page, marks the question's
// terms in it and, for a passage cut from a longer paragraph, reads the
// neighbouring parts of that paragraph. Bleve searched a snapshot of its
// own, which may be newer than r's: a hit whose passage r does not hold
// (written since r was opened) is left out. It returns the hits kept.
func (ix *Index) readHits(r bleveindex.IndexReader, hits []bot.Hit, terms []queryTerm) ([]bot.Hit, error) {
	m := ix.matcher(terms)
	out := hits[:0]
	for _, h := range hits {
		d, err := r.Document(passageID(h.Doc, h.Ordinal))
		if err != nil {
			return nil, fmt.Errorf("read passage %d of %s: %w", h.Ordinal, h.Doc, err)
		}
		if d == nil {
			continue
		}
		s := storedFields(d)
		h.Text, h.Section, h.Page = s.text, s.section, s.page
		if h.Text == "" {
			continue
		}
		h.Highlights, h.Matched, h.At = m.highlight(h.Text)
		if h.Section != "" {
			_, h.SectionMatched, _ = m.highlight(h.Section)
		}
		if strings.Contains(s.split, splitBefore) {
			if h.Before, err = part(r, h.Doc, h.Ordinal-1, m); err != nil {
				return nil, err
			}
		}
		if strings.Contains(s.split, splitAfter) {
			if h.After, err = part(r, h.Doc, h.Ordinal+1, m); err != nil {
				return nil, err
			}
		}
		out = append(out, h)
	}
	return out, nil
}

// part reads passage ord of doc, a neighbouring part of a hit's paragraph,
// and finds the question's terms in it (m); nil when it is gone.
func part(r bleveindex.IndexReader, doc string, ord int, m termMatcher) (*bot.Part, error) {
	if ord < 0 {
		return nil, nil
	}
	d, err := r.Document(passageID(doc, ord))
	if err != nil {
		return nil, fmt.Errorf("read passage %d of %s: %w", ord, doc, err)
	}
	if d == nil {
		return nil, nil
	}
	p := &bot.Part{Text: storedFields(d).text}
	if p.Text == "" {
		return nil, nil
	}
	p.Highlights, p.Matched, _ = m.highlight(p.Text)
	return p, nil
}

// sortHits orders hits by bot.RankedBefore on their score, so that every
// process that opens the index returns them alike.
func sortHits(hs []bot.Hit) {
	sort.SliceStable(hs, func(i, j int) bool {
		return bot.RankedBefore(&hs[i], hs[i].Score, &hs[j], hs[j].Score)
	})
}

// withReader runs fn with a reader of the index's current snapshot, which
// plan needs for term statistics.
// A damaged index is detected and rebuilt there (see withSnapshot).
func (ix *Index) withReader(fn func(bleveindex.IndexReader) error) error {
	return ix.withSnapshot(fn)
}

// queryPlan is a question turned into a Bleve query.
type queryPlan struct {
	terms []queryTerm
	query query.Query
	ctx   context.Context // carries the BM25 statistics (bm25Context)
}

// plan analyses text and builds its query, expanded with feedback terms
// when the ranking asks for them. It returns nil when text has no content
// terms.
func (ix *Index) plan(ctx context.Context, r bleveindex.IndexReader, text string) (*queryPlan, error) {
	text = txt.TruncateBytes(strings.ToValidUTF8(text, " "), maxQueryBytes)
	terms, err := ix.analyseQuery(ctx, r, text)
	if err != nil || len(terms) == 0 {
		return nil, err
	}
	return ix.planTerms(ctx, r, terms)
}

// planTerms builds the query of analysed terms (see plan).
func (ix *Index) planTerms(ctx context.Context, r bleveindex.IndexReader, terms []queryTerm) (*queryPlan, error) {
	st, err := newFieldStats(ctx, r)
	if err != nil {
		return nil, err
	}
	q, err := ix.buildQuery(st, terms)
	if err != nil {
		return nil, err
	}
	sctx, err := ix.bm25Context(ctx, r)
	if err != nil {
		return nil, err
	}
	p := &queryPlan{terms: terms, query: q, ctx: sctx}
	if ix.rank.FeedbackTerms > 0 && contentTerms(terms) >= ix.rank.FeedbackMinTerms {
		cheap, err := ix.feedbackAffordable(st, terms)
		if err != nil {
			return nil, err
		}
		if cheap {
			if err := ix.expand(ctx, st, p); err != nil {
				return nil, err
			}
		}
	}
	return p, nil
}

// feedbackAffordable reports whether the question's first search reads few
// enough postings (Ranking.FeedbackMaxPostings) for feedback's second
// search to be worth its cost: on a large corpus a long question of common
// words already costs the most, and feedback would double it.
func (ix *Index) feedbackAffordable(st *fieldStats, terms []queryTerm) (bool, error) {
	limit := ix.rank.FeedbackMaxPostings
	if limit <= 0 {
		return true, nil
	}
	var sum uint64
	for _, t := range terms {
		if _, _, err := st.idf(fieldText, t.Key); err != nil {
			return false, err
		}
		sum += st.df[[2]string{fieldText, t.Key}]
	}
	return sum <= uint64(limit), nil
}

// analyseQuery turns the question into content terms with their IDF and
// spelling variants.
func (ix *Index) analyseQuery(ctx context.Context, r bleveindex.IndexReader, text string) ([]queryTerm, error) {
	n, err := r.DocCount()
	if err != nil {
		return nil, fmt.Errorf("count passages: %w", err)
	}
	var terms []queryTerm
	seen := map[string]int{}
	for _, tok := range ix.textAn.Analyze([]byte(text)) {
		key := string(tok.Term)
		if !txt.HasWord(key) {
			continue
		}
		if i, ok := seen[key]; ok {
			terms[i].count++
			continue
		}
		seen[key] = len(terms)
		surface := text[tok.Start:tok.End]
		terms = append(terms, queryTerm{
			Term:  bot.Term{Text: surface, Key: key},
			raw:   strings.ToLower(surface),
			name:  isName(surface),
			count: 1,
		})
	}
	for i := range terms {
		df, err := docFreq(ctx, r, fieldText, terms[i].Key)
		if err != nil {
			return nil, err
		}
		terms[i].IDF = idf(n, df)
		if terms[i].question = ix.questionWords[terms[i].raw]; terms[i].question {
			terms[i].IDF *= questionWordWeight
		}
	}
	if mt := ix.maxTerms(); len(terms) > mt {
		sort.SliceStable(terms, func(i, j int) bool { return terms[i].IDF > terms[j].IDF })
		terms = terms[:mt]
	}
	absent := idf(n, 0)
	looked := 0
	for i := range terms {
		t := &terms[i]
		missing := t.IDF >= absent
		if ix.rank.IrregularForms {
			fs, topDF, err := ix.formsOf(ctx, r, t.Key)
			if err != nil {
				return nil, err
			}
			t.variants = fs
			if missing && topDF > 0 {
				// The corpus lacks the word but holds another of its
				// forms: the word weighs as that form does.
				missing, t.IDF = false, idf(n, topDF)
			}
		}
		t.Missing = missing
		t.Name = t.name
		if looked >= maxFuzzyTerms || utf8.RuneCountInString(t.raw) < 5 || !(missing || (t.name && ix.rank.NameVariants)) || !isWord(t.raw) {
			continue
		}
		looked++
		vs, topDF, err := ix.variants(ctx, r, t.raw, t.Key, missing)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			if !slices.Contains(t.variants, v) {
				t.variants = append(t.variants, v)
			}
		}
		if missing && len(vs) > 0 {
			// The word stands for its correction: it weighs as the
			// corrected word does, not as a word no passage holds (the
			// rarest of all), in the answer's coverage of the question.
			t.Corrected, t.Missing, t.IDF = vs[0], false, idf(n, topDF)
		}
	}
	return terms, nil
}

// variants finds indexed (stemmed) forms within a small edit distance of
// key, the stemmed form of raw, that the corpus contains, most frequent
// first, and the number of passages holding the first. They are looked up
// in the text field's own dictionary, so that no second, unstemmed field
// needs indexing. For a word the corpus lacks (missing), the forms with
// two neighbouring letters swapped are looked up too: the commonest typing
// slip ("pryamid", "percipitation"), which Bleve's edit distance counts as
// two edits, and which its fuzzy search misses within the first two
// letters it requires to match.
func (ix *Index) variants(ctx context.Context, r bleveindex.IndexReader, raw, key string, missing bool) ([]string, uint64, error) {
	fuzz := 1
	if utf8.RuneCountInString(raw) >= 8 {
		fuzz = 2
	}
	kr := []rune(key)
	if len(kr) < 3 {
		return nil, 0, nil
	}
	fr, ok := r.(bleveindex.IndexReaderFuzzy)
	if !ok {
		return nil, 0, nil
	}
	dict, err := fr.FieldDictFuzzy(fieldText, key, fuzz, string(kr[:2]))
	if err != nil {
		return nil, 0, fmt.Errorf("look up spellings of %q: %w", raw, err)
	}
	defer dict.Close()
	var keys []string
	for {
		e, err := dict.Next()
		if err != nil {
			return nil, 0, fmt.Errorf("look up spellings of %q: %w", raw, err)
		}
		if e == nil {
			break
		}
		if e.Term != key && isWord(e.Term) {
			keys = append(keys, e.Term)
		}
	}
	if missing {
		// key is letters only (analyseQuery looks up no other word), and
		// so is each swap.
		for _, t := range swaps(kr) {
			if !slices.Contains(keys, t) {
				keys = append(keys, t)
			}
		}
	}
	// Bleve's fuzzy dictionary leaves its counts at 0 (it skips reading
	// the postings), and a swap may be no term at all: each candidate's
	// passages are counted here, and one no passage holds is dropped.
	return heldMost(ctx, r, keys, maxVariants)
}

// heldMost returns up to limit of keys, text terms, that passages hold,
// those held by the most passages first (then in byte order), and the
// number of passages holding the first.
func heldMost(ctx context.Context, r bleveindex.IndexReader, keys []string, limit int) ([]string, uint64, error) {
	type held struct {
		key   string
		count uint64
	}
	var found []held
	for _, k := range keys {
		n, err := docFreq(ctx, r, fieldText, k)
		if err != nil {
			return nil, 0, err
		}
		if n > 0 {
			found = append(found, held{k, n})
		}
	}
	if len(found) == 0 {
		return nil, 0, ctx.Err()
	}
	slices.SortFunc(found, func(a, b held) int {
		if a.count != b.count {
			return cmp.Compare(b.count, a.count)
		}
		return strings.Compare(a.key, b.key)
	})
	out := make([]string, 0, min(limit, len(found)))
	for _, f := range found[:min(limit, len(found))] {
		out = append(out, f.key)
	}
	return out, found[0].count, ctx.Err()
}

// formsOf returns the irregular forms of the word whose indexed form is
// key (irregularForms) that the corpus holds, most frequent first, and
// the number of passages holding the first.
func (ix *Index) formsOf(ctx context.Context, r bleveindex.IndexReader, key string) ([]string, uint64, error) {
	alts := irregularForms()[key]
	if len(alts) == 0 {
		return nil, 0, nil
	}
	return heldMost(ctx, r, alts, len(alts))
}

// swaps returns the forms of word with two neighbouring, different
// letters swapped, each once, in order.
func swaps(word []rune) []string {
	var out []string
	for i := 0; i+1 < len(word); i++ {
		if word[i] == word[i+1] {
			continue
		}
		w := slices.Clone(word)
		w[i], w[i+1] = w[i+1], w[i]
		if s := string(w); !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// buildQuery ORs term queries: each term in the passage text, its spelling
// variants, its exact form, the title and the section heading. Bleve
// multiplies the sum by the share of clauses matched, which favours
// passages that cover the question.
//
// A clause for a term no passage has in that field is left out: it would
// only lower the coordination factor of every passage. Ranking.IDFPower
// other than Bleve's 2 is reached through the boost.
func (ix *Index) buildQuery(st *fieldStats, terms []queryTerm) (query.Query, error) {
	rk := ix.rank
	var (
		clauses []query.Query
		group   []query.Query
	)
	// add adds a clause for term in field at weight times its IDF at
	// Ranking.IDFPower: the term's own IDF, or as when as > 0.
	add := func(field, term string, weight, as float64) error {
		if weight <= 0 {
			return nil
		}
		idf, ok, err := st.idf(field, term)
		if err != nil || !ok {
			return err
		}
		boost := weight * idfBoost(idf, rk.IDFPower)
		if as > 0 {
			boost *= math.Pow(as/idf, ix.idfPower())
		}
		group = append(group, ix.newTermQuery(field, term, boost))
		return nil
	}
	skip, err := overBudget(st, terms, rk.MaxPostings)
	if err != nil {
		return nil, err
	}
	for i, t := range terms {
		if skip[i] {
			continue
		}
		w := 1.0
		if t.question {
			w = questionWordWeight
		}
		if ix.rank.QueryTermFreq && t.count > 1 {
			w *= float64(t.count)
		}
		if t.weight > 0 {
			w *= t.weight
		}
		group = group[:0:0]
		if err := add(fieldText, t.Key, w, 0); err != nil {
			return nil, err
		}
		// A variant (an irregular form, a close spelling) of a word the
		// corpus holds stands for that word: it weighs with the word's IDF
		// (times VariantBoost), as in the whole-document score
		// (docTermWeights), not by its own rarity. A variant of a word the
		// corpus lacks (own is 0) keeps its own IDF.
		own, _, err := st.idf(fieldText, t.Key)
		if err != nil {
			return nil, err
		}
		for _, v := range t.variants {
			if err := add(fieldText, v, w*rk.VariantBoost, own); err != nil {
				return nil, err
			}
		}
		if err := add(fieldTitle, t.Key, w*rk.TitleBoost, 0); err != nil {
			return nil, err
		}
		if err := add(fieldSect, t.Key, w*rk.SectionBoost, 0); err != nil {
			return nil, err
		}
		switch {
		case len(group) == 0:
		case rk.Nested && len(group) > 1:
			clauses = append(clauses, bleve.NewDisjunctionQuery(group...))
		default:
			clauses = append(clauses, group...)
		}
	}
	if len(clauses) == 0 {
		return bleve.NewMatchNoneQuery(), nil
	}
	return bleve.NewDisjunctionQuery(clauses...), nil
}

// overBudget marks the terms left out of the query so that the postings
// read stay under budget (0: no limit): terms are taken rarest first, and
// once the next would exceed the budget it and all commoner ones are left
// out, except that the rarest is always kept. A word in a large share of
// the passages costs the most to read and says the least about them.
func overBudget(st *fieldStats, terms []queryTerm, budget int) ([]bool, error) {
	skip := make([]bool, len(terms))
	if budget <= 0 || len(terms) < 2 {
		return skip, nil
	}
	dfs := make([]uint64, len(terms))
	order := make([]int, len(terms))
	for i, t := range terms {
		if _, _, err := st.idf(fieldText, t.Key); err != nil {
			return nil, err
		}
		dfs[i] = st.df[[2]string{fieldText, t.Key}]
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return dfs[order[a]] < dfs[order[b]] })
	var sum uint64
	for n, i := range order {
		sum += dfs[i]
		if n > 0 && sum > uint64(budget) {
			for _, j := range order[n:] {
				skip[j] = true
			}
			break
		}
	}
	return skip, nil
}

// contentTerms counts the terms that are not question words.
func contentTerms(terms []queryTerm) int {
	n := 0
	for _, t := range terms {
		if !t.question {
			n++
		}
	}
	return n
}

// idfBoost is the boost that turns Bleve's idf² into idf^power.
func idfBoost(idf, power float64) float64 {
	if power == 0 || power == 2 {
		return 1
	}
	return math.Pow(idf, power-2)
}

// fieldStats looks up and remembers document frequencies for one query.
type fieldStats struct {
	ctx context.Context
	r   bleveindex.IndexReader
	n   uint64
	df  map[[2]string]uint64
}

func newFieldStats(ctx context.Context, r bleveindex.IndexReader) (*fieldStats, error) {
	n, err := r.DocCount()
	if err != nil {
		return nil, fmt.Errorf("count passages: %w", err)
	}
	return &fieldStats{ctx: ctx, r: r, n: n, df: map[[2]string]uint64{}}, nil
}

// idf returns Bleve's BM25 IDF of term in field; ok is false when no
// passage has the term there.
func (s *fieldStats) idf(field, term string) (v float64, ok bool, err error) {
	k := [2]string{field, term}
	df, seen := s.df[k]
	if !seen {
		df, err = docFreq(s.ctx, s.r, field, term)
		if err != nil {
			return 0, false, err
		}
		s.df[k] = df
	}
	if df == 0 {
		return 0, false, nil
	}
	return idf(s.n, df), true, nil
}

// termMatcher finds a question's terms in texts: each term's index by its
// indexed form and its spelling variants (matched through the text
// analyser), and by its surface form (through the exact one). A search
// makes one for all the texts it reads.
type termMatcher struct {
	textAn, exactAn analysis.Analyzer
	byKey, byRaw    map[string]int
}

func (ix *Index) matcher(terms []queryTerm) termMatcher {
	m := termMatcher{textAn: ix.textAn, exactAn: ix.exactAn, byKey: map[string]int{}, byRaw: map[string]int{}}
	for i, t := range terms {
		m.byKey[t.Key] = i
		for _, v := range t.variants {
			if _, ok := m.byKey[v]; !ok {
				m.byKey[v] = i
			}
		}
		m.byRaw[t.raw] = i
	}
	return m
}

// highlight finds the words of text that match the query terms (stemmed,
// variant or exact form): their spans, the terms matched (sorted), and
// each word with its term, in the text's order.
func (m termMatcher) highlight(text string) ([]bot.Span, []int, []bot.TermAt) {
	var spans []bot.Span
	var at []bot.TermAt
	for _, a := range []struct {
		an    analysis.Analyzer
		terms map[string]int
	}{{m.textAn, m.byKey}, {m.exactAn, m.byRaw}} {
		for _, tok := range a.an.Analyze([]byte(text)) {
			if i, ok := a.terms[string(tok.Term)]; ok {
				spans = append(spans, bot.Span{Start: tok.Start, End: tok.End})
				at = append(at, bot.TermAt{Start: tok.Start, Term: i})
			}
		}
	}
	// A word both analysers match is listed once.
	sort.SliceStable(at, func(a, b int) bool { return at[a].Start < at[b].Start })
	at = slices.Compact(at)
	matched := make([]int, 0, len(at))
	for _, w := range at {
		matched = append(matched, w.Term)
	}
	slices.Sort(matched)
	return mergeSpans(spans), slices.Compact(matched), at
}

// mergeSpans sorts spans and joins overlapping ones.
func mergeSpans(s []bot.Span) []bot.Span {
	if len(s) == 0 {
		return nil
	}
	sort.Slice(s, func(i, j int) bool { return s[i].Start < s[j].Start })
	out := []bot.Span{s[0]}
	for _, x := range s[1:] {
		last := &out[len(out)-1]
		if x.Start <= last.End {
			last.End = max(last.End, x.End)
			continue
		}
		out = append(out, x)
	}
	return out
}

func docFreq(ctx context.Context, r bleveindex.IndexReader, field, term string) (uint64, error) {
	tfr, err := r.TermFieldReader(ctx, []byte(term), field, false, false, false)
	if err != nil {
		return 0, fmt.Errorf("read term %q: %w", term, err)
	}
	defer tfr.Close()
	return tfr.Count(), nil
}

// idf is BM25's inverse document frequency; a term absent from the index
// gets the largest value.
func idf(n, df uint64) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// isName reports whether a word is written like a name: a capital letter
// followed by lower-case ones ("Zelensky", "McCain"). A word in capitals
// throughout is not: whole texts and questions are sometimes written so.
func isName(s string) bool {
	first, size := utf8.DecodeRuneInString(s)
	if !unicode.IsUpper(first) {
		return false
	}
	for _, r := range s[size:] {
		if unicode.IsLower(r) {
			return true
		}
	}
	return false
}

func isWord(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}
