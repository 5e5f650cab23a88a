package corpus

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"framebot/internal/text"
)

const (
	// maxZipEntries bounds the entries of a DOCX or ODT package; real
	// documents have tens, a few hundred with many images.
	maxZipEntries = 10000
	// unpackFactor times Options.MaxFileSize is the most a package's parts
	// may unpack to in all: XML compresses about tenfold, so this admits
	// every real document of an admitted size and refuses zip bombs.
	unpackFactor = 4
	// maxRatio is the highest compression ratio accepted for a part larger
	// than ratioFloor bytes; text XML stays far below it, a bomb far above.
	maxRatio   = 200
	ratioFloor = 1 << 20
	// maxXMLDepth bounds element nesting in a package's XML.
	maxXMLDepth = 512
)

// cfbMagic starts an OLE compound file: what Word and LibreOffice write
// for a password-protected DOCX (the zip sits encrypted inside it), and
// the old binary .doc format.
var cfbMagic = []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}

// zipPackage reads the parts of a DOCX or ODT within a byte budget and a
// deadline.
type zipPackage struct {
	zr       *zip.Reader
	budget   int64 // bytes that may still be unpacked
	deadline time.Time
}

// openPackage opens data as a zip package. Errors wrap ErrEncrypted (an
// OLE-wrapped, password-protected file), ErrUnreadable (not a zip, or too
// many entries) or ErrTooLarge (declared sizes over the budget).
func openPackage(data []byte, opts Options) (*zipPackage, error) {
	if bytes.HasPrefix(data, cfbMagic) {
		return nil, fmt.Errorf("an OLE compound file (password-protected, or a binary .doc renamed): %w", ErrEncrypted)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("not a zip package (%v): %w", err, ErrUnreadable)
	}
	if len(zr.File) > maxZipEntries {
		return nil, fmt.Errorf("%d zip entries, over %d: %w", len(zr.File), maxZipEntries, ErrUnreadable)
	}
	return &zipPackage{zr: zr, budget: unpackFactor * opts.MaxFileSize, deadline: time.Now().Add(opts.ParseTimeout)}, nil
}

// read returns the content of the part name. A missing part is
// fs.ErrNotExist. A part that would exceed the budget, or that is
// compressed suspiciously well, is ErrTooLarge; whatever its header says,
// no more than the budget is ever unpacked.
func (p *zipPackage) read(name string) ([]byte, error) {
	var f *zip.File
	for _, zf := range p.zr.File {
		if zf.Name == name {
			f = zf
			break
		}
	}
	if f == nil {
		return nil, fmt.Errorf("part %s: %w", name, fs.ErrNotExist)
	}
	if f.Flags&0x1 != 0 {
		return nil, fmt.Errorf("part %s: %w", name, ErrEncrypted)
	}
	size := f.UncompressedSize64
	if size > uint64(p.budget) {
		return nil, fmt.Errorf("part %s unpacks to %d bytes, over the %d left of the limit: %w", name, size, p.budget, ErrTooLarge)
	}
	if size > ratioFloor && size > maxRatio*f.CompressedSize64 {
		return nil, fmt.Errorf("part %s compressed %d:1, a zip bomb: %w", name, size/max(f.CompressedSize64, 1), ErrTooLarge)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("part %s: %v: %w", name, err, ErrUnreadable)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, p.budget+1))
	if err != nil {
		return nil, fmt.Errorf("part %s: %v: %w", name, err, ErrUnreadable)
	}
	if int64(len(data)) > p.budget {
		return nil, fmt.Errorf("part %s unpacks to more than the %d bytes left of the limit: %w", name, p.budget, ErrTooLarge)
	}
	p.budget -= int64(len(data))
	return data, nil
}

// readOptional is read, with a missing part returned as nil data.
func (p *zipPackage) readOptional(name string) ([]byte, error) {
	data, err := p.read(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return data, err
}

// missingPart words the error of a package whose main part can't be read:
// a missing part makes the file unreadable as that format.
func missingPart(format string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("not a %s (%v): %w", format, err, ErrUnreadable)
	}
	return err
}

// xmlWalker decodes a package part token by token, bounding depth and time.
type xmlWalker struct {
	dec      *xml.Decoder
	part     string
	depth    int
	deadline time.Time
	n        int
}

