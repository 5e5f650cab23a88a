package index

import (
	"reflect"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	"github.com/blevesearch/bleve/v2/document"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// termCounter analyses the text of indexed fields straight into term
// frequencies: the terms and counts Bleve's TokenFrequency makes of the
// text analyser's tokens, without the tokens. Bleve's TextField analyses a
// field into one token object per word, runs each filter over all of them,
// copies a stored field's text first (the lower-case filter writes over
// it), then counts the tokens in a map; at indexing that was a fifth of
// the CPU and, with the tokens, two fifths of all that was allocated.
//
// It relies on every filter of the analyser acting on each token alone,
// whatever its neighbours (possessive, lower case, stop words, stem): then
// what a word becomes depends on the word only, and is kept per surface
// form in a bounded cache, filled by running the analyser's own filters
// on that one word. newTermCounter returns nil for any other analyser, and
// fields then use Bleve's own analysis. The tests hold the two to the same
// lengths and frequencies.
type termCounter struct {
	tok     *wordTokenizer
	filters []analysis.TokenFilter
	// snap is the cache read without a lock: the words seen and what the
	// filters make of them, never changed once published. New words wait
	// in pending (under mu) until there are enough of them to publish a
	// larger copy, so that copying costs a few times the cache's final
	// size in all.
	snap    atomic.Pointer[termSnapshot]
	mu      sync.Mutex
	pending map[string]termOf
}

// termSnapshot maps a word to the index of what it becomes in terms.
type termSnapshot struct {
	ids   map[string]uint32
	terms []termOf
}

const (
	termCacheLimit = 65536 // words cached: a few MB
	termMaxWord    = 40    // longer words are not cached
)

// termOf is what the filters make of one word: the term indexed, or none
// (a stop word), and the terms of its parts when it is a compound
// (partsFilter).
type termOf struct {
	term string
	b    []byte // term's bytes, shared by every TokenFreq of it
	drop bool
	more []termOf // the parts' terms, in order; nil for most words
}

// newTermCounter returns the counter of an, or nil when an is not made
// of framebot's tokenizer and filters known to act on each token alone.
func newTermCounter(an analysis.Analyzer) *termCounter {
	da, ok := an.(*analysis.DefaultAnalyzer)
	if !ok || len(da.CharFilters) > 0 {
		return nil
	}
	tok, ok := da.Tokenizer.(*wordTokenizer)
	if !ok {
		return nil
	}
	for _, f := range da.TokenFilters {
		switch f.(type) {
		case partsFilter, *en.PossessiveFilter, *lowercase.LowerCaseFilter, *stop.StopTokensFilter, *stemFilter:
		default:
			return nil
		}
	}
	c := &termCounter{tok: tok, filters: da.TokenFilters, pending: map[string]termOf{}}
	c.snap.Store(&termSnapshot{ids: map[string]uint32{}})
	return c
}

// count returns the number of terms input analyses into and their
// frequencies, as Bleve's TextField.Analyze would set them (without term
// vectors; skipNorms leaves every frequency at 0, as Bleve does for a
// field indexed without frequencies and norms). input is not written to.
//
// It also returns the frequencies' Size, summed as they are made rather
// than by walking them afterwards (Bleve asks every field its size).
func (c *termCounter) count(input []byte, skipNorms bool) (int, bleveindex.TokenFrequencies, int) {
	freqs := make(bleveindex.TokenFrequencies, len(input)/10+1)
	var slab []bleveindex.TokenFreq
	n, size := 0, freqsSize
	snap := c.snap.Load()
	c.tok.words(input, func(start, end int, typ analysis.TokenType) {
		word := input[start:end]
		var t termOf
		if i, ok := snap.ids[string(word)]; ok {
			t = snap.terms[i]
		} else {
			t = c.miss(word, typ)
		}
		if t.drop {
			return
		}
		// The word's term, then those of its parts (most words have none).
		for k, u := 0, t; ; k, u = k+1, t.more[k] {
			n++
			tf, ok := freqs[u.term]
			if !ok {
				if len(slab) == 0 {
					slab = make([]bleveindex.TokenFreq, max(8, (len(input)-start)/10+1))
				}
				tf = &slab[0]
				slab = slab[1:]
				tf.Term = u.b
				freqs[u.term] = tf
				size += freqSize + 2*len(u.term)
			}
			if !skipNorms {
				tf.SetFrequency(tf.Frequency() + 1)
			}
			if k == len(t.more) {
				break
			}
		}
	})
	return n, freqs, size
}

// freqsSize is the Size of empty TokenFrequencies, and freqSize what one
// more term adds besides twice its length (the key and the TokenFreq's
// Term): Bleve's own sums, measured.
var (
	freqsSize = bleveindex.TokenFrequencies{}.Size()
	freqSize  = bleveindex.TokenFrequencies{"": &bleveindex.TokenFreq{}}.Size() - freqsSize
)

// miss returns what the filters make of a word the snapshot lacks, and
// keeps it for the next snapshot while the cache has room.
func (c *termCounter) miss(word []byte, typ analysis.TokenType) termOf {
	if len(word) > termMaxWord {
		return c.filter(word, typ)
	}
	c.mu.Lock()
	t, ok := c.pending[string(word)]
	c.mu.Unlock()
	if ok {
		return t
	}
	t = c.filter(word, typ)
	c.mu.Lock()
	defer c.mu.Unlock()
	snap := c.snap.Load()
	if _, ok := snap.ids[string(word)]; ok || len(snap.ids)+len(c.pending) >= termCacheLimit {
		return t
	}
	c.pending[string(word)] = t
	if len(c.pending) >= max(256, len(snap.ids)/4) || len(snap.ids)+len(c.pending) == termCacheLimit {
		next := &termSnapshot{ids: make(map[string]uint32, len(snap.ids)+len(c.pending)), terms: snap.terms}
		for w, i := range snap.ids {
			next.ids[w] = i
		}
		for w, t := range c.pending {
			next.ids[w] = uint32(len(next.terms))
			next.terms = append(next.terms, t)
		}
		c.snap.Store(next)
		clear(c.pending)
	}
	return t
}

// filter runs the analyser's filters on a copy of word alone.
func (c *termCounter) filter(word []byte, typ analysis.TokenType) termOf {
	ts := analysis.TokenStream{{Term: append([]byte(nil), word...), Start: 0, End: len(word), Position: 1, Type: typ}}
	for _, f := range c.filters {
		ts = f.Filter(ts)
	}
	if len(ts) == 0 {
		return termOf{drop: true}
	}
	t := termOfBytes(ts[0].Term)
	for _, p := range ts[1:] {
		t.more = append(t.more, termOfBytes(p.Term))
	}
	return t
}

func termOfBytes(term []byte) termOf {
	b := append([]byte(nil), term...)
	return termOf{term: string(b), b: b}
}

// countedField is a Bleve text field analysed by a termCounter (see
// there); for any other analyser, or none, fieldOf returns Bleve's own
// TextField. Its stored form is a TextField's, so reading it back is
// unchanged.
type countedField struct {
	name    string
	value   []byte
	options bleveindex.FieldIndexingOptions
	counter *termCounter
	length  int
	freqs   bleveindex.TokenFrequencies
	size    int // freqs.Size(), once analysed
}

// fieldOf returns a text field of name holding value, analysed by an
// (counted by counter when it is an's counter, not nil).
func fieldOf(name string, value []byte, options bleveindex.FieldIndexingOptions, an analysis.Analyzer, counter *termCounter) document.Field {
	if counter == nil {
		return document.NewTextFieldCustom(name, nil, value, options, an)
	}
	return &countedField{name: name, value: value, options: options, counter: counter}
}

func (f *countedField) Name() string                             { return f.name }
func (f *countedField) ArrayPositions() []uint64                 { return nil }
func (f *countedField) Options() bleveindex.FieldIndexingOptions { return f.options }
func (f *countedField) Value() []byte                            { return f.value }
func (f *countedField) Text() string                             { return string(f.value) }
func (f *countedField) EncodedFieldType() byte                   { return 't' }
func (f *countedField) NumPlainTextBytes() uint64                { return uint64(len(f.value)) }
func (f *countedField) AnalyzedLength() int                      { return f.length }
func (f *countedField) AnalyzedTokenFrequencies() bleveindex.TokenFrequencies {
	return f.freqs
}

func (f *countedField) Analyze() {
	f.length, f.freqs, f.size = f.counter.count(f.value, f.options.SkipFreqNorm())
}

// Size is the field's memory, counted as Bleve counts a TextField's.
func (f *countedField) Size() int {
	return countedFieldSize + len(f.name) + len(f.value) + f.size
}

var countedFieldSize = int(reflect.TypeFor[countedField]().Size())
