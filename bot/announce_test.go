package bot

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// recordingNotifier records what it posts; channels in fail refuse.
type recordingNotifier struct {
	platform string
	fail     map[string]bool
	mu       sync.Mutex
	got      []string
}

func (n *recordingNotifier) Platform() string { return n.platform }

func (n *recordingNotifier) Notify(_ context.Context, channel string, a Announcement) error {
	if n.fail[channel] {
		return errors.New("not_in_channel")
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.got = append(n.got, channel+":"+a.Changes[0].Doc)
	return nil
}

// subsStore is a subscription store over a map.
type subsStore map[string][]string

func (s subsStore) Subscribe(context.Context, string, string) error           { return nil }
func (s subsStore) Unsubscribe(context.Context, string, string) (bool, error) { return false, nil }
func (s subsStore) Subscribers(_ context.Context, p string) ([]string, error) {
	if p == "broken" {
		return nil, errors.New("database is locked")
	}
	return s[p], nil
}

func TestAnnouncerPostsToEverySubscriberOfEachPlatform(t *testing.T) {
	slack := &recordingNotifier{platform: "slack", fail: map[string]bool{"CGONE": true}}
	matrix := &recordingNotifier{platform: "matrix"}
	broken := &recordingNotifier{platform: "broken"}
	an := &Announcer{
		Subscriptions: subsStore{"slack": {"C1", "CGONE", "C2"}, "matrix": {"!room"}},
		Notifiers:     []Notifier{slack, broken, matrix},
	}
	sent, err := an.Announce(context.Background(), Announcement{Changes: []DocChange{{Kind: "added", Doc: "a.md"}}})
	if sent != 3 {
		t.Errorf("sent = %d, want 3", sent)
	}
	if err == nil || !strings.Contains(err.Error(), "CGONE") || !strings.Contains(err.Error(), "database is locked") {
		t.Errorf("err = %v, want the refused channel and the unreadable store", err)
	}
	if diff := cmp.Diff([]string{"C1:a.md", "C2:a.md"}, slack.got); diff != "" {
		t.Errorf("slack (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"!room:a.md"}, matrix.got); diff != "" {
		t.Errorf("matrix (-want +got):\n%s", diff)
	}
}

func TestDigestOrdersAdditionsUpdatesRemovals(t *testing.T) {
	got, ok := Digest([]DocChange{
		{Kind: "removed", Doc: "z.md", Title: "Zulu"},
		{Kind: "updated", Doc: "b.md", Title: "bravo"},
		{Kind: "added", Doc: "c.md", Title: "Charlie"},
		{Kind: "added", Doc: "a.md", Title: "Alpha"},
	})
	want := Announcement{Changes: []DocChange{
		{Kind: "added", Doc: "a.md", Title: "Alpha"},
		{Kind: "added", Doc: "c.md", Title: "Charlie"},
		{Kind: "updated", Doc: "b.md", Title: "bravo"},
		{Kind: "removed", Doc: "z.md", Title: "Zulu"},
	}}
	if diff := cmp.Diff(want, got); !ok || diff != "" {
		t.Errorf("Digest (-want +got):\n%s", diff)
	}
	if _, ok := Digest(nil); ok {
		t.Error("Digest(nil) reports something to announce")
	}
}

func TestOpening(t *testing.T) {
	long := strings.Repeat("word ", 100)
	tests := []struct {
		name string
		in   []string
		want string
	}{
		{"joins the first paragraphs", []string{"First.", "", "Second."}, "First. Second."},
		{"is empty for no text", nil, ""},
		{"cuts at a word near the limit", []string{long}, strings.TrimSpace(long[:MaxOpening]) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Opening(tt.in); got != tt.want {
				t.Errorf("Opening = %q, want %q", got, tt.want)
			}
		})
	}
}
