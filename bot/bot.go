// Package bot is framebot's answer engine and command set, independent of any
// chat platform.
//
// It owns the domain types that flow between the pieces (Request, Reply,
// Answer, Passage, Source, AnswerRecord, DocChange…) and the small
// interfaces it and the adapters consume (Searcher, Catalog, FeedbackStore,
// SubscriptionStore, AnswerStore, ValueStore, StaleStore, EditQueue…).
// Adapters turn platform events into a Request and render the structured
// Reply, sharing the plain-text wording and citation of render.go
// (PlainText, Cite); the index package implements Searcher and Catalog, and
// the sqlite package the stores. This package never imports a chat SDK, the
// search library or the database.
//
// Every adapter is built the same way, New(cfg, Deps) with Deps holding the
// Bot, its stores, a logger and a clock, and runs with Run(ctx) error,
// which blocks until ctx ends and then returns ctx.Err(); any other error
// means the adapter could not go on.
//
// It does not import corpus either: words, sentences and stems come from
// internal/text, the toolkit the corpus and the index use, so that an
// answer and the index agree on what a word is.
package bot

import (
	"context"
	"time"

	"framebot/internal/text"
)

// Request is one message addressed to the bot, already stripped of the
// platform's mention markup.
type Request struct {
	// Platform names the adapter the request came from ("slack", "matrix",
	// "console").
	Platform string
	// User is the platform's ID of the person asking.
	User string
	// Channel is the platform's conversation ID (Slack channel, Matrix room).
	Channel string
	// Thread is the thread the message belongs to, when it is in one.
	Thread string
	// Text is what the user wrote, mention removed.
	Text string
	// Prefix is how the user invokes commands on this platform
	// ("/framework", "!framework"); help and usage lines use it.
	Prefix string
}

// Span is a byte range [Start, End) of a passage's Text.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Passage is one quoted piece of a document in an answer.
type Passage struct {
	// Text is the passage exactly as the document says it.
	Text string `json:"text"`
	// Highlights are the byte ranges of Text that matched the question, in
	// order and not overlapping. Renderers show them in bold.
	Highlights []Span `json:"highlights,omitempty"`
	// Title, Doc, Source and URL cite the document the passage is from.
	Title  string `json:"title"`
	Doc    string `json:"doc"`
	Source string `json:"source"`
	URL    string `json:"url,omitempty"`
	// Ordinal is the passage's position inside its document.
	Ordinal int `json:"ordinal"`
	// Page is the 1-based page the passage is on, in paged documents
	// (PDF); 0, and left out of JSON, in the others.
	Page int `json:"page,omitempty"`
	// Section is the heading the passage sits under in its document ("" when
	// none), cited with it; untrusted text, like Text and Title.
	Section string `json:"section,omitempty"`
	// Score is the ranking score (higher is better; only comparable inside
	// one answer).
	Score float64 `json:"score"`
}

// Source describes one document of the corpus.
type Source struct {
	Doc      string    `json:"doc"`
	Title    string    `json:"title"`
	Source   string    `json:"source"`
	URL      string    `json:"url,omitempty"`
	Passages int       `json:"passages"`
	Pages    int       `json:"pages,omitempty"` // page count of a paged document (PDF), 0 otherwise
	Updated  time.Time `json:"updated,omitzero"`
}

// Answer is the bot's reply to a question.
type Answer struct {
	Question string `json:"question"`
	// Answered is false when no passage was a confident match; Passages is
	// then empty and Nearest lists the closest documents.
	Answered bool      `json:"answered"`
	Passages []Passage `json:"passages"`
	Nearest  []Source  `json:"nearest,omitempty"`
	// Note is an optional sentence shown to the user (why the bot abstained,
	// a corrected spelling…).
	Note string `json:"note,omitempty"`
	// Context is set when the question was read as a follow-up: the earlier
	// subject of its thread that the search borrowed, in the user's own
	// words ("Coalition of the Willing").
	Context string `json:"context,omitempty"`
}

// Reply is what a command or question produces; exactly one of its parts is
// set. Adapters render each part in their platform's format.
type Reply struct {
	// Text is a plain message: help, usage, an error sentence.
	Text string
	// Answer is set for questions.
	Answer *Answer
	// Summary is set by the summary command.
	Summary *Summary
	// Sources is set by sources and new.
	Sources *SourceList
	// Status is set by status.
	Status *Status
}

// Summary is an extractive brief on a topic.
type Summary struct {
	Topic     string            `json:"topic"`
	Sentences []SummarySentence `json:"sentences"`
	// Documents is how many documents discuss the topic.
	Documents int `json:"documents"`
	// Conflicts lists places where sources give different figures.
	Conflicts []Conflict `json:"conflicts,omitempty"`
	// Suggestions are known topics offered when nothing matched.
	Suggestions []string `json:"suggestions,omitempty"`
}

