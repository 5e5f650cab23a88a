package matrix

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

func TestMentionerFind(t *testing.T) {
	m := newMentioner("@framebot:example.org", "Frame Bot")
	tests := []struct {
		name          string
		body, html    string
		mentions      *event.Mentions
		wantMentioned bool
		wantText      string
	}{
		{"no mention is not addressed", "what is the plan?", "", nil, false, "what is the plan?"},
		{"localpart with colon is removed", "framebot: what is the plan?", "", nil, true, "what is the plan?"},
		{"display name pill is found through m.mentions", "Frame Bot: plan?", `<a href="https://matrix.to/#/@framebot:example.org">Frame Bot</a>: plan?`,
			&event.Mentions{UserIDs: []id.UserID{"@framebot:example.org"}}, true, "plan?"},
		{"full user ID in the middle", "hey @framebot:example.org, the plan?", "", nil, true, "hey   the plan?"},
		{"case does not matter", "FRAMEBOT what now", "", nil, true, "what now"},
		{"a longer word is not a mention", "framebots are great", "", nil, false, "framebots are great"},
		{"another user's ID is not a mention", "ask @framebot2:example.org", "", nil, false, "ask @framebot2:example.org"},
		{"an email-like word is not a mention", "mail x.framebot please", "", nil, false, "mail x.framebot please"},
		{"pill in HTML alone", "hi", `<a href="https://matrix.to/#/%40framebot%3Aexample.org">x</a>`, nil, true, "hi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, text := m.find(tt.body, tt.html, tt.mentions)
			if got != tt.wantMentioned {
				t.Errorf("mentioned = %v, want %v", got, tt.wantMentioned)
			}
			if diff := cmp.Diff(tt.wantText, text); diff != "" {
				t.Errorf("text (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCommandLine(t *testing.T) {
	tests := []struct {
		text     string
		wantLine string
		wantOK   bool
	}{
		{"!framework help", "help", true},
		{"  !FrameWork   summary troops ", "summary troops", true},
		{"!framework", "", true},
		{"!frameworks help", "", false},
		{"say !framework help", "", false},
		{"!frame", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			line, ok := commandLine(tt.text, "!framework")
			if diff := cmp.Diff([]any{tt.wantLine, tt.wantOK}, []any{line, ok}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzMentionerFind(f *testing.F) {
	for _, s := range []string{"framebot: hi", "@framebot:example.org", "Frame Bot, what", "ö\xff framebot"} {
		f.Add(s)
	}
	m := newMentioner("@framebot:example.org", "Frame Bot")
	f.Fuzz(func(t *testing.T, body string) {
		_, text := m.find(body, body, nil)
		if len(text) > len(body)+len(body) {
			t.Fatalf("text grew: %q -> %q", body, text)
		}
		commandLine(body, "!framework")
	})
}