func newXMLWalker(p *zipPackage, part string, data []byte) *xmlWalker {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = false
	dec.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		if strings.EqualFold(label, "utf-8") || strings.EqualFold(label, "utf8") {
			return r, nil
		}
		return nil, fmt.Errorf("charset %q", label)
	}
	return &xmlWalker{dec: dec, part: part, deadline: p.deadline}
}

// next returns the next token, io.EOF at the end, or an error wrapping
// ErrUnreadable.
func (w *xmlWalker) next() (xml.Token, error) {
	tok, err := w.dec.Token()
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		return nil, fmt.Errorf("part %s: %v: %w", w.part, err, ErrUnreadable)
	}
	switch tok.(type) {
	case xml.StartElement:
		w.depth++
		if w.depth > maxXMLDepth {
			return nil, fmt.Errorf("part %s nests deeper than %d elements: %w", w.part, maxXMLDepth, ErrUnreadable)
		}
	case xml.EndElement:
		w.depth--
	}
	if w.n++; w.n%4096 == 0 && time.Now().After(w.deadline) {
		return nil, fmt.Errorf("part %s: over the time limit: %w", w.part, ErrUnreadable)
	}
	return tok, nil
}

// skip consumes the rest of the element just started.
func (w *xmlWalker) skip() error {
	for d := 1; d > 0; {
		tok, err := w.next()
		if err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			d++
		case xml.EndElement:
			d--
		}
	}
	return nil
}

// xmlAttr returns the value of the attribute with the local name local.
func xmlAttr(e xml.StartElement, local string) string {
	for _, a := range e.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// dcTitle returns the dc:title of a core.xml or meta.xml part.
func dcTitle(p *zipPackage, part string) (string, error) {
	data, err := p.readOptional(part)
	if err != nil || data == nil {
		return "", err
	}
	w := newXMLWalker(p, part, data)
	var sb strings.Builder
	in := false
	for {
		tok, err := w.next()
		if err == io.EOF {
			return sb.String(), nil
		}
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			in = t.Name.Local == "title"
		case xml.EndElement:
			if in {
				return sb.String(), nil
			}
		case xml.CharData:
			if in {
				sb.Write(t)
			}
		}
	}
}

// paraBuffer collects the text of the paragraph being read.
type paraBuffer struct {
	sb strings.Builder
}

func (b *paraBuffer) text(s string) { b.sb.WriteString(s) }
func (b *paraBuffer) space()        { b.sb.WriteByte(' ') }
func (b *paraBuffer) take() string {
	s := Fold(b.sb.String())
	b.sb.Reset()
	return s
}

// markAll sets marked on every block: the format's markup says which are
// headings.
func markAll(blocks []block) []block {
	for i := range blocks {
		blocks[i].marked = true
	}
	return blocks
}

// firstHeading returns the text of the first heading block, "" if none.
func firstHeading(blocks []block) string {
	for _, b := range blocks {
		if b.kind == kindHeading && text.HasWord(b.text) {
			return b.text
		}
	}
	return ""
}

// tableRow collects the cells of the top-level table row being read.
type tableRow struct {
	cells []string
	cell  strings.Builder // the text of the cell being read
}

// start begins a new row.
func (t *tableRow) start() { t.cells = t.cells[:0] }

// text adds the text of a paragraph to the cell being read.
func (t *tableRow) text(s string) {
	if t.cell.Len() > 0 {
		t.cell.WriteByte(' ')
	}
	t.cell.WriteString(s)
}

// endCell ends the cell being read.
func (t *tableRow) endCell() {
	t.cells = append(t.cells, t.cell.String())
	t.cell.Reset()
}

// block returns the row as a block, and false when all its cells are
// empty.
func (t *tableRow) block() (block, bool) {
	row := rowText(t.cells)
	return block{text: row, kind: kindRow}, row != ""
}

// rowText joins the non-empty cells of a table row.
func rowText(cells []string) string {
	var kept []string
	for _, c := range cells {
		if c = Fold(c); c != "" {
			kept = append(kept, c)
		}
	}
	return strings.Join(kept, " | ")
}
