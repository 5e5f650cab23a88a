package corpus

import (
	"encoding/xml"
	"io"
	"strconv"
	"strings"
)

// docxStyle is what a paragraph style of a DOCX says about its role.
type docxStyle struct {
	heading int  // heading level, 0 for none
	title   bool // the "Title" style
	list    bool // a list style ("List Bullet", "List Paragraph"…)
	toc     bool // a table-of-contents entry ("TOC 1"…)
}

// parseDOCX reads an Office Open XML document: the paragraphs, headings (by
// style), list items and table rows of word/document.xml, then its
// footnotes and endnotes under a "Notes" heading. The title is
// docProps/core.xml's dc:title, else the first heading. Tables of contents
// are left out.
func parseDOCX(data []byte, opts Options) ([]block, meta, error) {
	p, err := openPackage(data, opts)
	if err != nil {
		return nil, meta{}, err
	}
	body, err := p.read("word/document.xml")
	if err != nil {
		return nil, meta{}, missingPart("DOCX", err)
	}
	styles, err := docxStyles(p)
	if err != nil {
		return nil, meta{}, err
	}
	blocks, err := docxBlocks(newXMLWalker(p, "word/document.xml", body), styles)
	if err != nil {
		return nil, meta{}, err
	}
	var notes []block
	for _, part := range []string{"word/footnotes.xml", "word/endnotes.xml"} {
		data, err := p.readOptional(part)
		if err != nil {
			return nil, meta{}, err
		}
		if data == nil {
			continue
		}
		b, err := docxBlocks(newXMLWalker(p, part, data), styles)
		if err != nil {
			return nil, meta{}, err
		}
		notes = append(notes, b...)
	}
	if len(notes) > 0 {
		blocks = append(blocks, block{text: "Notes", kind: kindHeading, level: 1})
		blocks = append(blocks, notes...)
	}
	var m meta
	if m.title, err = dcTitle(p, "docProps/core.xml"); err != nil {
		return nil, meta{}, err
	}
	if strings.TrimSpace(m.title) == "" {
		m.title = firstHeading(blocks)
	}
	return markAll(blocks), m, nil
}

// docxStyles maps the paragraph style IDs of word/styles.xml to their roles,
// by style name ("heading 2") or outline level.
func docxStyles(p *zipPackage) (map[string]docxStyle, error) {
	out := map[string]docxStyle{}
	data, err := p.readOptional("word/styles.xml")
	if err != nil || data == nil {
		return out, err
	}
	w := newXMLWalker(p, "word/styles.xml", data)
	var id string
	var cur docxStyle
	for {
		tok, err := w.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "style":
				id, cur = xmlAttr(t, "styleId"), docxStyle{}
			case "name":
				cur = docxStyleByName(xmlAttr(t, "val"), cur)
			case "outlineLvl":
				if n, err := strconv.Atoi(xmlAttr(t, "val")); err == nil && n >= 0 && n < 9 && cur.heading == 0 {
					cur.heading = n + 1
				}
			}
		case xml.EndElement:
			if t.Name.Local == "style" && id != "" {
				out[id] = cur
				id = ""
			}
		}
	}
}

// docxStyleByName reads a style's role from its name or ID.
func docxStyleByName(name string, s docxStyle) docxStyle {
	n := strings.ToLower(strings.ReplaceAll(name, " ", ""))
	switch {
	case n == "title":
		s.title = true
	case strings.HasPrefix(n, "heading"):
		if l, err := strconv.Atoi(strings.TrimPrefix(n, "heading")); err == nil && l >= 1 && l <= 9 {
			s.heading = l
		}
	case strings.HasPrefix(n, "toc") || strings.HasPrefix(n, "contents"):
		s.toc = true
	case strings.HasPrefix(n, "list"):
		s.list = true
	}
	return s
}

// docxBlocks reads the paragraphs and table rows of a WordprocessingML part.
func docxBlocks(w *xmlWalker, styles map[string]docxStyle) ([]block, error) {
	r := &docxReader{w: w, styles: styles}
	for {
		tok, err := w.next()
		if err == io.EOF {
			return r.out, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := r.start(t); err != nil {
				return nil, err
			}
		case xml.EndElement:
			r.end(t)
		case xml.CharData:
			if r.inText {
				r.para.text(string(t))
			}
		}
	}
}

// docxReader is where docxBlocks is in a part, and what it has read.
type docxReader struct {
	w        *xmlWalker
	styles   map[string]docxStyle
	out      []block
	para     paraBuffer
	inText   bool
	style    docxStyle
	numbered bool
	pDepth   int
	tblDepth int
	row      tableRow // the top-level table row being read
}

// start handles an opening tag; it returns the error of skipping an
// element that is never quoted.
func (r *docxReader) start(t xml.StartElement) error {
	switch t.Name.Local {
	case "footnote", "endnote":
		if typ := xmlAttr(t, "type"); typ == "separator" || typ == "continuationSeparator" || typ == "continuationNotice" {
			return r.w.skip()
		}
	case "delText", "instrText", "footnoteReference", "endnoteReference":
		return r.w.skip()
	case "tbl":
		r.tblDepth++
	case "tr":
		if r.tblDepth == 1 {
			r.row.start()
		}
	case "p":
		if r.pDepth++; r.pDepth == 1 {
			r.style, r.numbered = docxStyle{}, false
		}
	case "pStyle":
		if r.pDepth == 1 {
			id := xmlAttr(t, "val")
			s, ok := r.styles[id]
			if !ok {
				s = docxStyleByName(id, docxStyle{})
			}
			r.style = s
		}
	case "numPr":
		r.numbered = true
	case "t":
		r.inText = true
	case "tab", "br", "cr":
		r.para.space()
	}
	return nil
}

// end handles a closing tag.
func (r *docxReader) end(t xml.EndElement) {
	switch t.Name.Local {
	case "t":
		r.inText = false
	case "p":
		if r.pDepth--; r.pDepth > 0 {
			r.para.space()
			return
		}
		r.closePara()
	case "tc":
		if r.tblDepth == 1 {
			r.row.endCell()
		}
	case "tr":
		if r.tblDepth == 1 {
			if b, ok := r.row.block(); ok {
				r.out = append(r.out, b)
			}
		}
	case "tbl":
		r.tblDepth--
	}
}

// closePara ends the outermost paragraph: its text goes to the table cell
// being read, or becomes a heading, list item or paragraph block; a
// table of contents' entries are dropped.
func (r *docxReader) closePara() {
	text := r.para.take()
	switch {
	case r.tblDepth > 0:
		r.row.text(text)
	case text == "" || r.style.toc:
	case r.style.heading > 0 || r.style.title:
		r.out = append(r.out, block{text: text, kind: kindHeading, level: max(r.style.heading, 1)})
	case r.numbered || r.style.list:
		r.out = append(r.out, block{text: text, kind: kindItem})
	default:
		r.out = append(r.out, block{text: text, kind: kindPara})
	}
}
