package slack

import (
	"bytes"
	"encoding/json"
	"framebot/internal/golden"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"framebot/bot"
)

var hostilePassage = func() bot.Passage {
	text := "Attention <!channel> <!here> <!everyone> @here: see <https://evil.example|your bank> and <@U024BE7LH>.\n> not a quote\n*bold* _it_ ~del~ `code` ```pre``` & <script>alert(1)</script> security guarantees"
	i := strings.Index(text, "security")
	return bot.Passage{
		Text:       text,
		Highlights: []bot.Span{{Start: i, End: i + 8}, {Start: i + 9, End: len(text)}},
		Title:      "Evil *title* <!channel>", Doc: "evil.txt", Source: "evil <source>", URL: "https://example.org/a?b=1&c=2",
	}
}()

func TestRenderGolden(t *testing.T) {
	updated := time.Date(2025, 11, 26, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		rep  bot.Reply
		opts RenderOptions
	}{
		{"answer", bot.Reply{Answer: &bot.Answer{Question: "What guarantees are offered?", Answered: true, Note: "Spelling variants were matched too.", Passages: []bot.Passage{
			{Text: "The plan offers security guarantees modelled on NATO's Article 5.", Highlights: []bot.Span{{Start: 25, End: 35}}, Title: "Peace plan", Doc: "plan.md", Source: "Reuters", URL: "https://example.org/plan"},
			{Text: "Guarantees would last ten years.", Highlights: []bot.Span{{Start: 0, End: 10}}, Title: "Analysis", Doc: "analysis.txt", Source: "analysis.txt"},
		}}}, RenderOptions{AnswerID: 42}},
		{"answer_private", bot.Reply{Answer: &bot.Answer{Question: "What guarantees are offered?", Answered: true, Passages: []bot.Passage{
			{Text: "Guarantees would last ten years.", Highlights: []bot.Span{{Start: 0, End: 10}}, Title: "Analysis", Doc: "analysis.txt"},
		}}}, RenderOptions{AnswerID: 7, Share: true}},
		{"answer_hostile", bot.Reply{Answer: &bot.Answer{Question: "<!channel> guarantees?", Answered: true, Passages: []bot.Passage{hostilePassage}}}, RenderOptions{}},
		{"answer_in_context", bot.Reply{Answer: &bot.Answer{Question: "Who reported that?", Context: "RUSI, <!channel> *Coalition* of the Willing", Answered: true,
			Passages: []bot.Passage{{Text: "Edward Arnold from the RUSI think tank concludes.", Title: "Security", Doc: "a.txt"}}}}, RenderOptions{}},
		{"not_answered", bot.Reply{Answer: &bot.Answer{Question: "Who won the 1954 World Cup?", Passages: []bot.Passage{}, Nearest: []bot.Source{{Doc: "a.txt", Title: "Football <b>"}}, Note: "No passage of the corpus answers this confidently."}}, RenderOptions{AnswerID: 3}},
		{"answer_paged", bot.Reply{Answer: &bot.Answer{Question: "What does camlidl generate?", Answered: true, Passages: []bot.Passage{
			{Text: "Camlidl generates stub code for interfacing Caml with C.", Highlights: []bot.Span{{Start: 8, End: 17}}, Title: "Camlidl user's manual", Doc: "camlidl.pdf", Source: "camlidl.pdf", Page: 4},
		}}}, RenderOptions{}},
		{"answer_section", bot.Reply{Answer: &bot.Answer{Question: "What are the connection limits?", Answered: true, Passages: []bot.Passage{
			{Text: "The max_connections setting defaults to 512.", Title: "Server configuration", Doc: "config.md", Source: "config.md", Section: "4.2 *Connection* limits <!channel> @here", Page: 3},
		}}}, RenderOptions{}},
		{"sources_paged", bot.Reply{Sources: &bot.SourceList{Title: "Sources", Page: 1, Pages: 1, Total: 2, Sources: []bot.Source{
			{Doc: "camlidl.pdf", Title: "Camlidl user's manual", Passages: 455, Pages: 26},
			{Doc: "notes.docx", Title: "Notes", Passages: 3},
		}}}, RenderOptions{}},
		{"text", bot.Reply{Text: "Usage: /framework <ask|status> [arguments] — try /framework help"}, RenderOptions{}},
		{"sources", bot.Reply{Sources: &bot.SourceList{Title: "Sources", Page: 1, Pages: 2, Total: 12, Sources: []bot.Source{
			{Doc: "a.txt", Title: "Alpha", Source: "Reuters", URL: "https://example.org/a", Passages: 12, Updated: updated},
			{Doc: "b.txt", Title: "Beta_<x>", Passages: 3},
		}}}, RenderOptions{}},
		{"sources_unsafe_names", bot.Reply{Sources: &bot.SourceList{Title: "Sources", Page: 1, Pages: 1, Total: 2, Sources: []bot.Source{
			{Doc: "a.txt\n• *Forged* — 99 passages", Passages: 1},
			{Doc: "b.txt", Title: "invoice\u202Etxt.exe", Source: "src\u2067\x00", Passages: 2},
		}}}, RenderOptions{}},
		{"status", bot.Reply{Status: &bot.Status{Documents: 4, Passages: 120, IndexBytes: 3 << 20, LastUpdate: updated, Uptime: 90 * time.Minute, Watcher: "watching", Helpful: 2, NotHelpful: 1}}, RenderOptions{}},
		{"summary", bot.Reply{Summary: &bot.Summary{Topic: "troops", Documents: 2, Sentences: []bot.SummarySentence{{Text: "10,000 troops.", Title: "A", Doc: "a.txt"}},
			Conflicts: []bot.Conflict{{About: "troops", Claims: []bot.SummarySentence{{Text: "20,000 troops.", Title: "B", Doc: "b.txt"}}}}}}, RenderOptions{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Render(tt.rep, tt.opts).MarshalIndent()
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "render_"+tt.name+".golden.json", got)
		})
	}
}

