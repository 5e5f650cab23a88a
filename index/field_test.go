package index

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"framebot/beir"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/standard"
	"github.com/blevesearch/bleve/v2/document"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// textAnalysis returns the mapping's text analyser and its term counter.
func textAnalysis(t testing.TB) (analysis.Analyzer, *termCounter) {
	t.Helper()
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	an := m.AnalyzerNamed(analyzerText)
	c := newTermCounter(an)
	if c == nil {
		t.Fatal("no term counter for framebot's text analyser")
	}
	return an, c
}

// sameField reports how a countedField of input differs from Bleve's
// TextField analysed by an, or "" when their lengths and frequencies are
// the same. The TextField gets its own copy: its analysis writes over it.
func sameField(an analysis.Analyzer, c *termCounter, input []byte, opts bleveindex.FieldIndexingOptions) string {
	theirs := document.NewTextFieldCustom(fieldText, nil, bytes.Clone(input), opts, an)
	theirs.Analyze()
	kept := bytes.Clone(input)
	ours := fieldOf(fieldText, input, opts, an, c)
	ours.Analyze()
	show := func(tf bleveindex.TokenFrequencies) string {
		var b strings.Builder
		for _, k := range slices.Sorted(maps.Keys(tf)) {
			fmt.Fprintf(&b, "%q:%d(%q) ", k, tf[k].Frequency(), tf[k].Term)
		}
		return b.String()
	}
	switch {
	case !bytes.Equal(input, kept):
		return fmt.Sprintf("input %q was written over: %q", kept, input)
	case ours.AnalyzedLength() != theirs.AnalyzedLength():
		return fmt.Sprintf("input %q: length %d, Bleve's %d", input, ours.AnalyzedLength(), theirs.AnalyzedLength())
	case show(ours.AnalyzedTokenFrequencies()) != show(theirs.AnalyzedTokenFrequencies()):
		return fmt.Sprintf("input %q:\n got  %s\n want %s", input, show(ours.AnalyzedTokenFrequencies()), show(theirs.AnalyzedTokenFrequencies()))
	case ours.Size()-countedFieldSize-len(fieldText)-len(input) != theirs.AnalyzedTokenFrequencies().Size():
		return fmt.Sprintf("input %q: frequencies' size %d, Bleve's %d", input, ours.Size()-countedFieldSize-len(fieldText)-len(input), theirs.AnalyzedTokenFrequencies().Size())
	case opts.IsStored() && !bytes.Equal(ours.Value(), theirs.Value()),
		ours.EncodedFieldType() != theirs.EncodedFieldType(),
		ours.NumPlainTextBytes() != theirs.NumPlainTextBytes(), ours.Options() != theirs.Options():
		// (Bleve lower-cases the text of a field it does not store in
		// place; nothing reads it after.)
		return fmt.Sprintf("input %q: stored form differs from Bleve's", input)
	}
	return ""
}

// A counted field indexes the same terms, as often, as Bleve's TextField
// with the text analyser: on the embedded corpus, the test documents and
// text made to trip each filter (possessives with every apostrophe, upper
// case that lengthens when lowered, final sigma, stop words in capitals,
// words too long for the cache, text that is not UTF-8), both when the
// words are first seen and when they come from the cache.
func TestCountedFieldMatchesBleve(t *testing.T) {
	inputs := analysisInputs(t,
		[]byte("Zelensky’s ZELENSKY'S zelensky＇s ΟΔΟΣ"),
		[]byte("THE The the AND And of OF Of s 's S'S ȺȾ ȺBC aȾ İstanbul ΣΊΣΥΦΟΣ"),
		[]byte("Pneumonoultramicroscopicsilicovolcanoconiosis's supercalifragilisticexpialidociousnessesly "+strings.Repeat("x", 300)),
		[]byte("invalid \xff\xfe utf-8 \xc3 HERE's"),
		[]byte(""),
		[]byte("   \t\n "),
		[]byte("the of and"),
		// Compounds and their parts (partsFilter): stop words and
		// possessives among the parts, parts too short to add, a part
		// repeated, joins that join nothing.
		[]byte("max_connections net.core.somaxconn Example.COM the_end_of_it U.S. e.g. a_b __init__ x.y.z tls_v1_2 max_max_MAX Node.js's v1.2 3.14 a:b std::vector ΟΔΟΣ_ΣΊΣΥΦΟΣ"),
	)
	an, c := textAnalysis(t)
	for pass := range 2 { // the second pass reads the cache
		for _, opts := range []bleveindex.FieldIndexingOptions{bleveindex.IndexField | bleveindex.StoreField, bleveindex.IndexField, bleveindex.IndexField | bleveindex.SkipFreqNorm} {
			for _, in := range inputs {
				if msg := sameField(an, c, in, opts); msg != "" {
					if len(msg) > 2000 {
						msg = msg[:2000]
					}
					t.Errorf("pass %d, options %v: %s", pass, opts, msg)
				}
			}
		}
	}
}

