package corpus

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"framebot/internal/text"
)

// parsePDF reads the text layer of a PDF with opts.PDF (see
// PDFEngine.read; without one, with an engine started for this file) and
// lays it out as blocks: lines rebuilt from text runs, two-column pages
// read column by column, running headers, footers, page numbers and
// tables of contents dropped, lines joined into paragraphs with
// end-of-line hyphens undone, headings found by font size and by the
// outline. Every block knows its page. The title is the PDF's Title metadata, else its first heading.
//
// Errors wrap ErrNoTextLayer (pages but no text: a scan), ErrEncrypted or
// ErrUnreadable.
func parsePDF(data []byte, opts Options) ([]block, meta, error) {
	ctx, cancel := context.WithTimeout(context.Background(), opts.ParseTimeout)
	defer cancel()
	engine := opts.PDF
	if engine == nil {
		engine = NewPDFEngine()
		defer engine.Close()
	}
	c, err := engine.read(ctx, data, opts.MaxPages)
	if err != nil {
		return nil, meta{}, err
	}
	blocks := layoutPDF(c)
	if len(blocks) == 0 {
		if c.total > 0 && !hasText(c) {
			return nil, meta{}, fmt.Errorf("%d pages without text: %w", c.total, ErrNoTextLayer)
		}
		return nil, meta{}, ErrEmpty
	}
	m := meta{title: c.title, pages: len(c.pages)}
	if untitled(m.title) {
		m.title = firstHeading(blocks)
	}
	return blocks, m, nil
}

// untitled reports whether a metadata title says nothing: empty, or a
// producer's placeholder ("Untitled", "Microsoft Word - x.doc").
func untitled(t string) bool {
	t = strings.ToLower(strings.TrimSpace(t))
	return !text.HasWord(t) || t == "untitled" || strings.HasPrefix(t, "microsoft word - ") || strings.HasSuffix(t, ".dvi")
}

func hasText(c *pdfContent) bool {
	for _, p := range c.pages {
		for _, r := range p.runs {
			if text.HasWord(r.text) {
				return true
			}
		}
	}
	return false
}

// pdfLine is a line of text, or the part of one inside a column.
type pdfLine struct {
	text                     string
	left, top, right, bottom float64
	size                     float64 // font size of most of its characters
	page                     int
	heading                  int  // heading level from the outline or font size, 0 for none
	row                      bool // cells of a table row, joined by " | "
}

// layoutPDF turns the pages of c into blocks.
func layoutPDF(c *pdfContent) []block {
	pages := make([][]pdfLine, len(c.pages))
	for i, p := range c.pages {
		pages[i] = readingOrder(pageLines(p), p.width)
	}
	dropRunningLines(pages, c.pages)
	dropContents(pages)
	body := bodySize(pages)
	found := markHeadings(pages, body)
	if markOutline(pages, c.bookmarks) {
		found = true
	}
	blocks := pdfParagraphs(pages, body)
	if found {
		markAll(blocks)
	}
	return blocks
}

// pageLines groups the runs of a page into lines: runs that overlap
// vertically form a line, which is cut where a gap wider than two
// characters separates columns. Small runs raised above the line
// (footnote marks) are dropped.
func pageLines(p pdfPage) []pdfLine {
	runs := make([]pdfRun, 0, len(p.runs))
	for _, r := range p.runs {
		r.text = strings.Map(pdfChar, r.text)
		if strings.TrimSpace(r.text) != "" && r.top > r.bottom && r.right >= r.left {
			runs = append(runs, r)
		}
	}
	slices.SortStableFunc(runs, func(a, b pdfRun) int { return cmp.Compare(b.top+b.bottom, a.top+a.bottom) })
	var out []pdfLine
	for i := 0; i < len(runs); {
		j, top, bottom := i+1, runs[i].top, runs[i].bottom
		for ; j < len(runs); j++ {
			r := runs[j]
			overlap := math.Min(top, r.top) - math.Max(bottom, r.bottom)
			if overlap < 0.5*math.Min(top-bottom, r.top-r.bottom) {
				break
			}
			top, bottom = math.Max(top, r.top), math.Min(bottom, r.bottom)
		}
		out = append(out, splitLine(runs[i:j], p.num)...)
		i = j
	}
	return out
}

// pdfChar maps the characters PDFium uses for soft hyphens and line ends.
func pdfChar(r rune) rune {
	switch r {
	case 0x02, 0xad:
		return '-'
	case '\r', '\n', 0:
		return ' '
	}
	return r
}

