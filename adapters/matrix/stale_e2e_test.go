//go:build goolm

package matrix

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"framebot/bot"
	"framebot/corpus"
	"framebot/internal/testbot"
	"framebot/internal/testfs"
	"framebot/live"
)

const (
	truceOld  = "The ceasefire between the two armies begins on the third of March and lasts thirty days under international monitors."
	truceNew  = "The ceasefire between the two armies begins on the third of March and lasts sixty days under international monitors."
	truceMore = "Prisoners are exchanged in the second week, in groups of fifty, at the northern crossing."
)

func truceDoc(body string) string {
	return "---\ntitle: Truce terms\nsource: Desk\n---\n\n" + body + "\n"
}

// TestStaleAnswerIsEditedInPlace runs the adapter against a real Dendrite
// in an encrypted room: a changed quote and then a deleted document each
// edit the bot's answer (m.replace), encrypted, with m.mentions empty.
func TestStaleAnswerIsEditedInPlace(t *testing.T) {
	srv, ctx, cancel := startHomeserver(t, 5*time.Minute, "framebot", "alice")
	defer cancel()

	dir := t.TempDir()
	testfs.Write(t, dir, "truce.md", truceDoc(truceOld+"\n\n"+truceMore))
	testfs.Write(t, dir, "weather.md", "---\ntitle: Weather\n---\n\nRain is expected over the coast on Tuesday.\n")
	ix, _ := testbot.IndexFolders(t, dir)
	state := openState(t, "state.db")
	b := bot.New(bot.NewAnswerer(ix, bot.AnswerOptions{}), ix)
	b.Feedback, b.Subscriptions = state, state

	botID, botToken, _ := srv.Login(t, "framebot", "framebot-password")
	cfg := Config{Enabled: true, Homeserver: srv.URL(), UserID: botID, AccessToken: botToken, PickleKey: "test pickle key",
		RatePerMinute: -1, AllowedInviters: []string{"@alice:localhost"}}
	run := startAdapter(t, ctx, cfg, b, state)

	alice := newAsker(t, ctx, srv, "alice", true)
	botUser := id.UserID(botID)
	room := alice.encryptedRoomWith(t, ctx, botUser, "secret")
	q := alice.sendText(t, ctx, room, "framebot: how long does the ceasefire last?")
	ans := alice.waitReply(t, ctx, q)
	if !strings.Contains(ans.Content.AsMessage().Body, "thirty days") {
		t.Fatalf("the answer does not quote the truce:\n%s", ans.Content.AsMessage().Body)
	}
	waitRemembered(t, ctx, state, room, ans.ID)

	applier := &live.Applier{Root: dir, Index: ix}
	tracker := &bot.Tracker{Store: state, Docs: ix}
	sender := &bot.EditSender{Queue: state, Editor: run.a}
	apply := func(t *testing.T) {
		t.Helper()
		changes, err := applier.Apply(ctx, corpus.Batch{Paths: []string{"truce.md"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tracker.Changes(ctx, changes); err != nil {
			t.Fatal(err)
		}
		if _, failed, err := sender.Drain(ctx); err != nil || failed != 0 {
			t.Fatalf("Drain: %d failed, %v", failed, err)
		}
	}
	// edit waits for an edit of the answer whose new content contains want.
	edit := func(t *testing.T, want string) *event.Event {
		t.Helper()
		return alice.waitFor(t, ctx, func(e *event.Event) bool {
			c := e.Content.AsMessage()
			return c.RelatesTo.GetReplaceID() == ans.ID && c.NewContent != nil && strings.Contains(c.NewContent.Body, want)
		})
	}
	check := func(t *testing.T, e *event.Event, wants ...string) {
		t.Helper()
		if e.Mautrix.EventSource&event.SourceDecrypted == 0 {
			t.Error("the edit in the encrypted room was not encrypted")
		}
		nc := e.Content.AsMessage().NewContent
		for _, want := range wants {
			if !strings.Contains(nc.Body, want) {
				t.Errorf("new body lacks %q:\n%s", want, nc.Body)
			}
		}
		if !strings.Contains(nc.FormattedBody, "<del>") {
			t.Errorf("new formatted body does not strike the old quote:\n%s", nc.FormattedBody)
		}
		checkNoMentions(t, e)
		if nc.Mentions == nil || len(nc.Mentions.UserIDs) != 0 || nc.Mentions.Room {
			t.Errorf("m.new_content m.mentions = %+v, want empty", nc.Mentions)
		}
	}

	t.Run("a changed quote edits the answer with the marking and what it says now", func(t *testing.T) {
		testfs.Write(t, dir, "truce.md", truceDoc(truceNew+"\n\n"+truceMore))
		apply(t)
		day := time.Now().UTC().Format("2006-01-02")
		check(t, edit(t, "now:"), "Changed on "+day, "thirty days", "now: “"+truceNew+"”", "Ask again: !framework ask how long does the ceasefire last?")
	})

	t.Run("a deleted document edits the answer to say removed", func(t *testing.T) {
		if err := os.Remove(filepath.Join(dir, "truce.md")); err != nil {
			t.Fatal(err)
		}
		apply(t)
		check(t, edit(t, "Document removed"), "Document removed on ", "thirty days")
	})
}
