package slack

import (
	"strings"
	"testing"
	"time"

	"framebot/bot"
	"framebot/internal/golden"
)

// staleFixture is a corrected answer with a quote of each kind and
// hostile text.
func staleFixture() bot.StaleAnswer {
	day := time.Date(2026, 12, 3, 9, 30, 0, 0, time.UTC)
	return bot.StaleAnswer{
		ID: 42, Channel: "C1", MessageID: "1700000000.000100", Question: "How long does the <!channel> *ceasefire* last?",
		At: day.Add(-48 * time.Hour),
		Passages: []bot.Passage{
			{Text: "The ceasefire lasts thirty days.", Doc: "truce.md", Title: "Truce terms", Source: "Desk", URL: "https://example.org/truce", Highlights: []bot.Span{{Start: 4, End: 13}}},
			{Text: "Monitors from five countries watch the line.", Doc: "monitors.md", Title: "Monitors", Source: "Desk"},
			{Text: "Talks resume in ~Geneva~ @here.", Doc: "talks.md", Title: "Talks"},
			{Text: "Prisoners are exchanged weekly.", Doc: "old/prisoners.md", Title: "Prisoners"},
		},
		Quotes: []bot.QuoteState{
			{Kind: bot.QuoteChanged, Now: "The ceasefire lasts *sixty* days <@U123>.", Since: day},
			{},
			{Kind: bot.QuoteRemoved, Since: day},
			{Kind: bot.QuoteMoved, MovedTo: "new/<!here>.md", Since: day},
		},
	}
}

func TestRenderStaleGolden(t *testing.T) {
	m := RenderStale(staleFixture())
	got, err := m.MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "render_stale.golden.json", got)
	for _, bad := range []string{"<!channel>", "<!here>", "<@U123>"} {
		if strings.Contains(string(got), bad) {
			t.Errorf("corpus or user text %q reached Slack unescaped", bad)
		}
	}
}

func TestRenderStaleOfAnAnswerWhoseQuotesStandAgainIsTheOriginal(t *testing.T) {
	a := staleFixture()
	a.Quotes = make([]bot.QuoteState, len(a.Passages))
	got, _ := RenderStale(a).MarshalIndent()
	want, _ := Render(bot.Reply{Answer: &bot.Answer{Question: a.Question, Answered: true, Passages: a.Passages}}, RenderOptions{AnswerID: a.ID}).MarshalIndent()
	if string(got) != string(want) {
		t.Errorf("RenderStale with every quote standing:\n%s\nwant the original answer:\n%s", got, want)
	}
}
