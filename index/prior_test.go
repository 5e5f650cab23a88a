package index

import (
	"context"
	"strings"
	"testing"

	bleveindex "github.com/blevesearch/bleve_index_api"

	"framebot/bot"
	"framebot/corpus"
)

// priorDocs: a document about the Baltic Sea, one of whose passages says
// why a convention was signed, and a document about a colony, one of whose
// passages has an agreement signed. Asked why an agreement was signed about
// the Baltic, the colony's passage matches two of the three words as well
// as the sea's does, and only the sea's document is about the Baltic.
func priorDocs(t *testing.T) []*corpus.Document {
	t.Helper()
	sea := []string{
		"The Baltic Sea is a shallow inland sea of the Atlantic, enclosed by Scandinavia and the plains of northern Europe.",
		"Rivers drain a quarter of the continent into the Baltic, and its water is brackish.",
		"Ice covers the northern Baltic for several months of most winters.",
		"Herring, cod and sprat are the main catch of the Baltic fisheries.",
		"Because of pollution from the surrounding countries, a convention was signed in 1992 by every state bordering the Baltic.",
	}
	colony := []string{
		"The colony was founded by settlers who left Massachusetts for the river valley in the spring.",
		"Its first town grew around a trading post, and its farms along the river.",
		"The Fundamental Agreement of the colony was signed by the freemen of the settlement in June.",
		"The colony later merged with its neighbour under a royal charter.",
	}
	trade := []string{
		"The trade agreement lowered tariffs on grain and timber between the two kingdoms.",
		"Merchants welcomed the agreement, and the ports grew busy within a year.",
		"A later agreement added wool and iron to the goods traded free of duty.",
		"Smugglers lost their trade once the duties fell.",
	}
	var docs []*corpus.Document
	for i, topic := range []string{"orchards", "bridges", "clocks", "weaving"} {
		docs = append(docs, doc(t, "filler"+string(rune('a'+i)), topic,
			"The history of "+topic+" begins with the craftsmen of the old towns.",
			"Guilds kept the methods of "+topic+" secret for generations.",
			"Modern "+topic+" owe much to the engineers of the last century.",
			"Museums now show the finest "+topic+" of every period."))
	}
	return append(docs, doc(t, "colony", "Colony", colony...), doc(t, "sea", "Sea", sea...), doc(t, "trade", "Trade", trade...))
}

func openPrior(t *testing.T, prior bool, tune ...func(*Ranking)) *Index {
	t.Helper()
	rk := DefaultRanking()
	rk.PassageDocPrior = prior
	for _, f := range tune {
		f(&rk)
	}
	return openRanked(t, rk, priorDocs(t)...)
}

const priorQuestion = "Why was an agreement signed regarding the Baltic?"

// TestSearchWeighsPassagesByTheirDocument: the passage of the document
// about the question's subject goes first, before one whose words only meet
// the question by chance in a document about something else; without the
// document prior the colony's passage is first.
func TestSearchWeighsPassagesByTheirDocument(t *testing.T) {
	ctx := context.Background()
	first := func(res *bot.SearchResult) string {
		if len(res.Hits) == 0 {
			t.Fatal("no hits")
		}
		return res.Hits[0].Doc + ": " + res.Hits[0].Text
	}
	plain, err := openPrior(t, false).Search(ctx, priorQuestion, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := first(plain); !strings.HasPrefix(got, "colony:") {
		t.Fatalf("without the prior the test shows nothing: first hit %q", got)
	}
	ix := openPrior(t, true)
	res, err := ix.Search(ctx, priorQuestion, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := first(res); !strings.Contains(got, "convention was signed") {
		t.Errorf("first hit %q, want the sea's convention", got)
	}
	for i, h := range res.Hits {
		if h.Text == "" || len(h.Matched) == 0 {
			t.Errorf("hit %d (%s#%d) has text %q and matched %v", i, h.Doc, h.Ordinal, h.Text, h.Matched)
		}
	}
	// SearchPassages, for briefs, ranks as Search without the prior.
	alone, err := ix.SearchPassages(ctx, priorQuestion, 10)
	if err != nil {
		t.Fatal(err)
	}
	sameHits(t, "SearchPassages", alone.Hits, plain.Hits)
}

// sameHits fails t unless got holds the passages of want, in its order,
// with the same scores and text; what names got.
func sameHits(t *testing.T, what string, got, want []bot.Hit) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d hits, without the prior %d", what, len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Doc != w.Doc || g.Ordinal != w.Ordinal || g.Score != w.Score || g.Text != w.Text {
			t.Errorf("%s: hit %d %s#%d %.4f, without the prior %s#%d %.4f", what, i, g.Doc, g.Ordinal, g.Score, w.Doc, w.Ordinal, w.Score)
		}
	}
}

