package corpus

import (
	"strings"
	"unicode"

	"framebot/internal/text"
)

// Boilerplate rules. They are deliberately general: they look at the shape
// of a paragraph (length, punctuation, vocabulary, script, position)
// rather than at the exact strings of any one site.
//
//  1. Chrome: a paragraph of at most maxChromeWords words made only of
//     navigation and interaction vocabulary (chromeWords), filler words
//     and counters ("Post a Comment (0)", "12 Comments", "Previous Post
//     Next Post", "Tags", "Table of Contents") is dropped anywhere.
//  2. Foreign chrome: a short unpunctuated paragraph whose letters are
//     mostly in another script than the document's dominant one (a Korean
//     "leave a comment" prompt under an English article) is dropped.
//  3. Title repeat: before the first prose paragraph, a paragraph equal or
//     nearly equal to the title (case, quotes and punctuation aside) is
//     dropped, unless it is all the document has.
//  4. Orphans: heading-like paragraphs after the last prose paragraph
//     (a trailing "Tags", a heading with nothing under it) are dropped.
//  5. Labelled chrome: a short line led by a chrome label and a colon
//     ("Tags: lighthouse, council", "Share this: …", "Filed under: News").
//  6. Paragraphs with no letter or digit ("***", a lone no-break space) are
//     dropped.
//
// Real one-sentence paragraphs survive because rules 1 and 2 only fire on
// paragraphs without sentence punctuation or with chrome words only, and
// rules 3 and 4 only at the edges of the document.

// maxChromeWords bounds the length of a paragraph rule 1 may drop.
const maxChromeWords = 8

// maxForeignWords bounds the length of a paragraph rule 2 may drop.
const maxForeignWords = 6

// chromeWords is the vocabulary of page furniture: comments, sharing,
// navigation, subscriptions, ads and cookie banners.
var chromeWords = setOf(
	"comment", "comments", "reply", "replies", "respond", "responses",
	"share", "shares", "sharing", "shared", "post", "posts", "posted",
	"tag", "tags", "label", "labels", "category", "categories", "archive", "archives",
	"previous", "prev", "next", "newer", "older", "contents", "table", "toc",
	"subscribe", "subscription", "newsletter", "login", "log", "logout",
	"sign", "signin", "signup", "register", "read", "more", "continue", "reading",
	"related", "leave", "write", "add", "view", "views", "print", "email", "e-mail",
	"tweet", "facebook", "twitter", "whatsapp", "linkedin", "pinterest", "telegram",
	"reddit", "copy", "link", "links", "home", "menu", "search", "skip", "navigation",
	"back", "top", "advertisement", "advertising", "ad", "ads", "sponsored",
	"cookie", "cookies", "accept", "privacy", "policy", "terms", "like", "likes",
	"follow", "load", "show", "hide", "close", "click", "join", "discussion",
	"conversation", "loading", "powered", "rss", "feed", "permalink", "edit",
	"report", "notify", "page", "pages",
)

// fillerWords may appear in a chrome paragraph without making it prose.
var fillerWords = setOf(
	"a", "an", "the", "of", "to", "for", "on", "in", "up", "out", "our", "your",
	"this", "that", "and", "or", "with", "by", "at", "us", "me", "my", "all",
	"here", "now", "it", "be", "first", "no", "new",
)

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// clean folds the text of blocks and applies the boilerplate rules. It
// returns a new slice; blocks is not modified.
func clean(blocks []block, title string) []block {
	dominant := dominantScript(blocks)
	out := blocks[:0] // filtered in place: the caller keeps only the result
	for _, b := range blocks {
		b.text = Fold(b.text)
		if !text.HasWord(b.text) || isChrome(b.text) || isLabelledChrome(b.text) || isForeignChrome(b.text, dominant) {
			continue
		}
		out = append(out, b)
	}
	out = dropTitleRepeats(out, title)
	return dropTrailingOrphans(out)
}

// isHeadingBlock reports whether b is a heading, by markup or by shape.
func isHeadingBlock(b block) bool {
	return b.kind == kindHeading || (b.kind == kindPara && !b.marked && looksLikeHeading(b.text))
}

// isChrome implements rule 1.
func isChrome(text string) bool {
	words := strings.Fields(text)
	if len(words) == 0 || len(words) > maxChromeWords {
		return false
	}
	chrome := 0
	for _, w := range words {
		w = strings.ToLower(strings.TrimFunc(w, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		}))
		switch {
		case w == "" || isDigits(w):
			// punctuation or a counter: "(0)", "12", "|", "»"
		case chromeWords[w]:
			chrome++
		case fillerWords[w]:
		default:
			return false
		}
	}
	return chrome > 0
}

// maxLabelledWords bounds the length of a paragraph rule 5 may drop.
const maxLabelledWords = 15

// isLabelledChrome implements rule 5.
func isLabelledChrome(text string) bool {
	label, rest, found := strings.Cut(text, ":")
	if !found || strings.TrimSpace(rest) == "" || wordCount(text) > maxLabelledWords || endsSentence(text) {
		return false
	}
	return isChrome(label) || strings.EqualFold(strings.TrimSpace(label), "filed under")
}

// isForeignChrome implements rule 2.
func isForeignChrome(text string, dominant string) bool {
	if dominant == "" || len(strings.Fields(text)) > maxForeignWords {
		return false
	}
	if strings.ContainsAny(text, ".!?…。") {
		return false
	}
	counts := scriptCounts(text)
	letters := 0
	for _, n := range counts {
		letters += n
	}
	return letters > 0 && counts[dominant]*2 < letters
}

// dropTitleRepeats implements rule 3.
func dropTitleRepeats(blocks []block, title string) []block {
	if title == "" || len(blocks) < 2 {
		return blocks
	}
	out := blocks[:0] // filtered in place: the caller keeps only the result
	for i, b := range blocks {
		if !isHeadingBlock(b) {
			return append(out, blocks[i:]...)
		}
		if sameAsTitle(b.text, title) && len(out)+len(blocks)-i > 1 {
			continue
		}
		out = append(out, b)
	}
	return out
}

// dropTrailingOrphans implements rule 4.
func dropTrailingOrphans(blocks []block) []block {
	for i := len(blocks) - 1; i >= 0; i-- {
		if !isHeadingBlock(blocks[i]) {
			return blocks[:i+1]
		}
	}
	return blocks // nothing but headings: leave it to the caller
}

// sameAsTitle reports whether body is the title, or nearly: the same words
// once case and punctuation are ignored, or one's words contain the
// other's with little left over (a " - Site name" suffix).
func sameAsTitle(body, title string) bool {
	a, b := text.Words(body), text.Words(title)
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	if strings.Join(a, " ") == strings.Join(b, " ") {
		return true
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	long := setOf(b...)
	for _, w := range a {
		if !long[w] {
			return false
		}
	}
	return len(a)*10 >= len(b)*7
}

func isDigits(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return !unicode.IsDigit(r) }) < 0
}
