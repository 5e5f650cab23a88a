// Package index stores the corpus's passages in a Bleve (scorch) index on
// disk and answers searches on it with BM25.
//
// One Bleve document is indexed per passage. Each corpus document's metadata
// (title, source, content hash, passage count) lives in a small bbolt file
// beside the index (the catalog), written once the batch holding its passages
// is on disk. A crash between the two leaves passages whose catalog entry is
// missing or stale; Open finds them from the dictionary of the "doc" field and
// gives them an empty hash, so the next Sync indexes them again, in place
// (passage IDs are the document ID and ordinal).
//
// The metadata is kept out of Bleve's internal key/value space on purpose:
// scorch copies and rewrites every internal key on each snapshot it persists,
// which made indexing time grow with the square of the number of documents.
package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bbolt "go.etcd.io/bbolt"

	"framebot/bot"
	"framebot/corpus"
)

var (
	_ bot.Searcher        = (*Index)(nil)
	_ bot.PassageSearcher = (*Index)(nil)
	_ bot.Catalog         = (*Index)(nil)
)

// ErrClosed is returned by every method once Close has been called.
var ErrClosed = errors.New("index is closed")

// ErrLocked is returned by Open when another process holds the index.
var ErrLocked = errors.New("index is in use by another process")

// runtimeConfig is scorch's configuration: give up on a locked index
// instead of waiting for ever. Batches are synchronous (Batch returns once
// they are on disk), so the catalog is only written for passages that are.
// Scorch's goroutines report their panics to framebot (background.go).
func runtimeConfig() map[string]any {
	return map[string]any{"bolt_timeout": "3s", "asyncErrorCallbackName": asyncCallbackName}
}

const (
	keyMapping  = "framebot/mapping"
	catalogFile = "framebot-catalog.bolt"
	// batchPassages is how many passages go into one Bleve batch when many
	// documents are indexed at once. Streaming the 200,000-document
	// benchmark, the build peaked at 434–464 MB resident with 2,500,
	// about 480 MB with 4,000 and 558–602 MB with 5,000, at about the same
	// speed; but 2,500 left 21 segments instead of 12–16 once merged, and a
	// process that then only answers sat at 304 MB instead of 294 MB.
	// Scores do not depend on it (whole-document lengths come from the
	// catalog).
	batchPassages = 4000
	// batchesInFlight is how many batches are written at once: Bleve
	// analyses a batch on every core but builds its segment on one, so a
	// second batch keeps the other cores busy meanwhile.
	batchesInFlight = 2
)

// DocMeta is what the index remembers of one corpus document. Words, the
// document's length for whole-document BM25, is taken from the indexing's
// own analysis; 0 (a catalog written before it was kept) means unknown,
// and the stored text is read when it is needed. Pages and Words are
// int32 so that an entry stays 120 bytes: the catalog in memory holds one
// per document.
type DocMeta struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Source   string    `json:"source"`
	URL      string    `json:"url,omitempty"`
	Hash     string    `json:"hash"`
	Passages int       `json:"passages"`
	Pages    int32     `json:"pages,omitempty"` // page count of a paged document
	Words    int32     `json:"words,omitempty"` // BM25 length: analysed words of title and passages (0: unknown)
	Indexed  time.Time `json:"indexed"`
}

// Index is a Bleve index of passages. It is safe for concurrent use: searches
// run while documents are being indexed.
type Index struct {
	dir string
	log *slog.Logger
	now func() time.Time

	bleve bleve.Index
	// cat is the catalog; catMu is held for writing while it is
	// reopened (see remapCatalog) and for reading while it is used.
	catMu  sync.RWMutex
	cat    *bbolt.DB
	textAn analysis.Analyzer
	// textCounter analyses indexed fields as textAn does, straight into
	// term frequencies (field.go); nil when textAn is not framebot's.
	textCounter *termCounter
	exactAn     analysis.Analyzer
	rank        Ranking
	bm          bm25      // the ranking's BM25 k1 and b (bm25.go)
	stats       bm25Stats // BM25 statistics (bm25stats.go)
	// questionWords is the ranking's QuestionWords as a set.
	questionWords map[string]bool

	mu   sync.RWMutex
	docs map[string]DocMeta
	// lengths sums the Words of docs, for the whole-document score's
	// average length.
	lengths docLengths
	// counted holds the lengths of documents indexed before DocMeta.Words
	// was kept, as counted from their stored text (see rememberWords).
	countedMu sync.Mutex
	counted   map[string]countedLength
	// pending holds the metadata of documents whose batch is being
	// written: their passages may be searchable before the batch returns.
	pending map[string]DocMeta
	updated time.Time
	closed  bool

	// swapMu is held for reading by every use of bleve and cat that
	// must not see them replaced (searches, writes), and for writing
	// while a rebuilt index is swapped in (see integrity.go).
	swapMu     sync.RWMutex
	rebuilding atomic.Bool
	reload     func(ctx context.Context) ([]*corpus.Document, error)
	// lastRebuild is when the last background rebuild started (under mu).
	lastRebuild time.Time
	bgCtx       context.Context
	bgCancel    context.CancelFunc
	bg          sync.WaitGroup
}

