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
	var (
		para      paraBuffer
		stack     []paraBuffer // outer paragraphs while a note's are read
		pDepth    int
		heading   int // level of the open text:h, 0 in a text:p
		title     bool
		listDepth int
		noteDepth int
		tblDepth  int
		cells     []string
		cell      strings.Builder
	)
	emit := func(b block) {
		if noteDepth > 0 {
			notes = append(notes, b)
		} else {
			body = append(body, b)
		}
	}
	for {
		tok, err := w.next()
		if err == io.EOF {
			return body, notes, nil
		}
		if err != nil {
			return nil, nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name.Local
			switch {
			case odtSkipped[name]:
				if err := w.skip(); err != nil {
					return nil, nil, err
				}
			case name == "note-body":
				noteDepth++
				stack = append(stack, para)
				para = paraBuffer{}
				pDepth, heading = 0, 0
			case name == "list-item":
				listDepth++
			case name == "table" && t.Name.Space != "" && strings.Contains(t.Name.Space, "table"):
				tblDepth++
			case name == "table-row":
				if tblDepth == 1 && noteDepth == 0 {
					cells = cells[:0]
				}
			case name == "p" || name == "h":
				if pDepth++; pDepth == 1 {
					heading, title = 0, false
					if name == "h" {
						heading = 1
						if n, err := strconv.Atoi(xmlAttr(t, "outline-level")); err == nil && n >= 1 {
							heading = min(n, 9)
						}
					} else if s := strings.ToLower(xmlAttr(t, "style-name")); s == "title" || strings.HasPrefix(s, "heading") {
						title = true
					}
				} else {
					para.space()
				}
			case name == "s":
				n, err := strconv.Atoi(xmlAttr(t, "c"))
				if err != nil || n < 1 {
					n = 1
				}
				para.text(strings.Repeat(" ", min(n, 8)))
			case name == "tab" || name == "line-break":
				para.space()
			}
		case xml.EndElement:
			name := t.Name.Local
			switch {
			case name == "note-body":
				noteDepth--
				para = stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				pDepth, heading = 1, 0
			case name == "list-item":
				listDepth--
			case name == "table" && strings.Contains(t.Name.Space, "table"):
				tblDepth--
			case name == "table-cell":
				if tblDepth == 1 && noteDepth == 0 {
					cells = append(cells, cell.String())
					cell.Reset()
				}
			case name == "table-row":
				if tblDepth == 1 && noteDepth == 0 {
					if row := rowText(cells); row != "" {
						body = append(body, block{text: row, kind: kindRow})
					}
				}
			case name == "p" || name == "h":
				if pDepth--; pDepth > 0 {
					continue
				}
				text := para.take()
				switch {
				case text == "":
				case tblDepth > 0 && noteDepth == 0:
					if cell.Len() > 0 {
						cell.WriteByte(' ')
					}
					cell.WriteString(text)
				case heading > 0 || title:
					emit(block{text: text, kind: kindHeading, level: max(heading, 1)})
				case listDepth > 0:
					emit(block{text: text, kind: kindItem})
				default:
					emit(block{text: text, kind: kindPara})
				}
			}
		case xml.CharData:
			if pDepth > 0 {
				para.text(string(t))
			}
		}
	}
}
