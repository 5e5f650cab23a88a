package matrix

import (
	"strings"
	"testing"
	"time"

	"maunium.net/go/mautrix/event"

	"framebot/bot"
)

// TestRenderStaleKeepsTheContext: the edit of an answer read as a
// follow-up keeps its "(in the context of: …)" line, escaped, whether its
// quotes went stale or all stand again.
func TestRenderStaleKeepsTheContext(t *testing.T) {
	passages := []bot.Passage{{Text: "Edward Arnold concludes.", Doc: "news.md", Title: "News"}}
	tests := []struct {
		name   string
		quotes []bot.QuoteState
	}{
		{"a stale quote", []bot.QuoteState{{Kind: bot.QuoteChanged, Since: time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)}}},
		{"quotes that stand again", []bot.QuoteState{{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := bot.StaleAnswer{ID: 7, Channel: "!r:x", MessageID: "$e", Question: "Who reported that?",
				Context: "Coalition of the <b>Willing</b>", Passages: passages, Quotes: tt.quotes}
			c := RenderStale(a, event.MsgNotice, "!framework")
			if want := "(in the context of: Coalition of the <b>Willing</b>)"; !strings.Contains(c.Body, want) {
				t.Errorf("body lacks %q:\n%s", want, c.Body)
			}
			if want := "<p><em>(in the context of: Coalition of the &lt;b&gt;Willing&lt;/b&gt;)</em></p>"; !strings.Contains(c.FormattedBody, want) {
				t.Errorf("formatted body lacks %q:\n%s", want, c.FormattedBody)
			}
			a.Context = ""
			if c := RenderStale(a, event.MsgNotice, "!framework"); strings.Contains(c.Body+c.FormattedBody, "in the context of") {
				t.Errorf("an answer without context got a context line:\n%s", c.Body)
			}
		})
	}
}
