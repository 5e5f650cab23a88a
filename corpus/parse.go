package corpus

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode"

	"framebot/internal/text"
)

// kind is the role of a block of text in its document.
type kind int

const (
	kindPara kind = iota
	kindHeading
	kindItem
	kindQuote
	kindPre
	kindRow // a table row, its cells joined by " | "
)

// block is a paragraph as a format parser found it, before cleaning.
type block struct {
	text  string
	kind  kind
	level int // heading level, 1–6, for kindHeading
	page  int // 1-based page of a paged format, 0 otherwise
	// breaks are the byte offsets in text where later pages start, for a
	// paragraph that runs over a page break.
	breaks []pageBreak
	// marked is set by formats whose markup tells headings apart (DOCX,
	// ODT, PDF with sized headings): their short paragraphs stay prose.
	marked bool
}

// meta is what a format parser learnt about the document besides its text.
type meta struct {
	title, source, url string
	date               time.Time
	pages              int // pages read, for paged formats
}

var utf8BOM = []byte{0xef, 0xbb, 0xbf}

// Parse parses the file content data of document id, choosing the format by
// the extension of id (see Supported), and returns the document with its
// cleaned paragraphs and passages. ModTime is left zero.
//
// Errors wrap ErrUnsupported, ErrTooLarge (len(data) over
// opts.MaxFileSize, or a DOCX/ODT that unpacks to too much), ErrBinary,
// ErrNotUTF8, ErrEmpty (nothing quotable left after removing boilerplate),
// and for PDF, DOCX and ODT ErrNoTextLayer, ErrEncrypted or ErrUnreadable. Broken metadata (front matter, dates)
// is not an error: it is logged as a warning and ignored.
func Parse(id string, data []byte, opts Options) (*Document, error) {
	opts = opts.withDefaults()
	if !Supported(id) {
		return nil, fmt.Errorf("extension %q: %w", path.Ext(id), ErrUnsupported)
	}
	if int64(len(data)) > opts.MaxFileSize {
		return nil, fmt.Errorf("%d bytes, over the %d byte limit: %w", len(data), opts.MaxFileSize, ErrTooLarge)
	}
	sum := sha256.Sum256(data)
	log := opts.Logger.With(slog.String("path", id))
	blocks, m, err := parseFormat(strings.ToLower(path.Ext(id)), data, opts, log)
	if err != nil {
		return nil, err
	}

	doc := &Document{ID: id, Hash: hex.EncodeToString(sum[:]), Date: m.date, Pages: m.pages}
	blocks = extractMetaLines(blocks, &m)
	doc.Title = cleanTitle(m.title)
	if doc.Title == "" {
		doc.Title = titleFromBlocks(blocks)
	}
	doc.Source = m.source
	if doc.Source == "" {
		doc.Source = id
	}
	doc.URL = m.url

	blocks = clean(blocks, doc.Title)
	var (
		sections []string
		pages    []block
	)
	doc.Paragraphs, sections, pages = paragraphs(blocks)
	if len(doc.Paragraphs) == 0 {
		return nil, ErrEmpty
	}
	doc.Passages = splitCapped(doc, opts, log)
	for i := range doc.Passages {
		doc.Passages[i].Section = sections[doc.Passages[i].Para]
		doc.Passages[i].Page = pages[doc.Passages[i].Para].pageAt(doc.Passages[i].Start)
	}
	return doc, nil
}

// parseFormat runs the parser of the format named by ext (lower case, with
// its dot). Text formats are checked to be UTF-8 text first; the packaged
// ones (PDF, DOCX, ODT) check their own structure.
func parseFormat(ext string, data []byte, opts Options, log *slog.Logger) ([]block, meta, error) {
	switch ext {
	case ".pdf":
		return parsePDF(data, opts)
	case ".docx":
		return parseDOCX(data, opts)
	case ".odt":
		return parseODT(data, opts)
	}
	if err := checkText(data); err != nil {
		return nil, meta{}, err
	}
	src := string(bytes.TrimPrefix(data, utf8BOM))
	switch ext {
	case ".txt":
		return parseText(src), meta{}, nil
	case ".md", ".markdown":
		b, m := parseMarkdown(src, log)
		return b, m, nil
	default: // ".html", ".htm"
		b, m := parseHTML(src, log)
		return b, m, nil
	}
}