// Only framebot's own tokenizer and filters known to act on each token
// alone are counted; any other analyser keeps Bleve's TextField.
func TestTermCounterOnlyForTokenLocalAnalysis(t *testing.T) {
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{keyword.Name, standard.Name} {
		an := m.AnalyzerNamed(name)
		if an == nil {
			t.Fatalf("no analyser %s", name)
		}
		if newTermCounter(an) != nil {
			t.Errorf("analyser %s got a term counter", name)
		}
		if _, ok := fieldOf(fieldText, []byte("x"), bleveindex.IndexField, an, newTermCounter(an)).(*document.TextField); !ok {
			t.Errorf("analyser %s: field is not Bleve's TextField", name)
		}
	}
	if newTermCounter(m.AnalyzerNamed(analyzerExact)) == nil {
		t.Error("the exact analyser (framebot's tokenizer, lower case) got no term counter")
	}
}

// Words past the cache's bound are still analysed right.
func TestTermCounterPastItsCache(t *testing.T) {
	an, c := textAnalysis(t)
	var b bytes.Buffer
	for i := range termCacheLimit + 5000 {
		fmt.Fprintf(&b, "W%dings's ", i)
	}
	if msg := sameField(an, c, b.Bytes(), bleveindex.IndexField); msg != "" {
		t.Error(msg[max(0, len(msg)-500):])
	}
	if msg := sameField(an, c, b.Bytes(), bleveindex.IndexField); msg != "" {
		t.Error(msg[max(0, len(msg)-500):])
	}
}

// Fields analysed at once by several goroutines, as Bleve's analysis
// workers do, while the cache fills and is published, count as Bleve does.
func TestTermCounterConcurrently(t *testing.T) {
	an, c := textAnalysis(t)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				in := []byte(fmt.Sprintf("The Word%d's of G%d, and the %d OTHERS' words%d running", i%97, g, i, i/3))
				if msg := sameField(an, c, in, bleveindex.IndexField); msg != "" {
					errs <- msg
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
}

func FuzzCountedField(f *testing.F) {
	for _, s := range []string{"The plan's 1,000.5 troops", "Zelensky’s ΟΔΟΣ", "ȺBC aȾ", "it's THE end", "\xff\xfe's", "the_Max_connections net.core.somaxconn's é.ÉTÉ", "Pétionville ZÜRICH naïve Straße e\u0301té ﬁle don’t"} {
		f.Add([]byte(s))
	}
	an, c := textAnalysis(f)
	f.Fuzz(func(t *testing.T, input []byte) {
		if !utf8.Valid(input) && len(input) > 64 {
			return
		}
		if msg := sameField(an, c, input, bleveindex.IndexField|bleveindex.StoreField); msg != "" {
			t.Fatal(msg)
		}
	})
}

// BenchmarkFieldAnalysis analyses the texts of the benchmark collection
// (benchDir, Cranfield by default) into term frequencies, as Bleve's
// TextField does and as countedField does, one passage after another.
func BenchmarkFieldAnalysis(b *testing.B) {
	var texts [][]byte
	size := 0
	err := beir.EachDoc(benchDir(), func(d beir.Doc) error {
		if len(texts) < 20000 {
			texts = append(texts, []byte(d.Text))
			size += len(d.Text)
		}
		return nil
	})
	if err != nil || len(texts) == 0 {
		b.Skipf("no benchmark collection: %v", err)
	}
	an, c := textAnalysis(b)
	for _, tc := range []struct {
		name    string
		counter *termCounter
	}{{"bleve", nil}, {"counted", c}} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				for _, text := range texts {
					fieldOf(fieldText, text, bleveindex.IndexField|bleveindex.StoreField, an, tc.counter).Analyze()
				}
			}
		})
	}
}
