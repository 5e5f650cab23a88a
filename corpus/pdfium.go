package corpus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/klippa-app/go-pdfium"
	pdferrors "github.com/klippa-app/go-pdfium/errors"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

const (
	// pdfWorkers bounds how many PDFs are read at once; each worker is a
	// PDFium WebAssembly instance with its own memory.
	pdfWorkers = 2
	// pdfMemoryPages bounds the memory of one PDFium instance, in 64 KiB
	// WebAssembly pages: 8192 pages are 512 MiB. A PDF that needs more
	// fails to load and is skipped as unreadable.
	pdfMemoryPages = 8192
	// maxBookmarks bounds the outline entries read from one PDF.
	maxBookmarks = 5000
)

// PDFEngine reads PDFs with PDFium compiled to WebAssembly. Compiling
// the module takes seconds, so an engine compiles it once, on the first
// PDF it reads, and every Load, LoadFile or Parse given the engine in
// Options.PDF shares it: a corpus without PDFs never starts the runtime.
// Each file gets a fresh instance of the compiled module, so that one
// file's memory is released before the next and a file that hangs can be
// killed alone.
//
// The engine is safe for concurrent use. Its owner closes it once nothing
// reads PDFs with it any more.
type PDFEngine struct {
	mu     sync.Mutex
	pool   pdfium.Pool
	err    error // the error that started the engine, kept for later calls
	closed bool
}

// NewPDFEngine returns an engine that starts on the first PDF it reads.
func NewPDFEngine() *PDFEngine { return &PDFEngine{} }

// Close stops the engine's runtime, if it was started; PDFs read with it
// afterwards fail with ErrUnreadable. Closing a closed engine does nothing.
func (e *PDFEngine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	if e.pool == nil {
		return nil
	}
	if err := e.pool.Close(); err != nil {
		return fmt.Errorf("stop the PDF engine: %w", err)
	}
	return nil
}

// get returns the engine's pool, starting it on the first call.
func (e *PDFEngine) get() (pdfium.Pool, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, fmt.Errorf("the PDF engine is closed: %w", ErrUnreadable)
	}
	if e.pool == nil && e.err == nil {
		e.pool, e.err = startPDF()
	}
	return e.pool, e.err
}

// startPDF compiles PDFium (or loads it from the compilation cache) and
// returns a pool of at most pdfWorkers instances.
func startPDF() (pdfium.Pool, error) {
	rc := wazero.NewRuntimeConfig().
		WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling).
		WithMemoryLimitPages(pdfMemoryPages)
	if cache := compilationCache(); cache != nil {
		rc = rc.WithCompilationCache(cache)
	}
	pool, err := webassembly.Init(webassembly.Config{
		MinIdle:       0,
		MaxIdle:       1,
		MaxTotal:      pdfWorkers,
		RuntimeConfig: rc,
		FSConfig:      wazero.NewFSConfig(), // no host files: the PDF is passed as bytes
		Stdout:        io.Discard,
		Stderr:        io.Discard,
		ReuseWorkers:  true, // a fresh instance costs more than most files
	})
	if err != nil {
		return nil, fmt.Errorf("start the PDF engine: %w", err)
	}
	return pool, nil
}

// compilationCache keeps the machine code wazero compiles PDFium to in the
// user's cache folder, so that only the first start of framebot on a
// machine pays the seconds it takes; nil when there is no such folder.
func compilationCache() wazero.CompilationCache {
	dir, err := os.UserCacheDir()
	if err != nil {
		return nil
	}
	cache, err := wazero.NewCompilationCacheWithDir(filepath.Join(dir, "framebot", "wazero"))
	if err != nil {
		return nil
	}
	return cache
}

// pdfRun is a run of text on one line in one font, in PDF points with the
// origin at the bottom left of the page.
type pdfRun struct {
	text                     string
	left, top, right, bottom float64
	size                     float64
}

// pdfPage is the text of one page as PDFium returns it.
type pdfPage struct {
	num           int // 1-based
	width, height float64
	runs          []pdfRun
}

// pdfBookmark is an outline entry pointing at a page.
type pdfBookmark struct {
	title string
	level int // 1 for top-level entries
	page  int // 1-based, 0 when it points nowhere
}

// pdfContent is what is read from a PDF before layout.
type pdfContent struct {
	title     string
	pages     []pdfPage
	total     int // pages in the file, before the cap
	bookmarks []pdfBookmark
}