func TestRenderAnnouncementGolden(t *testing.T) {
	got, err := RenderAnnouncement(bot.Announcement{Changes: []bot.DocChange{
		{Kind: "added", Doc: "new.md", Title: "New plan", Source: "AP", URL: "https://example.org/new", Opening: "The new plan has 19 points.\n> and a trick"},
		{Kind: "updated", Doc: "old.md", Title: "Old plan", Opening: "Revised."},
		{Kind: "removed", Doc: "gone.md", Title: "Gone"},
	}}).MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "announcement.golden.json", got)
}

func TestWriteJSONPrintsTextAndBlocks(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, bot.Reply{Text: "hello"}); err != nil {
		t.Fatal(err)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if string(got["text"]) != `"hello"` || len(got["blocks"]) < 3 {
		t.Errorf("WriteJSON = %s", buf.Bytes())
	}
}

// checkBalanced fails when a mrkdwn text has an odd number of formatting
// asterisks (those not fenced by zero-width spaces).
func checkBalanced(t *testing.T, texts []string) {
	t.Helper()
	for _, s := range texts {
		if n := boldMarkers(s); n%2 != 0 {
			t.Errorf("unbalanced bold (%d markers) in %q", n, s)
		}
	}
}

// boldMarkers counts the bold markers of s, reading left to right so that a
// fenced character (zero-width space, character, zero-width space) is
// consumed whole: in "\u200b_\u200b*\u200b_\u200b" the star is a marker
// even though zero-width spaces stand on both sides of it.
func boldMarkers(s string) int {
	n := 0
	for s != "" {
		if rest, ok := strings.CutPrefix(s, zwsp); ok && len(rest) > 0 && strings.HasPrefix(rest[1:], zwsp) && strings.ContainsRune("*_~`", rune(rest[0])) {
			s = rest[1+len(zwsp):]
			continue
		}
		if s[0] == '*' {
			n++
		}
		s = s[1:]
	}
	return n
}

