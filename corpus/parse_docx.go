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
	var (
		out      []block
		para     paraBuffer
		inText   bool
		style    docxStyle
		numbered bool
		pDepth   int
		tblDepth int
		cells    []string // cells of the current top-level table row
		cell     strings.Builder
	)
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
			case "footnote", "endnote":
				if typ := xmlAttr(t, "type"); typ == "separator" || typ == "continuationSeparator" || typ == "continuationNotice" {
					if err := w.skip(); err != nil {
						return nil, err
					}
				}
			case "delText", "instrText", "footnoteReference", "endnoteReference":
				if err := w.skip(); err != nil {
					return nil, err
				}
			case "tbl":
				tblDepth++
			case "tr":
				if tblDepth == 1 {
					cells = cells[:0]
				}
			case "p":
				if pDepth++; pDepth == 1 {
					style, numbered = docxStyle{}, false
				}
			case "pStyle":
				if pDepth == 1 {
					id := xmlAttr(t, "val")
					s, ok := styles[id]
					if !ok {
						s = docxStyleByName(id, docxStyle{})
					}
					style = s
				}
			case "numPr":
				numbered = true
			case "t":
				inText = true
			case "tab", "br", "cr":
				para.space()
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				if pDepth--; pDepth > 0 {
					para.space()
					continue
				}
				text := para.take()
				switch {
				case tblDepth > 0:
					if cell.Len() > 0 {
						cell.WriteByte(' ')
					}
					cell.WriteString(text)
				case text == "" || style.toc:
				case style.heading > 0 || style.title:
					out = append(out, block{text: text, kind: kindHeading, level: max(style.heading, 1)})
				case numbered || style.list:
					out = append(out, block{text: text, kind: kindItem})
				default:
					out = append(out, block{text: text, kind: kindPara})
				}
			case "tc":
				if tblDepth == 1 {
					cells = append(cells, cell.String())
					cell.Reset()
				}
			case "tr":
				if tblDepth == 1 {
					if row := rowText(cells); row != "" {
						out = append(out, block{text: row, kind: kindRow})
					}
				}
			case "tbl":
				tblDepth--
			}
		case xml.CharData:
			if inText {
				para.text(string(t))
			}
		}
	}
}
