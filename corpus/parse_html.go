package corpus

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	readability "github.com/go-shiori/go-readability"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"framebot/internal/text"
)

// minReadableShare is the share of the page's words (after dropping chrome)
// that readability's extract must keep to be trusted; below it the
// extractor has probably latched onto one box of the page, and the whole
// body is used instead.
const minReadableShare = 0.3

// parseHTML extracts the article of an HTML page as blocks, and its title,
// canonical URL and publication date.
//
// Chrome is removed first by element (script, nav, aside, form, header,
// footer…), by ARIA role and hidden state, and by id/class vocabulary
// (comments, share, cookie, sidebar…); see dropped. Then readability picks
// the main content; if it fails or keeps too little, the cleaned body is
// used as it is.
func parseHTML(src string, log *slog.Logger) ([]block, meta) {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil { // only reader errors, impossible on a string
		return nil, meta{}
	}
	m := htmlMeta(doc)
	prune(doc)
	body := walkHTML(doc)
	read, err := readabilityBlocks(doc, m.url)
	if err != nil {
		log.Debug("readability failed, using whole body", slog.String("err", err.Error()))
		return body, m
	}
	if bw, rw := blockWords(body), blockWords(read); rw == 0 || float64(rw) < minReadableShare*float64(bw) {
		log.Debug("readability kept too little, using whole body", slog.Int("body_words", bw), slog.Int("readable_words", rw))
		return body, m
	}
	return read, m
}

// readabilityBlocks runs go-readability on doc, which must already be
// pruned, and walks the content it extracts.
func readabilityBlocks(doc *html.Node, pageURL string) (blocks []block, err error) {
	defer func() {
		if r := recover(); r != nil {
			blocks, err = nil, fmt.Errorf("readability panicked: %v", r)
		}
	}()
	u, _ := url.Parse(pageURL)
	if u == nil || u.Host == "" {
		u = &url.URL{Scheme: "http", Host: "localhost", Path: "/"}
	}
	article, err := readability.FromDocument(doc, u)
	if err != nil {
		return nil, fmt.Errorf("readability: %w", err)
	}
	content, err := html.Parse(strings.NewReader(article.Content))
	if err != nil {
		return nil, fmt.Errorf("parse readable content: %w", err)
	}
	return walkHTML(content), nil
}

func blockWords(blocks []block) int {
	n := 0
	for _, b := range blocks {
		n += wordCount(b.text)
	}
	return n
}

// htmlMeta reads the title, canonical URL and publication date of a page.
func htmlMeta(doc *html.Node) meta {
	var title, ogTitle, ogURL, canonical, site, h1, published string
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Title:
				if title == "" {
					title = textContent(n)
				}
			case atom.Meta:
				key := strings.ToLower(attr(n, "property"))
				if key == "" {
					key = strings.ToLower(attr(n, "name"))
				}
				content := attr(n, "content")
				switch key {
				case "og:title":
					ogTitle = content
				case "og:url":
					ogURL = content
				case "og:site_name":
					site = content
				case "article:published_time":
					published = content
				}
			case atom.Link:
				if canonical == "" && hasToken(attr(n, "rel"), "canonical") {
					canonical = attr(n, "href")
				}
			case atom.H1:
				if h1 == "" {
					h1 = textContent(n)
				}
			case atom.Script, atom.Style, atom.Template:
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(doc)

	m := meta{title: htmlTitle(title, ogTitle, h1, site)}
	for _, u := range []string{canonical, ogURL} {
		if u = strings.TrimSpace(u); isWebURL(u) {
			m.url = u
			break
		}
	}
	if published != "" {
		m.date, _ = parseDate(published) // a bad date is no reason to fail
	}
	return m
}

// titleSeparators split a <title> into the article's and the site's part.
var titleSeparators = []string{" | ", " - ", " – ", " — ", " :: ", " · ", " » ", " / "}

// htmlTitle picks the page title. The <title> usually carries the site
// name too ("Story | Site"), so when the <h1> or og:title is one of its
// parts, and the longest one (a logo in an <h1> must not win), that part is
// the title; else a part equal to og:site_name is cut off. Without a
// <title>, og:title, then the first <h1>.
func htmlTitle(title, ogTitle, h1, site string) string {
	title, ogTitle, h1, site = cleanTitle(title), cleanTitle(ogTitle), cleanTitle(h1), Fold(site)
	if title == "" {
		if ogTitle != "" {
			return ogTitle
		}
		return h1
	}
	parts := splitTitle(title)
	if len(parts) < 2 {
		return title
	}
	longest := parts[0]
	for _, p := range parts {
		if len(p) > len(longest) {
			longest = p
		}
	}
	for _, c := range []string{h1, ogTitle} {
		if c != "" && sameWords(c, longest) {
			return c
		}
	}
	if site != "" {
		var kept []string
		for _, p := range parts {
			if !sameWords(p, site) {
				kept = append(kept, p)
			}
		}
		if len(kept) > 0 && len(kept) < len(parts) {
			return strings.Join(kept, " | ")
		}
	}
	return title
}

