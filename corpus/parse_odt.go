package corpus

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// parseODT reads an OpenDocument text: the paragraphs, headings (text:h),
// list items and table rows of content.xml, then its footnotes and
// endnotes under a "Notes" heading. The title is meta.xml's dc:title, else
// the first heading. Tables of contents and other generated indexes,
// annotations and tracked deletions are left out.
func parseODT(data []byte, opts Options) ([]block, meta, error) {
	p, err := openPackage(data, opts)
	if err != nil {
		return nil, meta{}, err
	}
	manifest, err := p.readOptional("META-INF/manifest.xml")
	if err != nil {
		return nil, meta{}, err
	}
	if bytes.Contains(manifest, []byte("encryption-data")) {
		return nil, meta{}, fmt.Errorf("password-protected: %w", ErrEncrypted)
	}
	content, err := p.read("content.xml")
	if err != nil {
		return nil, meta{}, missingPart("ODT", err)
	}
	blocks, notes, err := odtBlocks(newXMLWalker(p, "content.xml", content))
	if err != nil {
		return nil, meta{}, err
	}
	if len(notes) > 0 {
		blocks = append(blocks, block{text: "Notes", kind: kindHeading, level: 1})
		blocks = append(blocks, notes...)
	}
	var m meta
	if m.title, err = dcTitle(p, "meta.xml"); err != nil {
		return nil, meta{}, err
	}
	if strings.TrimSpace(m.title) == "" {
		m.title = firstHeading(blocks)
	}
	return markAll(blocks), m, nil
}

// odtSkipped are elements whose content is never quoted: generated indexes
// (a table of contents), comments, tracked changes, note markers, and the
// style and form declarations.
var odtSkipped = setOf("table-of-content", "alphabetical-index", "illustration-index",
	"table-index", "object-index", "user-index", "bibliography", "annotation",
	"tracked-changes", "note-citation", "automatic-styles", "font-face-decls",
	"forms", "sequence-decls", "variable-decls", "user-field-decls", "covered-table-cell")

// odtBlocks reads the body of content.xml. Footnotes and endnotes are
// returned apart, in order, so that they don't cut the paragraph that
// cites them.
func odtBlocks(w *xmlWalker) (body, notes []block, err error) {
	r := &odtReader{w: w}
	for {
		tok, err := w.next()
		if err == io.EOF {
			return r.body, r.notes, nil
		}
		if err != nil {
			return nil, nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := r.start(t); err != nil {
				return nil, nil, err
			}
		case xml.EndElement:
			r.end(t)
		case xml.CharData:
			if r.pDepth > 0 {
				r.para.text(string(t))
			}
		}
	}
}

// odtReader is where odtBlocks is in content.xml, and what it has read.
type odtReader struct {
	w           *xmlWalker
	body, notes []block
	para        paraBuffer
	stack       []paraBuffer // outer paragraphs while a note's are read
	pDepth      int
	heading     int // level of the open text:h, 0 in a text:p
	title       bool
	listDepth   int
	noteDepth   int
	tblDepth    int
	row         tableRow // the top-level table row being read
}

// start handles an opening tag; it returns the error of skipping an
// element that is never quoted.
func (r *odtReader) start(t xml.StartElement) error {
	name := t.Name.Local
	switch {
	case odtSkipped[name]:
		return r.w.skip()
	case name == "note-body":
		r.noteDepth++
		r.stack = append(r.stack, r.para)
		r.para = paraBuffer{}
		r.pDepth, r.heading = 0, 0
	case name == "list-item":
		r.listDepth++
	case name == "table" && t.Name.Space != "" && strings.Contains(t.Name.Space, "table"):
		r.tblDepth++
	case name == "table-row":
		if r.tblDepth == 1 && r.noteDepth == 0 {
			r.row.start()
		}
	case name == "p" || name == "h":
		r.openPara(t)
	case name == "s":
		n, err := strconv.Atoi(xmlAttr(t, "c"))
		if err != nil || n < 1 {
			n = 1
		}
		r.para.text(strings.Repeat(" ", min(n, 8)))
	case name == "tab" || name == "line-break":
		r.para.space()
	}
	return nil
}

// openPara starts a text:p or text:h, or a space in the paragraph that
// holds it.
func (r *odtReader) openPara(t xml.StartElement) {
	if r.pDepth++; r.pDepth > 1 {
		r.para.space()
		return
	}
	r.heading, r.title = 0, false
	if t.Name.Local == "h" {
		r.heading = 1
		if n, err := strconv.Atoi(xmlAttr(t, "outline-level")); err == nil && n >= 1 {
			r.heading = min(n, 9)
		}
	} else if s := strings.ToLower(xmlAttr(t, "style-name")); s == "title" || strings.HasPrefix(s, "heading") {
		r.title = true
	}
}

// end handles a closing tag.
func (r *odtReader) end(t xml.EndElement) {
	name := t.Name.Local
	switch {
	case name == "note-body":
		r.noteDepth--
		r.para = r.stack[len(r.stack)-1]
		r.stack = r.stack[:len(r.stack)-1]
		r.pDepth, r.heading = 1, 0
	case name == "list-item":
		r.listDepth--
	case name == "table" && strings.Contains(t.Name.Space, "table"):
		r.tblDepth--
	case name == "table-cell":
		if r.tblDepth == 1 && r.noteDepth == 0 {
			r.row.endCell()
		}
	case name == "table-row":
		if r.tblDepth == 1 && r.noteDepth == 0 {
			if b, ok := r.row.block(); ok {
				r.body = append(r.body, b)
			}
		}
	case name == "p" || name == "h":
		if r.pDepth--; r.pDepth == 0 {
			r.closePara()
		}
	}
}

// closePara ends the outermost paragraph: its text goes to the table
// cell being read, or becomes a heading, list item or paragraph block.
func (r *odtReader) closePara() {
	text := r.para.take()
	switch {
	case text == "":
	case r.tblDepth > 0 && r.noteDepth == 0:
		r.row.text(text)
	case r.heading > 0 || r.title:
		r.emit(block{text: text, kind: kindHeading, level: max(r.heading, 1)})
	case r.listDepth > 0:
		r.emit(block{text: text, kind: kindItem})
	default:
		r.emit(block{text: text, kind: kindPara})
	}
}

// emit adds b to the notes inside a note, else to the body.
func (r *odtReader) emit(b block) {
	if r.noteDepth > 0 {
		r.notes = append(r.notes, b)
	} else {
		r.body = append(r.body, b)
	}
}