// TestSearchReadsMoreThanItReturns: the document prior weighs
// Ranking.PassageDepth passages and returns the best limit of them, with
// their text; a limit of one still finds the sea's passage, which the
// passages' own scores put second.
func TestSearchReadsMoreThanItReturns(t *testing.T) {
	res, err := openPrior(t, true).Search(context.Background(), priorQuestion, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 || !strings.Contains(res.Hits[0].Text, "convention was signed") {
		t.Fatalf("hits %+v, want only the sea's convention", res.Hits)
	}
}

// TestEarlierTurnsWeighLessInTheDocumentScore: a term borrowed from a
// conversation's earlier turn counts at its reduced weight in the
// whole-document score, as in the passage query.
func TestEarlierTurnsWeighLessInTheDocumentScore(t *testing.T) {
	ix := openPrior(t, true)
	err := ix.withReader(func(r bleveindex.IndexReader) error {
		n, err := r.DocCount()
		if err != nil {
			return err
		}
		terms, err := ix.analyseQuery(context.Background(), r, "Baltic")
		if err != nil {
			return err
		}
		full, err := ix.docTermWeights(context.Background(), r, n, terms)
		if err != nil {
			return err
		}
		terms[0].weight = 0.25
		part, err := ix.docTermWeights(context.Background(), r, n, terms)
		if err != nil {
			return err
		}
		k := terms[0].Key
		if full[k] <= 0 || part[k] != full[k]*0.25 {
			t.Errorf("weight of %q: %v at full weight, %v at a quarter", k, full[k], part[k])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDocumentPriorHasABudget: when the documents of the passages weighed
// hold more passages than Ranking.PassageDocMaxPassages, they are not
// scored whole and the passages keep their own order.
func TestDocumentPriorHasABudget(t *testing.T) {
	ctx := context.Background()
	plain, err := openPrior(t, false).Search(ctx, priorQuestion, 10)
	if err != nil {
		t.Fatal(err)
	}
	small := openPrior(t, true, func(rk *Ranking) { rk.PassageDocMaxPassages = 8 })
	res, err := small.Search(ctx, priorQuestion, 10)
	if err != nil {
		t.Fatal(err)
	}
	sameHits(t, "over the budget", res.Hits, plain.Hits)
}

// TestDocumentPriorWeighsTheBestItsBudgetAllows: when the documents of
// all the passages read hold too many passages, the best passages whose
// documents fit are weighed, as long as they are at least as many as asked
// for. The colony (4 passages) and the sea (5) fit a budget of 9; the
// trade agreement's document would not.
func TestDocumentPriorWeighsTheBestItsBudgetAllows(t *testing.T) {
	ctx := context.Background()
	ix := openPrior(t, true, func(rk *Ranking) { rk.PassageDocMaxPassages = 9 })
	res, err := ix.Search(ctx, priorQuestion, 2)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range res.Hits {
		got = append(got, h.Doc)
	}
	if strings.Join(got, ",") != "sea,colony" {
		t.Errorf("hits from %v, want the sea's passage weighed above the colony's", got)
	}
	// Three passages asked for: the third best's document does not fit,
	// so nothing is weighed.
	res, err = ix.Search(ctx, priorQuestion, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 || res.Hits[0].Doc != "colony" {
		t.Errorf("first hit %+v, want the colony's (no prior past the budget)", res.Hits)
	}
}
