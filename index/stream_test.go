package index

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"framebot/corpus"
)

// streamCorpus returns n documents of two paragraphs each (2n passages):
// enough, from n = 2600, for more than one batch of batchPassages. The
// words are drawn from a vocabulary of 4,000 made-up ones ("v0" … "v3999"),
// so that each matches a few dozen passages; paragraph k of document i
// ends with "number i". version changes every document's text.
func streamCorpus(t testing.TB, n, version int) []*corpus.Document {
	t.Helper()
	var docs []*corpus.Document
	for i := range n {
		para := func(k int) string {
			r := rand.New(rand.NewPCG(uint64(i), uint64(k+10*version)))
			words := make([]string, 6+r.IntN(20))
			for j := range words {
				words[j] = "v" + strconv.Itoa(r.IntN(4000))
			}
			return strings.Join(words, " ") + " number " + strconv.Itoa(i) + "."
		}
		docs = append(docs, doc(t, fmt.Sprintf("s%05d", i), "Note v"+strconv.Itoa(i%4000), para(1), para(2)))
	}
	return docs
}

// streamQuestions are asked of the indexes viewOf compares: each matches
// fewer passages than a search returns, so that no tie is cut.
var streamQuestions = []string{"v17", "v230 v3999", "v2718", "v404 v77", "v1000"}

// indexView is what a user sees of an index: its documents, and every
// passage and document each question of streamQuestions finds, with its
// score.
type indexView struct {
	Docs   []DocMeta
	Hits   [][]string
	Ranked [][]DocScore
}

func viewOf(t *testing.T, ix *Index) indexView {
	t.Helper()
	ctx := context.Background()
	var v indexView
	srcs, err := ix.Documents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range srcs {
		m, _ := ix.Meta(s.Doc)
		v.Docs = append(v.Docs, m)
	}
	for _, q := range streamQuestions {
		res, err := ix.Search(ctx, q, maxLimit)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == maxLimit {
			t.Fatalf("%q matches %d passages or more: ties may be cut", q, maxLimit)
		}
		var hs []string
		for _, h := range res.Hits {
			hs = append(hs, fmt.Sprintf("%s#%d %v %q", h.Doc, h.Ordinal, h.Score, h.Text))
		}
		v.Hits = append(v.Hits, hs)
		rk, err := ix.RankDocuments(ctx, q, maxLimit)
		if err != nil {
			t.Fatal(err)
		}
		v.Ranked = append(v.Ranked, rk)
	}
	return v
}

// fixedClock is the clock of indexes compared with each other.
func fixedClock() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

