package matrix

import (
	"bytes"
	"encoding/json"
	"framebot/internal/golden"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"maunium.net/go/mautrix/event"

	"framebot/bot"
)

// hostile is a passage whose text tries every trick a document could play
// on a Matrix client.
const hostile = `Click <a href="javascript:alert(1)">here</a> <script>alert("x")</script> **now** @room and tell @alice:example.org & <b>everyone</b>`

func hostilePassage() bot.Passage {
	i := strings.Index(hostile, "now")
	return bot.Passage{
		Text:       hostile,
		Highlights: []bot.Span{{Start: 0, End: 5}, {Start: i, End: i + 3}},
		Title:      `<img src=x onerror=alert(1)> Evil "doc"`,
		Doc:        "evil.txt",
		Source:     "evil.txt",
		URL:        "javascript:alert(1)",
	}
}

func TestRender(t *testing.T) {
	updated := time.Date(2025, 11, 20, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		rep  bot.Reply
	}{
		{"answer", bot.Reply{Answer: &bot.Answer{
			Question: "what guarantees are offered?",
			Answered: true,
			Passages: []bot.Passage{{
				Text:       "The plan offers security guarantees to Ukraine.",
				Highlights: []bot.Span{{Start: 25, End: 35}},
				Title:      "Security guarantees",
				Doc:        "a.txt",
				Source:     "Example News",
				URL:        "https://example.org/a?x=1&y=2",
			}, {
				Text:  "Second passage, no link.",
				Title: "Plain", Doc: "b.txt", Source: "b.txt",
			}},
			Note: "Spelling variants were matched too.",
		}}},
		{"answer_hostile", bot.Reply{Answer: &bot.Answer{Question: "<script>who</script>", Answered: true, Passages: []bot.Passage{hostilePassage()}}}},
		{"answer_in_context", bot.Reply{Answer: &bot.Answer{Question: "Who reported that?", Context: "RUSI, <b>Coalition</b> of the Willing", Answered: true,
			Passages: []bot.Passage{{Text: "Edward Arnold from the RUSI think tank concludes.", Title: "Security", Source: "a.txt"}}}}},
		{"not_answered", bot.Reply{Answer: &bot.Answer{
			Question: "what is the weather?",
			Passages: []bot.Passage{},
			Nearest:  []bot.Source{{Title: "Weather & <stuff>", Source: "w.txt", URL: "https://example.org/w"}},
			Note:     "No passage of the corpus answers this confidently.",
		}}},
		{"answer_paged", bot.Reply{Answer: &bot.Answer{Question: "what does camlidl generate?", Answered: true, Passages: []bot.Passage{{
			Text: "Camlidl generates stub code for interfacing Caml with C.", Highlights: []bot.Span{{Start: 8, End: 17}},
			Title: "Camlidl user's manual", Doc: "camlidl.pdf", Source: "camlidl.pdf", Page: 4,
		}}}}},
		{"answer_section", bot.Reply{Answer: &bot.Answer{Question: "what are the connection limits?", Answered: true, Passages: []bot.Passage{{
			Text: "The max_connections setting defaults to 512.", Title: "Server configuration", Doc: "config.md", Source: "config.md",
			Section: "4.2 <b>Connection</b> limits @room\n> forged", Page: 3,
		}}}}},
		{"sources_paged", bot.Reply{Sources: &bot.SourceList{Title: "Sources", Page: 1, Pages: 1, Total: 2, Sources: []bot.Source{
			{Title: "Camlidl user's manual", Source: "camlidl.pdf", Passages: 455, Pages: 26},
			{Title: "Notes", Source: "notes.docx", Passages: 3},
		}}}},
		{"text", bot.Reply{Text: "Ask me anything.\n• !framework help — this list\n<b>not bold</b> @room"}},
		{"sources", bot.Reply{Sources: &bot.SourceList{Title: "Sources", Page: 1, Pages: 2, Total: 11, Sources: []bot.Source{
			{Title: "A <doc>", Source: "a.txt", Passages: 3, URL: "https://example.org/a", Updated: updated},
			{Title: "B", Source: "B", Passages: 1},
		}}}},
		{"sources_unsafe_names", bot.Reply{Sources: &bot.SourceList{Title: "Sources", Page: 1, Pages: 1, Total: 2, Sources: []bot.Source{
			{Title: "a.txt\n  - Forged — 99 passages", Source: "a.txt", Passages: 1},
			{Title: "invoice\u202Etxt.exe", Source: "src\u2067\x00", Passages: 2},
		}}}},
		{"summary", bot.Reply{Summary: &bot.Summary{Topic: "troops", Documents: 2,
			Sentences: []bot.SummarySentence{{Text: "10,000 <troops>.", Title: "T1", Source: "s1", URL: "https://example.org/1"}},
			Conflicts: []bot.Conflict{{About: "troops", Claims: []bot.SummarySentence{{Text: "10,000", Title: "T1"}, {Text: "20,000", Title: "T2"}}}},
		}}},
		{"summary_empty", bot.Reply{Summary: &bot.Summary{Topic: "cats", Suggestions: []string{"troops", "plan"}}}},
		{"status", bot.Reply{Status: &bot.Status{Documents: 3, Passages: 40, IndexBytes: 2048, Uptime: time.Minute, Helpful: 2, NotHelpful: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkGolden(t, tt.name, Render(tt.rep, event.MsgNotice))
		})
	}
}

func TestRenderAnnouncement(t *testing.T) {
	a := bot.Announcement{Changes: []bot.DocChange{
		{Kind: "added", Title: "New <doc>", Source: "n.txt", URL: "https://example.org/n", Opening: "First line @room\nsecond <i>line</i>"},
		{Kind: "removed", Title: "Old", Source: "o.txt"},
	}}
	checkGolden(t, "announcement", RenderAnnouncement(a, event.MsgText))
}

// TestRenderHostileIsHarmless checks the properties the golden file shows:
// no markup from the document survives and nobody is mentioned.
func TestRenderHostileIsHarmless(t *testing.T) {
	c := Render(bot.Reply{Answer: &bot.Answer{Question: "q", Answered: true, Passages: []bot.Passage{hostilePassage()}}}, event.MsgNotice)
	for _, bad := range []string{"<script", "<a href=\"javascript", "<b>", "<img", "javascript:alert(1)\""} {
		if strings.Contains(c.FormattedBody, bad) {
			t.Errorf("formatted_body contains %q:\n%s", bad, c.FormattedBody)
		}
	}
	for _, want := range []string{"&lt;script&gt;", "@room", "@alice:example.org", "**<strong>now</strong>**"} {
		if !strings.Contains(c.FormattedBody, want) {
			t.Errorf("formatted_body lacks %q", want)
		}
	}
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{}, m["m.mentions"]); diff != "" {
		t.Errorf("m.mentions (-want +got):\n%s", diff)
	}
}

func TestRenderCutsHugeMessages(t *testing.T) {
	c := Render(bot.Reply{Text: strings.Repeat("é", maxBodyBytes)}, event.MsgNotice)
	if len(c.Body) > maxBodyBytes+10 || !strings.HasSuffix(c.Body, "…") {
		t.Errorf("body not cut: %d bytes", len(c.Body))
	}
}

func checkGolden(t *testing.T, name string, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, name+".golden.json", buf.Bytes())
}
