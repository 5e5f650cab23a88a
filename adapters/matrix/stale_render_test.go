package matrix

import (
	"strings"
	"testing"
	"time"

	"maunium.net/go/mautrix/event"

	"framebot/bot"
)

func TestRenderStaleGolden(t *testing.T) {
	day := time.Date(2026, 12, 3, 9, 30, 0, 0, time.UTC)
	a := bot.StaleAnswer{
		ID: 42, Channel: "!room:x", MessageID: "$answer", Question: "How long does the <b>ceasefire</b> last?",
		Passages: []bot.Passage{
			{Text: "The ceasefire lasts thirty days.", Doc: "truce.md", Title: "Truce terms", Source: "Desk", URL: "https://example.org/truce", Highlights: []bot.Span{{Start: 4, End: 13}}},
			{Text: "Monitors from five countries watch the line.", Doc: "monitors.md", Title: "Monitors", Source: "Desk"},
			{Text: "Talks resume in <script>x</script> @room.", Doc: "talks.md", Title: "Talks"},
			{Text: "Prisoners are exchanged weekly.", Doc: "old/prisoners.md", Title: "Prisoners"},
		},
		Quotes: []bot.QuoteState{
			{Kind: bot.QuoteChanged, Now: "The ceasefire lasts <i>sixty</i> days.", Since: day},
			{},
			{Kind: bot.QuoteRemoved, Since: day},
			{Kind: bot.QuoteMoved, MovedTo: "new/<prisoners>.md", Since: day},
		},
	}
	c := RenderStale(a, event.MsgNotice, "!framework")
	checkGolden(t, "stale", c)
	for _, bad := range []string{"<script>", "<b>ceasefire", "<i>sixty", "<prisoners>"} {
		if strings.Contains(c.FormattedBody, bad) {
			t.Errorf("formatted body carries corpus markup %q", bad)
		}
	}
	if c.Mentions == nil || len(c.Mentions.UserIDs) != 0 || c.Mentions.Room {
		t.Errorf("m.mentions = %+v, want empty", c.Mentions)
	}
}

func TestDigestSaysHowManyEarlierAnswersWereUpdated(t *testing.T) {
	c := RenderAnnouncement(bot.Announcement{Changes: []bot.DocChange{{Kind: "updated", Doc: "a.md", Title: "A"}}, AnswersUpdated: 1}, event.MsgNotice)
	if !strings.HasSuffix(c.Body, "\n1 earlier answer updated.") || !strings.HasSuffix(c.FormattedBody, "<p>1 earlier answer updated.</p>") {
		t.Errorf("digest lacks the line:\n%s\n%s", c.Body, c.FormattedBody)
	}
	if c := RenderAnnouncement(bot.Announcement{Changes: []bot.DocChange{{Kind: "updated", Doc: "a.md", Title: "A"}}}, event.MsgNotice); strings.Contains(c.Body, "earlier answer") {
		t.Errorf("digest with no answer updated mentions them:\n%s", c.Body)
	}
}
