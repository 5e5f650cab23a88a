package corpus

import (
	"os"
	"path/filepath"
	"testing"
)

// benchParse parses the file name of testdata/docs b.N times and reports
// pages per second for paged documents; b.SetBytes makes go test report
// the bytes read per second. Peak memory is the process's: run with
// /usr/bin/time -v (see README, Documents).
func benchParse(b *testing.B, name string) {
	data, err := os.ReadFile(filepath.Join("testdata", "docs", name))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := Parse(name, data, Options{PDF: testPDF}); err != nil { // starts the PDF engine outside the timing
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	pages := 0
	for b.Loop() {
		doc, err := Parse(name, data, Options{PDF: testPDF})
		if err != nil {
			b.Fatal(err)
		}
		pages += doc.Pages
	}
	if pages > 0 {
		b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
	}
}

func BenchmarkParsePDFpdfTeX(b *testing.B)      { benchParse(b, "camlidl-pdftex.pdf") }
func BenchmarkParsePDFLibreOffice(b *testing.B) { benchParse(b, "camlidl-libreoffice.pdf") }
func BenchmarkParseDOCX(b *testing.B)           { benchParse(b, "camlidl-pandoc.docx") }
func BenchmarkParseODT(b *testing.B)            { benchParse(b, "camlidl-libreoffice.odt") }