// splitTitle cuts a title at the separators of titleSeparators.
func splitTitle(title string) []string {
	parts := []string{title}
	for _, sep := range titleSeparators {
		var next []string
		for _, p := range parts {
			next = append(next, strings.Split(p, sep)...)
		}
		parts = next
	}
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// sameWords reports whether a and b have the same words, ignoring case and
// punctuation.
func sameWords(a, b string) bool {
	return strings.Join(text.Words(a), " ") == strings.Join(text.Words(b), " ")
}

// prune removes the chrome of a page (see dropped) from the tree.
func prune(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if dropped(c) && c.DataAtom != atom.Head {
			n.RemoveChild(c)
		} else {
			prune(c)
		}
		c = next
	}
}

// dropTags are elements that never hold article text.
var dropTags = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Iframe: true, atom.Svg: true, atom.Math: true, atom.Canvas: true,
	atom.Nav: true, atom.Aside: true, atom.Form: true, atom.Header: true,
	atom.Footer: true, atom.Button: true, atom.Select: true, atom.Textarea: true,
	atom.Input: true, atom.Dialog: true, atom.Object: true, atom.Embed: true,
	atom.Video: true, atom.Audio: true, atom.Picture: true, atom.Img: true,
	atom.Head: true, atom.Link: true, atom.Meta: true,
}

// chromeRoles are ARIA landmark and widget roles of page furniture.
var chromeRoles = setOf("navigation", "banner", "contentinfo", "complementary",
	"search", "dialog", "alertdialog", "menu", "menubar", "toolbar", "form")

// chromeClassWords mark an element as chrome when one of its id or class
// words (split at punctuation and case) is one of them.
var chromeClassWords = setOf("nav", "navbar", "navigation", "menu", "sidebar",
	"share", "sharing", "social", "cookie", "cookies", "consent", "gdpr",
	"comment", "comments", "respond", "reply", "replies", "disqus",
	"breadcrumb", "breadcrumbs", "related", "newsletter", "subscribe",
	"subscription", "advert", "advertisement", "ads", "ad", "promo", "popup",
	"modal", "footer", "masthead", "widget", "widgets", "banner", "signup",
	"login", "toolbar", "pagination", "pager", "tags", "tagcloud", "sponsor",
	"sponsored", "skip", "outbrain", "taboola")

// chromeClassPrefixes mark an element as chrome when one of its id or
// class words starts with them ("commentlist", "sharebar").
var chromeClassPrefixes = []string{"comment", "disqus", "sidebar", "cookie",
	"consent", "share", "social", "breadcrumb", "newsletter", "advert",
	"sponsor", "subscribe", "outbrain", "taboola"}

// negations before a class word describe the element's state, not its
// role: "has-sidebar", "no-comments".
var negations = setOf("has", "with", "no", "without", "show", "enable", "enabled", "allow")

// dropped reports whether element n is page chrome rather than article.
// Elements that hold the article (html, body, main, article, or anything
// containing one of them or an <h1>) are never dropped for their class.
func dropped(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	if dropTags[n.DataAtom] {
		return true
	}
	if hasAttr(n, "hidden") || strings.EqualFold(attr(n, "aria-hidden"), "true") {
		return true
	}
	style := strings.ToLower(strings.Join(strings.Fields(attr(n, "style")), ""))
	if strings.Contains(style, "display:none") || strings.Contains(style, "visibility:hidden") {
		return true
	}
	if chromeRoles[strings.ToLower(strings.TrimSpace(attr(n, "role")))] {
		return true
	}
	switch n.DataAtom {
	case atom.Html, atom.Body, atom.Main, atom.Article:
		return false
	}
	return chromeClass(attr(n, "id")+" "+attr(n, "class")) && !holdsArticle(n)
}

// chromeClass reports whether an id/class string names page chrome.
func chromeClass(s string) bool {
	words := classWords(s)
	for i, w := range words {
		if i > 0 && negations[words[i-1]] {
			continue
		}
		if chromeClassWords[w] {
			return true
		}
		for _, p := range chromeClassPrefixes {
			if strings.HasPrefix(w, p) && w != "commentary" {
				return true
			}
		}
	}
	return false
}

// classWords splits an id/class string into lower-case words at
// punctuation, spaces and lower-to-upper case changes ("commentList").
func classWords(s string) []string {
	var words []string
	var cur []rune
	prevLower := false
	for _, r := range s {
		isAlnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		upper := r >= 'A' && r <= 'Z'
		if !isAlnum || (upper && prevLower) {
			if len(cur) > 0 {
				words = append(words, strings.ToLower(string(cur)))
				cur = cur[:0]
			}
		}
		if isAlnum {
			cur = append(cur, r)
		}
		prevLower = r >= 'a' && r <= 'z'
	}
	if len(cur) > 0 {
		words = append(words, strings.ToLower(string(cur)))
	}
	return words
}

