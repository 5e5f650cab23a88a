package index

import "strings"

// Ranking tunes how passages are scored. DefaultRanking holds the values
// chosen on the mean over five dev sets (four BEIR collections and a QA
// set), with leave-one-collection-out checks (tools/tune, and
// docs/benchmarks.md for what each one did).
type Ranking struct {
	// IDFPower is the power of the IDF in each clause's score. Bleve's
	// BM25 squares it (the clause's query weight carries it once more, as
	// in Lucene's classic similarity); textbook BM25 has 1. Any value but
	// 2 is reached through the clause boost. 0 means 2.
	IDFPower float64
	// K1 and B are BM25's term-frequency saturation and length
	// normalisation, for passages and whole documents alike. They belong
	// to the index: nothing process-wide is set (see bm25.go). K1 0 means
	// 1.2; B is used as it is (0: no length normalisation).
	K1 float64
	B  float64
	// Nested groups each term's clauses (text, variants, exact form, title,
	// section) in a disjunction of their own, so that Bleve's coordination
	// factor counts question terms matched rather than clauses matched.
	Nested bool
	// Boosts of the clauses, relative to a stemmed match in the passage
	// text; 0 leaves the clause out.
	VariantBoost float64 // a spelling variant of a name or a corrected typo
	TitleBoost   float64 // the word in the document's title
	SectionBoost float64 // the word in the heading the passage sits under

	// MaxPostings caps the passages' postings a question's terms may read,
	// rarest terms first (0: no cap); feedback terms get the same budget
	// again. It bounds the cost of questions full of common words on a
	// large corpus and leaves small corpora alone.
	MaxPostings int

	// FeedbackTerms is how many pseudo-relevance-feedback terms (RM3) are
	// drawn from the FeedbackDocs best passages of a first search and
	// added, at FeedbackWeight, to the question's query (0: no feedback).
	// They only add to the score of passages that match the question
	// itself, and never count as question terms for the bot's coverage.
	FeedbackTerms  int
	FeedbackDocs   int
	FeedbackWeight float64
	// FeedbackMinTerms is the fewest content terms (question words not
	// counted) a question needs for feedback: short questions name what
	// they want, long descriptive ones gain from it.
	FeedbackMinTerms int
	// FeedbackMaxPostings skips feedback for a question whose terms'
	// postings add up to more than this (0: no limit): its first search is
	// already the costliest, and feedback's second one would double it.
	FeedbackMaxPostings int
	// FeedbackIDF multiplies a feedback term's weight by its IDF when the
	// terms are chosen, so that words common to the whole corpus lose out.
	FeedbackIDF bool

	// QueryTermFreq weighs each question term by how many times the
	// question says it (BM25's query-term frequency, linear).
	QueryTermFreq bool
	// NameVariants also looks up spelling variants of capitalised words
	// found in the corpus (otherwise only of words the corpus lacks).
	NameVariants bool
	// IrregularForms also searches a question word's irregular forms
	// ("began" for "begin", "bought" for "buy"; irregular.go) as
	// variants of it, weighing as spelling variants do (VariantBoost).
	IrregularForms bool
	// QuestionWords are words that shape a question rather than say what
	// it is about ("what did she say", "what kind of", "what role did he
	// play"), lower case. They are searched, since they sometimes matter,
	// but weigh a quarter of other words, and feedback does not count them
	// as content terms. nil means DefaultQuestionWords.
	QuestionWords []string
	// MaxTerms is how many content terms of a question are searched at
	// most, highest IDF first (0: maxTerms).
	MaxTerms int

	// RestShare is the share of the scores of a document's other passages
	// added to its best passage's score when whole documents are ranked.
	RestShare float64
	// DocWeight is the share of a document's whole-document BM25 score in
	// its RankDocuments score (0: passages only).
	DocWeight float64
	// DocK1 is BM25's k1 in the whole-document score (0: K1): a whole
	// document sums its passages' term counts, so they saturate later.
	// RankDocuments takes K1 instead for a short question (see
	// ShortQuestion).
	DocK1 float64
	// ShortQuestion, above 0, is the most content terms (those the
	// corpus holds, question words and earlier turns' terms not counted)
	// of a short question: ranking documents for it (RankDocuments), the
	// whole-document score takes K1 instead of DocK1, so the document
	// holding more of its few words goes before one repeating one of them
	// (0: DocK1 for every question). See docK1.
	ShortQuestion int
	// DocB is BM25's b in the whole-document score, used as it is (0: no
	// length normalisation); the lengths are the documents' analysed
	// words (DocMeta.Words).
	DocB float64
	// PassageDocPrior multiplies each passage's score in Search by its
	// document's whole-document score divided by the largest among the
	// documents of the passages weighed (see weighByDocument).
	PassageDocPrior bool
	// PassageDepth is how many passages Search weighs by their document
	// before it returns the best of them (at least as many as asked for).
	PassageDepth int
	// PassageDocMaxPassages bounds the cost of the document prior: the
	// documents scored whole hold at most this many passages in all (0: no
	// bound), so fewer passages are weighed when their documents are long,
	// and none when even the best limit's documents are too long (a corpus
	// of long manuals): the passages then rank on their own words. Scoring
	// costs 1–2 µs per passage of those documents.
	PassageDocMaxPassages int
	// PassagesPerDoc is how many passages RankDocuments reads per document
	// it must return (capped at maxRankPassages).
	PassagesPerDoc int
}