func openClocked(t *testing.T, dir string) *Index {
	t.Helper()
	ix, err := Open(dir, Options{Now: fixedClock})
	if err != nil {
		t.Fatalf("open index: %v", err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// streamAll writes docs to ix through a Stream and returns the changes
// reported.
func streamAll(t *testing.T, ix *Index, docs []*corpus.Document) []Change {
	t.Helper()
	var got []Change
	st, err := ix.NewStream(context.Background(), func(chs []Change) { got = append(got, chs...) })
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if err := st.Add(d); err != nil {
			t.Fatalf("add %s: %v", d.ID, err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatalf("close stream: %v", err)
	}
	return got
}

// countKinds counts changes by kind.
func countKinds(chs []Change) map[string]int {
	out := map[string]int{}
	for _, c := range chs {
		out[c.Kind.String()]++
	}
	return out
}

func TestStreamWritesWhatApplyWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes 2 × 10,000 passages")
	}
	ctx := context.Background()
	docs := streamCorpus(t, 2600, 0)
	// The update: half the documents change, and some lose a passage.
	var update []*corpus.Document
	for i, d := range streamCorpus(t, 1300, 1) {
		if i%3 == 0 {
			d = doc(t, d.ID, d.Title, d.Paragraphs[0])
		}
		update = append(update, d)
	}

	applied, streamed := filepath.Join(t.TempDir(), "applied"), filepath.Join(t.TempDir(), "streamed")
	a, s := openClocked(t, applied), openClocked(t, streamed)
	if _, err := a.Apply(ctx, docs, nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int{"added": len(docs)}, countKinds(streamAll(t, s, docs))); diff != "" {
		t.Errorf("changes of the fresh build (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(viewOf(t, a), viewOf(t, s)); diff != "" {
		t.Fatalf("fresh build: streamed index differs from applied (-applied +streamed):\n%s", diff)
	}

	if _, err := a.Apply(ctx, update, nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int{"updated": len(update)}, countKinds(streamAll(t, s, update))); diff != "" {
		t.Errorf("changes of the update (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(viewOf(t, a), viewOf(t, s)); diff != "" {
		t.Fatalf("after an update: streamed index differs from applied (-applied +streamed):\n%s", diff)
	}

	a.Close()
	s.Close()
	a, s = openClocked(t, applied), openClocked(t, streamed)
	want := viewOf(t, a)
	if diff := cmp.Diff(want, viewOf(t, s)); diff != "" {
		t.Fatalf("reopened: streamed index differs from applied (-applied +streamed):\n%s", diff)
	}
	if st, err := s.Sync(ctx, append(update, docs[len(update):]...), nil); err != nil || st.Unchanged != len(docs) {
		t.Errorf("sync of the reopened streamed index = %+v, %v; want every document unchanged", st, err)
	}
}

func TestStreamAddsADocumentTwice(t *testing.T) {
	tests := []struct {
		name    string
		between int // documents added between the two versions
	}{
		{"in the same batch", 0},
		{"in a later batch", 2600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if testing.Short() && tt.between > 0 {
				t.Skip("indexes 5,000 passages")
			}
			ix := openT(t, filepath.Join(t.TempDir(), "ix"))
			v1 := doc(t, "x", "Ex", "The walrus sings at dawn.", "Penguins march in winter.", "Otters juggle stones.")
			v2 := doc(t, "x", "Ex", "The walrus sings at dusk.")
			docs := append([]*corpus.Document{v1}, streamCorpus(t, tt.between, 0)...)
			got := countKinds(streamAll(t, ix, append(docs, v2)))
			if diff := cmp.Diff(map[string]int{"added": 1 + tt.between, "updated": 1}, got); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			if m, _ := ix.Meta("x"); m.Passages != 1 || m.Hash != v2.Hash {
				t.Errorf("meta = %+v; want the second version's", m)
			}
			for q, want := range map[string][]string{"otters juggle": nil, "penguins march": nil, "walrus dusk": {"x"}} {
				if diff := cmp.Diff(want, searchDocs(t, ix, q)); diff != "" {
					t.Errorf("search %q (-want +got):\n%s", q, diff)
				}
			}
		})
	}
}

func TestStreamStoppedMidwayIsCompletedBySync(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes 3 × 5,000 passages")
	}
	docs := streamCorpus(t, 2600, 0)
	ref := openClocked(t, filepath.Join(t.TempDir(), "ref"))
	if _, err := ref.Sync(context.Background(), docs, nil); err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(t.TempDir(), "ix")
	ix := openClocked(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := ix.NewStream(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	added := 0
	for i, d := range docs {
		if i == 1500 {
			cancel()
		}
		if err := st.Add(d); err != nil {
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("add %s: %v; want context.Canceled", d.ID, err)
			}
			break
		}
		added++
	}
	if err := st.Close(); !errors.Is(err, context.Canceled) {
		t.Fatalf("close = %v; want context.Canceled", err)
	}
	// What was added before ctx ended is written, as with Apply.
	if got := len(docIDs(t, ix)); got != added {
		t.Errorf("%d documents indexed; want the %d added before the stop", got, added)
	}
	ix.Close()

	ix = openClocked(t, dir)
	sst, err := ix.Sync(context.Background(), docs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sst.Added != len(docs)-added || sst.Unchanged != added {
		t.Errorf("sync after the stop = added %d, unchanged %d; want %d, %d", sst.Added, sst.Unchanged, len(docs)-added, added)
	}
	if diff := cmp.Diff(viewOf(t, ref), viewOf(t, ix)); diff != "" {
		t.Errorf("completed index differs from one built at once (-want +got):\n%s", diff)
	}
}

func TestStreamStopsForARebuild(t *testing.T) {
	ix := openT(t, filepath.Join(t.TempDir(), "ix"))
	st, err := ix.NewStream(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Add(doc(t, "a", "Alpha", "The walrus sings at dawn.")); err != nil {
		t.Fatal(err)
	}
	ix.rebuilding.Store(true) // as damaged does before it starts a rebuild
	if err := st.Add(doc(t, "b", "Beta", "Penguins march in winter.")); !errors.Is(err, ErrRebuilding) {
		t.Errorf("add during a rebuild = %v; want ErrRebuilding", err)
	}
	if err := st.Close(); !errors.Is(err, ErrRebuilding) {
		t.Errorf("close = %v; want ErrRebuilding", err)
	}
	ix.rebuilding.Store(false)
	// The stream released the index: a swap, or another write, can go on.
	if _, err := ix.Upsert(context.Background(), doc(t, "c", "Gamma", "Otters juggle stones.")); err != nil {
		t.Fatalf("upsert after the stream: %v", err)
	}
}

// TestStreamKilledHelperProcess streams streamCorpus into the index in
// $FRAMEBOT_STREAM_INDEX and prints "written N" after every batch, until
// TestStreamKilledMidwayLeavesATrustworthyIndex kills it.
func TestStreamKilledHelperProcess(t *testing.T) {
	dir := os.Getenv("FRAMEBOT_STREAM_INDEX")
	if dir == "" {
		t.Skip("helper process for TestStreamKilledMidwayLeavesATrustworthyIndex")
	}
	ix, err := Open(dir, Options{Now: fixedClock})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	st, err := ix.NewStream(context.Background(), func(chs []Change) {
		n += len(chs)
		fmt.Printf("written %d\n", n)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range streamCorpus(t, 5200, 0) {
		if err := st.Add(d); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	ix.Close()
}

// TestStreamKilledMidwayLeavesATrustworthyIndex kills a process in the
// middle of a fresh streamed build, once some batches are written: the
// index it leaves opens, every document it lists is searchable, and a
// Sync completes it into the index a build at once gives.
func TestStreamKilledMidwayLeavesATrustworthyIndex(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes 3 × 10,000 passages")
	}
	dir := filepath.Join(t.TempDir(), "ix")
	cmd := exec.Command(os.Args[0], "-test.run=^TestStreamKilledHelperProcess$", "-test.v")
	cmd.Env = append(os.Environ(), "FRAMEBOT_STREAM_INDEX="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	written := false
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "written ") {
			written = true
			break
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if !written {
		t.Fatal("the helper wrote no batch before it ended")
	}

	ix := openClocked(t, dir)
	srcs, err := ix.Documents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) == 0 || len(srcs) >= 5200 {
		t.Fatalf("%d documents after the kill; want some, not all", len(srcs))
	}
	for _, s := range srcs {
		m, _ := ix.Meta(s.Doc)
		if m.Hash == "" {
			continue // passages found without their catalog entry: Sync reindexes them
		}
		// "number N" is only in document N.
		n, _ := strconv.Atoi(strings.TrimPrefix(s.Doc, "s"))
		if got := searchDocs(t, ix, "number "+strconv.Itoa(n)); len(got) == 0 || got[0] != s.Doc {
			t.Fatalf("document %s is in the catalog but its passages are not found (%v)", s.Doc, got)
		}
	}

	docs := streamCorpus(t, 5200, 0)
	if _, err := ix.Sync(context.Background(), docs, nil); err != nil {
		t.Fatal(err)
	}
	ref := openClocked(t, filepath.Join(t.TempDir(), "ref"))
	if _, err := ref.Sync(context.Background(), docs, nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(viewOf(t, ref), viewOf(t, ix)); diff != "" {
		t.Errorf("index completed after the kill differs from one built at once (-want +got):\n%s", diff)
	}
}
