package index

import (
	"fmt"
	"strconv"
	"sync"

	"framebot/corpus"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// MappingVersion identifies the field layout and analysis below. Bump it
// whenever either changes: an index stored with another version is rebuilt.
const MappingVersion = "framebot-mapping-15"

// Field names of a passage record.
const (
	fieldText  = "text"    // English analysis: stemming, stop words
	fieldTitle = "title"   // document title, English analysis
	fieldSect  = "section" // heading the passage sits under, English analysis, stored
	fieldPage  = "page"    // 1-based page of a paged document, decimal, stored only
	// fieldSplit, stored only, marks a passage cut from a longer
	// paragraph: splitBefore when the passage before is that paragraph's
	// previous part, splitAfter when the next one is its next part.
	fieldSplit = "split"

	// analyzerText is Bleve's English analysis (possessives, lower case,
	// stop words, stemming) on wordTokenizer, with Porter2 (Snowball
	// English) stemming instead of Porter's original, the parts of
	// compound words ("max_connections") added (partsFilter), and accents
	// folded before stemming ("Köppen" as "koppen": text.Stem, which
	// stemFilter is).
	analyzerText = "framebot_en"
	// analyzerExact lower-cases surface forms without stemming; highlights
	// use it to mark names and numbers written as in the question.
	analyzerExact = "framebot_exact"
)

// registerAnalysis adds framebot's tokenizer (tokenizerWords), stem
// filter (filterStem) and compound filter (filterParts) to Bleve's
// registry, once per process. Bleve finds the analysis components of an
// index's stored mapping by name in that process-wide registry when it
// creates or opens an index, and has no per-index one. The names are
// framebot's own, so registering them changes nothing for any other user
// of Bleve. Open calls it (through newMapping and openExisting) rather
// than an init(), so that importing the package changes no dependency's
// state.
var registerAnalysis = sync.OnceValue(func() error {
	if err := registry.RegisterTokenizer(tokenizerWords, func(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
		return newWordTokenizer(), nil
	}); err != nil {
		return fmt.Errorf("register tokenizer %s: %w", tokenizerWords, err)
	}
	if err := registry.RegisterTokenFilter(filterStem, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return newStemFilter(), nil
	}); err != nil {
		return fmt.Errorf("register token filter %s: %w", filterStem, err)
	}
	if err := registry.RegisterTokenFilter(filterParts, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return partsFilter{}, nil
	}); err != nil {
		return fmt.Errorf("register token filter %s: %w", filterParts, err)
	}
	return nil
})

// newMapping builds the index mapping: BM25 scoring, one static document
// type whose fields are listed above.
func newMapping() (mapping.IndexMapping, error) {
	if err := registerAnalysis(); err != nil {
		return nil, err
	}
	im := bleve.NewIndexMapping()
	im.ScoringModel = bleveindex.BM25Scoring
	// Bleve's "en" analyzer with the faster, equivalent tokenizer, and
	// Porter2 (Bleve's "stemmer_en_snowball") for its Porter stemmer.
	if err := im.AddCustomAnalyzer(analyzerText, map[string]any{
		"type":          custom.Name,
		"tokenizer":     tokenizerWords,
		"token_filters": []any{filterParts, en.PossessiveName, lowercase.Name, en.StopName, filterStem},
	}); err != nil {
		return nil, fmt.Errorf("add text analyzer: %w", err)
	}
	if err := im.AddCustomAnalyzer(analyzerExact, map[string]any{
		"type":          custom.Name,
		"tokenizer":     tokenizerWords,
		"token_filters": []any{lowercase.Name},
	}); err != nil {
		return nil, fmt.Errorf("add exact analyzer: %w", err)
	}
	im.DefaultAnalyzer = analyzerText

	text := func(analyzer string, store, vectors bool) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = store
		f.IncludeTermVectors = vectors
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	dm := bleve.NewDocumentStaticMapping()
	// No term vectors: nothing searches phrases (they did not help, see
	// docs/benchmarks.md) and highlights are found by analysing the text.
	// The text and the heading are stored: a passage's document and ordinal
	// are in its ID ("doc#ord") and its title, source and URL in the
	// catalog; the heading is cited with the passage and counts towards
	// its coverage of a question (bot.Hit.SectionMatched).
	dm.AddFieldMappingsAt(fieldText, text(analyzerText, true, false))
	dm.AddFieldMappingsAt(fieldTitle, text(analyzerText, false, false))
	dm.AddFieldMappingsAt(fieldSect, text(analyzerText, true, false))
	page := text(keyword.Name, true, false)
	page.Index = false
	dm.AddFieldMappingsAt(fieldPage, page)
	// No "_all" composite field: every query names its fields.
	dm.AddSubDocumentMapping("_all", bleve.NewDocumentDisabledMapping())

	im.DefaultMapping = dm
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false
	return im, nil
}

// passageDocument builds the Bleve document of one passage directly, as the
// mapping above describes it, without the mapping's reflection walk (which
// cost a tenth of indexing time): textAn analyses text, title and section
// (through counter when it is not nil, see countedField). The document
// ID is not a field of its own: it begins the passage ID (passageID), and
// the catalog knows how many passages it has.
func passageDocument(id string, d *corpus.Document, p corpus.Passage, textAn analysis.Analyzer, counter *termCounter) *document.Document {
	doc := document.NewDocument(id)
	doc.Fields = make([]document.Field, 0, 5) // at most the five below
	doc.AddField(fieldOf(fieldText, []byte(p.Text), bleveindex.IndexField|bleveindex.StoreField, textAn, counter))
	if d.Title != "" {
		doc.AddField(fieldOf(fieldTitle, []byte(d.Title), bleveindex.IndexField, textAn, counter))
	}
	if p.Section != "" {
		doc.AddField(fieldOf(fieldSect, []byte(p.Section), bleveindex.IndexField|bleveindex.StoreField, textAn, counter))
	}
	if p.Page > 0 {
		doc.AddField(document.NewTextFieldCustom(fieldPage, nil, []byte(strconv.Itoa(p.Page)), bleveindex.StoreField, nil))
	}
	if f := splitFlags(d, p); f != "" {
		doc.AddField(document.NewTextFieldCustom(fieldSplit, nil, []byte(f), bleveindex.StoreField, nil))
	}
	return doc
}

// Values of fieldSplit (both letters when the passage is a middle part).
const (
	splitBefore = "b"
	splitAfter  = "a"
)

// splitFlags says whether p continues the previous passage's paragraph
// and whether the next passage continues p's.
func splitFlags(d *corpus.Document, p corpus.Passage) string {
	if p.Para < 0 || p.Para >= len(d.Paragraphs) {
		return ""
	}
	f := ""
	if p.Start > 0 {
		f += splitBefore
	}
	if p.End < len(d.Paragraphs[p.Para]) {
		f += splitAfter
	}
	return f
}
