//go:build goolm

package matrix

import (
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"framebot/internal/logcheck"
	poller "framebot/internal/wait"
)

// TestLogsCarryNoMessageText runs every command against a real Dendrite,
// as a mention and with the command prefix, votes on an answer, and
// checks that the adapter's log at info level and above holds none of the
// words the user wrote.
func TestLogsCarryNoMessageText(t *testing.T) {
	srv, ctx, cancel := startHomeserver(t, 5*time.Minute, "framebot", "alice")
	defer cancel()
	state := openState(t, "state.db")
	b := newBot(t, state)
	botID, botToken, _ := srv.Login(t, "framebot", "framebot-password")
	no := false
	cfg := Config{Homeserver: srv.URL(), UserID: botID, AccessToken: botToken, Encryption: &no, RatePerMinute: -1}
	rec := &logcheck.Recorder{}
	startAdapterLog(t, ctx, cfg, b, state, rec.Logger())

	alice := newAsker(t, ctx, srv, "alice", false)
	botUser := id.UserID(botID)
	room := alice.createRoom(t, ctx, &mautrix.ReqCreateRoom{Preset: "private_chat", Invite: []id.UserID{botUser}})
	alice.waitMember(t, ctx, room, botUser, event.MembershipJoin)

	const question, topic, other = "Qzquestionword", "Qztopicword", "Qzcommandword"
	lines := []string{
		"framebot: what guarantees does the plan give " + question + "?",
		"!framework ask who met in Geneva " + question,
		"!framework summary troops " + topic,
		"!framework proposals", "!framework sources", "!framework sources 2", "!framework new",
		"!framework subscribe", "!framework unsubscribe", "!framework status", "!framework help",
		"!framework " + other + " please",
	}
	var answer *event.Event
	for _, l := range lines {
		r := alice.waitReply(t, ctx, alice.sendText(t, ctx, room, l))
		if answer == nil {
			answer = r
		}
	}
	// A vote on the first answer.
	if _, err := alice.cli.SendReaction(ctx, room, answer.ID, "👍"); err != nil {
		t.Fatal(err)
	}
	poller.For(t, "the vote to be recorded", wait, 50*time.Millisecond, func() bool {
		h, _, err := state.FeedbackCounts(ctx)
		return err == nil && h == 1
	})
	if rec.Records() == 0 {
		t.Fatal("nothing was logged: the check would be vacuous")
	}
	rec.AssertNone(t, question, topic, other, "what guarantees does the plan give", "who met in Geneva")
}