// read extracts the text runs of the first maxPages pages of data, its
// title and its outline, within ctx's deadline. Errors wrap ErrEncrypted or
// ErrUnreadable (malformed, over the memory bound, over the deadline, a
// closed engine).
func (e *PDFEngine) read(ctx context.Context, data []byte, maxPages int) (*pdfContent, error) {
	pool, err := e.get()
	if err != nil {
		return nil, err
	}
	inst, err := pool.GetInstanceWithContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("wait for the PDF engine: %v: %w", err, ErrUnreadable)
	}
	type result struct {
		c   *pdfContent
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- result{err: fmt.Errorf("PDF engine failed: %v: %w", r, ErrUnreadable)}
			}
		}()
		c, err := extractPDF(ctx, inst, data, maxPages)
		done <- result{c, err}
	}()
	select {
	case r := <-done:
		inst.Close()
		if r.err != nil && ctx.Err() != nil {
			return nil, fmt.Errorf("not read within the time limit: %w", ErrUnreadable)
		}
		return r.c, r.err
	case <-ctx.Done():
		// The instance is killed and the file given up at once. A call
		// already running inside PDFium is not interrupted (interrupting
		// every call would halve the speed of every PDF): it ends on its
		// own, and the calls after it fail on the killed instance.
		inst.Kill()
		return nil, fmt.Errorf("not read within the time limit: %w", ErrUnreadable)
	}
}

// extractPDF does read's work on one instance, checking ctx between
// pages.
func extractPDF(ctx context.Context, inst pdfium.Pdfium, data []byte, maxPages int) (*pdfContent, error) {
	doc, err := inst.OpenDocument(&requests.OpenDocument{File: &data})
	if err != nil {
		// A reused PDFium instance may report a password failure as an
		// unknown error: a file that has an encryption dictionary and can't
		// be opened without a password is encrypted either way.
		if errors.Is(err, pdferrors.ErrPassword) || errors.Is(err, pdferrors.ErrSecurity) || bytes.Contains(data, []byte("/Encrypt")) {
			return nil, fmt.Errorf("password-protected: %w", ErrEncrypted)
		}
		return nil, fmt.Errorf("%v: %w", err, ErrUnreadable)
	}
	defer inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: doc.Document})
	count, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: doc.Document})
	if err != nil {
		return nil, fmt.Errorf("count pages: %v: %w", err, ErrUnreadable)
	}
	c := &pdfContent{total: count.PageCount}
	if t, err := inst.FPDF_GetMetaText(&requests.FPDF_GetMetaText{Document: doc.Document, Tag: "Title"}); err == nil {
		c.title = strings.TrimSpace(t.Value)
	}
	for i := 0; i < min(count.PageCount, maxPages); i++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p, err := extractPage(inst, doc.Document, i)
		if err != nil {
			return nil, fmt.Errorf("page %d: %v: %w", i+1, err, ErrUnreadable)
		}
		c.pages = append(c.pages, p)
	}
	c.bookmarks = extractBookmarks(inst, doc.Document)
	return c, nil
}

// extractPage reads the text of page i (0-based) as runs. PDFium's rects
// give the font size of each stretch of text, its characters their exact
// text: the text PDFium puts in a rect can repeat a character whose box
// overlaps the next rect (slanted type), so the characters are read apart
// and each is given the size of the rect around it.
func extractPage(inst pdfium.Pdfium, doc references.FPDF_DOCUMENT, i int) (pdfPage, error) {
	page := requests.Page{ByIndex: &requests.PageByIndex{Document: doc, Index: i}}
	size, err := inst.GetPageSize(&requests.GetPageSize{Page: page})
	if err != nil {
		return pdfPage{}, err
	}
	// Font information for every character would cost six more calls into
	// PDFium per character; one per run, below, is enough.
	st, err := inst.GetPageTextStructured(&requests.GetPageTextStructured{
		Page: page, Mode: requests.GetPageTextStructuredModeBoth,
	})
	if err != nil {
		return pdfPage{}, err
	}
	boxes := make([]pdfRun, len(st.Rects))
	for k, r := range st.Rects {
		pos := r.PointPosition
		boxes[k] = pdfRun{left: pos.Left, top: pos.Top, right: pos.Right, bottom: pos.Bottom}
	}
	p := pdfPage{num: i + 1, width: size.Width, height: size.Height}
	var firsts []int // index of the first character of each run
	var cur *pdfRun
	curBox := -1
	var sb strings.Builder
	flush := func() {
		if cur != nil {
			cur.text = sb.String()
			p.runs = append(p.runs, *cur)
		}
		cur, curBox = nil, -1
		sb.Reset()
	}
	hint := 0
	for idx, ch := range st.Chars {
		if ch.Text == "\r" || ch.Text == "\n" || ch.Text == "\r\n" {
			flush()
			continue
		}
		pos := ch.PointPosition
		if strings.TrimSpace(ch.Text) == "" || pos.Top <= pos.Bottom {
			if cur != nil {
				sb.WriteByte(' ')
			}
			continue
		}
		k := boxOf(boxes, hint, (pos.Left+pos.Right)/2, (pos.Top+pos.Bottom)/2)
		if k >= 0 {
			hint = k
		}
		if cur != nil && (k != curBox || pos.Left < cur.right-0.5*(cur.top-cur.bottom)) {
			flush()
		}
		if cur == nil {
			cur = &pdfRun{left: pos.Left, top: pos.Top, right: pos.Right, bottom: pos.Bottom, size: pos.Top - pos.Bottom}
			curBox = k
			firsts = append(firsts, idx)
		}
		cur.right = math.Max(cur.right, pos.Right)
		cur.top, cur.bottom = math.Max(cur.top, pos.Top), math.Min(cur.bottom, pos.Bottom)
		sb.WriteString(ch.Text)
	}
	flush()
	return p, fontSizes(inst, page, p.runs, firsts)
}

