package index

import (
	"hash/maphash"
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"

	"framebot/internal/text"
)

// filterStem is the name of stemFilter in Bleve's registry.
const filterStem = "framebot_stem"

// stemFilter is text.Stem (accents folded, then Bleve's
// "stemmer_en_snowball") with a cache of the stems it has computed: a
// corpus repeats the same few tens of thousands of words, and stemming
// each occurrence anew was a tenth of indexing time. The cache is
// bounded; words beyond it are stemmed as before. Stems handed out are
// shared and must not be written to.
type stemFilter struct {
	seed   maphash.Seed
	shards [stemShards]stemShard
}

const (
	stemShards     = 64
	stemShardLimit = 1024 // words per shard: 65,536 in all, a few MB
	stemMaxWord    = 40   // longer words are not cached
)

type stemShard struct {
	mu sync.RWMutex
	m  map[string][]byte
}

func newStemFilter() *stemFilter {
	f := &stemFilter{seed: maphash.MakeSeed()}
	for i := range f.shards {
		f.shards[i].m = make(map[string][]byte)
	}
	return f
}

func (f *stemFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, tok := range input {
		if !tok.KeyWord {
			tok.Term = f.stem(tok.Term)
		}
	}
	return input
}

func (f *stemFilter) stem(term []byte) []byte {
	if len(term) > stemMaxWord {
		return stemNow(term)
	}
	sh := &f.shards[maphash.Bytes(f.seed, term)%stemShards]
	sh.mu.RLock()
	s, ok := sh.m[string(term)]
	sh.mu.RUnlock()
	if ok {
		return s
	}
	s = stemNow(term)
	s = s[:len(s):len(s)] // an append by a later filter copies
	sh.mu.Lock()
	if len(sh.m) < stemShardLimit {
		sh.m[string(term)] = s
	}
	sh.mu.Unlock()
	return s
}

// stemNow is text.Stem, the stemmer the bot compares words with: what
// Bleve's Snowball English filter does to one term, after folding its
// accents.
func stemNow(term []byte) []byte {
	return []byte(text.Stem(string(term)))
}
