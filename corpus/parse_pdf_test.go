package corpus

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// column sets text lines at x from y downwards, 14 points apart.
func column(x, y float64, lines ...string) []placed {
	out := make([]placed, len(lines))
	for i, l := range lines {
		out[i] = placed{x: x, y: y - 14*float64(i), size: 11, text: l}
	}
	return out
}

// withChrome adds a running header and a page-number footer to a page.
func withChrome(n int, lines ...[]placed) []placed {
	page := []placed{{x: 72, y: 760, size: 9, text: "Harbour Authority — Annual Report 2025"}, {x: 300, y: 30, size: 9, text: fmt.Sprint(n)}}
	for _, l := range lines {
		page = append(page, l...)
	}
	return page
}

// TestPDFLayout checks the layout rules on generated pages: running headers,
// footers and page numbers dropped, a table of contents left out, a heading
// found by its size, lines joined into paragraphs with the hyphens that cut
// words undone, two columns read one after the other, and each passage's
// page. The title is the first heading, which is not repeated as the
// section of the passages under it.
func TestPDFLayout(t *testing.T) {
	pages := [][]placed{
		withChrome(1,
			[]placed{{x: 72, y: 700, size: 18, text: "Contents"}},
			column(72, 670, "1 Introduction . . . . . . . . . . . . 2", "2 Dredging . . . . . . . . . . . . . . . 2", "3 Budget . . . . . . . . . . . . . . . . 3"),
		),
		withChrome(2,
			[]placed{{x: 72, y: 700, size: 18, text: "Introduction"}},
			column(72, 670,
				"The harbour committee met in March to review the dredg-",
				"ing of the outer channel, which silts up every winter and",
				"now limits ships to a draught of nine metres.",
			),
			column(72, 600,
				"A second paragraph starts after a blank line and it says",
				"that the quay walls were inspected in April."),
		),
		withChrome(3,
			[]placed{{x: 72, y: 730, size: 18, text: "Budget"}},
			column(72, 700,
				"The left column tells how the budget was",
				"set: the port dues rose by four per cent,",
				"and the state grant stayed the same as in",
				"the year before, which the board regretted.",
				"",
				"Fishing boats pay half dues in winter."),
			column(330, 700,
				"The right column comes next and ends the",
				"report: the board will meet again in June",
				"to decide on the new pilot boat and its",
				"crew, after the tenders have been opened.",
				"",
				"Visitors may tour the lighthouse on Sundays."),
		),
	}
	doc, err := Parse("report.pdf", placedPDF(pages), Options{PDF: testPDF})
	if err != nil {
		t.Fatal(err)
	}
	type para struct {
		Page    int
		Section string
		Text    string
	}
	var got []para
	for _, p := range doc.Passages {
		got = append(got, para{p.Page, p.Section, p.Text})
	}
	want := []para{
		{2, "", "The harbour committee met in March to review the dredging of the outer channel, which silts up every winter and now limits ships to a draught of nine metres."},
		{2, "", "A second paragraph starts after a blank line and it says that the quay walls were inspected in April."},
		{3, "Budget", "The left column tells how the budget was set: the port dues rose by four per cent, and the state grant stayed the same as in the year before, which the board regretted."},
		{3, "Budget", "Fishing boats pay half dues in winter."},
		{3, "Budget", "The right column comes next and ends the report: the board will meet again in June to decide on the new pilot boat and its crew, after the tenders have been opened."},
		{3, "Budget", "Visitors may tour the lighthouse on Sundays."},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("passages (-want +got):\n%s", diff)
	}
	if doc.Title != "Introduction" || doc.Pages != 3 {
		t.Errorf("title %q, pages %d; want the first heading, 3", doc.Title, doc.Pages)
	}
}

// TestPDFOutlineNamesSections gives a two-page PDF, set in one size, an
// outline: an entry whose words are a line of its page makes that line a
// heading; one whose words are not names the section from the top of its
// page.
func TestPDFOutlineNamesSections(t *testing.T) {
	content := func(lines ...placed) string {
		var c strings.Builder
		for _, l := range lines {
			fmt.Fprintf(&c, "BT /F1 11 Tf 1 0 0 1 %g %g Tm (%s) Tj ET\n", l.x, l.y, pdfEscape(l.text))
		}
		return stream(c.String())
	}
	page := func(contents int) string {
		return fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", contents)
	}
	data := buildPDF([]string{
		"<< /Type /Catalog /Pages 2 0 R /Outlines 8 0 R >>",
		"<< /Type /Pages /Kids [4 0 R 6 0 R] /Count 2 >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		page(5),
		content(placed{x: 72, y: 700, text: "Tides"}, placed{x: 72, y: 680, text: "The tide rises twice a day in the bay."}),
		page(7),
		content(placed{x: 72, y: 700, text: "Storms close the harbour about ten days a year."}),
		"<< /Type /Outlines /First 9 0 R /Last 10 0 R /Count 2 >>",
		"<< /Title (Tides) /Parent 8 0 R /Next 10 0 R /Dest [4 0 R /XYZ 0 792 0] >>",
		"<< /Title (Weather at sea) /Parent 8 0 R /Prev 9 0 R /Dest [6 0 R /XYZ 0 792 0] >>",
	})
	doc, err := Parse("harbour.pdf", data, Options{PDF: testPDF})
	if err != nil {
		t.Fatal(err)
	}
	var got [][2]string
	for _, p := range doc.Passages {
		got = append(got, [2]string{p.Section, p.Text})
	}
	want := [][2]string{
		{"", "The tide rises twice a day in the bay."}, // "Tides" is the title
		{"Weather at sea", "Storms close the harbour about ten days a year."},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sections (-want +got):\n%s", diff)
	}
}