// Options configure Open.
type Options struct {
	// Logger receives warnings such as a rebuilt index; nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Ranking tunes scoring; nil means DefaultRanking().
	Ranking *Ranking
	// Reload returns every document of the corpus, for rebuilding the
	// index in the background when a search finds it damaged. nil means
	// a damaged index is reported (ErrDamaged) but not rebuilt.
	Reload func(ctx context.Context) ([]*corpus.Document, error)
}

// Open opens the index stored in dir, creating it when dir does not exist
// or is an empty folder.
//
// dir must be framebot's: a folder holding its marker file (written when
// the index is created), or an index written before the marker existed
// (adopted). Anything else — a regular file, a folder holding other files —
// is refused with an error wrapping ErrNotIndex, before anything is written.
//
// An index of framebot's that fails to open, fails the check of its
// segment files (see verifySegments) or was written with another mapping
// version is replaced, with a logged warning, by an empty one built beside
// it and renamed into place: the caller then fills it again from the corpus
// with Sync. Open also returns an error when dir can't be created or
// written, or ErrLocked when another process holds it.
func Open(dir string, opts Options) (*Index, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	bi, err := openOrRebuild(dir, log)
	if err != nil {
		return nil, err
	}
	rank := DefaultRanking()
	if opts.Ranking != nil {
		rank = *opts.Ranking
	}
	ix := &Index{dir: dir, log: log, now: now, bleve: bi, rank: rank, bm: rank.bm25(), questionWords: rank.questionWordSet(), reload: opts.Reload}
	if err := ix.init(); err != nil {
		bi.Close()
		return nil, err
	}
	ix.bgCtx, ix.bgCancel = context.WithCancel(context.Background())
	return ix, nil
}

func openOrRebuild(dir string, log *slog.Logger) (bleve.Index, error) {
	own, err := claim(dir)
	if err != nil {
		return nil, err
	}
	if own == absent {
		return create(dir)
	}
	if own == adopted {
		log.Info("index folder written by an earlier framebot: marked as framebot's", "dir", dir)
	}
	bi, err := openExisting(dir)
	if errors.Is(err, bbolt.ErrTimeout) {
		return nil, fmt.Errorf("open index %s: %w", dir, ErrLocked)
	}
	if err == nil {
		// Leftovers of an interrupted rebuild are removed only now, with
		// the index's lock held: a running framebot may be building one.
		cleanLeftovers(dir)
		err = checkOpened(bi)
		if err == nil {
			return bi, nil
		}
		bi.Close()
	}
	log.Warn("index unusable, rebuilding it from the corpus", "dir", dir, "reason", firstLine(err.Error()))
	return replace(dir)
}

// firstLine is s up to its first line break. Bleve's error for a stored
// mapping it can't build (an index of an older framebot whose analysis
// names a component since renamed) goes on with the whole mapping JSON.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// checkOpened checks an opened index: its mapping version, then its
// segment files.
func checkOpened(bi bleve.Index) error {
	v, err := bi.GetInternal([]byte(keyMapping))
	if err != nil {
		return fmt.Errorf("read mapping version: %w", err)
	}
	if string(v) != MappingVersion {
		return fmt.Errorf("mapping version %q, want %q", v, MappingVersion)
	}
	return verifySegments(bi)
}

// replace builds an empty index beside dir (framebot's own), swaps it in
// and removes the old one, then opens it.
func replace(dir string) (bleve.Index, error) {
	fresh, err := newSibling(dir)
	if err != nil {
		return nil, fmt.Errorf("rebuild index %s: %w", dir, err)
	}
	bi, err := create(fresh)
	if err != nil {
		_ = os.RemoveAll(fresh) // made by MkdirTemp just now
		return nil, err
	}
	if err := bi.Close(); err != nil {
		return nil, fmt.Errorf("rebuild index %s: %w", dir, err)
	}
	if err := swapIn(fresh, dir); err != nil {
		_ = removeOwned(fresh)
		return nil, err
	}
	return openExisting(dir)
}

