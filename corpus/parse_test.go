package corpus

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseText(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{
			name: "hard-wrapped lines are joined",
			in: "Title Line\n\nThe harbour office publishes tide tables every month and\n" +
				"sends them to every boat owner. They are printed on paper that\n" +
				"survives salt water.\n\nA second paragraph.",
			want: []string{
				"The harbour office publishes tide tables every month and sends them to every boat owner. They are printed on paper that survives salt water.",
				"A second paragraph.",
			},
		},
		{
			name: "one paragraph per line stays apart",
			in: "Title Line\nThe first paragraph is a long line that ends a sentence and is followed directly by another one without a blank line.\n" +
				"The second paragraph starts here, with a capital letter, and is just as long as the first one, if not longer than that.",
			want: []string{
				"The first paragraph is a long line that ends a sentence and is followed directly by another one without a blank line.",
				"The second paragraph starts here, with a capital letter, and is just as long as the first one, if not longer than that.",
			},
		},
		{
			name: "bullets start items without their glyph",
			in:   "Title Line\n\nIntro sentence.\n  • First: item\n- Second item\n* Third item\n1. Fourth item\n12) Fifth item\n· Sixth item",
			want: []string{"Intro sentence.", "First: item", "Second item", "Third item", "Fourth item", "Fifth item", "Sixth item"},
		},
		{
			name: "a line cut mid-sentence continues in lower case",
			in:   "Title Line\n\nThe vote was\npostponed again.",
			want: []string{"The vote was postponed again."},
		},
		{
			name: "CRLF and whitespace are folded",
			in:   "Title Line\r\n\r\nSome\t\u00a0text   here.\r\n",
			want: []string{"Some text here."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse("a.txt", []byte(tt.in), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if doc.Title != "Title Line" {
				t.Errorf("Title = %q", doc.Title)
			}
			if diff := cmp.Diff(tt.want, doc.Paragraphs); diff != "" {
				t.Errorf("Paragraphs mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseMetadata(t *testing.T) {
	tests := []struct {
		name                    string
		id, in                  string
		title, source, url      string
		date                    time.Time
		firstParagraph, warning string
	}{
		{
			name: "source ID line in text", id: "a.txt",
			in:    "My Title\nBody sentence.\nSource ID: ABC-123",
			title: "My Title", source: "ABC-123", firstParagraph: "Body sentence.",
		},
		{
			name: "URL line in text", id: "a.txt",
			in:    "My Title\n\nBody sentence.\n\nURL: https://example.com/x",
			title: "My Title", source: "a.txt", url: "https://example.com/x", firstParagraph: "Body sentence.",
		},
		{
			name: "long first paragraph gives its first sentence as title", id: "a.txt",
			in:    "The first sentence is the title. The second one is not, and neither is anything after it in this rather long paragraph of text that goes on.",
			title: "The first sentence is the title.", source: "a.txt",
			firstParagraph: "The first sentence is the title. The second one is not, and neither is anything after it in this rather long paragraph of text that goes on.",
		},
		{
			name: "front matter with RFC 3339 date", id: "a.md",
			in:    "---\ntitle: FM Title\nsource: Gazette\nurl: https://example.com/fm\ndate: 2024-05-02T09:30:00+02:00\n---\nBody sentence.\n",
			title: "FM Title", source: "Gazette", url: "https://example.com/fm",
			date:           time.Date(2024, 5, 2, 9, 30, 0, 0, time.FixedZone("", 2*3600)),
			firstParagraph: "Body sentence.",
		},
		{
			name: "broken front matter is ignored with a warning", id: "a.md",
			in:    "---\ntitle: [unclosed\n---\n# Real Title\n\nBody sentence.\n",
			title: "Real Title", source: "a.md", firstParagraph: "Body sentence.", warning: "invalid front matter",
		},
		{
			name: "bad date is ignored with a warning", id: "a.md",
			in:    "---\ntitle: T\ndate: next tuesday\n---\nBody sentence.\n",
			title: "T", source: "a.md", firstParagraph: "Body sentence.", warning: "invalid front matter date",
		},
		{
			name: "unclosed front matter is body", id: "a.md",
			in:    "---\ntitle: T\n\nBody sentence.\n",
			title: "title: T", source: "a.md", firstParagraph: "Body sentence.",
		},
		{
			name: "html without title uses og:title", id: "a.html",
			in:    `<html><head><meta property="og:title" content="OG Title"><meta property="og:url" content="https://example.com/og"></head><body><p>Body sentence.</p></body></html>`,
			title: "OG Title", source: "a.html", url: "https://example.com/og", firstParagraph: "Body sentence.",
		},
		{
			name: "html title keeps site name when no h1 matches", id: "a.htm",
			in:    `<html><head><title>Story | Site</title></head><body><h1>Site</h1><p>Body sentence.</p></body></html>`,
			title: "Story | Site", source: "a.htm", firstParagraph: "Body sentence.",
		},
		{
			name: "html without title or og uses h1", id: "a.html",
			in:    `<body><h1>The H1</h1><p>Body sentence.</p></body>`,
			title: "The H1", source: "a.html", firstParagraph: "Body sentence.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			doc, err := Parse(tt.id, []byte(tt.in), Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			if err != nil {
				t.Fatal(err)
			}
			got := []any{doc.Title, doc.Source, doc.URL, doc.Date.String(), doc.Paragraphs[0]}
			want := []any{tt.title, tt.source, tt.url, tt.date.String(), tt.firstParagraph}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("metadata mismatch (-want +got):\n%s", diff)
			}
			if tt.warning != "" && !strings.Contains(logs.String(), tt.warning) {
				t.Errorf("log %q lacks warning %q", logs.String(), tt.warning)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		id   string
		data []byte
		opts Options
		want error
	}{
		{"unsupported extension", "a.xlsx", []byte("text"), Options{}, ErrUnsupported},
		{"too large", "a.txt", []byte("0123456789"), Options{MaxFileSize: 5}, ErrTooLarge},
		{"NUL byte", "a.txt", []byte("abc\x00def"), Options{}, ErrBinary},
		{"control characters", "a.txt", bytes.Repeat([]byte("\x01\x02a"), 10), Options{}, ErrBinary},
		{"Latin-1", "a.txt", []byte("caf\xe9 cr\xe8me"), Options{}, ErrNotUTF8},
		{"only chrome", "a.txt", []byte("Post a Comment\n\n0 Comments"), Options{}, ErrEmpty},
		{"only whitespace", "a.md", []byte(" \n\n\t"), Options{}, ErrEmpty},
		{"only markup", "a.html", []byte("<html><script>x()</script></html>"), Options{}, ErrEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.id, tt.data, tt.opts)
			if !errors.Is(err, tt.want) {
				t.Errorf("Parse error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestParseHashAndPassages(t *testing.T) {
	data := []byte("Title\n\nOne sentence here.")
	doc, err := Parse("x/a.TXT", data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if want := hex.EncodeToString(sum[:]); doc.Hash != want {
		t.Errorf("Hash = %q, want %q", doc.Hash, want)
	}
	want := []Passage{{Doc: "x/a.TXT", Text: "One sentence here.", End: 18}}
	if diff := cmp.Diff(want, doc.Passages); diff != "" {
		t.Errorf("Passages mismatch (-want +got):\n%s", diff)
	}
}