// fontSizes sets the size of each run to the font size of its first
// character, firsts[k] for runs[k].
func fontSizes(inst pdfium.Pdfium, page requests.Page, runs []pdfRun, firsts []int) error {
	if len(runs) == 0 {
		return nil
	}
	tp, err := inst.FPDFText_LoadPage(&requests.FPDFText_LoadPage{Page: page})
	if err != nil {
		return err
	}
	defer inst.FPDFText_ClosePage(&requests.FPDFText_ClosePage{TextPage: tp.TextPage})
	for k := range runs {
		fs, err := inst.FPDFText_GetFontSize(&requests.FPDFText_GetFontSize{TextPage: tp.TextPage, Index: firsts[k]})
		if err != nil {
			return err
		}
		// A producer that sets type at size 1 and scales it by the text
		// matrix reports 1: the height of the glyphs is nearer the truth.
		if h := runs[k].top - runs[k].bottom; fs.FontSize > 0.5*h && fs.FontSize < 4*h {
			runs[k].size = fs.FontSize
		}
	}
	return nil
}

// boxOf returns the index of the box holding the point (x, y), trying the
// box at hint and the next ones first since characters come in order; -1
// when none does.
func boxOf(boxes []pdfRun, hint int, x, y float64) int {
	in := func(b pdfRun) bool { return x >= b.left-0.5 && x <= b.right+0.5 && y >= b.bottom-0.5 && y <= b.top+0.5 }
	for k := hint; k < min(hint+3, len(boxes)); k++ {
		if in(boxes[k]) {
			return k
		}
	}
	for k, b := range boxes {
		if in(b) {
			return k
		}
	}
	return -1
}

// extractBookmarks walks the outline depth first, at most maxBookmarks
// entries and never twice the same one, so that a cyclic outline ends.
// An outline that can't be read is left out: the text matters more.
func extractBookmarks(inst pdfium.Pdfium, doc references.FPDF_DOCUMENT) []pdfBookmark {
	var out []pdfBookmark
	seen := map[references.FPDF_BOOKMARK]bool{}
	var walk func(parent *references.FPDF_BOOKMARK, level int)
	walk = func(parent *references.FPDF_BOOKMARK, level int) {
		if level > 16 {
			return
		}
		first, err := inst.FPDFBookmark_GetFirstChild(&requests.FPDFBookmark_GetFirstChild{Document: doc, Bookmark: parent})
		if err != nil {
			return
		}
		for bm := first.Bookmark; bm != nil && !seen[*bm] && len(out) < maxBookmarks; {
			seen[*bm] = true
			entry := pdfBookmark{level: level}
			if t, err := inst.FPDFBookmark_GetTitle(&requests.FPDFBookmark_GetTitle{Bookmark: *bm}); err == nil {
				entry.title = Fold(t.Title)
			}
			entry.page = bookmarkPage(inst, doc, *bm)
			out = append(out, entry)
			walk(bm, level+1)
			next, err := inst.FPDFBookmark_GetNextSibling(&requests.FPDFBookmark_GetNextSibling{Document: doc, Bookmark: *bm})
			if err != nil {
				return
			}
			bm = next.Bookmark
		}
	}
	walk(nil, 1)
	return out
}

// bookmarkPage returns the 1-based page an outline entry points at, by its
// destination or its GoTo action; 0 when it points at none.
func bookmarkPage(inst pdfium.Pdfium, doc references.FPDF_DOCUMENT, bm references.FPDF_BOOKMARK) int {
	var dest *references.FPDF_DEST
	if d, err := inst.FPDFBookmark_GetDest(&requests.FPDFBookmark_GetDest{Document: doc, Bookmark: bm}); err == nil {
		dest = d.Dest
	}
	if dest == nil {
		a, err := inst.FPDFBookmark_GetAction(&requests.FPDFBookmark_GetAction{Bookmark: bm})
		if err != nil || a.Action == nil {
			return 0
		}
		d, err := inst.FPDFAction_GetDest(&requests.FPDFAction_GetDest{Document: doc, Action: *a.Action})
		if err != nil || d.Dest == nil {
			return 0
		}
		dest = d.Dest
	}
	pi, err := inst.FPDFDest_GetDestPageIndex(&requests.FPDFDest_GetDestPageIndex{Document: doc, Dest: *dest})
	if err != nil || pi.Index < 0 {
		return 0
	}
	return pi.Index + 1
}