// pageBreak marks where, in the text of a block, a page starts.
type pageBreak struct{ offset, page int }

// pageAt returns the page that the byte at offset of b's text is on.
func (b block) pageAt(offset int) int {
	page := b.page
	for _, br := range b.breaks {
		if br.offset <= offset {
			page = br.page
		}
	}
	return page
}

// paragraphs separates headings from quotable paragraphs. It returns the
// paragraphs and, for each, the text of the heading above it ("" before the
// first heading) and the block it comes from, which knows its pages. If every block looks like a heading, the document is a
// list of short lines rather than an article, and they are all kept as
// paragraphs.
func paragraphs(blocks []block) (paras, sections []string, pages []block) {
	heading := make([]bool, len(blocks))
	any := false
	n := 0
	for i, b := range blocks {
		heading[i] = isHeadingBlock(b)
		any = any || !heading[i]
		if !heading[i] {
			n++
		}
	}
	if !any {
		n = len(blocks)
	}
	// Sized once: a text of a million paragraphs must not grow three
	// slices by copying.
	paras, sections, pages = make([]string, 0, n), make([]string, 0, n), make([]block, 0, n)
	section := ""
	for i, b := range blocks {
		if heading[i] && any {
			section = b.text
			continue
		}
		paras = append(paras, b.text)
		sections = append(sections, section)
		pages = append(pages, b)
	}
	return paras, sections, pages
}

// maxTitleWords bounds a title taken from the first paragraph; a longer
// first paragraph is prose, and only its first words make the title.
const maxTitleWords = 25

// titleFromBlocks is the fallback title: the first paragraph when it is
// short, else its first sentence cut to maxTitleWords words.
func titleFromBlocks(blocks []block) string {
	for _, b := range blocks {
		title := Fold(b.text)
		if !text.HasWord(title) {
			continue
		}
		if s := text.Sentences(title); len(s) > 0 {
			title = title[s[0][0]:s[0][1]]
		}
		if words := strings.Fields(title); len(words) > maxTitleWords {
			title = strings.Join(words[:maxTitleWords], " ") + "…"
		}
		return cleanTitle(title)
	}
	return ""
}

// cleanTitle folds a title and removes quotes wrapped around all of it.
func cleanTitle(s string) string {
	s = Fold(s)
	for len(s) >= 2 {
		first, last := text.FirstRune(s), text.LastRune(s)
		if !text.IsOpener(first) || !text.IsCloser(last) || strings.ContainsRune(s[len(string(first)):len(s)-len(string(last))], first) {
			break
		}
		s = strings.TrimSpace(s[len(string(first)) : len(s)-len(string(last))])
	}
	return s
}

// extractMetaLines removes the paragraphs that are metadata lines
// ("Source ID: X", "URL: https://…") and records them in m unless the
// format already set that field.
func extractMetaLines(blocks []block, m *meta) []block {
	out := blocks[:0] // filtered in place: the caller keeps only the result
	for _, b := range blocks {
		key, value, ok := metaLine(b.text)
		if !ok {
			out = append(out, b)
			continue
		}
		switch key {
		case "source":
			if m.source == "" {
				m.source = value
			}
		case "url":
			if m.url == "" {
				m.url = value
			}
		}
	}
	return out
}

// metaLine recognises a whole line or paragraph that carries metadata: a
// "Source ID: …" line gives the source; a "URL:", "Source:", "Link:" or
// "Canonical:" line whose value is one http(s) URL gives the URL.
func metaLine(text string) (key, value string, ok bool) {
	text = Fold(text)
	label, value, found := strings.Cut(text, ":")
	if !found || value == "" {
		return "", "", false
	}
	value = strings.TrimSpace(value)
	switch strings.ToLower(label) {
	case "source id", "source-id", "source_id":
		if len(strings.Fields(value)) <= 4 {
			return "source", value, true
		}
	case "url", "source", "link", "canonical", "original url", "source url":
		if isWebURL(value) {
			return "url", value, true
		}
	}
	return "", "", false
}

// isWebURL reports whether s is a single absolute http(s) URL.
func isWebURL(s string) bool {
	if strings.ContainsFunc(s, unicode.IsSpace) {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