// splitLine orders the runs of one line left to right and cuts it at wide
// gaps.
func splitLine(runs []pdfRun, page int) []pdfLine {
	slices.SortFunc(runs, func(a, b pdfRun) int { return cmp.Compare(a.left, b.left) })
	size := dominantSize(runs)
	var out []pdfLine
	var cur *pdfLine
	var sb strings.Builder
	flush := func() {
		if cur != nil {
			cur.text = Fold(sb.String())
			if cur.text != "" {
				out = append(out, *cur)
			}
		}
		sb.Reset()
		cur = nil
	}
	base := math.Inf(1)
	for _, r := range runs {
		base = math.Min(base, r.bottom)
	}
	for _, r := range runs {
		if r.size < 0.8*size && r.bottom > base+0.25*size && utf8.RuneCountInString(strings.TrimSpace(r.text)) <= 3 {
			continue // a superscript mark
		}
		if cur != nil && r.left-cur.right > 2*size {
			flush()
		}
		if cur == nil {
			cur = &pdfLine{left: r.left, top: r.top, right: r.right, bottom: r.bottom, size: size, page: page}
		} else {
			if r.left-cur.right > 0.15*size && !strings.HasSuffix(sb.String(), " ") && !strings.HasPrefix(r.text, " ") {
				sb.WriteByte(' ')
			}
			cur.right = math.Max(cur.right, r.right)
			cur.top, cur.bottom = math.Max(cur.top, r.top), math.Min(cur.bottom, r.bottom)
		}
		sb.WriteString(r.text)
	}
	flush()
	return out
}

// dominantSize is the font size of most characters of runs.
func dominantSize(runs []pdfRun) float64 {
	count := map[float64]int{}
	best, bestN := 0.0, -1
	for _, r := range runs {
		s := math.Round(r.size*2) / 2
		count[s] += utf8.RuneCountInString(r.text)
		if count[s] > bestN || count[s] == bestN && s > best {
			best, bestN = s, count[s]
		}
	}
	return best
}

// readingOrder sorts the lines of a page top to bottom; on a page set in
// two columns, each band of column lines is read left column first.
func readingOrder(lines []pdfLine, width float64) []pdfLine {
	slices.SortStableFunc(lines, func(a, b pdfLine) int {
		if math.Abs(a.bottom-b.bottom) > 0.3*math.Min(a.size, b.size) {
			return cmp.Compare(b.bottom, a.bottom)
		}
		return cmp.Compare(a.left, b.left)
	})
	gutter, ok := findGutter(lines, width)
	if !ok {
		return mergeRows(lines)
	}
	out := make([]pdfLine, 0, len(lines))
	var left, right []pdfLine
	flush := func() {
		out = append(append(out, left...), right...)
		left, right = left[:0], right[:0]
	}
	for _, l := range lines {
		switch {
		case l.right <= gutter:
			left = append(left, l)
		case l.left >= gutter:
			right = append(right, l)
		default: // spans both columns: a title or a full-width figure caption
			flush()
			out = append(out, l)
		}
	}
	flush()
	return out
}

// mergeRows joins the pieces of one line that wide gaps separate (the cells
// of a table row, a term and its page number) into one line of cells.
func mergeRows(lines []pdfLine) []pdfLine {
	out := lines[:0]
	for _, l := range lines {
		if n := len(out); n > 0 && math.Abs(out[n-1].bottom-l.bottom) <= 0.3*math.Min(l.size, out[n-1].size) && l.left > out[n-1].right {
			p := &out[n-1]
			p.text += " | " + l.text
			p.right, p.top, p.bottom = l.right, math.Max(p.top, l.top), math.Min(p.bottom, l.bottom)
			p.row = true
			continue
		}
		out = append(out, l)
	}
	return out
}

// findGutter looks in the middle of the page for an x that no line
// crosses, with at least five lines on each side: the gutter of a
// two-column page.
func findGutter(lines []pdfLine, width float64) (float64, bool) {
	if width <= 0 || len(lines) < 10 {
		return 0, false
	}
	best, bestCross := 0.0, len(lines)+1
	for x := 0.35 * width; x <= 0.65*width; x += 2 {
		cross, l, r := 0, 0, 0
		for _, line := range lines {
			switch {
			case line.right <= x:
				l++
			case line.left >= x:
				r++
			default:
				cross++
			}
		}
		if l >= 5 && r >= 5 && cross < bestCross {
			best, bestCross = x, cross
		}
	}
	return best, bestCross <= len(lines)/10
}

