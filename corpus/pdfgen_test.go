package corpus

import (
	"archive/zip"
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// buildPDF writes a PDF whose objects, numbered from 1, are objs; object 1
// must be the catalog. Offsets and the cross-reference table are computed,
// so the file is well-formed unless the objects are not.
func buildPDF(objs []string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// stream is a PDF stream object holding content.
func stream(content string) string {
	return fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content)
}

// textPDF makes a PDF of pages pages; page i shows the lines of pageText(i)
// (1-based) in Helvetica 11, from the top down.
func textPDF(pages int, pageText func(i int) []string) []byte {
	// 1 catalog, 2 pages, 3 font, then a page and its content per page.
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
	var kids []string
	for i := 1; i <= pages; i++ {
		pageObj := len(objs) + 1
		kids = append(kids, fmt.Sprintf("%d 0 R", pageObj))
		var c strings.Builder
		c.WriteString("BT /F1 11 Tf 14 TL 72 760 Td\n")
		for _, line := range pageText(i) {
			fmt.Fprintf(&c, "(%s) Tj T*\n", pdfEscape(line))
		}
		c.WriteString("ET")
		objs = append(objs,
			fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", pageObj+1),
			stream(c.String()))
	}
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), pages)
	return buildPDF(objs)
}

func pdfEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`).Replace(s)
}

// manyPagesPDF makes a PDF of n pages that all share one page object's
// content: a big page count in a small file.
func manyPagesPDF(n int) []byte {
	kids := make([]string, n)
	for i := range kids {
		kids[i] = "4 0 R"
	}
	return buildPDF([]string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>",
		stream("BT /F1 11 Tf 72 400 Td (The same words on every page of a very long report.) Tj ET"),
	})
}

// deepPagesPDF makes a PDF whose page tree nests depth levels deep before
// its one page.
func deepPagesPDF(depth int) []byte {
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>"}
	for i := 0; i < depth; i++ {
		self := len(objs) + 1
		parent := ""
		if i > 0 {
			parent = fmt.Sprintf(" /Parent %d 0 R", self-1)
		}
		objs = append(objs, fmt.Sprintf("<< /Type /Pages%s /Kids [%d 0 R] /Count 1 >>", parent, self+1))
	}
	leaf := len(objs) + 1
	objs = append(objs,
		fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R >>", leaf-1, leaf+1),
		stream("0 0 m 100 100 l S"))
	return buildPDF(objs)
}

// scannedPDF makes a one-page PDF that only paints an image, as a scanner
// does: no text layer.
func scannedPDF() []byte {
	return buildPDF([]string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
		stream("q 500 0 0 700 50 50 cm BI /W 4 /H 4 /CS /G /BPC 8 ID \x00\x40\x80\xff\x00\x40\x80\xff\x00\x40\x80\xff\x00\x40\x80\xff EI Q"),
	})
}

// zipFiles packs files (name → content) into a zip, deflated.
func zipFiles(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(files[name])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// docxXML wraps WordprocessingML body content in a document.xml.
func docxXML(body string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body + `</w:body></w:document>`
}

// placed is a line of text at a position on a generated page.
type placed struct {
	x, y, size float64
	text       string
}

// placedPDF makes a PDF whose page i shows the lines pages[i] where they
// say, in Helvetica.
func placedPDF(pages [][]placed) []byte {
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
	var kids []string
	for _, lines := range pages {
		pageObj := len(objs) + 1
		kids = append(kids, fmt.Sprintf("%d 0 R", pageObj))
		var c strings.Builder
		for _, l := range lines {
			fmt.Fprintf(&c, "BT /F1 %g Tf 1 0 0 1 %g %g Tm (%s) Tj ET\n", l.size, l.x, l.y, pdfEscape(l.text))
		}
		objs = append(objs,
			fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", pageObj+1),
			stream(c.String()))
	}
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(pages))
	return buildPDF(objs)
}
