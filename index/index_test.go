package index

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/util"
	"github.com/google/go-cmp/cmp"

	"framebot/bot"
	"framebot/corpus"
	"framebot/internal/logcheck"
)

// doc builds a corpus document with one passage per paragraph.
func doc(t testing.TB, id, title string, paras ...string) *corpus.Document {
	t.Helper()
	d, err := corpus.Parse(id+".md", []byte("---\ntitle: "+title+"\nsource: src-"+id+"\n---\n\n"+strings.Join(paras, "\n\n")+"\n"), corpus.Options{})
	if err != nil {
		t.Fatalf("parse %s: %v", id, err)
	}
	d.ID = id
	for i := range d.Passages {
		d.Passages[i].Doc = id
	}
	return d
}

func openT(t *testing.T, dir string) *Index {
	t.Helper()
	ix, err := Open(dir, Options{})
	if err != nil {
		t.Fatalf("open index: %v", err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// openRanked opens an index with ranking rk in a new folder holding docs,
// closed when the test ends.
func openRanked(t *testing.T, rk Ranking, docs ...*corpus.Document) *Index {
	t.Helper()
	return openSynced(t, Options{Ranking: &rk}, docs)
}

// openSynced opens a new index with opts, closed when the test ends, and
// syncs docs into it.
func openSynced(t *testing.T, opts Options, docs []*corpus.Document) *Index {
	t.Helper()
	ix, err := Open(filepath.Join(t.TempDir(), "ix"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if _, err := ix.Sync(context.Background(), docs, nil); err != nil {
		t.Fatal(err)
	}
	return ix
}

// openWith opens an index in a new folder holding docs.
func openWith(t *testing.T, docs ...*corpus.Document) *Index {
	t.Helper()
	ix := openT(t, filepath.Join(t.TempDir(), "ix"))
	for _, d := range docs {
		if _, err := ix.Upsert(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
	return ix
}

func docIDs(t *testing.T, ix *Index) []string {
	t.Helper()
	srcs, err := ix.Documents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range srcs {
		ids = append(ids, s.Doc)
	}
	return ids
}

// searchDocs returns the document of each hit for q, best first.
func searchDocs(t *testing.T, ix *Index, q string) []string {
	t.Helper()
	res, err := ix.Search(context.Background(), q, 10)
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.Doc)
	}
	return out
}

func TestUpsertReplacesAllPassagesOfADocument(t *testing.T) {
	ctx := context.Background()
	ix := openT(t, filepath.Join(t.TempDir(), "ix"))
	v1 := doc(t, "a", "Alpha", "The walrus sings at dawn.", "Penguins march in winter.", "Otters juggle stones.")
	if _, err := ix.Upsert(ctx, v1); err != nil {
		t.Fatal(err)
	}
	if got := searchDocs(t, ix, "otters juggle"); len(got) != 1 {
		t.Fatalf("before update: hits for otters = %v, want one", got)
	}
	v2 := doc(t, "a", "Alpha", "The walrus sings at dusk.")
	ch, err := ix.Upsert(ctx, v2)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Kind != bot.Updated {
		t.Errorf("change kind = %v, want updated", ch.Kind)
	}
	if got := searchDocs(t, ix, "otters juggle"); len(got) != 0 {
		t.Errorf("after update: passages of the old version still found: %v", got)
	}
	_, passages, _, _ := ix.Stats(ctx)
	if passages != 1 {
		t.Errorf("passages = %d, want 1", passages)
	}
}

func TestDeleteRemovesDocumentFromAnswers(t *testing.T) {
	ctx := context.Background()
	ix := openWith(t,
		doc(t, "a", "Alpha", "The walrus sings at dawn."),
		doc(t, "b", "Beta", "The walrus sleeps at noon."),
	)
	ok, err := ix.Delete(ctx, "a")
	if err != nil || !ok {
		t.Fatalf("delete = %v, %v; want true, nil", ok, err)
	}
	if diff := cmp.Diff([]string{"b"}, searchDocs(t, ix, "walrus")); diff != "" {
		t.Errorf("hits after delete (-want +got):\n%s", diff)
	}
	if ok, _ := ix.Delete(ctx, "a"); ok {
		t.Error("deleting twice reported the document as present")
	}
}

func TestReopenReindexesOnlyChangedDocuments(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "ix")
	a := doc(t, "a", "Alpha", "The walrus sings at dawn.")
	b := doc(t, "b", "Beta", "Penguins march in winter.")
	c := doc(t, "c", "Gamma", "Otters juggle stones.")
	ix := openT(t, dir)
	st, err := ix.Sync(ctx, []*corpus.Document{a, b, c}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Added != 3 {
		t.Fatalf("first sync added %d, want 3", st.Added)
	}
	ix.Close()

	b2 := doc(t, "b", "Beta", "Penguins march in summer now.")
	d := doc(t, "d", "Delta", "Herons wait by the river.")
	ix = openT(t, dir)
	st, err = ix.Sync(ctx, []*corpus.Document{a, b2, d}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range st.Changes {
		got[c.Doc] = c.Kind.String()
	}
	want := map[string]string{"b": "updated", "c": "removed", "d": "added"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if st.Unchanged != 1 {
		t.Errorf("unchanged = %d, want 1", st.Unchanged)
	}
	if diff := cmp.Diff([]string{"a", "b", "d"}, docIDs(t, ix)); diff != "" {
		t.Errorf("documents (-want +got):\n%s", diff)
	}
	if got := searchDocs(t, ix, "summer penguins"); len(got) != 1 || got[0] != "b" {
		t.Errorf("updated text not found: %v", got)
	}
}

func TestOpenRebuildsUnusableIndex(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		damage func(t *testing.T, dir string)
	}{
		{"after a mapping version change", func(t *testing.T, dir string) {
			ix := openT(t, dir)
			if err := ix.bleve.SetInternal([]byte(keyMapping), []byte("framebot-mapping-0")); err != nil {
				t.Fatal(err)
			}
			ix.Close()
		}},
		{"made with Porter's original stemmer (mapping 8)", func(t *testing.T, dir string) {
			// The index as mapping 8 stored it: its analyser names the
			// Porter filter of that time, no longer registered, and
			// Bleve can't build its mapping.
			ix := openT(t, dir)
			m, err := ix.bleve.GetInternal(util.MappingInternalKey)
			if err != nil || !bytes.Contains(m, []byte(`"`+filterStem+`"`)) {
				t.Fatalf("stored mapping %s, %v: no stem filter to rename", m, err)
			}
			m = bytes.ReplaceAll(m, []byte(`"`+filterStem+`"`), []byte(`"framebot_porter"`))
			if err := ix.bleve.SetInternal(util.MappingInternalKey, m); err != nil {
				t.Fatal(err)
			}
			if err := ix.bleve.SetInternal([]byte(keyMapping), []byte("framebot-mapping-8")); err != nil {
				t.Fatal(err)
			}
			ix.Close()
		}},
		{"when its files are damaged", func(t *testing.T, dir string) {
			err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					return os.WriteFile(p, []byte("garbage"), 0o644)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run("it rebuilds "+tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "ix")
			ix := openT(t, dir)
			if _, err := ix.Upsert(ctx, doc(t, "a", "Alpha", "The walrus sings at dawn.")); err != nil {
				t.Fatal(err)
			}
			ix.Close()
			tt.damage(t, dir)

			// The reason logged is one line: not Bleve's whole stored
			// mapping, which its error for an unbuildable one carries.
			var log logcheck.Recorder
			ix, err := Open(dir, Options{Logger: log.Logger()})
			if err != nil {
				t.Fatalf("open index: %v", err)
			}
			t.Cleanup(func() { ix.Close() })
			if got := log.String(); !strings.Contains(got, "index unusable") || strings.Contains(got, "mapping contents") {
				t.Errorf("log:\n%s\nwant one rebuild, with a one-line reason", got)
			}
			if got := docIDs(t, ix); len(got) != 0 {
				t.Fatalf("rebuilt index holds %v, want nothing", got)
			}
			st, err := ix.Sync(ctx, []*corpus.Document{doc(t, "a", "Alpha", "The walrus sings at dawn.")}, nil)
			if err != nil || st.Added != 1 {
				t.Fatalf("sync after rebuild = %+v, %v", st, err)
			}
			if got := searchDocs(t, ix, "walrus"); len(got) != 1 {
				t.Errorf("search after rebuild = %v", got)
			}
		})
	}
}

func TestSearchTreatsQuerySyntaxAsWords(t *testing.T) {
	ctx := context.Background()
	ix := openT(t, filepath.Join(t.TempDir(), "ix"))
	if _, err := ix.Upsert(ctx, doc(t, "a", "Alpha", "The walrus sings at dawn.", "Secret: the title field is private.")); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`title:Alpha`, `walr*`, `/w.*s/`, `walrus~2`, `+walrus -dawn`, `"walrus sings"^10`, `doc:a`, `(((((`, `\`, `*`, `?`, `~`, `^`, `:`,
	} {
		t.Run("query "+q+" is plain words", func(t *testing.T) {
			res, err := ix.Search(ctx, q, 10)
			if err != nil {
				t.Fatalf("search %q: %v", q, err)
			}
			for _, term := range res.Terms {
				if strings.ContainsAny(term.Key, `*?~^/\"()+`) {
					t.Errorf("term %q keeps query syntax", term.Key)
				}
			}
		})
	}
	// A wildcard must not match as a wildcard: "walr*" is the word "walr".
	if got := searchDocs(t, ix, "walr*"); len(got) != 0 {
		t.Errorf("walr* matched %v; wildcards must not be interpreted", got)
	}
}

func TestSearchMatchesSpellingVariantsOfNames(t *testing.T) {
	ctx := context.Background()
	ix := openWith(t,
		doc(t, "a", "Alpha", "President Zelenskyy welcomed the talks."),
		doc(t, "b", "Beta", "President Zelensky announced a plan."),
		doc(t, "c", "Gamma", "Nothing about presidents here, only rivers."),
	)
	got := searchDocs(t, ix, "What did Zelensky say?")
	if len(got) < 2 {
		t.Fatalf("Zelensky found %v, want both spellings", got)
	}
	res, err := ix.Search(ctx, "Zelenskiy", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 || res.Terms[0].Corrected == "" {
		t.Fatalf("typo Zelenskiy: %d hits, corrected %q; want hits and a correction", len(res.Hits), res.Terms[0].Corrected)
	}
	// The typo carries the information of its correction, not that of a
	// word no passage holds: the answer's coverage weighs it so.
	fixed, err := ix.Search(ctx, res.Terms[0].Corrected, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Terms[0].IDF, fixed.Terms[0].IDF; got != want {
		t.Errorf("typo Zelenskiy weighs IDF %v, want its correction's %v", got, want)
	}
}

// Two neighbouring letters swapped, the commonest slip, is corrected even
// where Bleve's fuzzy search cannot see it: within the first two letters
// ("pryamid"), or as the two edits a word of under eight letters is not
// allowed ("plauged"). A word the corpus holds is never "corrected".
func TestSearchCorrectsSwappedLetters(t *testing.T) {
	ctx := context.Background()
	ix := openWith(t,
		doc(t, "a", "Giza", "The stones of the pyramid rest on bedrock."),
		doc(t, "b", "Port", "Congestion plagued the harbour for years."),
		doc(t, "c", "Other", "Rivers and lakes, nothing else."),
	)
	for _, tt := range []struct{ q, doc, fixed string }{
		{"What supports the pryamid?", "a", "pyramid"},
		{"What plauged the harbour?", "b", "plagu"},
	} {
		res, err := ix.Search(ctx, tt.q, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || res.Hits[0].Doc != tt.doc {
			t.Errorf("%q: hits %v, want %s first", tt.q, res.Hits, tt.doc)
		}
		var fixed []string
		for _, term := range res.Terms {
			if term.Corrected != "" {
				fixed = append(fixed, term.Corrected)
			}
		}
		if !slices.Equal(fixed, []string{tt.fixed}) {
			t.Errorf("%q: corrected to %q, want [%s]", tt.q, fixed, tt.fixed)
		}
	}
	// "lakes" is in the corpus: its swap "alkes" is not looked for, nor
	// would "rivers" turn into anything.
	res, err := ix.Search(ctx, "rivers lakes", 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, term := range res.Terms {
		if term.Corrected != "" {
			t.Errorf("%q corrected to %q, though the corpus holds it", term.Text, term.Corrected)
		}
	}
}

func TestSwaps(t *testing.T) {
	got := swaps([]rune("abba"))
	if want := []string{"baba", "abab"}; !slices.Equal(got, want) {
		t.Errorf("swaps(abba) = %q, want %q", got, want)
	}
	if got := swaps([]rune("é")); got != nil {
		t.Errorf("swaps(é) = %q, want none", got)
	}
}

// A spelling variant stands for the word asked: a passage holding the
// question's own spelling of a name ranks above one holding only a rarer
// variant, which once weighed more for being rarer.
func TestSpellingVariantWeighsNoMoreThanTheWordAsked(t *testing.T) {
	ix := openWith(t,
		doc(t, "a", "Alpha", "President Zelenskyy spoke about grain exports."),
		doc(t, "b", "Beta", "President Zelensky spoke about grain exports."),
		doc(t, "c", "Gamma", "President Zelensky visited the front."),
		doc(t, "d", "Delta", "President Zelensky met his allies."),
		doc(t, "e", "Epsilon", "Rivers flood in spring."),
		doc(t, "f", "Zeta", "Mountains are cold in winter."),
	)
	got := searchDocs(t, ix, "Zelensky grain")
	if len(got) < 2 || got[0] != "b" || !slices.Contains(got, "a") {
		t.Errorf("Zelensky grain found %v, want b (the spelling asked) first and a (a variant) too", got)
	}
}

func TestSearchHighlightsMatchedWords(t *testing.T) {
	ctx := context.Background()
	ix := openT(t, filepath.Join(t.TempDir(), "ix"))
	if _, err := ix.Upsert(ctx, doc(t, "a", "Alpha", "Penguins sing at dawn; the penguin choir is loud.")); err != nil {
		t.Fatal(err)
	}
	res, err := ix.Search(ctx, "penguin singing", 3)
	if err != nil || len(res.Hits) != 1 {
		t.Fatalf("search = %v, %v", res, err)
	}
	h := res.Hits[0]
	var words []string
	for _, s := range h.Highlights {
		words = append(words, h.Text[s.Start:s.End])
	}
	if diff := cmp.Diff([]string{"Penguins", "sing", "penguin"}, words); diff != "" {
		t.Errorf("highlighted words (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{0, 1}, h.Matched); diff != "" {
		t.Errorf("matched terms (-want +got):\n%s", diff)
	}
	// Each matched word, in the text's order, with the term it matched.
	if diff := cmp.Diff([]bot.TermAt{{Start: 0, Term: 0}, {Start: 9, Term: 1}, {Start: 27, Term: 0}}, h.At); diff != "" {
		t.Errorf("matched words' terms (-want +got):\n%s", diff)
	}
}

func TestPassagesTheIndexLostAreIndexedAgain(t *testing.T) {
	// Bleve fell back to an older snapshot, or a segment was lost: the
	// catalog lists passages the index no longer has. Opening counts the
	// live passages and forgets the document's hash, so Sync writes it
	// again; a document whose passages are all there keeps its hash.
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "ix")
	a := doc(t, "a#1", "Alpha", "The walrus sings at dawn.", "Penguins march in winter.")
	b := doc(t, "b", "Beta", "Gulls wait on the harbour wall.")
	ix := openT(t, dir)
	if _, err := ix.Sync(ctx, []*corpus.Document{a, b}, nil); err != nil {
		t.Fatal(err)
	}
	if err := ix.bleve.Delete(passageID("a#1", 1)); err != nil {
		t.Fatal(err)
	}
	ix.Close()

	ix = openT(t, dir)
	if m, _ := ix.Meta("a#1"); m.Hash != "" || m.Passages != 2 {
		t.Errorf("a#1 after losing a passage = %+v; want its two passages and no hash", m)
	}
	if m, _ := ix.Meta("b"); m.Hash == "" {
		t.Errorf("b lost its hash: %+v", m)
	}
	st, err := ix.Sync(ctx, []*corpus.Document{a, b}, nil)
	if err != nil || st.Updated != 1 || st.Unchanged != 1 {
		t.Fatalf("sync = %+v, %v; want a#1 written again and b unchanged", st, err)
	}
	if got := searchDocs(t, ix, "penguins"); len(got) != 1 || got[0] != "a#1" {
		t.Errorf("penguins found in %v, want a#1 once", got)
	}
}

func TestCatalogLossIsRepairedBySync(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		damage func(t *testing.T, path string)
	}{
		{"a catalog missing its entries (a crash after the index batch)", func(t *testing.T, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		}},
		{"a damaged catalog", func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte("garbage, not a bolt file at all............"), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is repaired and no passage is indexed twice", func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "ix")
			a := doc(t, "a", "Alpha", "The walrus sings at dawn.", "Penguins march in winter.")
			ix := openT(t, dir)
			if _, err := ix.Sync(ctx, []*corpus.Document{a}, nil); err != nil {
				t.Fatal(err)
			}
			ix.Close()
			tt.damage(t, filepath.Join(dir, catalogFile))

			ix = openT(t, dir)
			if m, ok := ix.Meta("a"); !ok || m.Hash != "" || m.Passages != 2 {
				t.Fatalf("meta after losing the catalog = %+v, %v; want passages found, empty hash", m, ok)
			}
			st, err := ix.Sync(ctx, []*corpus.Document{a}, nil)
			if err != nil || st.Updated != 1 {
				t.Fatalf("sync = %+v, %v; want the document reindexed", st, err)
			}
			if got := searchDocs(t, ix, "walrus"); len(got) != 1 {
				t.Errorf("walrus found in %v, want once", got)
			}
			ix.Close()
			ix = openT(t, dir)
			if st, _ := ix.Sync(ctx, []*corpus.Document{a}, nil); st.Unchanged != 1 {
				t.Errorf("second reopen: %+v, want unchanged", st)
			}
		})
	}
}