// holdsArticle reports whether n contains the main content markers.
func holdsArticle(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			switch c.DataAtom {
			case atom.Article, atom.Main, atom.H1:
				return true
			}
		}
		if holdsArticle(c) {
			return true
		}
	}
	return false
}

// blockTags end the paragraph before them and start a new one.
var blockTags = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true,
	atom.Body: true, atom.Caption: true, atom.Center: true, atom.Dd: true,
	atom.Details: true, atom.Dialog: true, atom.Dir: true, atom.Div: true,
	atom.Dl: true, atom.Dt: true, atom.Fieldset: true, atom.Figcaption: true,
	atom.Figure: true, atom.Footer: true, atom.Form: true, atom.H1: true,
	atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Header: true, atom.Hgroup: true, atom.Html: true, atom.Legend: true,
	atom.Li: true, atom.Main: true, atom.Menu: true, atom.Nav: true,
	atom.Ol: true, atom.P: true, atom.Pre: true, atom.Section: true,
	atom.Summary: true, atom.Table: true, atom.Tbody: true,
	atom.Tfoot: true, atom.Thead: true, atom.Tr: true, atom.Ul: true,
}

// brMark stands for a <br> in the text buffer. NUL cannot occur in text
// that passed checkText, and the HTML parser replaces it anyway.
const brMark = "\x00"

// htmlWalker collects the blocks of an HTML tree.
type htmlWalker struct {
	blocks []block
	buf    strings.Builder
	kind   kind
	level  int
}

// walkHTML returns the paragraphs of the tree under root, one per block
// element and one per table row (cells joined by " | "), skipping chrome
// (see dropped). Two <br> in a row also end a
// paragraph, as scraped pages use them that way.
func walkHTML(root *html.Node) []block {
	w := &htmlWalker{}
	w.walk(root)
	w.flush()
	return w.blocks
}

func (w *htmlWalker) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.buf.WriteString(n.Data)
		return
	case html.CommentNode, html.DoctypeNode:
		return
	case html.ElementNode:
		if dropped(n) {
			return
		}
		switch n.DataAtom {
		case atom.Br:
			w.buf.WriteString(brMark)
			return
		case atom.Hr:
			w.flush()
			return
		case atom.Td, atom.Th:
			if strings.TrimSpace(strings.ReplaceAll(w.buf.String(), brMark, "")) != "" {
				w.buf.WriteString(" | ")
			}
		}
		if blockTags[n.DataAtom] {
			w.flush()
			kind, level := w.kind, w.level
			switch n.DataAtom {
			case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
				w.kind, w.level = kindHeading, int(n.Data[1]-'0')
			case atom.Li, atom.Dd, atom.Dt:
				w.kind = kindItem
			case atom.Blockquote:
				w.kind = kindQuote
			case atom.Pre:
				w.kind = kindPre
			case atom.Tr:
				w.kind = kindRow
			default:
				if w.kind == kindRow { // a layout table: its cells hold paragraphs
					w.kind = kindPara
				}
			}
			w.children(n)
			w.flush()
			w.kind, w.level = kind, level
			return
		}
	}
	w.children(n)
}

func (w *htmlWalker) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
}

// flush ends the current paragraph, splitting it at double line breaks.
func (w *htmlWalker) flush() {
	text := w.buf.String()
	w.buf.Reset()
	parts := strings.Split(text, brMark)
	var cur []string
	for i, p := range parts {
		if Fold(p) == "" && i > 0 && i < len(parts)-1 {
			w.emit(strings.Join(cur, " "))
			cur = cur[:0]
			continue
		}
		cur = append(cur, p)
	}
	w.emit(strings.Join(cur, " "))
}

func (w *htmlWalker) emit(text string) {
	if text = Fold(text); text != "" {
		w.blocks = append(w.blocks, block{text: text, kind: w.kind, level: w.level})
	}
}

// textContent returns the text under n, scripts and styles excluded.
func textContent(n *html.Node) string {
	var b strings.Builder
	var visit func(*html.Node)
	visit = func(n *html.Node) {
		switch {
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
		case n.Type == html.ElementNode && (n.DataAtom == atom.Script || n.DataAtom == atom.Style):
			return
		case n.Type == html.ElementNode && blockTags[n.DataAtom], n.Type == html.ElementNode && n.DataAtom == atom.Br:
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(n)
	return Fold(b.String())
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return true
		}
	}
	return false
}

// hasToken reports whether the space-separated list s contains tok.
func hasToken(s, tok string) bool {
	for _, f := range strings.Fields(s) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}
