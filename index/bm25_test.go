package index

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"
	"github.com/google/go-cmp/cmp"

	"framebot/bot"
	"framebot/corpus"
)

// bm25Docs are passages of unlike lengths that share words, so that k1
// and b both move the scores.
func bm25Docs(t *testing.T) []*corpus.Document {
	t.Helper()
	return []*corpus.Document{
		doc(t, "a", "Harbour walrus", "The walrus sings.", "A walrus, a walrus and one more walrus sing at the harbour every dawn while the gulls wait on the harbour wall."),
		doc(t, "b", "Penguins", "Penguins march in winter across the ice to the sea.", "The walrus watches the penguins march."),
		doc(t, "c", "Gulls", "Gulls wait on the harbour wall for the boats, for the walrus and for the fish the walrus leaves behind."),
	}
}

// clause is one term clause of a test query.
type clause struct {
	field, term string
	boost       float64
}

// hitScores runs the disjunction of clauses, built by mk, on ix with its
// BM25 statistics, and returns "passage score" lines.
func hitScores(t *testing.T, ix *Index, cs []clause, mk func(clause) query.Query) []string {
	t.Helper()
	var out []string
	err := ix.withReader(func(r bleveindex.IndexReader) error {
		ctx, err := ix.bm25Context(context.Background(), r)
		if err != nil {
			return err
		}
		var qs []query.Query
		for _, c := range cs {
			qs = append(qs, mk(c))
		}
		sr, err := ix.bleve.SearchInContext(ctx, bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(qs...), 20, 0, false))
		if err != nil {
			return err
		}
		for _, h := range sr.Hits {
			out = append(out, fmt.Sprintf("%s %.17g", h.ID, h.Score))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// setBleveBM25 sets Bleve's process-wide k1 and b for one test, and puts
// them back after it. Only this test file does so, to check termQuery
// against Bleve's scorer; framebot itself never sets them.
func setBleveBM25(t *testing.T, k1, b float64) {
	oldK1, oldB := search.BM25_k1, search.BM25_b
	search.BM25_k1, search.BM25_b = k1, b
	t.Cleanup(func() { search.BM25_k1, search.BM25_b = oldK1, oldB })
}

func TestTermQueryScoresAsBleveTermQuery(t *testing.T) {
	queries := [][]clause{
		{{fieldText, "walrus", 1}},
		{{fieldText, "walrus", 1}, {fieldText, "harbour", 0.5}, {fieldTitle, "walrus", 0.4}},
		{{fieldText, "penguin", 2}, {fieldText, "march", 1}, {fieldSect, "penguin", 0.3}, {fieldText, "gull", 0.7}},
	}
	for _, bm := range []bm25{{1.2, 0.2}, {1.6, 0.75}, {0.9, 0}} {
		t.Run(fmt.Sprintf("k1=%g,b=%g", bm.k1, bm.b), func(t *testing.T) {
			rk := DefaultRanking()
			rk.K1, rk.B = bm.k1, bm.b
			ix := openRanked(t, rk, bm25Docs(t)...)
			setBleveBM25(t, bm.k1, bm.b)
			for _, cs := range queries {
				want := hitScores(t, ix, cs, func(c clause) query.Query {
					q := bleve.NewTermQuery(c.term)
					q.SetField(c.field)
					q.SetBoost(c.boost)
					return q
				})
				got := hitScores(t, ix, cs, func(c clause) query.Query { return ix.newTermQuery(c.field, c.term, c.boost) })
				if len(want) == 0 {
					t.Fatalf("%v: no hits", cs)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%v: scores differ from Bleve's (-bleve +framebot):\n%s", cs, diff)
				}
			}
		})
	}
}

func TestBM25ParametersBelongToTheIndex(t *testing.T) {
	k1, b := search.BM25_k1, search.BM25_b
	open := func(rk Ranking) *Index {
		return openRanked(t, rk, bm25Docs(t)...)
	}
	scores := func(ix *Index) []string { return searchScores(t, ix, "walrus harbour") }
	def := open(DefaultRanking())
	before := scores(def)
	other := DefaultRanking()
	other.K1, other.B = 2, 0.9
	if diff := cmp.Diff(before, scores(open(other))); diff == "" {
		t.Error("an index with k1 2 and b 0.9 scores as the default one")
	}
	if diff := cmp.Diff(before, scores(def)); diff != "" {
		t.Errorf("another index's k1 and b changed the default index's scores (-before +after):\n%s", diff)
	}
	if search.BM25_k1 != k1 || search.BM25_b != b {
		t.Errorf("Bleve's process-wide k1, b = %g, %g; want them untouched (%g, %g)", search.BM25_k1, search.BM25_b, k1, b)
	}
}

func TestDocumentLengthsAreKeptAtIndexing(t *testing.T) {
	ctx := context.Background()
	ix := openT(t, filepath.Join(t.TempDir(), "ix"))
	docs := append(bm25Docs(t), doc(t, "d", "", "No title here, only walrus words and the harbour."))
	if _, err := ix.Apply(ctx, docs, nil); err != nil {
		t.Fatal(err)
	}
	ranked, err := ix.RankDocuments(ctx, "walrus harbour gulls", 10)
	if err != nil {
		t.Fatal(err)
	}
	err = ix.withReader(func(r bleveindex.IndexReader) error {
		for _, d := range docs {
			m, _ := ix.Meta(d.ID)
			stored, err := ix.storedLength(ctx, r, d.ID, m)
			if err != nil {
				return err
			}
			if m.Words == 0 || int(m.Words) != stored {
				t.Errorf("%s: Words = %d, want %d (its analysed title and passages)", d.ID, m.Words, stored)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A catalog written before Words was kept: the lengths are read from
	// the stored text, their average from the documents scored (here all
	// of them), and the ranking is the same.
	ix.mu.Lock()
	for id, m := range ix.docs {
		m.Words = 0
		ix.docs[id] = m
	}
	ix.lengths = docLengths{}
	ix.mu.Unlock()
	legacy, err := ix.RankDocuments(ctx, "walrus harbour gulls", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ranked) < 3 {
		t.Fatalf("ranked %v: want at least 3 documents", ranked)
	}
	if diff := cmp.Diff(ranked, legacy); diff != "" {
		t.Errorf("ranking without Words differs (-with +without):\n%s", diff)
	}
	// The lengths counted are remembered, so the stored text is read once
	// per document, not at every question, and the ranking stays the same.
	for _, d := range docs {
		m, _ := ix.Meta(d.ID)
		if n, ok := ix.rememberedWords(d.ID, m); !ok || n == 0 {
			t.Errorf("%s: length not remembered after a ranking counted it (%d, %v)", d.ID, n, ok)
		}
	}
	again, err := ix.RankDocuments(ctx, "walrus harbour gulls", 10)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ranked, again); diff != "" {
		t.Errorf("ranking with remembered lengths differs (-with +remembered):\n%s", diff)
	}
}

// The whole-document score depends on the documents only, not on how they
// were written: one batch, or one document at a time (other segments), or
// with a document added and removed again.
func TestDocumentScoresDoNotDependOnTheIndexHistory(t *testing.T) {
	ctx := context.Background()
	docs := append(bm25Docs(t), doc(t, "d", "", "No title here, only walrus words and the harbour."))
	scores := func(ix *Index) []DocScore {
		t.Helper()
		ranked, err := ix.RankDocuments(ctx, "walrus harbour gulls penguins", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ranked) != len(docs) {
			t.Fatalf("ranked %v: want all %d documents", ranked, len(docs))
		}
		return ranked
	}
	once := openT(t, filepath.Join(t.TempDir(), "ix"))
	if _, err := once.Apply(ctx, docs, nil); err != nil {
		t.Fatal(err)
	}
	want := scores(once)

	apart := openT(t, filepath.Join(t.TempDir(), "ix"))
	extra := doc(t, "e", "Extra", strings.Repeat("Many more words about boats and ropes. ", 40))
	for _, d := range append(docs, extra) {
		if _, err := apart.Apply(ctx, []*corpus.Document{d}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := apart.Apply(ctx, nil, []string{"e"}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, scores(apart)); diff != "" {
		t.Errorf("scores differ with the index's history (-one batch +one at a time):\n%s", diff)
	}
}

func TestDocumentTermCountsFromPostingsMatchTheStoredText(t *testing.T) {
	ctx := context.Background()
	ix := openT(t, filepath.Join(t.TempDir(), "ix"))
	docs := append(bm25Docs(t), doc(t, "d", "", "No title here, only walrus words and the harbour."))
	if _, err := ix.Apply(ctx, docs, nil); err != nil {
		t.Fatal(err)
	}
	// A document whose ID holds the passage IDs' separator, written in
	// a later batch, then replaced by a shorter version: its passages are
	// found by their IDs, and the deleted third is not counted.
	var notes *corpus.Document
	for _, paras := range [][]string{
		{"The walrus and the gull.", "Penguins march.", "More walrus, more harbour."},
		{"The walrus and the gull.", "Penguins march past the walrus."},
	} {
		notes = doc(t, "notes#2", "Walrus notes", paras...)
		if _, err := ix.Apply(ctx, []*corpus.Document{notes}, nil); err != nil {
			t.Fatal(err)
		}
	}
	docs = append(docs, notes)
	keys := []string{"gull", "harbour", "march", "penguin", "walrus", "absent"}
	var scored []DocScore
	var metas []DocMeta
	for _, d := range docs {
		m, _ := ix.Meta(d.ID)
		scored, metas = append(scored, DocScore{Doc: d.ID}), append(metas, m)
	}
	err := ix.withReader(func(r bleveindex.IndexReader) error {
		fromPostings, err := ix.docTermCounts(ctx, r, keys, scored, metas)
		if err != nil {
			return err
		}
		fromText, err := ix.storedTermCounts(ctx, r, keys, scored, metas)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(fromText, fromPostings); diff != "" {
			t.Errorf("term counts from postings differ from the stored text's (-text +postings):\n%s", diff)
		}
		if fromText[0][4] != 5 { // "walrus" in a's passages, and its title
			t.Errorf("walrus in a: %d, want 5", fromText[0][4])
		}
		if got := fromPostings[4]; got[1] != 0 || got[4] != 3 { // notes#2, as replaced
			t.Errorf("harbour and walrus in notes#2: %d and %d, want 0 and 3", got[1], got[4])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// searchScores returns "doc#ordinal score" lines of ix's best passages for
// q, with every digit of the scores.
func searchScores(t *testing.T, ix *Index, q string) []string {
	t.Helper()
	res, err := ix.Search(context.Background(), q, 10)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range res.Hits {
		out = append(out, fmt.Sprintf("%s#%d %.17g", h.Doc, h.Ordinal, h.Score))
	}
	return out
}

// The best n documents are the first n of a longer list: every document
// the passages find is scored whole, whatever n is.
func TestRankDocumentsPrefixesAgree(t *testing.T) {
	ctx := context.Background()
	ix := openT(t, filepath.Join(t.TempDir(), "ix"))
	docs := append(bm25Docs(t),
		doc(t, "d", "", "No title here, only walrus words and the harbour."),
		doc(t, "e", "Boats", strings.Repeat("Boats leave the harbour at dawn. ", 12), strings.Repeat("A walrus follows the boats. ", 12)),
		doc(t, "f", "", "Walrus harbour walrus harbour walrus."))
	if _, err := ix.Apply(ctx, docs, nil); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"walrus harbour", "walrus harbour boats dawn", "gulls wait wall"} {
		all, err := ix.RankDocuments(ctx, q, 100)
		if err != nil {
			t.Fatal(err)
		}
		for n := 1; n < len(all); n++ {
			got, err := ix.RankDocuments(ctx, q, n)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(all[:n], got); diff != "" {
				t.Errorf("%q, best %d (-first of all +asked for):\n%s", q, n, diff)
			}
		}
	}
}

// shortQuestionDocs: one document says a name five times and never the
// verb asked about; another says the name once, with the verb, which one
// other document says too.
func shortQuestionDocs(t *testing.T) []*corpus.Document {
	t.Helper()
	docs := []*corpus.Document{
		doc(t, "repeats", "Travels", "Lenin spoke in the square. Lenin wrote at night. Lenin travelled by train. Lenin argued with the committee. Lenin rested in spring."),
		doc(t, "holds", "Illness", "Lenin died in the winter after a long illness, and the city mourned him for a week while the committee met."),
		doc(t, "king", "Lives", "The king died in the spring, and the city remembered the king at a service in the square."),
	}
	for i, topic := range []string{"orchards", "bridges", "clocks", "weaving"} {
		docs = append(docs, doc(t, "filler"+string(rune('a'+i)), "Crafts",
			"The history of "+topic+" begins with the craftsmen of the old towns, and guilds kept their methods secret."))
	}
	return docs
}

// A short question ranks first the document holding all its words, not
// the one repeating one of them: its whole-document score saturates at
// K1 (Ranking.ShortQuestion). With every question at DocK1, the document
// repeating the name goes first. A long question keeps DocK1.
func TestShortQuestionRanksTheDocumentHoldingItsWordsFirst(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name  string
		short int
		want  string
	}{
		{"short questions saturate at K1", DefaultRanking().ShortQuestion, "holds"},
		{"every question at DocK1", 0, "repeats"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rk := DefaultRanking()
			rk.ShortQuestion = tt.short
			ix := openRanked(t, rk, shortQuestionDocs(t)...)
			ranked, err := ix.RankDocuments(ctx, "When did Lenin die?", 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(ranked) == 0 || ranked[0].Doc != tt.want {
				t.Errorf("ranked %v, want %s first", ranked, tt.want)
			}
		})
	}
}

// docK1 counts a question's content terms the corpus holds: question
// words, earlier turns' terms and words the corpus lacks do not make a
// question long, and passages are always weighed at DocK1.
func TestShortQuestionCountsTheQuestionsOwnWords(t *testing.T) {
	rk := DefaultRanking()
	ix := &Index{rank: rk, bm: rk.bm25()}
	term := func(key string, f func(*queryTerm)) queryTerm {
		q := queryTerm{Term: bot.Term{Key: key}}
		if f != nil {
			f(&q)
		}
		return q
	}
	var terms []queryTerm
	want := map[string]float64{}
	for i := range rk.ShortQuestion {
		k := string(rune('a' + i))
		terms = append(terms, term(k, nil))
		want[k] = 1
	}
	terms = append(terms,
		term("explain", func(q *queryTerm) { q.question = true }),
		term("earlier", func(q *queryTerm) { q.weight = 0.3 }),
		term("absent", nil))
	want["explain"], want["earlier"] = 0.1, 0.3
	if got := ix.docK1(terms, want, true); got != rk.K1 {
		t.Errorf("ranking, %d content terms: k1 %v, want K1 %v", rk.ShortQuestion, got, rk.K1)
	}
	if got := ix.docK1(terms, want, false); got != rk.DocK1 {
		t.Errorf("weighing passages: k1 %v, want DocK1 %v", got, rk.DocK1)
	}
	terms = append(terms, term("one-more", nil))
	want["one-more"] = 1
	if got := ix.docK1(terms, want, true); got != rk.DocK1 {
		t.Errorf("ranking, %d content terms: k1 %v, want DocK1 %v", rk.ShortQuestion+1, got, rk.DocK1)
	}
}
