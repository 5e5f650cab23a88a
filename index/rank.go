package index

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/blevesearch/bleve/v2"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// maxRankPassages caps the passages RankDocuments reads for one question.
const maxRankPassages = 1000

// DocScore is a document's score for a question.
type DocScore struct {
	Doc   string
	Score float64
}

// RankDocuments returns up to n documents for text, best first. The
// passages are searched exactly as for Search (same query, same ranking);
// a document's passage evidence is its best passage's score plus
// Ranking.RestShare of its other passages' scores. With Ranking.DocWeight
// above 0, the documents found are also scored as wholes (BM25 over all
// their passages' words, see docBM25) and the two scores, each divided by
// its largest value, are mixed: (1-DocWeight)·passage + DocWeight·document.
// It returns an error when the index can't be read or ctx ends.
func (ix *Index) RankDocuments(ctx context.Context, text string, n int) ([]DocScore, error) {
	if n <= 0 {
		return nil, nil
	}
	depth := min(max(n*ix.rank.PassagesPerDoc, n), maxRankPassages)
	var out []DocScore
	err := ix.withReader(func(r bleveindex.IndexReader) error {
		p, err := ix.plan(ctx, r, text)
		if err != nil || p == nil {
			return err
		}
		req := bleve.NewSearchRequestOptions(p.query, depth, 0, false)
		sr, err := ix.bleve.SearchInContext(p.ctx, req)
		if err != nil {
			return fmt.Errorf("search index: %w", err)
		}
		// Equal scores in ID order, so that sums run in one order in
		// every process.
		sort.SliceStable(sr.Hits, func(i, j int) bool {
			if sr.Hits[i].Score != sr.Hits[j].Score {
				return sr.Hits[i].Score > sr.Hits[j].Score
			}
			return sr.Hits[i].ID < sr.Hits[j].ID
		})
		at := map[string]int{}
		for _, h := range sr.Hits {
			// Passage IDs are "doc#ordinal": no stored field needs reading.
			doc, _, ok := splitPassageID(h.ID)
			if !ok {
				continue
			}
			if i, ok := at[doc]; ok {
				out[i].Score += ix.rank.RestShare * h.Score
				continue
			}
			at[doc] = len(out)
			out = append(out, DocScore{Doc: doc, Score: h.Score})
		}
		if ix.rank.DocWeight > 0 && len(out) > 0 {
			// Every document found is scored whole: one ranked low by
			// its best passage may still hold the question's words
			// throughout (most of the dev sets' recall@100 comes from
			// these).
			if err := ix.fuseDocScores(ctx, r, p, out); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sortDocScores(out)
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}

// sortDocScores orders documents best first, equal scores by ID.
func sortDocScores(out []DocScore) {
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Doc < out[j].Doc
	})
}

// fuseDocScores mixes each document's passage score with its whole-document
// BM25 score, both divided by their largest value among the documents.
func (ix *Index) fuseDocScores(ctx context.Context, r bleveindex.IndexReader, p *queryPlan, docs []DocScore) error {
	ds, err := ix.docBM25(ctx, r, p.terms, docs, true)
	if err != nil {
		return err
	}
	var maxP, maxD float64
	for i := range docs {
		maxP = max(maxP, docs[i].Score)
		maxD = max(maxD, ds[i])
	}
	if maxP <= 0 || maxD <= 0 {
		return nil
	}
	w := ix.rank.DocWeight
	for i := range docs {
		docs[i].Score = (1-w)*docs[i].Score/maxP + w*ds[i]/maxD
	}
	return nil
}

// docBM25 scores each document as a whole: BM25 over the words of its
// title and all its passages, with the question's term counts, the
// passages' IDF (a passage-level proxy for the document-level one) at
// Ranking.IDFPower, the k1 of docK1 (ranking: the documents are being
// ranked, not their passages weighed) and Ranking.DocB. The term counts
// are summed from the postings of the documents' passages (docTermCounts)
// and the lengths, and their average over the catalog, come from
// DocMeta.Words, so no stored text is read or analysed at query time,
// except for documents indexed before Words was kept. (The average was
// once the text field's dictionary size over the number of documents,
// which is no length and changes as segments merge.)
func (ix *Index) docBM25(ctx context.Context, r bleveindex.IndexReader, terms []queryTerm, docs []DocScore, ranking bool) ([]float64, error) {
	n, err := r.DocCount()
	if err != nil {
		return nil, fmt.Errorf("count passages: %w", err)
	}
	ix.mu.RLock()
	metas := make([]DocMeta, len(docs))
	for i, d := range docs {
		metas[i] = ix.docs[d.Doc]
	}
	avg := ix.lengths.average()
	ix.mu.RUnlock()
	want, err := ix.docTermWeights(ctx, r, n, terms)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	tf, err := ix.docTermCounts(ctx, r, keys, docs, metas)
	if err != nil {
		return nil, err
	}
	k1, b := ix.docK1(terms, want, ranking), ix.rank.DocB
	lengths := make([]int, len(docs))
	var sum float64
	for i := range docs {
		lengths[i] = int(metas[i].Words)
		if lengths[i] == 0 {
			words, ok := ix.rememberedWords(docs[i].Doc, metas[i])
			if !ok {
				if words, err = ix.storedLength(ctx, r, docs[i].Doc, metas[i]); err != nil {
					return nil, err
				}
				ix.rememberWords(docs[i].Doc, metas[i], words)
			}
			lengths[i] = words
		}
		sum += float64(lengths[i])
	}
	if avg == 0 && len(docs) > 0 {
		// A catalog written before Words was kept: the documents being
		// scored are the sample.
		avg = sum / float64(len(docs))
	}
	out := make([]float64, len(docs))
	for i := range docs {
		norm := 1.0
		if avg > 0 {
			norm = 1 - b + b*float64(lengths[i])/avg
		}
		var s float64
		for j, k := range keys { // a fixed order: float sums depend on it
			if c := tf[i][j]; c > 0 {
				f := float64(c)
				s += want[k] * f * (k1 + 1) / (f + k1*norm)
			}
		}
		out[i] = s
	}
	return out, nil
}

// rememberWords keeps n, the length just counted from the stored text of
// a document indexed before DocMeta.Words was kept, so that the stored
// text is counted once per document and process, not at every question:
// every chat question weighs its passages by their documents' scores, and
// an index built before Words would otherwise be slow to answer from. It
// is kept apart from the catalog (DocMeta.Words and the sum of lengths stay
// as indexed), so the average length, and so every score, stays what it
// was; an entry is used only while the document is unchanged.
func (ix *Index) rememberWords(doc string, m DocMeta, n int) {
	ix.countedMu.Lock()
	defer ix.countedMu.Unlock()
	if ix.counted == nil {
		ix.counted = map[string]countedLength{}
	}
	ix.counted[doc] = countedLength{hash: m.Hash, indexed: m.Indexed, words: n}
}

// rememberedWords returns the length rememberWords kept for document m,
// if it is unchanged since.
func (ix *Index) rememberedWords(doc string, m DocMeta) (int, bool) {
	ix.countedMu.Lock()
	defer ix.countedMu.Unlock()
	c, ok := ix.counted[doc]
	if !ok || c.hash != m.Hash || !c.indexed.Equal(m.Indexed) {
		return 0, false
	}
	return c.words, true
}

// countedLength is a document's length counted from its stored text.
type countedLength struct {
	hash    string
	indexed time.Time
	words   int
}

// docK1 is the whole-document score's k1 for a question of terms (want:
// the weights of those the corpus holds).
//
// Weighing passages (weighByDocument), it is Ranking.DocK1 (9): each
// passage's own score, saturated at K1, already prefers the passage that
// holds more of the question's words, and the document's score adds how
// much the whole is about them, which counts nearly linearly.
//
// Ranking documents (RankDocuments), the document's score carries most of
// the weight, so for a short question it must itself prefer the document
// that holds more of the question's words: of a few words, a document
// repeating one says less than one holding them all, while a long
// description's words each say little, and a document repeating them is
// about its topic. (The best term frequency normalisation is known to
// depend on the query as well as the collection: He and Ounis, "On
// setting the hyper-parameters of term frequency normalization for
// information retrieval", ACM TOIS 25(3), 2007.) So a question of at most
// Ranking.ShortQuestion content terms the corpus holds (question words and
// earlier turns' terms not counted) takes K1, the passages' k1; a longer
// one DocK1. Chosen on the dev sets' mean, with and without paragraphs of
// held-out questions as a sixth set (docs/benchmarks.md, "Ninth round").
func (ix *Index) docK1(terms []queryTerm, want map[string]float64, ranking bool) float64 {
	k1 := ix.bm.k1
	if ix.rank.DocK1 > 0 {
		k1 = ix.rank.DocK1
	}
	if !ranking || ix.rank.ShortQuestion <= 0 {
		return k1
	}
	var held int
	for _, t := range terms {
		if !t.question && t.weight == 0 && want[t.Key] > 0 {
			held++
		}
	}
	if held <= ix.rank.ShortQuestion {
		return ix.bm.k1
	}
	return k1
}

// docTermWeights returns the weight of each term (and spelling variant) of
// the question in a whole-document score: its IDF among the n passages at
// Ranking.IDFPower, a question word's reduced weight, the question's
// count of it, and the reduced weight of a term from an earlier turn.
// Terms no passage holds are left out.
func (ix *Index) docTermWeights(ctx context.Context, r bleveindex.IndexReader, n uint64, terms []queryTerm) (map[string]float64, error) {
	want := map[string]float64{}
	for _, t := range terms {
		df, err := docFreq(ctx, r, fieldText, t.Key)
		if err != nil {
			return nil, err
		}
		if df == 0 {
			continue
		}
		w := math.Pow(idf(n, df), ix.idfPower())
		if t.question {
			w *= questionWordWeight
		}
		if ix.rank.QueryTermFreq {
			w *= float64(t.count)
		}
		if t.weight > 0 {
			w *= t.weight // a term of an earlier turn (context.go)
		}
		want[t.Key] = w
		for _, v := range t.variants {
			if _, ok := want[v]; !ok {
				want[v] = w * ix.rank.VariantBoost
			}
		}
	}
	return want, nil
}

// passageRef is one passage of a scored document, by internal ID.
type passageRef struct {
	id  bleveindex.IndexInternalID
	doc int // index in the documents scored
}

// postingsPerStoredPassage is about how many postings Bleve walks (with
// frequencies, zap advances one posting at a time) in the time it reads
// and analyses one stored passage: beyond that many postings per passage
// to count, the stored text is the cheaper source of the same counts.
const postingsPerStoredPassage = 3000

// docTermCounts returns, per document of docs (metas: their catalog
// entries) and per term of keys, how many times the document's title and
// passages say the term: the sum of the term's frequencies in the text of
// every passage of the document, plus its frequency in the title of one
// of them (every passage carries the title). The passages are found
// by their IDs and the frequencies read from the postings,
// unless the terms' postings are so long that reading the passages'
// stored text is cheaper (storedTermCounts, which counts the same).
func (ix *Index) docTermCounts(ctx context.Context, r bleveindex.IndexReader, keys []string, docs []DocScore, metas []DocMeta) ([][]int, error) {
	all, firsts, err := docPassages(r, docs, metas)
	if err != nil {
		return nil, err
	}
	text, title, err := openTermReaders(ctx, r, keys)
	defer func() {
		for _, tfr := range append(text, title...) {
			tfr.Close()
		}
	}()
	if err != nil {
		return nil, err
	}
	var postings uint64
	for _, tfr := range append(text, title...) {
		postings += tfr.Count()
	}
	if postings > postingsPerStoredPassage*uint64(len(all)) {
		return ix.storedTermCounts(ctx, r, keys, docs, metas)
	}
	tf := make([][]int, len(docs))
	for i := range tf {
		tf[i] = make([]int, len(keys))
	}
	for j, k := range keys {
		if err := addFreqs(text[j], k, all, tf, j); err != nil {
			return nil, err
		}
		if err := addFreqs(title[j], k, firsts, tf, j); err != nil {
			return nil, err
		}
	}
	return tf, nil
}

// openTermReaders opens a reader of each of keys' postings, with
// frequencies, in the text and in the title field. The caller closes
// them, even on an error.
func openTermReaders(ctx context.Context, r bleveindex.IndexReader, keys []string) (text, title []bleveindex.TermFieldReader, err error) {
	for _, k := range keys {
		for _, f := range []struct {
			field string
			out   *[]bleveindex.TermFieldReader
		}{{fieldText, &text}, {fieldTitle, &title}} {
			tfr, err := r.TermFieldReader(ctx, []byte(k), f.field, true, false, false)
			if err != nil {
				return text, title, fmt.Errorf("read term %q: %w", k, err)
			}
			*f.out = append(*f.out, tfr)
		}
	}
	return text, title, nil
}

// docPassages returns the live passages of docs (metas: their catalog
// entries), in internal ID order: all of them, and each document's first.
// Bleve finds the passage IDs ("doc#ord") of every document in each
// segment in one pass; the document of each passage found is read back
// from its ID, which zap keeps uncompressed at the head of its stored
// fields.
func docPassages(r bleveindex.IndexReader, docs []DocScore, metas []DocMeta) (all, firsts []passageRef, err error) {
	var ids []string
	at := make(map[string]int, len(docs))
	for i, d := range docs {
		at[d.Doc] = i
		for ord := range metas[i].Passages {
			ids = append(ids, passageID(d.Doc, ord))
		}
	}
	dr, err := r.DocIDReaderOnly(ids)
	if err != nil {
		return nil, nil, fmt.Errorf("find passages: %w", err)
	}
	defer dr.Close()
	seen := make([]bool, len(docs))
	for {
		id, err := dr.Next()
		if err != nil {
			return nil, nil, fmt.Errorf("find passages: %w", err)
		}
		if id == nil {
			return all, firsts, nil
		}
		ext, err := r.ExternalID(id)
		if err != nil {
			return nil, nil, fmt.Errorf("find passages: %w", err)
		}
		doc, _, _ := splitPassageID(ext)
		i, ok := at[doc]
		if !ok {
			continue
		}
		ref := passageRef{id: slices.Clone(id), doc: i}
		all = append(all, ref)
		if !seen[i] {
			seen[i] = true
			firsts = append(firsts, ref)
		}
	}
}

// addFreqs adds to tf[ref.doc][j] the frequency, in tfr's postings (of
// term), of each passage of refs (sorted by internal ID), walking the
// postings once.
func addFreqs(tfr bleveindex.TermFieldReader, term string, refs []passageRef, tf [][]int, j int) error {
	var (
		tfd bleveindex.TermFieldDoc
		cur *bleveindex.TermFieldDoc
		err error
	)
	for _, ref := range refs {
		if cur == nil || cur.ID.Compare(ref.id) < 0 {
			if cur, err = tfr.Advance(ref.id, tfd.Reset()); err != nil {
				return fmt.Errorf("read term %q: %w", term, err)
			}
			if cur == nil {
				return nil // no posting at or after ref: none for the rest
			}
		}
		if cur.ID.Equals(ref.id) {
			tf[ref.doc][j] += int(cur.Freq)
		}
	}
	return nil
}

// storedTermCounts is docTermCounts from the documents' stored text: the
// catalog's title and every stored passage, analysed as at indexing.
func (ix *Index) storedTermCounts(ctx context.Context, r bleveindex.IndexReader, keys []string, docs []DocScore, metas []DocMeta) ([][]int, error) {
	at := make(map[string]int, len(keys))
	for j, k := range keys {
		at[k] = j
	}
	tf := make([][]int, len(docs))
	for i, d := range docs {
		tf[i] = make([]int, len(keys))
		err := ix.storedWords(ctx, r, d.Doc, metas[i], func(term []byte) {
			if j, ok := at[string(term)]; ok {
				tf[i][j]++
			}
		})
		if err != nil {
			return nil, err
		}
	}
	return tf, nil
}

// storedLength counts the analysed words of a document's title and stored
// passages: its length for documents whose catalog entry lacks Words.
func (ix *Index) storedLength(ctx context.Context, r bleveindex.IndexReader, doc string, m DocMeta) (int, error) {
	n := 0
	err := ix.storedWords(ctx, r, doc, m, func([]byte) { n++ })
	return n, err
}

// storedWords calls fn with every analysed word of the document's title
// (from the catalog entry m) and of its stored passages.
func (ix *Index) storedWords(ctx context.Context, r bleveindex.IndexReader, doc string, m DocMeta, fn func(term []byte)) error {
	for _, tok := range ix.textAn.Analyze([]byte(m.Title)) {
		fn(tok.Term)
	}
	for ord := range m.Passages {
		if err := ctx.Err(); err != nil {
			return err
		}
		d, err := r.Document(passageID(doc, ord))
		if err != nil {
			return fmt.Errorf("read passage %d of %s: %w", ord, doc, err)
		}
		if d == nil {
			continue
		}
		d.VisitFields(func(f bleveindex.Field) {
			if f.Name() == fieldText {
				for _, tok := range ix.textAn.Analyze(f.Value()) {
					fn(tok.Term)
				}
			}
		})
	}
	return nil
}

// idfPower is Ranking.IDFPower with 0 meaning Bleve's 2.
func (ix *Index) idfPower() float64 {
	if ix.rank.IDFPower == 0 {
		return 2
	}
	return ix.rank.IDFPower
}

// docLengths sums the lengths (DocMeta.Words) of the catalog's documents
// that have one, for the average length of the whole-document BM25 score.
type docLengths struct {
	words int64 // sum of the known lengths
	known int64 // documents with a known length
}

// add counts m's length sign times (1 to add it, -1 to take it away).
func (l *docLengths) add(m DocMeta, sign int64) {
	if m.Words > 0 {
		l.words += sign * int64(m.Words)
		l.known += sign
	}
}

// average is the mean length of the documents with a known length, 0 when
// none has one (no length normalisation then).
func (l docLengths) average() float64 {
	if l.known <= 0 {
		return 0
	}
	return float64(l.words) / float64(l.known)
}