func TestQuoteMrkdwn(t *testing.T) {
	tests := []struct {
		name string
		p    bot.Passage
		want string
	}{
		{"highlights become bold", bot.Passage{Text: "security guarantees now", Highlights: []bot.Span{{Start: 9, End: 19}}}, "&gt; security *guarantees* now"},
		{"a highlight inside a word grows to the word", bot.Passage{Text: "guarantees", Highlights: []bot.Span{{Start: 0, End: 5}}}, "&gt; *guarantees*"},
		{"touching highlights merge", bot.Passage{Text: "ab cd", Highlights: []bot.Span{{Start: 0, End: 2}, {Start: 2, End: 5}}}, "&gt; *ab cd*"},
		{"bold never spans a line break", bot.Passage{Text: "one\ntwo", Highlights: []bot.Span{{Start: 0, End: 7}}}, "&gt; *one*\n&gt; *two*"},
		{"markup inside bold is fenced", bot.Passage{Text: "a*b", Highlights: []bot.Span{{Start: 0, End: 3}}}, "&gt; *a\u200b*\u200bb*"},
		{"invalid spans are ignored", bot.Passage{Text: "abc", Highlights: []bot.Span{{Start: 2, End: 1}, {Start: 0, End: 99}}}, "&gt; abc"},
		{"a quote marker at line start is broken", bot.Passage{Text: "x\n> y"}, "&gt; x\n&gt; \u200b&gt; y"},
		{"mentions and links are escaped", bot.Passage{Text: "<!here> <https://a|b> @here"}, "&gt; &lt;!here&gt; &lt;https://a|b&gt; @\u200bhere"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, quoteMrkdwn(tt.p, maxText)); diff != "" {
				t.Errorf("quoteMrkdwn (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLongPassageIsCutWithinSlackLimits(t *testing.T) {
	text := strings.Repeat("guarantee *x* <y> & ", 400) // far over 3,000 characters
	var hs []bot.Span
	for i := 0; i < len(text); i += 20 {
		hs = append(hs, bot.Span{Start: i, End: i + 9})
	}
	for _, limit := range []int{50, 51, 52, 53, 100, maxText} {
		got := quoteMrkdwn(bot.Passage{Text: text, Highlights: hs}, limit)
		if n := utf8.RuneCountInString(got); n > limit {
			t.Errorf("limit %d: %d characters", limit, n)
		}
		if !strings.HasSuffix(got, "…") {
			t.Errorf("limit %d: cut passage does not end with …", limit)
		}
		checkBalanced(t, []string{got})
		if i := strings.LastIndex(got, "&"); i >= 0 && !strings.HasPrefix(got[i:], "&amp;") && !strings.HasPrefix(got[i:], "&lt;") && !strings.HasPrefix(got[i:], "&gt;") {
			t.Errorf("limit %d: entity split: %q", limit, got[i:])
		}
	}
}

func TestMessagesRespectBlockAndTextLimits(t *testing.T) {
	var ps []bot.Passage
	for range 40 {
		ps = append(ps, bot.Passage{Text: strings.Repeat("long passage ", 400), Title: strings.Repeat("T", 4000), Doc: "d"})
	}
	var sources []bot.Source
	for range 300 {
		sources = append(sources, bot.Source{Doc: "d", Title: strings.Repeat("title ", 20), Passages: 1})
	}
	var changes []bot.DocChange
	for range 40 {
		changes = append(changes, bot.DocChange{Kind: "added", Doc: "d", Title: "t", Opening: strings.Repeat("o", 5000)})
	}
	for name, m := range map[string]Message{
		"answer":       Render(bot.Reply{Answer: &bot.Answer{Question: strings.Repeat("q", 5000), Answered: true, Passages: ps}}, RenderOptions{AnswerID: 1, Share: true}),
		"sources":      Render(bot.Reply{Sources: &bot.SourceList{Title: "Sources", Sources: sources, Total: 300}}, RenderOptions{}),
		"text":         Render(bot.Reply{Text: strings.Repeat("line of help\n", 2000)}, RenderOptions{}),
		"announcement": RenderAnnouncement(bot.Announcement{Changes: changes}),
	} {
		if len(m.Blocks) > maxBlocks {
			t.Errorf("%s: %d blocks", name, len(m.Blocks))
		}
		var texts []string
		raw, _ := json.Marshal(m.Blocks)
		var v []any
		_ = json.Unmarshal(raw, &v)
		collectTexts(v, &texts)
		for _, s := range texts {
			if n := utf8.RuneCountInString(s); n > maxText {
				t.Errorf("%s: text object of %d characters", name, n)
			}
		}
		if n := utf8.RuneCountInString(m.Text); n > maxNotify+20 {
			t.Errorf("%s: fallback text of %d characters", name, n)
		}
		if name == "answer" {
			if last := m.Blocks[len(m.Blocks)-1]; last.BlockType() != "actions" {
				t.Errorf("answer: buttons were cut, last block is %s", last.BlockType())
			}
		}
	}
}

func FuzzQuoteMrkdwn(f *testing.F) {
	f.Add("security <!channel> *guarantees*\n> x", 3, 12, 100)
	f.Add("a_b~c`d&e", 0, 9, 5)
	f.Fuzz(func(t *testing.T, text string, start, end, limit int) {
		if limit < 10 || limit > 5000 {
			limit = 3000
		}
		got := quoteMrkdwn(bot.Passage{Text: text, Highlights: []bot.Span{{Start: start, End: end}}}, limit)
		if utf8.RuneCountInString(got) > limit {
			t.Fatalf("over limit %d: %q", limit, got)
		}
		if strings.ContainsAny(got, "<>") {
			t.Fatalf("raw angle bracket in %q", got)
		}
		checkBalanced(t, []string{got})
	})
}

func FuzzEscape(f *testing.F) {
	f.Add("<!here> *x* _y_ ~z~ `c` & @here")
	f.Fuzz(func(t *testing.T, s string) {
		got := escape(s)
		if strings.ContainsAny(got, "<>") {
			t.Fatalf("raw angle bracket in %q", got)
		}
		for _, c := range []string{"*", "_", "~", "`"} {
			if strings.Count(got, c) != strings.Count(got, zwsp+c+zwsp) {
				t.Fatalf("unfenced %s in %q", c, got)
			}
		}
	})
}
