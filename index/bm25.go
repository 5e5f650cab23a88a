package index

import (
	"context"
	"fmt"
	"math"
	"unsafe"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// bm25 holds one index's BM25 parameters (Ranking.K1 and Ranking.B).
//
// Bleve's own term scorer reads k1 and b from package variables
// (search.BM25_k1, search.BM25_b) shared by every index of the process, so
// setting them would change the scoring of any other Bleve user and of
// every framebot index at once. framebot's clauses are termQuery values
// instead, whose searcher scores with the index's own parameters. The
// formula is Bleve's, operation for operation, so the scores are the
// same as Bleve's for the same k1 and b.
type bm25 struct {
	k1, b float64
}

// termQuery is one term in one field, scored with BM25 at the index's k1
// and b: a stand-in for Bleve's query.TermQuery. It reads the BM25
// statistics from the search context (bm25Context); frequencies and norms
// come from the index.
type termQuery struct {
	term, field string
	boost       float64
	bm          bm25
}

// newTermQuery returns a clause for term in field at boost.
func (ix *Index) newTermQuery(field, term string, boost float64) *termQuery {
	return &termQuery{term: term, field: field, boost: boost, bm: ix.bm}
}

// Searcher implements query.Query.
func (q *termQuery) Searcher(ctx context.Context, r bleveindex.IndexReader, _ mapping.IndexMapping, opts search.SearcherOptions) (search.Searcher, error) {
	// Every leaf searcher counts against Bleve's per-search limit, as
	// its own term searchers do.
	if err := search.RecordTermSearcher(ctx); err != nil {
		return nil, err
	}
	scored := opts.Score != "none"
	tfr, err := r.TermFieldReader(ctx, []byte(q.term), q.field, scored, scored, false)
	if err != nil {
		return nil, err
	}
	total, avg, err := bm25Metrics(ctx, r, q.field)
	if err != nil {
		_ = tfr.Close()
		return nil, err
	}
	s := &termSearcher{
		reader:      tfr,
		bm:          q.bm,
		boost:       q.boost,
		avg:         avg,
		scored:      scored,
		queryWeight: 1,
	}
	s.idf = math.Log(1 + (float64(total)-float64(tfr.Count())+0.5)/(float64(tfr.Count())+0.5))
	return s, nil
}

// bm25Metrics returns the passage count and a field's average length as
// Bleve's term searcher computes them: from the statistics in ctx
// (bm25Context) when present, else from the reader.
func bm25Metrics(ctx context.Context, r bleveindex.IndexReader, field string) (uint64, float64, error) {
	var (
		count uint64
		card  int
	)
	if st, ok := ctx.Value(search.BM25StatsKey).(*search.BM25Stats); ok {
		count = uint64(st.DocCount)
		c, ok := st.FieldCardinality[field]
		if !ok {
			return 0, 0, fmt.Errorf("no BM25 statistics for field %s", field)
		}
		card = c
	} else {
		n, err := r.DocCount()
		if err != nil {
			return 0, 0, err
		}
		count = n
		if br, ok := r.(bleveindex.BM25Reader); ok {
			if card, err = br.FieldCardinality(field); err != nil {
				return 0, 0, err
			}
		}
	}
	if count == 0 {
		return 0, 1, nil // no passages: nothing will be scored
	}
	return count, max(1, math.Ceil(float64(card)/float64(count))), nil
}

// termSearcher iterates the passages holding a term and scores them with
// BM25, as Bleve's TermSearcher and TermQueryScorer do, with the index's
// own k1 and b. Term locations and score explanations are not supported:
// framebot asks for neither.
type termSearcher struct {
	reader      bleveindex.TermFieldReader
	tfd         bleveindex.TermFieldDoc
	bm          bm25
	boost       float64
	idf         float64
	avg         float64 // the field's average length
	scored      bool
	queryWeight float64
}

const termSearcherSize = int(unsafe.Sizeof(termSearcher{}))

func (s *termSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	tm, err := s.reader.Next(s.tfd.Reset())
	if err != nil || tm == nil {
		return nil, err
	}
	return s.match(ctx, tm), nil
}

func (s *termSearcher) Advance(ctx *search.SearchContext, id bleveindex.IndexInternalID) (*search.DocumentMatch, error) {
	tm, err := s.reader.Advance(id, s.tfd.Reset())
	if err != nil || tm == nil {
		return nil, err
	}
	return s.match(ctx, tm), nil
}

// match turns a posting into a scored match: BM25 with Bleve's term
// frequency (its square root) and field length (from the norm), times the
// clause's query weight (boost × IDF × the query norm).
func (s *termSearcher) match(ctx *search.SearchContext, tm *bleveindex.TermFieldDoc) *search.DocumentMatch {
	m := ctx.DocumentMatchPool.Get()
	if s.scored {
		tf := math.Sqrt(float64(tm.Freq))
		fieldLength := 1 / (tm.Norm * tm.Norm)
		k1, b := s.bm.k1, s.bm.b
		score := s.idf * (tf * k1) / (tf + k1*(1-b+(b*fieldLength/s.avg)))
		if s.queryWeight != 1.0 {
			score = score * s.queryWeight
		}
		m.Score = score
	}
	m.IndexInternalID = bleveindex.NewIndexInternalIDFrom(m.IndexInternalID, tm.ID)
	return m
}

// Weight is the clause's squared weight, for the query norm of the
// disjunction or boolean searcher above it.
func (s *termSearcher) Weight() float64 {
	w := s.boost * s.idf
	return w * w
}

func (s *termSearcher) SetQueryNorm(qnorm float64) {
	s.queryWeight = s.boost * s.idf * qnorm
}

func (s *termSearcher) Count() uint64              { return s.reader.Count() }
func (s *termSearcher) Min() int                   { return 0 }
func (s *termSearcher) DocumentMatchPoolSize() int { return 1 }
func (s *termSearcher) Close() error               { return s.reader.Close() }
func (s *termSearcher) Size() int {
	return termSearcherSize + s.reader.Size() + s.tfd.Size()
}