// openExisting opens the index in dir. Bleve can panic on a segment file
// damaged in the middle (a length read from garbage); that is reported as an
// error, so the index is rebuilt rather than the process crashing.
func openExisting(dir string) (bi bleve.Index, err error) {
	if err := registerAnalysis(); err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			bi, err = nil, fmt.Errorf("open index %s: damaged files: %v", dir, p)
		}
	}()
	watchBackground(dir)
	return bleve.OpenUsing(dir, runtimeConfig())
}

// create creates an index in dir, which is missing or empty: the marker
// first, so that a creation cut short leaves a folder framebot knows.
func create(dir string) (bleve.Index, error) {
	m, err := newMapping()
	if err != nil {
		return nil, err
	}
	if err := writeMarker(dir); err != nil {
		return nil, err
	}
	watchBackground(dir)
	bi, err := bleve.NewUsing(dir, m, scorch.Name, scorch.Name, runtimeConfig())
	if err != nil {
		return nil, fmt.Errorf("create index %s: %w", dir, err)
	}
	if err := bi.SetInternal([]byte(keyMapping), []byte(MappingVersion)); err != nil {
		bi.Close()
		return nil, fmt.Errorf("write mapping version: %w", err)
	}
	return bi, nil
}

func (ix *Index) init() error {
	m := ix.bleve.Mapping()
	ix.textAn = m.AnalyzerNamed(m.(*mapping.IndexMappingImpl).DefaultAnalyzer)
	ix.textCounter = newTermCounter(ix.textAn)
	ix.exactAn = m.AnalyzerNamed(analyzerExact)
	if ix.textAn == nil || ix.exactAn == nil {
		return errors.New("index mapping lacks its analyzers")
	}
	cat, err := openCatalog(ix.dir)
	if err != nil && !errors.Is(err, ErrLocked) {
		// A damaged catalog loses only hashes: start a new one, and Sync
		// reindexes the documents whose passages it finds.
		ix.log.Warn("index catalog unusable, starting a new one", "dir", ix.dir, "reason", firstLine(err.Error()))
		if rerr := os.Remove(filepath.Join(ix.dir, catalogFile)); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			return fmt.Errorf("remove unusable catalog: %w", rerr)
		}
		cat, err = openCatalog(ix.dir)
	}
	if err != nil {
		return err
	}
	ix.cat = cat
	docs, err := ix.loadCatalog()
	if err != nil {
		cat.Close()
		return err
	}
	ix.docs = docs
	ix.lengths = docLengths{}
	for _, m := range docs {
		ix.lengths.add(m, 1)
	}
	ix.pending = map[string]DocMeta{}
	if err := ix.remapCatalog(); err != nil {
		return err
	}
	for _, d := range docs {
		if d.Indexed.After(ix.updated) {
			ix.updated = d.Indexed
		}
	}
	return nil
}

// bucketDocs is the catalog's bucket of DocMeta records, by document ID.
const bucketDocs = "docs"