var (
	digitsRe  = regexp.MustCompile(`\d+`)
	pageNumRe = regexp.MustCompile(`(?i)^(page\s*)?[-–—(\[]?\s*(\d{1,5}|[ivxlcdm]{1,7})\s*[-–—)\]]?(\s*(of|/)\s*\d{1,5})?$`)
	leaderRe  = regexp.MustCompile(`(\.\s?){4,}|(…\s?){2,}|(_\s?){4,}|(·\s?){4,}`)
	endNumRe  = regexp.MustCompile(`\s(\d{1,5}|[ivxlcdm]{1,7})$`)
)

// marginBand is the share of the page height, at the top and at the
// bottom, where running headers and footers sit.
const marginBand = 0.15

// dropRunningLines removes page numbers and the running headers and
// footers: lines in the top or bottom band of the page each of whose
// cells ("User Guide | Chapter 2 Graphics") is a page number or, digits
// aside, repeats in the bands of at least a third of the pages, or of
// three pages for a chapter's running title in a longer document.
func dropRunningLines(pages [][]pdfLine, src []pdfPage) {
	inBand := func(l pdfLine, p pdfPage) bool {
		return p.height > 0 && (l.bottom >= p.height*(1-marginBand) || l.top <= p.height*marginBand)
	}
	cells := func(l pdfLine) []string {
		out := strings.Split(strings.ToLower(l.text), " | ")
		for i, c := range out {
			out[i] = digitsRe.ReplaceAllString(c, "#")
		}
		return out
	}
	seen := map[string]int{}
	for i, lines := range pages {
		keys := map[string]bool{}
		for _, l := range lines {
			if inBand(l, src[i]) {
				for _, c := range cells(l) {
					keys[c] = true
				}
			}
		}
		for k := range keys {
			seen[k]++
		}
	}
	minPages := max(3, (len(pages)+2)/3)
	if len(pages) >= 12 {
		minPages = 3
	}
	running := func(l pdfLine) bool {
		for i, c := range cells(l) {
			if !pageNumRe.MatchString(strings.Split(l.text, " | ")[i]) && seen[c] < minPages {
				return false
			}
		}
		return true
	}
	for i, lines := range pages {
		pages[i] = slices.DeleteFunc(lines, func(l pdfLine) bool { return inBand(l, src[i]) && running(l) })
	}
}

// dropContents removes dot-leader lines anywhere, and the entries of table
// of contents pages: pages where most lines end with a page number.
func dropContents(pages [][]pdfLine) {
	for i, lines := range pages {
		n := len(lines)
		lines = slices.DeleteFunc(lines, func(l pdfLine) bool { return leaderRe.MatchString(l.text) })
		if len(lines) < n {
			lines = slices.DeleteFunc(lines, func(l pdfLine) bool { return isContentsTitle(l.text) })
		}
		numbered := 0
		for _, l := range lines {
			if endNumRe.MatchString(l.text) {
				numbered++
			}
		}
		if len(lines) >= 5 && numbered*2 >= len(lines) {
			lines = slices.DeleteFunc(lines, func(l pdfLine) bool {
				return endNumRe.MatchString(l.text) || isContentsTitle(l.text)
			})
		}
		pages[i] = lines
	}
}

func isContentsTitle(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "contents", "table of contents", "inhalt", "inhaltsverzeichnis", "sommaire", "table des matières", "índice", "indice":
		return true
	}
	return false
}

// bodySize is the font size of most of the document's characters.
func bodySize(pages [][]pdfLine) float64 {
	count := map[float64]int{}
	best, bestN := 0.0, 0
	for _, lines := range pages {
		for _, l := range lines {
			s := math.Round(l.size*2) / 2
			count[s] += len(l.text)
			if count[s] > bestN {
				best, bestN = s, count[s]
			}
		}
	}
	return best
}

// maxHeadingWords bounds a line taken for a heading by its font.
const maxHeadingWords = 16

// markHeadings marks short lines set larger than the body text as
// headings, the largest size level 1. It reports whether it found any.
func markHeadings(pages [][]pdfLine, body float64) bool {
	var sizes []float64
	isHeading := func(l pdfLine) bool {
		return l.size >= 1.08*body && wordCount(l.text) <= maxHeadingWords && hasLetter(l.text)
	}
	for _, lines := range pages {
		for _, l := range lines {
			if isHeading(l) {
				sizes = append(sizes, math.Round(l.size*2)/2)
			}
		}
	}
	slices.Sort(sizes)
	sizes = slices.Compact(sizes)
	slices.Reverse(sizes)
	for _, lines := range pages {
		for i, l := range lines {
			if isHeading(l) {
				lines[i].heading = min(slices.Index(sizes, math.Round(l.size*2)/2)+1, 6)
			}
		}
	}
	return len(sizes) > 0
}