// DefaultQuestionWords returns the English question-shaping words of the
// default ranking (see Ranking.QuestionWords).
func DefaultQuestionWords() []string {
	return strings.Fields(`say says said saying tell tells told think thinks thought
		mean means meant explain explains explained describe describes described happen happens happened
		know knows knew kind kinds sort type way ways thing things part role play plays played
		give gives gave get gets got make makes made want wants wanted please
		exactly actually really basically simple simply term terms`)
}

// DefaultRanking returns the tuned ranking.
func DefaultRanking() Ranking {
	return Ranking{
		IDFPower:         2,
		K1:               defaultK1,
		B:                0.2,
		VariantBoost:     0.7,
		TitleBoost:       0.4,
		SectionBoost:     0.3,
		MaxPostings:      50000,
		FeedbackTerms:    20,
		FeedbackDocs:     10,
		FeedbackWeight:   2,
		FeedbackMinTerms: 12,
		// Above every dev collection's questions (none reaches it there),
		// below the long questions of common words on 200,000 passages.
		FeedbackMaxPostings:   20000,
		FeedbackIDF:           true,
		QueryTermFreq:         true,
		NameVariants:          true,
		IrregularForms:        true,
		QuestionWords:         DefaultQuestionWords(),
		RestShare:             0.5,
		DocWeight:             0.7,
		DocK1:                 9,
		ShortQuestion:         5,
		DocB:                  0.75,
		PassageDocPrior:       true,
		PassageDepth:          150,
		PassageDocMaxPassages: 10000,
		PassagesPerDoc:        5,
	}
}

// defaultK1 is BM25's k1 when Ranking.K1 is 0.
const defaultK1 = 1.2

// bm25 returns the ranking's BM25 parameters.
func (rk Ranking) bm25() bm25 {
	k1 := rk.K1
	if k1 <= 0 {
		k1 = defaultK1
	}
	return bm25{k1: k1, b: rk.B}
}

// questionWordSet returns the ranking's question words as a set.
func (rk Ranking) questionWordSet() map[string]bool {
	words := rk.QuestionWords
	if words == nil {
		words = DefaultQuestionWords()
	}
	set := make(map[string]bool, len(words))
	for _, w := range words {
		set[strings.ToLower(w)] = true
	}
	return set
}

func (ix *Index) maxTerms() int {
	if ix.rank.MaxTerms > 0 {
		return ix.rank.MaxTerms
	}
	return maxTerms
}
