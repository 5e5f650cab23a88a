package matrix

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"framebot/internal/testbot"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"framebot/bot"
	"framebot/sqlite"
)

const (
	payloadBot   = id.UserID("@framebot:example.org")
	payloadAlice = id.UserID("@alice:example.org")
	payloadDM    = id.RoomID("!dm:example.org")    // the bot and Alice
	payloadGroup = id.RoomID("!group:example.org") // three members
)

// payloadClient is a homeserver that accepts every call in process: the
// adapter logs in, "syncs" until stopped, and sends its replies here.
type payloadClient struct {
	sent atomic.Int64
	txn  atomic.Int64
}

func (c *payloadClient) Whoami(context.Context) (*mautrix.RespWhoami, error) {
	return &mautrix.RespWhoami{UserID: payloadBot, DeviceID: "FUZZDEVICE"}, nil
}

func (c *payloadClient) Login(context.Context, *mautrix.ReqLogin) (*mautrix.RespLogin, error) {
	return nil, fmt.Errorf("password login is not used by the fuzz harness")
}

func (c *payloadClient) GetOwnDisplayName(context.Context) (*mautrix.RespUserDisplayName, error) {
	return &mautrix.RespUserDisplayName{DisplayName: "Frame Bot"}, nil
}

func (c *payloadClient) SyncWithContext(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

func (c *payloadClient) SendMessageEvent(_ context.Context, _ id.RoomID, _ event.Type, content any, _ ...mautrix.ReqSendEvent) (*mautrix.RespSendEvent, error) {
	if _, err := json.Marshal(content); err != nil {
		return nil, fmt.Errorf("content can't be sent: %w", err)
	}
	return &mautrix.RespSendEvent{EventID: id.EventID(fmt.Sprintf("$sent%d", c.sent.Add(1)))}, nil
}

func (c *payloadClient) JoinRoomByID(_ context.Context, room id.RoomID) (*mautrix.RespJoinRoom, error) {
	return &mautrix.RespJoinRoom{RoomID: room}, nil
}

func (c *payloadClient) LeaveRoom(context.Context, id.RoomID, ...*mautrix.ReqLeave) (*mautrix.RespLeaveRoom, error) {
	return &mautrix.RespLeaveRoom{}, nil
}

func (c *payloadClient) JoinedMembers(_ context.Context, room id.RoomID) (*mautrix.RespJoinedMembers, error) {
	members := map[id.UserID]mautrix.JoinedMember{payloadBot: {}, payloadAlice: {}}
	if room != payloadDM {
		members["@carol:example.org"] = mautrix.JoinedMember{}
	}
	return &mautrix.RespJoinedMembers{Joined: members}, nil
}

func (c *payloadClient) TxnID() string { return fmt.Sprintf("fuzz%d", c.txn.Add(1)) }

// TestMain removes the shared index of the embedded corpus after the tests.
func TestMain(m *testing.M) { os.Exit(testbot.Run(m)) }

// payloadHarness is a connected adapter whose homeserver is payloadClient;
// events are fed to it as /sync responses.
type payloadHarness struct {
	a      *Adapter
	client *payloadClient
	ctx    context.Context
	log    *testbot.PanicLog
	n      atomic.Int64
}

func newPayloadHarness(tb testing.TB) *payloadHarness {
	tb.Helper()
	ix := testbot.Shared(tb)
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "state.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	b := bot.New(bot.NewAnswerer(ix, bot.AnswerOptions{}), ix)
	b.Feedback, b.Subscriptions = db, db
	off := false
	cfg := Config{
		Enabled: true, Homeserver: "http://127.0.0.1:9", UserID: string(payloadBot), AccessToken: "fuzz-access-token",
		Encryption: &off, Workers: 1, RatePerMinute: -1,
	}
	pl := &testbot.PanicLog{}
	a, err := New(cfg, Deps{Bot: b, Store: db, Logger: slog.New(pl)})
	if err != nil {
		tb.Fatal(err)
	}
	client := &payloadClient{}
	a.client = client
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			tb.Errorf("Run: %v", err)
		}
	})
	select {
	case <-a.connectd:
	case err := <-done:
		tb.Fatalf("Run ended before connecting: %v", err)
	case <-time.After(30 * time.Second):
		tb.Fatal("adapter did not connect within 30 s")
	}
	return &payloadHarness{a: a, client: client, ctx: ctx, log: pl}
}