func hasLetter(s string) bool { return strings.IndexFunc(s, unicode.IsLetter) >= 0 }

// markOutline marks the line each outline entry names on its page as a
// heading of the entry's level. It reports whether the PDF has an
// outline that points at pages.
func markOutline(pages [][]pdfLine, bms []pdfBookmark) bool {
	any := false
	inserted := map[int]int{} // entries put at the top of a page so far
	for _, bm := range bms {
		if bm.page < 1 || bm.page > len(pages) || !text.HasWord(bm.title) {
			continue
		}
		any = true
		want := strings.Join(text.Words(bm.title), " ")
		lines := pages[bm.page-1]
		found := false
		for i, l := range lines {
			got := strings.Join(text.Words(l.text), " ")
			if got == want || strings.HasSuffix(got, " "+want) && len(got)-len(want) <= 12 {
				if lines[i].heading == 0 || lines[i].heading > bm.level {
					lines[i].heading = min(bm.level, 6)
				}
				found = true
				break
			}
		}
		if !found && len(lines) > 0 {
			// The entry's words are not a line of its page: it still names
			// the section that starts there.
			top, at := lines[0], inserted[bm.page]
			inserted[bm.page]++
			pages[bm.page-1] = slices.Insert(lines, at, pdfLine{text: bm.title, left: top.left, right: top.left,
				top: top.top + top.size, bottom: top.top + 0.1, size: top.size, page: bm.page, heading: min(bm.level, 6)})
		}
	}
	return any
}

// pdfParagraphs rebuilds paragraphs from lines in reading order. A paragraph
// ends at a heading, a list bullet, a wider gap than the line spacing, a
// first-line indent, or after a line that stops well short of the column's
// right edge. A paragraph carried over to the next page keeps the page it
// starts on.
func pdfParagraphs(pages [][]pdfLine, body float64) []block {
	var out []block
	var cur *block
	var prev pdfLine
	prevEdge := 0.0 // right edge of prev's column
	// Footnotes of a page are held until the paragraph that the page break
	// cuts ends, on the next page, so that they don't cut it.
	var held, notes []block
	flush := func() {
		if cur != nil && text.HasWord(cur.text) {
			out = append(out, *cur)
		}
		cur = nil
		out = append(out, held...)
		held = nil
	}
	for _, lines := range pages {
		held = append(held, notes...)
		lines, notes = splitFootnotes(lines, body)
		g := pdfColumns{body: body, pitch: linePitch(lines, body)}
		g.left, g.right = columnEdges(lines)
		for i, l := range lines {
			if l.heading > 0 {
				if cur != nil && cur.kind == kindHeading && prev.heading == l.heading && prev.page == l.page && lineStep(prev, l) < 1.6*g.pitch {
					cur.text += " " + l.text // a heading set on two lines
					prev = l
					continue
				}
				flush()
				cur = &block{text: l.text, kind: kindHeading, level: l.heading, page: l.page}
				prev = l
				continue
			}
			if l.row {
				flush()
				out = append(out, block{text: l.text, kind: kindRow, page: l.page})
				prev = l
				continue
			}
			item, text := stripBullet(l.text)
			newPara := cur == nil || cur.kind == kindHeading || item || g.breaks(cur, prev, l, text, i == 0, prevEdge)
			if newPara {
				flush()
				k := kindPara
				if item {
					k = kindItem
				}
				cur = &block{kind: k, text: text, page: l.page}
			} else {
				cur.text = joinHyphenated(cur.text, text)
				if l.page != prev.page {
					cur.breaks = append(cur.breaks, pageBreak{offset: len(cur.text) - len(text), page: l.page})
				}
			}
			prev, prevEdge = l, g.right[colOf(l, g.left)]
		}
	}
	flush()
	return append(out, notes...)
}

// pdfColumns is what pdfParagraphs knows of the page it reads: the body
// text's font size, the line pitch, and the left and right edges of each
// column.
type pdfColumns struct {
	body, pitch float64
	left, right [2]float64
}