// SummarySentence is one verbatim sentence of a Summary with its citation.
type SummarySentence struct {
	Text   string `json:"text"`
	Title  string `json:"title"`
	Doc    string `json:"doc"`
	Source string `json:"source,omitempty"`
	URL    string `json:"url,omitempty"`
}

// Conflict records two sources giving different figures for one thing.
type Conflict struct {
	// About names the thing, in the corpus's words ("troops").
	About  string            `json:"about"`
	Claims []SummarySentence `json:"claims"`
}

// SourceList is a page of documents (the sources and new commands).
type SourceList struct {
	Title   string   `json:"title"`
	Sources []Source `json:"sources"`
	// Page is 1-based; Pages is the number of pages.
	Page, Pages int
	// Total is the number of documents over all pages.
	Total int `json:"total"`
}

// Status is the bot's health and size.
type Status struct {
	Documents  int           `json:"documents"`
	Passages   int           `json:"passages"`
	IndexBytes int64         `json:"index_bytes"`
	LastUpdate time.Time     `json:"last_update,omitzero"`
	Uptime     time.Duration `json:"uptime"`
	Watcher    string        `json:"watcher,omitempty"`
	Helpful    int           `json:"helpful"`
	NotHelpful int           `json:"not_helpful"`
}

// Hit is one passage returned by a Searcher, with the evidence the engine
// needs to decide whether it answers the question.
type Hit struct {
	Passage
	// Matched holds the indexes into SearchResult.Terms of the query terms
	// this passage contains.
	Matched []int
	// SectionMatched holds those its heading (Passage.Section) contains.
	SectionMatched []int
	// At holds each word of Text that matched a query term: its byte
	// offset and the term's index, in the order of Text.
	At []TermAt
	// Before and After are the parts of the same paragraph just before and
	// after this passage when the paragraph was cut into several passages
	// (nil otherwise).
	Before, After *Part
}

// RankedBefore reports whether a hit scored sa goes before one scored sb:
// the higher score first, and equal scores in document and then passage
// order, so that the same index ranks alike in every process. The index
// orders its hits by it and the answerer its candidates.
func RankedBefore(a *Hit, sa float64, b *Hit, sb float64) bool {
	if sa != sb {
		return sa > sb
	}
	if a.Doc != b.Doc {
		return a.Doc < b.Doc
	}
	return a.Ordinal < b.Ordinal
}

// TermAt is a word of a passage that matched a query term: its byte
// offset in the passage, and the term's index into SearchResult.Terms.
type TermAt struct {
	Start, Term int
}

// Part is a neighbouring piece of a hit's paragraph.
type Part struct {
	Text       string
	Highlights []Span
	Matched    []int
}

// Term is one content term of an analysed question.
type Term struct {
	// Text is the term as the user wrote it; Key is its indexed form.
	Text, Key string
	// IDF is the term's inverse document frequency over passages; a term
	// absent from the corpus gets the largest IDF.
	IDF float64
	// Corrected is the indexed term used instead when Key is not in the
	// corpus but a close spelling is ("" otherwise).
	Corrected string
	// Missing is true when neither Key nor a close spelling is in the
	// corpus: the question asks about something the documents never name.
	Missing bool
	// Name is true for a word written with a capital letter: a name, the
	// likely subject of the question.
	Name bool
	// Weight is the share of the term's weight in the question: below 1 for
	// a word borrowed from a thread's earlier turns (0 means 1).
	Weight float64
}

// SearchResult is the ranked passages for a question.
type SearchResult struct {
	Terms []Term
	Hits  []Hit
}

// Searcher finds passages for a question. Implementations must treat Text as
// plain words, never as query syntax.
type Searcher interface {
	// Search returns up to limit passages, best first. It returns an error
	// when the index can't be read or ctx ends.
	Search(ctx context.Context, text string, limit int) (*SearchResult, error)
}

// PassageSearcher is a Searcher that can also rank passages on their own
// words alone, without weighing them by how much their documents are about
// the question: a brief on a topic wants every document that discusses it,
// not only the one most about it. The Summarizer uses it when its Searcher
// has it.
type PassageSearcher interface {
	SearchPassages(ctx context.Context, text string, limit int) (*SearchResult, error)
}

// Catalog lists the documents of the corpus.
type Catalog interface {
	// Documents returns every indexed document, in no particular order.
	Documents(ctx context.Context) ([]Source, error)
	// Stats returns the number of documents and passages and the index's
	// size on disk.
	Stats(ctx context.Context) (docs, passages int, bytes int64, err error)
}

// CountDocuments says "1 document" or "N documents", for renderers.
func CountDocuments(n int) string { return text.Count(n, "document") }
