// Package corpus turns a folder of documents into clean, citable passages.
//
// It knows how to read plain text, Markdown (with optional YAML front
// matter), HTML, PDF (its text layer), DOCX and ODT, how to strip the boilerplate that scraped web articles
// carry, and how to split the remaining text into passages small enough to
// quote, at the sentences internal/text finds (the toolkit the index and
// the bot share, so all three agree on words and sentences). It imports no
// search or chat library: the index and the bot build on the types defined
// here. It holds no state of its own: the PDF engine, the one costly thing
// worth sharing between loads, is a PDFEngine value that the caller creates
// and passes in Options.
package corpus

import "time"

// Document is one parsed file of the corpus.
type Document struct {
	// ID identifies the document inside its corpus: the file's path relative
	// to the corpus root, with forward slashes ("news/2025/plan.md").
	ID string
	// Title is the front matter title, else the HTML <title>/<h1>, else the
	// first non-empty line.
	Title string
	// Source is the front matter source, else a "Source ID: …" line found in
	// the text, else ID.
	Source string
	// URL is the document's web address when it has one ("" otherwise).
	URL string
	// Date is the front matter date when present (zero otherwise).
	Date time.Time
	// Hash is the hex SHA-256 of the file's raw bytes; the index uses it to
	// reindex only documents that changed.
	Hash string
	// ModTime is the file's modification time when loaded from disk.
	ModTime time.Time
	// Paragraphs is the cleaned body: boilerplate removed, whitespace folded
	// inside each paragraph, one entry per paragraph. Section headings are
	// not paragraphs; they survive as Passage.Section.
	Paragraphs []string
	// Passages are the quotable units cut from Paragraphs, in order.
	Passages []Passage
	// Note, when not empty, says what was left out of the document (it
	// had more passages than Options.MaxPassages), for the operator.
	Note string
	// Pages is the number of pages read from a paged document (PDF), 0 for
	// the others.
	Pages int
}

// Passage is a quotable piece of a document: one paragraph, or a run of
// whole sentences of a long paragraph.
type Passage struct {
	// Doc is the ID of the document the passage belongs to.
	Doc string
	// Ordinal is the passage's position in its document, from 0.
	Ordinal int
	// Para is the index of the paragraph in Document.Paragraphs it was cut
	// from; Start and End are byte offsets of Text inside that paragraph, so
	// Paragraphs[Para][Start:End] == Text.
	Para, Start, End int
	// Text is the passage exactly as the document says it (whitespace folded).
	Text string
	// Section is the heading the passage sits under ("" before the first
	// heading). Headings are not passages of their own: they are too short
	// to be worth quoting, but they tell the reader what a passage is about.
	Section string
	// Page is the 1-based page the passage starts on in a paged document
	// (PDF), 0 in the others.
	Page int `json:",omitempty"`
}
