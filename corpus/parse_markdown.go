package corpus

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
	"go.yaml.in/yaml/v3"
	"golang.org/x/net/html"
)

// markdown parses CommonMark plus GitHub tables and strikethrough. It is
// safe for concurrent use.
var markdown = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough))

// frontMatter is the YAML header a Markdown file may start with.
type frontMatter struct {
	Title  string `yaml:"title"`
	Source string `yaml:"source"`
	URL    string `yaml:"url"`
	Date   string `yaml:"date"`
}

// parseMarkdown turns Markdown into blocks: headings, paragraphs, list
// items, block quotes, code blocks and table rows (cells joined by " | "), with inline markup
// reduced to its text (links keep their text, images are dropped, code
// spans keep their code).
//
// Front matter is a YAML block fenced by "---" lines at the very start. If
// it is not valid YAML it is logged and ignored, and the body after it is
// still parsed: the fences make its extent clear, and YAML is not prose
// worth quoting. Without a closing fence there is no front matter, and
// the opening "---" is ordinary Markdown.
func parseMarkdown(src string, log *slog.Logger) ([]block, meta) {
	var m meta
	if fm, body, ok := splitFrontMatter(src); ok {
		src = body
		m = parseFrontMatter(fm, log)
	}
	source := []byte(src)
	doc := markdown.Parser().Parse(text.NewReader(source))
	w := mdWalker{src: source}
	w.block(doc, kindPara)
	if m.title == "" {
		for _, b := range w.blocks {
			if b.kind == kindHeading && b.level == 1 {
				m.title = b.text
				break
			}
		}
	}
	return w.blocks, m
}

// splitFrontMatter separates a "---"-fenced header from the body.
func splitFrontMatter(src string) (fm, body string, ok bool) {
	first, rest, found := strings.Cut(src, "\n")
	if !found || strings.TrimRight(first, " \t\r") != "---" {
		return "", src, false
	}
	offset := 0
	for line := range strings.SplitAfterSeq(rest, "\n") {
		if t := strings.TrimRight(line, " \t\r\n"); t == "---" || t == "..." {
			return rest[:offset], rest[offset+len(line):], true
		}
		offset += len(line)
	}
	return "", src, false
}

// parseFrontMatter decodes the front matter fields Parse uses. Problems
// are logged, never returned.
func parseFrontMatter(fm string, log *slog.Logger) meta {
	var f frontMatter
	if err := yaml.Unmarshal([]byte(fm), &f); err != nil {
		log.Warn("invalid front matter ignored", slog.String("err", err.Error()))
		return meta{}
	}
	// A YAML value can be any bytes (!!binary), and document text is
	// UTF-8 everywhere after this point.
	for _, v := range []*string{&f.Title, &f.Source, &f.URL, &f.Date} {
		*v = strings.ToValidUTF8(*v, "\uFFFD")
	}
	m := meta{title: f.Title, source: Fold(f.Source), url: strings.TrimSpace(f.URL)}
	if f.Date != "" {
		d, err := parseDate(f.Date)
		if err != nil {
			log.Warn("invalid front matter date ignored", slog.String("err", err.Error()))
		}
		m.date = d
	}
	return m
}

// parseDate accepts a date as 2006-01-02 or RFC 3339.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d, nil
	}
	d, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("date %q is neither YYYY-MM-DD nor RFC 3339", s)
	}
	return d, nil
}

// mdWalker collects the blocks of a goldmark syntax tree.
type mdWalker struct {
	src    []byte
	blocks []block
}

// block visits a block node; k is the kind its paragraphs take (a
// paragraph inside a list item is an item).
func (w *mdWalker) block(n ast.Node, k kind) {
	switch n := n.(type) {
	case *ast.Heading:
		w.emit(block{text: w.inline(n), kind: kindHeading, level: n.Level})
		return
	case *ast.Paragraph, *ast.TextBlock:
		w.emit(block{text: w.inline(n), kind: k})
		return
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		w.emit(block{text: w.lines(n), kind: kindPre})
		return
	case *ast.HTMLBlock:
		var raw bytes.Buffer
		raw.WriteString(w.lines(n))
		if n.HasClosure() {
			raw.Write(n.ClosureLine.Value(w.src))
		}
		for _, b := range htmlFragmentBlocks(raw.String()) {
			w.emit(b)
		}
		return
	case *east.TableHeader, *east.TableRow:
		var cells []string
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			cells = append(cells, Fold(w.inline(c)))
		}
		w.emit(block{text: strings.Join(cells, " | "), kind: kindRow})
		return
	case *ast.ListItem:
		k = kindItem
	case *ast.Blockquote:
		k = kindQuote
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		w.block(c, k)
	}
}

func (w *mdWalker) emit(b block) {
	if b.text = Fold(b.text); b.text != "" {
		w.blocks = append(w.blocks, b)
	}
}

// lines returns the raw lines of a code or HTML block.
func (w *mdWalker) lines(n ast.Node) string {
	var b strings.Builder
	lines := n.Lines()
	for i := range lines.Len() {
		seg := lines.At(i)
		b.Write(seg.Value(w.src))
	}
	return b.String()
}

// inline returns the plain text of the inline children of n.
func (w *mdWalker) inline(n ast.Node) string {
	var b strings.Builder
	w.inlineTo(&b, n)
	return b.String()
}

func (w *mdWalker) inlineTo(b *strings.Builder, n ast.Node) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			v := c.Value(w.src)
			if _, code := n.(*ast.CodeSpan); !code && !c.IsRaw() {
				v = util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(v)))
			}
			b.Write(v)
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.AutoLink:
			b.Write(c.Label(w.src))
		case *ast.RawHTML:
			// Inline tags are markup, and the text between them is a
			// sibling Text node; only a line break needs a space.
			if c.Segments.Len() > 0 {
				seg := c.Segments.At(0)
				raw := strings.ToLower(string(seg.Value(w.src)))
				if strings.HasPrefix(raw, "<br") {
					b.WriteByte(' ')
				}
			}
		case *ast.Image:
			// no quotable text
		default:
			w.inlineTo(b, c)
		}
	}
}

// htmlFragmentBlocks extracts blocks from raw HTML embedded in Markdown.
func htmlFragmentBlocks(raw string) []block {
	doc, err := html.Parse(strings.NewReader(raw))
	if err != nil {
		return nil
	}
	return walkHTML(doc)
}
