package index

import (
	"fmt"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// MappingVersion identifies the field layout and analysis below. Bump it
// whenever either changes: an index stored with another version is rebuilt.
const MappingVersion = "framebot-mapping-6"

// Field names of a passage record.
const (
	fieldText   = "text"    // English analysis: stemming, stop words
	fieldTitle  = "title"   // document title, English analysis
	fieldSect   = "section" // heading the passage sits under, English analysis
	fieldDoc    = "doc"     // document ID, keyword
	fieldSource = "source"  // stored only
	fieldURL    = "url"     // stored only
	fieldOrd    = "ord"     // passage ordinal, stored only

	// analyzerExact lower-cases surface forms without stemming; highlights
	// use it to mark names and numbers written as in the question.
	analyzerExact = "framebot_exact"
)

// record is what is indexed for one passage.
type record struct {
	Text   string  `json:"text"`
	Title  string  `json:"title"`
	Sect   string  `json:"section"`
	Doc    string  `json:"doc"`
	Source string  `json:"source"`
	URL    string  `json:"url"`
	Ord    float64 `json:"ord"`
}

// newMapping builds the index mapping: BM25 scoring, one static document
// type whose fields are listed above.
func newMapping() (mapping.IndexMapping, error) {
	im := bleve.NewIndexMapping()
	im.ScoringModel = bleveindex.BM25Scoring
	if err := im.AddCustomAnalyzer(analyzerExact, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []any{lowercase.Name},
	}); err != nil {
		return nil, fmt.Errorf("add exact analyzer: %w", err)
	}
	im.DefaultAnalyzer = en.AnalyzerName

	text := func(analyzer string, store, vectors bool) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = store
		f.IncludeTermVectors = vectors
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	storedOnly := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Index = false
		f.Store = true
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = false
		return f
	}

	dm := bleve.NewDocumentStaticMapping()
	// No term vectors: nothing searches phrases (they did not help, see
	// docs/benchmarks.md) and highlights are found by analysing the text.
	dm.AddFieldMappingsAt(fieldText, text(en.AnalyzerName, true, false))
	dm.AddFieldMappingsAt(fieldTitle, text(en.AnalyzerName, true, false))
	dm.AddFieldMappingsAt(fieldSect, text(en.AnalyzerName, false, false))
	dm.AddFieldMappingsAt(fieldDoc, text(keyword.Name, true, false))
	dm.AddFieldMappingsAt(fieldSource, storedOnly())
	dm.AddFieldMappingsAt(fieldURL, storedOnly())
	ord := bleve.NewNumericFieldMapping()
	ord.Index = false
	ord.Store = true
	ord.IncludeInAll = false
	ord.DocValues = false
	dm.AddFieldMappingsAt(fieldOrd, ord)

	im.DefaultMapping = dm
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false
	return im, nil
}
