package corpus

import (
	"io"
	"log/slog"
	"time"
)

const (
	defaultMaxFileSize     = 10 << 20
	defaultMaxPassageWords = 80
	defaultMaxPages        = 2000
	defaultParseTimeout    = 60 * time.Second
	// DefaultMaxPassages is the default cap on a document's passages.
	DefaultMaxPassages = 10000
)

// Options tunes loading and parsing. The zero value is ready to use.
type Options struct {
	// MaxFileSize is the largest file, in bytes, that is read; larger files
	// are skipped with ErrTooLarge. 0 means 10 MiB.
	MaxFileSize int64
	// MaxPassageWords is the soft limit on the length of a passage; longer
	// paragraphs are split at sentence boundaries. 0 means 80.
	MaxPassageWords int
	// MaxPassages caps the passages of one document: a document with more
	// is indexed up to the cap, and Document.Note says so. It bounds the
	// memory and time one file can cost (a file of two million one-word
	// paragraphs). 0 means DefaultMaxPassages.
	MaxPassages int
	// MaxPages is the number of pages read from a PDF; later pages are
	// left out (the document keeps the pages read). 0 means 2000.
	MaxPages int
	// ParseTimeout bounds the time spent reading one PDF, DOCX or ODT; a
	// file that takes longer is skipped with ErrUnreadable. 0 means 60 s.
	ParseTimeout time.Duration
	// PDF reads the PDFs. nil starts an engine for each Load, LoadEach or
	// LoadDir call and for each PDF given to Parse or LoadFile, and stops it
	// at the end of the call: a caller that reads PDFs more than once (a
	// watcher reloading files) passes one engine, created with
	// NewPDFEngine and closed when it is done, to pay for the runtime once.
	PDF *PDFEngine
	// Logger receives warnings about skipped files and broken metadata.
	// nil discards them.
	Logger *slog.Logger
}

// withDefaults returns o with its zero fields replaced by the defaults.
func (o Options) withDefaults() Options {
	if o.MaxFileSize <= 0 {
		o.MaxFileSize = defaultMaxFileSize
	}
	if o.MaxPassageWords <= 0 {
		o.MaxPassageWords = defaultMaxPassageWords
	}
	if o.MaxPassages <= 0 {
		o.MaxPassages = DefaultMaxPassages
	}
	if o.MaxPages <= 0 {
		o.MaxPages = defaultMaxPages
	}
	if o.ParseTimeout <= 0 {
		o.ParseTimeout = defaultParseTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return o
}
