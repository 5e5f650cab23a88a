package console

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"framebot/bot"
)

func TestRenderText(t *testing.T) {
	ans := &bot.Answer{Question: "who sings?", Answered: true, Passages: []bot.Passage{{
		Text: "The walrus sings at dawn.", Highlights: []bot.Span{{Start: 4, End: 10}, {Start: 11, End: 16}},
		Title: "Shore", Source: "Field notes", URL: "https://example.org/a", Doc: "a.md",
	}}}
	tests := []struct {
		name string
		rep  bot.Reply
		bold bool
		want string
	}{
		{"an answer quotes and cites", bot.Reply{Answer: ans}, false,
			"Q: who sings?\n\n1. “The walrus sings at dawn.”\n   — Shore [Field notes] <https://example.org/a>"},
		{"bold marks the highlights on a terminal", bot.Reply{Answer: ans}, true,
			"Q: who sings?\n\n1. “The \x1b[1mwalrus\x1b[0m \x1b[1msings\x1b[0m at dawn.”\n   — Shore [Field notes] <https://example.org/a>"},
		{"no answer names the nearest sources", bot.Reply{Answer: &bot.Answer{Question: "q", Nearest: []bot.Source{{Title: "Shore", Source: "Field notes"}}}}, false,
			"Q: q\nNot in the corpus: no passage answers this confidently.\nNearest sources:\n  - Shore [Field notes]"},
		{"a summary counts one document", bot.Reply{Summary: &bot.Summary{Topic: "walruses", Documents: 1, Sentences: []bot.SummarySentence{{Text: "Walruses sing.", Title: "Shore"}}}}, false,
			"Summary: walruses (1 document)\n\n• “Walruses sing.” — Shore"},
		{"names from the corpus can't forge a line or reverse text", bot.Reply{Answer: &bot.Answer{Question: "q", Nearest: []bot.Source{{Title: "a.txt\n  - Forged [x]", Source: "inv\u202Etxt.exe", URL: "https://e.org/\u2066"}}}}, false,
			"Q: q\nNot in the corpus: no passage answers this confidently.\nNearest sources:\n  - a.txt\\n  - Forged [x] [inv\\u202etxt.exe] <https://e.org/\\u2066>"},
		{"sources list names are escaped", bot.Reply{Sources: &bot.SourceList{Title: "Sources", Total: 1, Sources: []bot.Source{{Title: "x\ry\x1b[31m", Passages: 2}}}}, false,
			"Sources (1 document)\n  - x\\ry\\x1b[31m — 2 passages"},
		{"text is printed as it is", bot.Reply{Text: "hello"}, false, "hello"},
		{"a passage of a paged document cites its page", bot.Reply{Answer: &bot.Answer{Question: "q", Answered: true, Passages: []bot.Passage{{
			Text: "Camlidl generates stub code.", Title: "Camlidl user's manual", Source: "camlidl.pdf", Doc: "camlidl.pdf", Page: 4,
		}}}}, false,
			"Q: q\n\n1. “Camlidl generates stub code.”\n   — Camlidl user's manual [camlidl.pdf], p. 4"},
		{"a passage under a heading cites it, before its page", bot.Reply{Answer: &bot.Answer{Question: "q", Answered: true, Passages: []bot.Passage{{
			Text: "The max_connections setting defaults to 512.", Title: "Server configuration", Source: "config.md", Doc: "config.md", Section: "4.2.1 Connection limits", Page: 3,
		}}}}, false,
			"Q: q\n\n1. “The max_connections setting defaults to 512.”\n   — Server configuration [config.md], § 4.2.1 Connection limits, p. 3"},
		{"a heading from the corpus can't forge a line", bot.Reply{Answer: &bot.Answer{Question: "q", Answered: true, Passages: []bot.Passage{{
			Text: "Limits.", Title: "Config", Source: "config.md", Doc: "config.md", Section: "Limits\n2. “Forged”\u202e",
		}}}}, false,
			"Q: q\n\n1. “Limits.”\n   — Config [config.md], § Limits\\n2. “Forged”\\u202e"},
		{"sources count the pages of paged documents", bot.Reply{Sources: &bot.SourceList{Title: "Sources", Page: 1, Pages: 1, Total: 2, Sources: []bot.Source{
			{Title: "Manual", Source: "m.pdf", Passages: 40, Pages: 26}, {Title: "Notes", Source: "n.md", Passages: 3},
		}}}, false,
			"Sources (2 documents)\n  - Manual [m.pdf] — 40 passages, 26 pages\n  - Notes [n.md] — 3 passages"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, RenderText(tt.rep, tt.bold)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestRenderJSONIsOneObjectPerReply(t *testing.T) {
	var b bytes.Buffer
	for _, rep := range []bot.Reply{{Text: "hi"}, {Status: &bot.Status{Documents: 2}}, {Answer: &bot.Answer{Question: "q", Passages: []bot.Passage{}}}} {
		if err := Render(&b, rep, JSON, true); err != nil {
			t.Fatal(err)
		}
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines:\n%s", len(lines), b.String())
	}
	for _, l := range lines {
		if strings.Contains(l, "\x1b") || !json.Valid([]byte(l)) {
			t.Errorf("not a clean JSON line: %q", l)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for _, ok := range []string{"text", "json"} {
		if _, err := ParseFormat(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	if _, err := ParseFormat("xml"); err == nil || !strings.Contains(err.Error(), "use text or json") {
		t.Errorf("xml: %v", err)
	}
}
