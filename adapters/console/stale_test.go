package console

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"

	"framebot/bot"
)

func TestPrintStale(t *testing.T) {
	now := "It lasts sixty days."
	tests := []struct {
		name   string
		format Format
		e      StaleEvent
		want   string
	}{
		{"json with the new quote", JSON, StaleEvent{Event: "stale", Doc: "a.md", Question: "How long?", Was: "It lasts thirty days.", Now: &now, Kind: bot.QuoteChanged},
			`{"event":"stale","doc":"a.md","question":"How long?","was":"It lasts thirty days.","now":"It lasts sixty days.","kind":"changed"}` + "\n"},
		{"json of a removed document has now null", JSON, StaleEvent{Event: "stale", Doc: "a.md", Question: "How long?", Was: "It lasts thirty days.", Kind: bot.QuoteRemoved},
			`{"event":"stale","doc":"a.md","question":"How long?","was":"It lasts thirty days.","now":null,"kind":"removed"}` + "\n"},
		{"text says what changed", Text, StaleEvent{Event: "stale", Doc: "a.md", Question: "How long?", Was: "It lasts thirty days.", Now: &now, Kind: bot.QuoteChanged},
			"[stale] An earlier answer to \"How long?\" quoted a.md, which no longer says it.\n  was: “It lasts thirty days.”\n  now: “It lasts sixty days.”\n"},
		{"text of a removed document", Text, StaleEvent{Event: "stale", Doc: "a.md", Question: "How long?", Was: "It lasts thirty days.", Kind: bot.QuoteRemoved},
			"[stale] An earlier answer to \"How long?\" quoted a.md, which was removed.\n  was: “It lasts thirty days.”\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			c := newChat(t, Config{Format: tt.format}, Deps{Out: &out})
			if err := c.PrintStale(tt.e); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, out.String()); diff != "" {
				t.Errorf("PrintStale (-want +got):\n%s", diff)
			}
		})
	}
}