// openCatalog opens the catalog file in the index folder.
func openCatalog(dir string) (*bbolt.DB, error) {
	path := filepath.Join(dir, catalogFile)
	db, err := bbolt.Open(path, 0o644, &bbolt.Options{Timeout: 3 * time.Second})
	if errors.Is(err, bbolt.ErrTimeout) {
		return nil, fmt.Errorf("open catalog %s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	if err := db.Update(func(tx *bbolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists([]byte(bucketDocs))
		return err
	}); err != nil {
		db.Close()
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	return db, nil
}

// loadCatalog reads every document's metadata from the catalog, then adds
// the documents that have passages in the index but no catalog entry (a
// crash came between the two writes) with an empty hash, so Sync replaces
// them.
func (ix *Index) loadCatalog() (map[string]DocMeta, error) {
	docs := map[string]DocMeta{}
	err := ix.cat.View(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte(bucketDocs)).ForEach(func(k, v []byte) error {
			var m DocMeta
			if err := json.Unmarshal(v, &m); err != nil {
				m = DocMeta{ID: string(k)} // unreadable entry: reindex it
			}
			docs[string(k)] = m
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	counts, err := ix.livePassages(docs)
	if err != nil {
		return nil, fmt.Errorf("read document list: %w", err)
	}
	for id, n := range counts {
		if m, ok := docs[id]; !ok || m.Passages < n {
			docs[id] = DocMeta{ID: id, Passages: max(n, m.Passages)}
		}
	}
	// Passages the catalog lists but the index lacks (Bleve fell back to an
	// older snapshot after losing a segment): forget the hash so Sync
	// indexes the document again.
	for id, m := range docs {
		if m.Hash != "" && counts[id] < m.Passages {
			m.Hash = ""
			docs[id] = m
		}
	}
	return docs, nil
}

// livePassages returns how many passages each document has in the index.
// The passage IDs ("doc#ord", passageID) name the documents, but the ID
// field's dictionary also lists passages deleted from a segment that no
// merge has rewritten yet, so when the catalog's total disagrees with the
// index's passage count, or the dictionary names a document the catalog
// lacks, each listed passage is checked. Otherwise the catalog's counts
// stand.
func (ix *Index) livePassages(catalog map[string]DocMeta) (map[string]int, error) {
	dict, err := ix.bleve.FieldDict(fieldID)
	if err != nil {
		return nil, err
	}
	var ids, docs []string // passage IDs, and the document of each
	for {
		e, err := dict.Next()
		if err != nil {
			dict.Close()
			return nil, err
		}
		if e == nil {
			break
		}
		if doc, _, ok := splitPassageID(e.Term); ok {
			ids, docs = append(ids, e.Term), append(docs, doc)
		}
	}
	if err := dict.Close(); err != nil {
		return nil, err
	}
	live, err := ix.bleve.DocCount()
	if err != nil {
		return nil, err
	}
	total, known := uint64(0), true
	for _, m := range catalog {
		total += uint64(m.Passages)
	}
	for _, doc := range docs {
		if _, ok := catalog[doc]; !ok {
			known = false
			break
		}
	}
	counts := map[string]int{}
	if known && total == live {
		for _, doc := range docs {
			counts[doc] = catalog[doc].Passages
		}
		return counts, nil
	}
	r, err := readerOf(ix.bleve)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	for i, id := range ids {
		n, err := docFreq(context.Background(), r, fieldID, id)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			counts[docs[i]]++
		}
	}
	return counts, nil
}

// remapCatalog closes and reopens the catalog. bbolt reads through a
// memory map, so every page read or written stays in the process's
// resident memory while the file is open: reading the whole catalog at
// open, or writing thousands of entries, would keep a copy of it (about
// 500 bytes per document) resident beside ix.docs, which already holds it.
// Reopening drops those pages. Bleve's own lock keeps other processes out
// of the index meanwhile.
func (ix *Index) remapCatalog() error {
	ix.catMu.Lock()
	defer ix.catMu.Unlock()
	if err := ix.cat.Close(); err != nil {
		return fmt.Errorf("close catalog: %w", err)
	}
	cat, err := openCatalog(ix.dir)
	if err != nil {
		return err
	}
	ix.cat = cat
	return nil
}

// saveCatalog records changes written to the index.
func (ix *Index) saveCatalog(changes []Change) error {
	ix.catMu.RLock()
	defer ix.catMu.RUnlock()
	err := ix.cat.Update(func(tx *bbolt.Tx) error {
		bk := tx.Bucket([]byte(bucketDocs))
		for _, c := range changes {
			if c.Kind == bot.Removed {
				if err := bk.Delete([]byte(c.Doc)); err != nil {
					return err
				}
				continue
			}
			raw, err := json.Marshal(c.Meta)
			if err != nil {
				return err
			}
			if err := bk.Put([]byte(c.Doc), raw); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("write catalog: %w", err)
	}
	return nil
}

// Close releases the index. It is safe to call more than once.
func (ix *Index) Close() error {
	// A background rebuild stops (its half-built index is removed)
	// before the index closes.
	ix.bgCancel()
	ix.bg.Wait()
	ix.swapMu.Lock()
	defer ix.swapMu.Unlock()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.closed {
		return nil
	}
	ix.closed = true
	ix.catMu.Lock()
	defer ix.catMu.Unlock()
	return errors.Join(ix.cat.Close(), ix.bleve.Close())
}

// Dir returns the folder the index lives in.
func (ix *Index) Dir() string { return ix.dir }

// Meta returns what the index remembers of document id.
func (ix *Index) Meta(id string) (DocMeta, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	m, ok := ix.docs[id]
	return m, ok
}

// hitMeta returns the metadata of the document a search hit belongs to:
// the catalog's, or that of a batch being written. It must be called with
// ix.mu held.
func (ix *Index) hitMeta(id string) (DocMeta, bool) {
	if m, ok := ix.docs[id]; ok {
		return m, true
	}
	m, ok := ix.pending[id]
	return m, ok
}

// Change says what happened to one document during Sync or Apply.
type Change struct {
	Doc  string
	Kind bot.ChangeKind // in the kinds announcements and renderers use
	Meta DocMeta
}

// SyncStats summarises a Sync.
type SyncStats struct {
	Added, Updated, Removed, Unchanged int
	Passages                           int
	Changes                            []Change
}

// Sync makes the index hold exactly docs: documents whose content hash
// changed are reindexed, new ones added, and those no longer in docs removed.
// progress, when not nil, is called after each batch with the number of
// documents done and the total to do. Sync returns an error when a batch
// can't be written; what was written before stays consistent.
func (ix *Index) Sync(ctx context.Context, docs []*corpus.Document, progress func(done, total int)) (SyncStats, error) {
	var st SyncStats
	want := make(map[string]bool, len(docs))
	var todo []*corpus.Document
	ix.mu.RLock()
	for _, d := range docs {
		want[d.ID] = true
		if m, ok := ix.docs[d.ID]; ok && m.Hash == d.Hash {
			st.Unchanged++
			continue
		}
		todo = append(todo, d)
	}
	var gone []string
	for id := range ix.docs {
		if !want[id] {
			gone = append(gone, id)
		}
	}
	ix.mu.RUnlock()
	sort.Strings(gone)

	changes, err := ix.apply(ctx, todo, gone, progress)
	for _, c := range changes {
		switch c.Kind {
		case bot.Added:
			st.Added++
		case bot.Updated:
			st.Updated++
		case bot.Removed:
			st.Removed++
		}
		st.Passages += c.Meta.Passages
	}
	st.Changes = changes
	return st, err
}

// Upsert indexes doc, replacing all passages of an earlier version in one
// batch. It returns the change made (Added or Updated).
func (ix *Index) Upsert(ctx context.Context, doc *corpus.Document) (Change, error) {
	ch, err := ix.apply(ctx, []*corpus.Document{doc}, nil, nil)
	if err != nil || len(ch) == 0 {
		return Change{}, err
	}
	return ch[0], nil
}

// Delete removes document id and all its passages. Deleting an unknown
// document is not an error; ok reports whether it was there.
func (ix *Index) Delete(ctx context.Context, id string) (ok bool, err error) {
	ch, err := ix.apply(ctx, nil, []string{id}, nil)
	return len(ch) > 0, err
}

// Apply indexes upserts (each replacing all passages of its earlier version
// in the same batch as its metadata) and removes the documents deletes, in
// Bleve batches of about batchPassages passages (batchesInFlight written at
// once), so searches keep running between batches. Deleting an unknown document is not an error and yields
// no change. It returns the changes made, deletions first; on error (ctx
// ended, ErrClosed, a batch that can't be written) the changes already
// written are returned with it.
func (ix *Index) Apply(ctx context.Context, upserts []*corpus.Document, deletes []string) ([]Change, error) {
	return ix.apply(ctx, upserts, deletes, nil)
}

func passageID(doc string, ord int) string { return doc + "#" + strconv.Itoa(ord) }

// fieldID is Bleve's field of document IDs: passage IDs, here.
const fieldID = "_id"

// splitPassageID returns the document ID and ordinal of a passage ID.
func splitPassageID(id string) (doc string, ord int, ok bool) {
	i := strings.LastIndexByte(id, '#')
	if i < 0 {
		return "", 0, false
	}
	ord, err := strconv.Atoi(id[i+1:])
	if err != nil {
		return "", 0, false
	}
	return id[:i], ord, true
}

// Documents returns every indexed document, sorted by ID.
func (ix *Index) Documents(ctx context.Context) ([]bot.Source, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.closed {
		return nil, ErrClosed
	}
	out := make([]bot.Source, 0, len(ix.docs))
	for _, m := range ix.docs {
		out = append(out, bot.Source{Doc: m.ID, Title: m.Title, Source: m.Source, URL: m.URL, Passages: m.Passages, Pages: int(m.Pages), Updated: m.Indexed})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Doc < out[j].Doc })
	return out, nil
}

// Stats returns the number of documents and passages and the size of the
// index folder in bytes.
func (ix *Index) Stats(ctx context.Context) (docs, passages int, bytes int64, err error) {
	ix.mu.RLock()
	if ix.closed {
		ix.mu.RUnlock()
		return 0, 0, 0, ErrClosed
	}
	docs = len(ix.docs)
	for _, m := range ix.docs {
		passages += m.Passages
	}
	ix.mu.RUnlock()
	err = filepath.WalkDir(ix.dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // files come and go while scorch merges
		}
		if !d.IsDir() {
			if info, ierr := d.Info(); ierr == nil {
				bytes += info.Size()
			}
		}
		return nil
	})
	return docs, passages, bytes, err
}

// LastUpdate returns when the index last changed (zero for an empty index).
func (ix *Index) LastUpdate() time.Time {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.updated
}
