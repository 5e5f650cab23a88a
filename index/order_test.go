package index

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"framebot/bot"
	"framebot/corpus"
)

// orderQuestions match several passages with equal scores: the same text
// is in several documents and several paragraphs.
var orderQuestions = []string{
	"How do tidal currents shape the estuary?",
	"Which lighthouse keeper logged the storm?",
	"estuary storm",
}

// orderDocs holds ties: documents t1..t4 say the same thing, and each has a
// paragraph long enough to be cut into parts.
func orderDocs(t *testing.T) []*corpus.Document {
	t.Helper()
	same := "Tidal currents shape the estuary twice a day, and the lighthouse keeper logged the storm that followed."
	long := "The estuary widens below the town. " +
		"Sandbanks move with every storm, so pilots read the water each morning before the ships come in. " +
		"The lighthouse keeper kept a log of every storm for forty years, with the wind, the tide and the ships in sight. " +
		"Currents near the bar run fastest at half tide, when the estuary empties or fills through the narrow mouth. " +
		"Fishermen say the tidal currents shape the channel more than any dredger ever did."
	var docs []*corpus.Document
	for _, id := range []string{"t1", "t2", "t3", "t4"} {
		docs = append(docs, doc(t, id, "Estuary notes", same, long, same))
	}
	docs = append(docs, doc(t, "u", "Other", "Nothing here about water, only mountains and goats."))
	return docs
}

// orderRun is what one process answers to orderQuestions.
type orderRun struct {
	Hits    [][]string   // per question: "doc#ordinal score" of every hit
	Ranked  [][]DocScore // per question: RankDocuments
	Answers []*bot.Answer
}

func runOrder(t *testing.T, ix *Index) orderRun {
	t.Helper()
	ctx := context.Background()
	a := bot.NewAnswerer(ix, bot.AnswerOptions{})
	var r orderRun
	for _, q := range orderQuestions {
		res, err := ix.Search(ctx, q, 20)
		if err != nil {
			t.Fatal(err)
		}
		var hs []string
		for _, h := range res.Hits {
			b, _ := json.Marshal([]any{h.Doc, h.Ordinal, h.Score})
			hs = append(hs, string(b))
		}
		r.Hits = append(r.Hits, hs)
		rk, err := ix.RankDocuments(ctx, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		r.Ranked = append(r.Ranked, rk)
		ans, err := a.Ask(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		r.Answers = append(r.Answers, ans)
	}
	return r
}

// TestOrderHelperProcess answers orderQuestions from the index in
// $FRAMEBOT_ORDER_INDEX and prints the results; TestSameOrderInEveryProcess
// runs it as a separate process.
func TestOrderHelperProcess(t *testing.T) {
	dir := os.Getenv("FRAMEBOT_ORDER_INDEX")
	if dir == "" {
		t.Skip("helper process for TestSameOrderInEveryProcess")
	}
	ix := openT(t, dir)
	if err := json.NewEncoder(os.Stdout).Encode(runOrder(t, ix)); err != nil {
		t.Fatal(err)
	}
}

// TestSameOrderInEveryProcess checks that passages and documents with
// equal scores come back in one order: from two processes opening the
// same index, and from an index built with the documents in the other
// order (other internal numbers, other segments).
func TestSameOrderInEveryProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	ctx := context.Background()
	docs := orderDocs(t)
	build := func(dir string, docs []*corpus.Document) {
		ix := openT(t, dir)
		for _, d := range docs { // one write each: several segments
			if _, err := ix.Upsert(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		if err := ix.Close(); err != nil {
			t.Fatal(err)
		}
	}
	fwd := filepath.Join(t.TempDir(), "fwd")
	rev := filepath.Join(t.TempDir(), "rev")
	build(fwd, docs)
	reversed := slices.Clone(docs)
	slices.Reverse(reversed)
	build(rev, reversed)

	process := func(dir string) orderRun {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run=^TestOrderHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), "FRAMEBOT_ORDER_INDEX="+dir)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("helper process: %v\n%s", err, out)
		}
		var r orderRun
		dec := json.NewDecoder(bytes.NewReader(out))
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("helper output: %v\n%s", err, out)
		}
		return r
	}
	first := process(fwd)
	if len(first.Hits[0]) < 4 {
		t.Fatalf("want ties among at least 4 hits, got %v", first.Hits[0])
	}
	for name, got := range map[string]orderRun{
		"a second process":                  process(fwd),
		"an index built in the other order": process(rev),
	} {
		if d := cmp.Diff(first, got); d != "" {
			t.Errorf("%s answers differently (-first +got):\n%s", name, d)
		}
	}
}

// A passage cut from a longer paragraph comes with its neighbouring parts
// and the question terms they hold; a whole paragraph comes with none.
func TestSearchAttachesTheOtherPartsOfASplitParagraph(t *testing.T) {
	ctx := context.Background()
	ix := openT(t, filepath.Join(t.TempDir(), "ix"))
	var long string
	for i := range 12 {
		if i == 5 {
			long += "The keeper was called Smeaton. "
			continue
		}
		long += "The estuary widens below the old town and the sandbanks move with every storm of the year. "
	}
	if _, err := ix.Upsert(ctx, doc(t, "a", "Notes", "A short first paragraph about goats.", long)); err != nil {
		t.Fatal(err)
	}
	res, err := ix.Search(ctx, "estuary keeper Smeaton", 10)
	if err != nil {
		t.Fatal(err)
	}
	var first *bot.Hit
	for i := range res.Hits {
		if res.Hits[i].Ordinal == 1 {
			first = &res.Hits[i]
		}
	}
	if first == nil {
		t.Fatalf("first part of the long paragraph not found: %+v", res.Hits)
	}
	if first.Before != nil {
		t.Errorf("the paragraph's first part has a part before it: %q", first.Before.Text)
	}
	if first.After == nil {
		t.Fatal("the paragraph's first part has no part after it")
	}
	var names []string
	for _, i := range first.After.Matched {
		names = append(names, res.Terms[i].Text)
	}
	if !slices.Contains(names, "Smeaton") {
		t.Errorf("after part %q matched %v, want Smeaton among them", first.After.Text, names)
	}
	for _, h := range res.Hits {
		if h.Ordinal == 0 && (h.Before != nil || h.After != nil) {
			t.Errorf("a whole paragraph came with parts")
		}
	}
}