// breaks reports whether line l (text, without its bullet) starts a new
// paragraph rather than carrying on paragraph cur after line prev. first
// says l is the first line of its page; prevEdge is the right edge of
// prev's column.
func (g pdfColumns) breaks(cur *block, prev, l pdfLine, text string, first bool, prevEdge float64) bool {
	if first || prev.bottom-l.top < -0.5*l.size {
		// The first line of a page or of a column carries on only a
		// sentence cut by the break, in the same font.
		return endsSentence(cur.text) || !startsLower(text) || math.Abs(l.size-prev.size) > 0.12*g.body ||
			prevEdge-prev.right > firstWordWidth(text, l.size)
	}
	inItem := cur.kind == kindItem
	col := colOf(l, g.left)
	return lineStep(prev, l) > 1.2*g.pitch+0.05*l.size ||
		!inItem && l.left-g.left[col] > 1.2*l.size && prev.left-g.left[col] <= 1.2*l.size ||
		g.right[col]-prev.right > firstWordWidth(text, l.size) ||
		math.Abs(l.size-prev.size) > 0.12*g.body
}

// splitFootnotes separates the footnotes at the foot of a page, the last
// lines set smaller than the body text, from the lines above them. Each
// footnote is a paragraph of its own; a note's second line, starting in
// lower case, is joined to its first.
func splitFootnotes(lines []pdfLine, body float64) ([]pdfLine, []block) {
	i := len(lines)
	for i > 0 && lines[i-1].size < 0.92*body && lines[i-1].heading == 0 {
		i--
	}
	if i == 0 || i == len(lines) {
		return lines, nil
	}
	var notes []block
	for _, l := range lines[i:] {
		if n := len(notes); n > 0 && startsLower(l.text) {
			notes[n-1].text = joinHyphenated(notes[n-1].text, l.text)
			continue
		}
		notes = append(notes, block{text: l.text, kind: kindPara, page: l.page})
	}
	return lines[:i], notes
}

// joinHyphenated appends a line to a paragraph, undoing a hyphen that cut
// a word at the line end ("manage-" + "ment"), but keeping the hyphen of a
// compound ("well-" + "Known", "C-" + "2").
func joinHyphenated(para, line string) string {
	if strings.HasSuffix(para, "-") && !strings.HasSuffix(para, " -") && !strings.HasSuffix(para, "--") {
		before, _ := utf8.DecodeLastRuneInString(para[:len(para)-1])
		if unicode.IsLetter(before) && startsLower(line) {
			return para[:len(para)-1] + line
		}
	}
	return para + " " + line
}

// firstWordWidth estimates the width of the first word of s and a space:
// if the line before ended further from the right edge than that, the
// word would have fit there, so that line ended its paragraph.
func firstWordWidth(s string, size float64) float64 {
	word, _, _ := strings.Cut(s, " ")
	return float64(utf8.RuneCountInString(word)+2) * 0.55 * size
}

func startsLower(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLower(r)
}

// lineStep is the distance from one line down to the next, measured at
// whichever of their tops and bottoms moved less: glyph boxes hug the
// letters, so a line without descenders or capitals would otherwise seem
// set apart.
func lineStep(prev, l pdfLine) float64 {
	return math.Min(prev.bottom-l.bottom, prev.top-l.top)
}

// linePitch is the usual lineStep between the lines of a page (the
// leading), or 1.2 times the body size on a page of one line.
func linePitch(lines []pdfLine, body float64) float64 {
	var steps []float64
	for i := 1; i < len(lines); i++ {
		if d := lineStep(lines[i-1], lines[i]); d > 0 && d < 4*body {
			steps = append(steps, d)
		}
	}
	if len(steps) == 0 {
		return 1.2 * body
	}
	slices.Sort(steps)
	return steps[len(steps)/2]
}

// columnEdges returns the usual left and right edges of the text on a
// page, for its left half and its right half: the most common left edge
// and the greatest right edge.
func columnEdges(lines []pdfLine) (left, right [2]float64) {
	var counts [2]map[float64]int
	for i := range counts {
		counts[i] = map[float64]int{}
		left[i] = math.Inf(1)
	}
	mid := 0.0
	for _, l := range lines {
		mid = math.Max(mid, l.right)
	}
	mid /= 2
	for _, l := range lines {
		c := 0
		if l.left >= mid {
			c = 1
		}
		x := math.Round(l.left)
		counts[c][x]++
		if n := counts[c][x]; n > counts[c][left[c]] || n == counts[c][left[c]] && x < left[c] {
			left[c] = x
		}
		right[c] = math.Max(right[c], l.right)
	}
	for c := range left {
		if math.IsInf(left[c], 1) {
			left[c] = 0
		}
	}
	return left, right
}

// colOf returns 1 for a line that starts in the right column, 0 otherwise.
func colOf(l pdfLine, left [2]float64) int {
	if left[1] > left[0] && l.left >= left[1]-1 {
		return 1
	}
	return 0
}