// deliver hands one timeline event, built around the raw content, to the
// adapter as a /sync response would, then waits until the worker pools have
// handled what it queued. It fails on a panic (recovered by the syncer or
// the pool) and on a job that does not finish within a minute.
func (p *payloadHarness) deliver(t *testing.T, room id.RoomID, typ string, stateKey *string, content []byte) {
	t.Helper()
	evt := map[string]any{
		"type": typ, "sender": payloadAlice, "event_id": fmt.Sprintf("$fuzz%d", p.n.Add(1)),
		"origin_server_ts": time.Now().UnixMilli(), "content": json.RawMessage(content),
	}
	if stateKey != nil {
		evt["state_key"] = *stateKey
	}
	raw, err := json.Marshal(map[string]any{
		"next_batch": "s1",
		"rooms":      map[string]any{"join": map[string]any{string(room): map[string]any{"timeline": map[string]any{"events": []any{evt}}}}},
	})
	if err != nil {
		return // content is not JSON: no homeserver sends that
	}
	var resp mautrix.RespSync
	if err := json.Unmarshal(raw, &resp); err != nil {
		return // mautrix refuses the response before the adapter sees it
	}
	if err := p.a.syncer.ProcessResponse(p.ctx, &resp, "s0"); err != nil {
		t.Fatalf("ProcessResponse(%s): %v", content, err)
	}
	// The workers answer, then queue the reply for the senders, which
	// queue the reactions for side.
	ctx, cancel := context.WithTimeout(p.ctx, time.Minute)
	defer cancel()
	for _, w := range []*bot.Workers{p.a.workers, p.a.senders, p.a.side} {
		if !w.Idle(ctx) {
			t.Fatalf("the jobs of %s %s did not finish within a minute", typ, content)
		}
	}
	if ps := p.log.Take(); len(ps) > 0 {
		t.Fatalf("panic handling %s %s: %v", typ, content, ps)
	}
}

var payloadTypes = []string{"m.room.message", "m.reaction", "m.room.member", "m.room.encrypted"}

func payloadContent(tb testing.TB, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// FuzzMatrixEventContent feeds arbitrary event content, of a message, a
// reaction, a membership or an encrypted event, in a direct or a group
// room, through the adapter's /sync handling: mention and command
// extraction, reply fallbacks, threads, answers and feedback. No content
// may panic the syncer or a worker, or hang.
func FuzzMatrixEventContent(f *testing.F) {
	seeds := []struct {
		kind    uint8
		group   bool
		content any
	}{
		{0, false, map[string]any{"msgtype": "m.text", "body": "Who met in Geneva to discuss the peace framework?"}},
		{0, true, map[string]any{"msgtype": "m.text", "body": "framebot: what guarantees?", "format": "org.matrix.custom.html",
			"formatted_body": `<a href="https://matrix.to/#/@framebot:example.org">Frame Bot</a>: what guarantees?`,
			"m.mentions":     map[string]any{"user_ids": []string{string(payloadBot)}}}},
		{0, true, map[string]any{"msgtype": "m.text", "body": "!framework sources ../../etc/passwd"}},
		{0, true, map[string]any{"msgtype": "m.text", "body": "!framework summary ../../x"}},
		{0, true, map[string]any{"msgtype": "m.text", "body": "!framework"}},
		{0, false, map[string]any{"msgtype": "m.text", "body": "> <@alice:example.org> quoted\n\nfollow-up \x00\u202e?",
			"m.relates_to": map[string]any{"rel_type": "m.thread", "event_id": "$root", "m.in_reply_to": map[string]any{"event_id": "$prev"}}}},
		{0, false, map[string]any{"msgtype": "m.text", "body": "* edited", "m.new_content": map[string]any{"body": "edited"},
			"m.relates_to": map[string]any{"rel_type": "m.replace", "event_id": "$x"}}},
		{0, false, map[string]any{"msgtype": "m.notice", "body": "a bot's notice"}},
		{0, false, map[string]any{"msgtype": "m.text", "body": 5, "m.mentions": "x"}},
		{0, false, map[string]any{"msgtype": "m.text", "body": strings.Repeat("troops ", 1000)}},
		{1, false, map[string]any{"m.relates_to": map[string]any{"rel_type": "m.annotation", "event_id": "$sent1", "key": "👍🏽"}}},
		{1, false, map[string]any{"m.relates_to": map[string]any{"rel_type": "m.annotation", "event_id": "", "key": "👎"}}},
		{2, false, map[string]any{"membership": "invite", "is_direct": true}},
		{2, true, map[string]any{"membership": "join", "displayname": "Frame\u202eBot"}},
		{3, true, map[string]any{"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "AAAA", "session_id": "s", "device_id": "D"}},
	}
	for _, s := range seeds {
		f.Add(s.kind, s.group, payloadContent(f, s.content))
	}
	f.Add(uint8(0), false, []byte(`{"msgtype":"m.text","body":null,"formatted_body":{"a":1}}`))
	f.Add(uint8(0), true, []byte(`[]`))
	p := newPayloadHarness(f)
	f.Fuzz(func(t *testing.T, kind uint8, group bool, content []byte) {
		if len(content) > 64<<10 {
			return
		}
		room := payloadDM
		if group {
			room = payloadGroup
		}
		typ := payloadTypes[int(kind)%len(payloadTypes)]
		var stateKey *string
		if typ == "m.room.member" {
			k := string(payloadBot)
			stateKey = &k
		}
		p.deliver(t, room, typ, stateKey, content)
	})
}

// TestFuzzMatrixHarnessReachesTheBot checks that the fuzz harness is not
// hollow: a question in the direct room is answered.
func TestFuzzMatrixHarnessReachesTheBot(t *testing.T) {
	p := newPayloadHarness(t)
	p.deliver(t, payloadDM, "m.room.message", nil, payloadContent(t, map[string]any{"msgtype": "m.text", "body": "Who met in Geneva to discuss the peace framework?"}))
	if n := p.client.sent.Load(); n < 1 {
		t.Errorf("%d events sent for one question, want the answer (and its reactions)", n)
	}
}
