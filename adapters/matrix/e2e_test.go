//go:build goolm

package matrix

import (
	"context"
	"errors"
	"fmt"
	"framebot/internal/testbot"
	poller "framebot/internal/wait"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mau.fi/util/dbutil"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/crypto/cryptohelper"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"framebot/bot"
	"framebot/internal/dendritetest"
	"framebot/sqlite"
)

// wait bounds every wait of the end-to-end tests.
const wait = 90 * time.Second

// hostileDoc is a corpus document written to trip up a Matrix client.
const hostileDoc = `Quixotic Zanzibar Protocol

The Quixotic Zanzibar Protocol requires <script>alert("pwned")</script> every delegate to open <a href="javascript:alert(1)">this link</a> and **shout** at @room and @alice:localhost before dawn.
`

const hostileQuestion = "What does the Quixotic Zanzibar Protocol require?"

// TestEndToEnd runs the adapter against a real Dendrite with a real bot
// (the built-in corpus plus a hostile document) and a second account,
// alice, asking through mautrix with encryption. The subtests share the
// homeserver and run in order: each builds on the rooms of the previous.
func TestEndToEnd(t *testing.T) {
	srv, ctx, cancel := startHomeserver(t, 10*time.Minute, "framebot", "alice", "carol", "mallory")
	defer cancel()

	state := openState(t, "state.db")
	b := newBot(t, state)
	botID, botToken, botDevice := srv.Login(t, "framebot", "framebot-password")
	yes := true
	cfg := Config{
		Enabled:           true,
		Homeserver:        srv.URL(),
		UserID:            botID,
		AccessToken:       botToken,
		PickleKey:         "test pickle key",
		Workers:           1, // answers in order, so "not answered" can be checked by answering a later message
		RatePerMinute:     -1,
		AllowedInviters:   []string{"@alice:localhost"},
		FeedbackReactions: &yes,
	}
	run := startAdapter(t, ctx, cfg, b, state)

	alice := newAsker(t, ctx, srv, "alice", true)
	carol := newAsker(t, ctx, srv, "carol", false)
	mallory := newAsker(t, ctx, srv, "mallory", false)
	botUser := id.UserID(botID)
	parent := t

	var group, dm, encrypted id.RoomID

	t.Run("invites from allowed users are joined and others declined", func(t *testing.T) {
		group = alice.createRoom(t, ctx, &mautrix.ReqCreateRoom{Preset: "private_chat", Name: "group", Invite: []id.UserID{botUser, carol.id}})
		if _, err := carol.cli.JoinRoomByID(ctx, group); err != nil {
			t.Fatal(err)
		}
		alice.waitMember(t, ctx, group, botUser, event.MembershipJoin)
		alice.waitMember(t, ctx, group, carol.id, event.MembershipJoin)

		evil := mallory.createRoom(t, ctx, &mautrix.ReqCreateRoom{Preset: "private_chat", Invite: []id.UserID{botUser}})
		mallory.waitMember(t, ctx, evil, botUser, event.MembershipLeave)
	})

	t.Run("a mention is answered as a reply with quoted passages and sources", func(t *testing.T) {
		unaddressed := alice.sendText(t, ctx, group, "what guarantees does the plan give?")
		q := alice.sendText(t, ctx, group, "framebot: what guarantees does the plan give?")
		ans := alice.waitReply(t, ctx, q)
		c := ans.Content.AsMessage()
		if c.MsgType != event.MsgNotice || c.Format != event.FormatHTML {
			t.Errorf("msgtype %q format %q, want m.notice and HTML", c.MsgType, c.Format)
		}
		for _, want := range []string{"<blockquote>", "<strong>", "— "} {
			if !strings.Contains(c.FormattedBody, want) {
				t.Errorf("formatted_body lacks %q:\n%s", want, c.FormattedBody)
			}
		}
		if !strings.Contains(c.Body, "“") || !strings.Contains(c.Body, "— ") {
			t.Errorf("body lacks a quote and a source line:\n%s", c.Body)
		}
		checkNoMentions(t, ans)
		if alice.repliedTo(unaddressed) {
			t.Error("a message that did not mention the bot was answered")
		}

		// 👍 on the answer counts as helpful feedback.
		var r event.ReactionEventContent
		r.RelatesTo.SetAnnotation(ans.ID, "👍️")
		if _, err := alice.cli.SendMessageEvent(ctx, group, event.EventReaction, &r); err != nil {
			t.Fatal(err)
		}
		poll(t, "feedback recorded", func() bool {
			h, _, err := state.FeedbackCounts(ctx)
			return err == nil && h == 1
		})
	})

	t.Run("!framework help and summary are answered as replies", func(t *testing.T) {
		q := alice.sendText(t, ctx, group, "!framework help")
		help := alice.waitReply(t, ctx, q).Content.AsMessage()
		if !strings.Contains(help.Body, "!framework ask") {
			t.Errorf("help does not list !framework ask:\n%s", help.Body)
		}
		q = alice.sendText(t, ctx, group, "!framework summary security guarantees")
		sum := alice.waitReply(t, ctx, q)
		if strings.TrimSpace(sum.Content.AsMessage().Body) == "" {
			t.Error("summary reply is empty")
		}
		checkNoMentions(t, sum)
	})

	t.Run("a question in a thread is answered in the thread and so is a follow-up", func(t *testing.T) {
		root := alice.sendText(t, ctx, group, "Thread about the plan")
		q := alice.send(t, ctx, group, threadText("framebot what guarantees does the plan give?", root))
		ans := alice.waitReply(t, ctx, q).Content.AsMessage()
		if got := ans.RelatesTo.GetThreadParent(); got != root {
			t.Errorf("answer thread = %q, want %q", got, root)
		}
		follow := alice.send(t, ctx, group, threadText("how many troops would be deployed?", root))
		ans = alice.waitReply(t, ctx, follow).Content.AsMessage()
		if got := ans.RelatesTo.GetThreadParent(); got != root {
			t.Errorf("follow-up answer thread = %q, want %q", got, root)
		}
		if alice.repliedTo(root) {
			t.Error("the unaddressed thread root was answered")
		}
	})

	t.Run("a follow-up in a thread is answered in its context and a new topic is not", func(t *testing.T) {
		root := alice.sendText(t, ctx, group, "Thread about RUSI")
		q := alice.send(t, ctx, group, threadText("framebot what does RUSI conclude about the Coalition of the Willing?", root))
		alice.waitReply(t, ctx, q)
		follow := alice.send(t, ctx, group, threadText("who reported that?", root))
		ans := alice.waitReply(t, ctx, follow).Content.AsMessage()
		if !strings.Contains(ans.Body, "(in the context of: ") || !strings.Contains(ans.Body, "Edward Arnold") {
			t.Errorf("follow-up answer lacks the context or the RUSI conclusion:\n%s", ans.Body)
		}
		if !strings.Contains(ans.FormattedBody, "<p><em>(in the context of: ") {
			t.Errorf("formatted_body does not say the context:\n%s", ans.FormattedBody)
		}
		other := alice.send(t, ctx, group, threadText("What kind of security guarantees will Russia accept?", root))
		ans = alice.waitReply(t, ctx, other).Content.AsMessage()
		if strings.Contains(ans.Body, "in the context of") || !strings.Contains(ans.Body, "Q: What kind of security guarantees") {
			t.Errorf("a new topic in the thread was answered in the old one's context:\n%s", ans.Body)
		}
	})

	t.Run("a direct room is answered without a mention and the bot ignores itself", func(t *testing.T) {
		dm = alice.createRoom(t, ctx, &mautrix.ReqCreateRoom{Preset: "trusted_private_chat", IsDirect: true, Invite: []id.UserID{botUser}})
		alice.waitMember(t, ctx, dm, botUser, event.MembershipJoin)
		q1 := alice.sendText(t, ctx, dm, "what guarantees does the plan give?")
		alice.waitReply(t, ctx, q1)
		q2 := alice.sendText(t, ctx, dm, "how many troops?")
		alice.waitReply(t, ctx, q2)
		if n := alice.countFrom(dm, botUser); n != 2 {
			t.Errorf("bot sent %d messages in the direct room, want 2 (one per question)", n)
		}
	})

	t.Run("a hostile document is quoted harmlessly", func(t *testing.T) {
		q := alice.sendText(t, ctx, dm, hostileQuestion)
		ans := alice.waitReply(t, ctx, q)
		c := ans.Content.AsMessage()
		if !strings.Contains(c.FormattedBody, "Zanzibar") {
			t.Fatalf("the hostile document was not quoted:\n%s", c.FormattedBody)
		}
		for _, bad := range []string{"<script", "<a href=\"javascript", "<a href"} {
			if strings.Contains(c.FormattedBody, bad) {
				t.Errorf("formatted_body contains %q:\n%s", bad, c.FormattedBody)
			}
		}
		if !strings.Contains(c.FormattedBody, "&lt;script&gt;") {
			t.Errorf("formatted_body lacks the escaped script tag:\n%s", c.FormattedBody)
		}
		checkNoMentions(t, ans)
	})

	t.Run("an encrypted room works both ways", func(t *testing.T) {
		encrypted = alice.createRoom(t, ctx, &mautrix.ReqCreateRoom{
			Preset: "private_chat", Name: "secret", Invite: []id.UserID{botUser, carol.id},
			InitialState: []*event.Event{{
				Type:    event.StateEncryption,
				Content: event.Content{Parsed: &event.EncryptionEventContent{Algorithm: id.AlgorithmMegolmV1}},
			}},
		})
		if _, err := carol.cli.JoinRoomByID(ctx, encrypted); err != nil {
			t.Fatal(err)
		}
		alice.waitMember(t, ctx, encrypted, botUser, event.MembershipJoin)
		alice.waitEncrypted(t, ctx, encrypted)
		q := alice.sendText(t, ctx, encrypted, "framebot: what guarantees does the plan give?")
		ans := alice.waitReply(t, ctx, q)
		if ans.Mautrix.EventSource&event.SourceDecrypted == 0 {
			t.Error("the answer in the encrypted room was not encrypted")
		}
		if !strings.Contains(ans.Content.AsMessage().FormattedBody, "<blockquote>") {
			t.Errorf("decrypted answer lacks quotes:\n%s", ans.Content.AsMessage().FormattedBody)
		}
	})

	t.Run("an announcement reaches a subscribed room as a digest", func(t *testing.T) {
		q := alice.sendText(t, ctx, group, "!framework subscribe")
		alice.waitReply(t, ctx, q)
		subs, err := state.Subscribers(ctx, Platform)
		if err != nil || len(subs) != 1 || subs[0] != group.String() {
			t.Fatalf("subscribers = %q (%v), want [%s]", subs, err, group)
		}
		err = run.a.Notify(ctx, subs[0], bot.Announcement{Changes: []bot.DocChange{{Kind: "added", Title: "Fresh report", Source: "fresh.txt", Opening: "It begins."}}})
		if err != nil {
			t.Fatal(err)
		}
		alice.waitFor(t, ctx, func(e *event.Event) bool {
			return e.RoomID == group && strings.Contains(e.Content.AsMessage().Body, "Fresh report")
		})
	})

	t.Run("after a restart old messages are not answered and keys are kept", func(t *testing.T) {
		run.stop(t)
		old := alice.sendText(t, ctx, group, "framebot: what guarantees does the plan give?")
		oldEnc := alice.sendText(t, ctx, encrypted, "framebot: how many troops?")
		run = startAdapter(parent, ctx, cfg, b, state)

		q := alice.sendText(t, ctx, group, "framebot: how many troops would be deployed?")
		alice.waitReply(t, ctx, q)
		q = alice.sendText(t, ctx, encrypted, "framebot: what guarantees does the plan give?")
		ans := alice.waitReply(t, ctx, q)
		if ans.Mautrix.EventSource&event.SourceDecrypted == 0 {
			t.Error("the answer in the encrypted room was not encrypted")
		}
		if alice.repliedTo(old) || alice.repliedTo(oldEnc) {
			t.Error("a message sent while the bot was stopped was answered")
		}
		dev, _, err := state.Get(ctx, keyDeviceID)
		if err != nil || dev != botDevice {
			t.Errorf("stored device = %q (%v), want %q", dev, err, botDevice)
		}
	})

	t.Run("the next question is answered after the homeserver restarts", func(t *testing.T) {
		srv.Stop(t)
		srv.Restart(t)
		q := alice.sendText(t, ctx, dm, "what guarantees does the plan give?")
		alice.waitReply(t, ctx, q)
	})

	t.Run("a rejected access token stops the adapter with a clear error", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL()+"/_matrix/client/v3/logout", strings.NewReader("{}"))
		req.Header.Set("Authorization", "Bearer "+botToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		select {
		case err := <-run.done:
			run.done = nil
			if !errors.Is(err, ErrUnknownToken) {
				t.Errorf("Run() = %v, want ErrUnknownToken", err)
			}
		case <-time.After(wait):
			t.Fatal("the adapter kept running with a logged-out token")
		}
	})
}

// TestPasswordLoginKeepsDevice logs in with a password twice on one state
// database and checks the second run reuses the device (and so its keys).
func TestPasswordLoginKeepsDevice(t *testing.T) {
	srv := dendritetest.Start(t)
	srv.CreateAccount(t, "framebot", "framebot-password", false)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	state := openState(t, "state.db")
	b := newBot(t, state)
	cfg := Config{Homeserver: srv.URL(), UserID: srv.UserID("framebot"), Password: "framebot-password", PickleKey: "k"}
	devices := make([]string, 2)
	for i := range devices {
		r := startAdapter(t, ctx, cfg, b, state)
		r.stop(t)
		devices[i], _, _ = state.Get(ctx, keyDeviceID)
	}
	if devices[0] == "" || devices[0] != devices[1] {
		t.Errorf("devices = %q, want the same device twice", devices)
	}
}

// TestRateLimitedRequestsAreRetried invites the bot to three rooms at once
// on a Dendrite that allows one request a second: the joins hit
// M_LIMIT_EXCEEDED, wait retry_after_ms and all succeed.
func TestRateLimitedRequestsAreRetried(t *testing.T) {
	srv := dendritetest.Start(t, dendritetest.WithRateLimiting(1, time.Second), dendritetest.WithConfig(func(cfg map[string]any) {
		rl := cfg["client_api"].(map[string]any)["rate_limiting"].(map[string]any)
		rl["exempt_user_ids"] = []string{"@alice:localhost"}
	}))
	srv.CreateAccount(t, "framebot", "framebot-password", false)
	srv.CreateAccount(t, "alice", "alice-password", false)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	state := openState(t, "state.db")
	b := newBot(t, state)
	// Logins share one rate-limit slot (same address): retry them.
	botID, token, _ := loginRetry(t, ctx, srv, "framebot")
	no := false
	cfg := Config{Homeserver: srv.URL(), UserID: botID, AccessToken: token, Encryption: &no, Workers: 1}
	var logs strings.Builder
	var logMu sync.Mutex
	log := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		logMu.Lock()
		defer logMu.Unlock()
		return logs.Write(p)
	}), nil))
	startAdapterLog(t, ctx, cfg, b, state, log)

	aliceID, aliceToken, aliceDevice := loginRetry(t, ctx, srv, "alice")
	alice := newAskerSession(t, ctx, srv, aliceID, aliceToken, aliceDevice, false)
	var rooms []id.RoomID
	for range 3 {
		rooms = append(rooms, alice.createRoom(t, ctx, &mautrix.ReqCreateRoom{Preset: "private_chat", Invite: []id.UserID{id.UserID(botID)}}))
	}
	for _, room := range rooms {
		alice.waitMember(t, ctx, room, id.UserID(botID), event.MembershipJoin)
	}
	logMu.Lock()
	defer logMu.Unlock()
	if !strings.Contains(logs.String(), "M_LIMIT_EXCEEDED") {
		t.Errorf("the homeserver never rate limited the bot. Log:\n%s", logs.String())
	}
}

// loginRetry logs localpart in, retrying while the homeserver rate limits.
func loginRetry(t *testing.T, ctx context.Context, srv *dendritetest.Server, localpart string) (userID, token, device string) {
	t.Helper()
	cli, err := mautrix.NewClient(srv.URL(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	var resp *mautrix.RespLogin
	poll(t, "login "+localpart, func() bool {
		resp, err = cli.Login(ctx, &mautrix.ReqLogin{
			Type:       mautrix.AuthTypePassword,
			Identifier: mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: localpart},
			Password:   localpart + "-password",
		})
		return err == nil
	})
	return resp.UserID.String(), resp.AccessToken, resp.DeviceID.String()
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// running is an adapter started by startAdapter.
type running struct {
	a      *Adapter
	cancel context.CancelFunc
	done   chan error
}

func startAdapter(t *testing.T, ctx context.Context, cfg Config, b *bot.Bot, st *sqlite.DB) *running {
	t.Helper()
	return startAdapterLog(t, ctx, cfg, b, st, testLogger(t))
}

func startAdapterLog(t *testing.T, ctx context.Context, cfg Config, b *bot.Bot, st *sqlite.DB, log *slog.Logger) *running {
	t.Helper()
	return startAdapterWith(t, ctx, cfg, b, st, log, nil)
}

// startAdapterWith starts an adapter like startAdapterLog, after setup (if
// not nil) has adjusted it.
func startAdapterWith(t *testing.T, ctx context.Context, cfg Config, b *bot.Bot, st *sqlite.DB, log *slog.Logger, setup func(*Adapter)) *running {
	t.Helper()
	a, err := New(cfg, Deps{Bot: b, Store: st, CryptoDB: cryptoDB(t, st), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	// Tests stop and start devices against one homeserver. Dendrite with
	// SQLite can leave the transaction of a request cut off mid-way open,
	// then fail every later request with "database is locked" and panic
	// (seen three times in CI, on the /sync long poll of a device stopped
	// mid-test): stopping a device stops waiting for its requests without
	// cutting them off at the server.
	a.cli.Client = &http.Client{Transport: leaveRunning{http.DefaultTransport}}
	// The recovery key goes to the test log, not the terminal.
	a.trust.recoveryOut = &testWriter{t: t}
	if setup != nil {
		setup(a)
	}
	a.maxBackoff = 2 * time.Second
	ctx, cancel := context.WithCancel(ctx)
	r := &running{a: a, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- a.Run(ctx) }()
	t.Cleanup(func() { r.stop(t) })
	select {
	case <-a.Ready():
	case err := <-r.done:
		t.Fatalf("adapter stopped before its first sync: %v", err)
	case <-time.After(wait):
		t.Fatal("adapter not ready")
	}
	return r
}

func (r *running) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	if r.done == nil {
		return
	}
	select {
	case err := <-r.done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run() = %v after cancel, want context.Canceled", err)
		}
	case <-time.After(wait):
		t.Error("adapter did not stop")
	}
	r.done = nil
}

func openState(t *testing.T, name string) *sqlite.DB {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// cryptoDB wraps st's pool for mautrix's crypto store, as framebot serve
// does.
func cryptoDB(t *testing.T, st *sqlite.DB) *dbutil.Database {
	t.Helper()
	db, err := dbutil.NewWithDB(st.SQL(), "sqlite")
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// newBot builds the real answer engine over the built-in corpus plus the
// hostile document.
func newBot(t *testing.T, st *sqlite.DB) *bot.Bot {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "zz-quixotic-zanzibar.txt"), []byte(hostileDoc), 0o644); err != nil {
		t.Fatal(err)
	}
	b := testbot.Bot(testbot.Index(t, dir))
	b.Feedback = st
	b.Subscriptions = st
	b.Threads = bot.NewThreads(bot.ThreadOptions{})
	return b
}

// testLogger logs to the test's output until the test ends.
func testLogger(t *testing.T) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(func() { w.mu.Lock(); w.done = true; w.mu.Unlock() })
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type testWriter struct {
	mu   sync.Mutex
	t    *testing.T
	done bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

// asker is a person using Matrix through mautrix, recording what other
// users send.
type asker struct {
	id  id.UserID
	cli *mautrix.Client

	mu     sync.Mutex
	msgs   []*event.Event
	signal chan struct{}
}

// fastSyncer retries a failed sync quickly, so the asker notices the
// homeserver coming back soon.
type fastSyncer struct{ *mautrix.DefaultSyncer }

func (fastSyncer) OnFailedSync(_ *mautrix.RespSync, err error) (time.Duration, error) {
	if errors.Is(err, mautrix.MUnknownToken) {
		return 0, err
	}
	return 300 * time.Millisecond, nil
}

// startHomeserver starts Dendrite with an account for each user (password
// user+"-password") and a context that ends after timeout; the caller
// defers cancel.
func startHomeserver(t *testing.T, timeout time.Duration, users ...string) (*dendritetest.Server, context.Context, context.CancelFunc) {
	t.Helper()
	srv := dendritetest.Start(t)
	for _, u := range users {
		srv.CreateAccount(t, u, u+"-password", false)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	return srv, ctx, cancel
}

// encryptedRoomWith creates a private encrypted room inviting user, and
// waits until user has joined and a's client encrypts for the room.
func (a *asker) encryptedRoomWith(t *testing.T, ctx context.Context, user id.UserID, name string) id.RoomID {
	t.Helper()
	room := a.createRoom(t, ctx, &mautrix.ReqCreateRoom{
		Preset: "private_chat", Name: name, Invite: []id.UserID{user},
		InitialState: []*event.Event{{
			Type:    event.StateEncryption,
			Content: event.Content{Parsed: &event.EncryptionEventContent{Algorithm: id.AlgorithmMegolmV1}},
		}},
	})
	a.waitMember(t, ctx, room, user, event.MembershipJoin)
	a.waitEncrypted(t, ctx, room)
	return room
}

func newAsker(t *testing.T, ctx context.Context, srv *dendritetest.Server, localpart string, encryption bool) *asker {
	t.Helper()
	userID, token, device := srv.Login(t, localpart, localpart+"-password")
	return newAskerSession(t, ctx, srv, userID, token, device, encryption)
}

func newAskerSession(t *testing.T, ctx context.Context, srv *dendritetest.Server, userID, token, device string, encryption bool) *asker {
	t.Helper()
	localpart, _, _ := id.UserID(userID).Parse()
	cli, err := mautrix.NewClient(srv.URL(), id.UserID(userID), token)
	if err != nil {
		t.Fatal(err)
	}
	cli.DeviceID = id.DeviceID(device)
	s := fastSyncer{mautrix.NewDefaultSyncer()}
	cli.Syncer = s
	a := &asker{id: id.UserID(userID), cli: cli, signal: make(chan struct{}, 1)}
	s.OnEventType(event.EventMessage, func(_ context.Context, evt *event.Event) {
		if evt.Sender == a.id {
			return
		}
		a.mu.Lock()
		a.msgs = append(a.msgs, evt)
		a.mu.Unlock()
		select {
		case a.signal <- struct{}{}:
		default:
		}
	})
	if encryption {
		st := openState(t, localpart+".db")
		helper, err := cryptohelper.NewCryptoHelper(cli, []byte(localpart+" pickle"), cryptoDB(t, st))
		if err != nil {
			t.Fatal(err)
		}
		if err := helper.Init(ctx); err != nil {
			t.Fatal(err)
		}
		cli.Crypto = helper
	} else {
		cli.StateStore = mautrix.NewMemoryStateStore()
		s.OnEvent(cli.StateStoreSyncHandler)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = cli.SyncWithContext(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
	return a
}

func (a *asker) createRoom(t *testing.T, ctx context.Context, req *mautrix.ReqCreateRoom) id.RoomID {
	t.Helper()
	resp, err := a.cli.CreateRoom(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	return resp.RoomID
}

func (a *asker) sendText(t *testing.T, ctx context.Context, room id.RoomID, text string) id.EventID {
	t.Helper()
	return a.send(t, ctx, room, &event.MessageEventContent{MsgType: event.MsgText, Body: text})
}

func (a *asker) send(t *testing.T, ctx context.Context, room id.RoomID, c *event.MessageEventContent) id.EventID {
	t.Helper()
	resp, err := a.cli.SendMessageEvent(ctx, room, event.EventMessage, c)
	if err != nil {
		t.Fatal(err)
	}
	return resp.EventID
}

func threadText(text string, root id.EventID) *event.MessageEventContent {
	c := &event.MessageEventContent{MsgType: event.MsgText, Body: text, RelatesTo: &event.RelatesTo{}}
	c.RelatesTo.SetThread(root, root)
	return c
}

// waitReply waits for a message that replies to q.
func (a *asker) waitReply(t *testing.T, ctx context.Context, q id.EventID) *event.Event {
	t.Helper()
	return a.waitFor(t, ctx, func(e *event.Event) bool { return e.Content.AsMessage().RelatesTo.GetReplyTo() == q })
}

// waitRemembered waits until the bot has remembered its answer ans in
// room: it does so just after sending it, so a test that changes the
// corpus as soon as it sees the answer could otherwise run before the
// stale-answer tracker can know the answer.
func waitRemembered(t *testing.T, ctx context.Context, state *sqlite.DB, room id.RoomID, ans id.EventID) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		_, ok, err := state.AnswerByMessage(ctx, Platform, room.String(), ans.String())
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("answer %s not remembered within %s", ans, wait)
		}
		select {
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		}
	}
}

// waitFor waits for a message that matches.
func (a *asker) waitFor(t *testing.T, ctx context.Context, match func(*event.Event) bool) *event.Event {
	t.Helper()
	deadline := time.After(wait)
	for {
		if e := a.find(match); e != nil {
			return e
		}
		select {
		case <-a.signal:
		case <-deadline:
			t.Fatalf("no matching message within %s", wait)
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		}
	}
}

func (a *asker) find(match func(*event.Event) bool) *event.Event {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, e := range a.msgs {
		if match(e) {
			return e
		}
	}
	return nil
}

func (a *asker) repliedTo(q id.EventID) bool {
	return a.find(func(e *event.Event) bool { return e.Content.AsMessage().RelatesTo.GetReplyTo() == q }) != nil
}

func (a *asker) countFrom(room id.RoomID, sender id.UserID) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, e := range a.msgs {
		if e.RoomID == room && e.Sender == sender {
			n++
		}
	}
	return n
}

// waitMember polls the room state until user's membership is want.
func (a *asker) waitMember(t *testing.T, ctx context.Context, room id.RoomID, user id.UserID, want event.Membership) {
	t.Helper()
	poll(t, fmt.Sprintf("%s %s in %s", user, want, room), func() bool {
		var m event.MemberEventContent
		err := a.cli.StateEvent(ctx, room, event.StateMember, user.String(), &m)
		if err != nil || m.Membership != want {
			return false
		}
		if a.cli.StateStore != nil {
			return a.cli.StateStore.IsMembership(ctx, room, user, want)
		}
		return true
	})
}

// waitEncrypted waits until the asker's client knows room is encrypted, so
// that what it sends there is encrypted.
func (a *asker) waitEncrypted(t *testing.T, ctx context.Context, room id.RoomID) {
	t.Helper()
	poll(t, "room known as encrypted", func() bool {
		ok, err := a.cli.StateStore.IsEncrypted(ctx, room)
		return err == nil && ok
	})
}

// poll polls cond until it holds (see wait.For).
func poll(t testing.TB, what string, cond func() bool) {
	t.Helper()
	poller.For(t, what, wait, 100*time.Millisecond, cond)
}

// checkNoMentions checks the event carries an empty m.mentions.
func checkNoMentions(t *testing.T, e *event.Event) {
	t.Helper()
	m, ok := e.Content.Raw["m.mentions"].(map[string]any)
	if !ok || len(m) != 0 {
		t.Errorf("m.mentions = %#v, want {}", e.Content.Raw["m.mentions"])
	}
}

// TestPerUserRateLimit: past the burst, a user is told once to slow down
// and then refused without a reply, while another user is still answered.
func TestPerUserRateLimit(t *testing.T) {
	srv, ctx, cancel := startHomeserver(t, 5*time.Minute, "framebot", "alice", "carol")
	defer cancel()
	state := openState(t, "state.db")
	b := newBot(t, state)
	botID, botToken, _ := srv.Login(t, "framebot", "framebot-password")
	no := false
	cfg := Config{Homeserver: srv.URL(), UserID: botID, AccessToken: botToken, Encryption: &no, RatePerMinute: 1, RateBurst: 2}
	startAdapter(t, ctx, cfg, b, state)

	alice := newAsker(t, ctx, srv, "alice", false)
	carol := newAsker(t, ctx, srv, "carol", false)
	botUser := id.UserID(botID)
	room := alice.createRoom(t, ctx, &mautrix.ReqCreateRoom{Preset: "public_chat", Invite: []id.UserID{botUser}})
	alice.waitMember(t, ctx, room, botUser, event.MembershipJoin)
	if _, err := carol.cli.JoinRoomByID(ctx, room); err != nil {
		t.Fatal(err)
	}

	var qs []id.EventID
	for range 4 {
		qs = append(qs, alice.sendText(t, ctx, room, "framebot: who met in Geneva?"))
	}
	for _, q := range qs[:2] {
		if c := alice.waitReply(t, ctx, q).Content.AsMessage(); strings.Contains(c.Body, "faster than I can answer") {
			t.Errorf("a question within the burst was refused: %s", c.Body)
		}
	}
	notice := alice.waitReply(t, ctx, qs[2]).Content.AsMessage()
	if !strings.Contains(notice.Body, "asking faster than I can answer") {
		t.Errorf("third question: got %q, want the slow-down notice", notice.Body)
	}
	// Carol is not limited by Alice's flood; once her answer is in, Alice's
	// fourth question (sent before it) has been refused in silence.
	q := carol.sendText(t, ctx, room, "framebot: who met in Geneva?")
	if c := carol.waitReply(t, ctx, q).Content.AsMessage(); strings.Contains(c.Body, "faster than I can answer") {
		t.Errorf("another user was refused: %s", c.Body)
	}
	time.Sleep(500 * time.Millisecond) // a reply to the fourth would be sent by now
	if alice.repliedTo(qs[3]) {
		t.Error("the fourth question got a reply; want silence after one notice a minute")
	}
}

// leaveRunning is an http.RoundTripper that lets a request whose context
// ends run on to its end, unseen: the caller gets the context's error at
// once, and the server is never cut off mid-request.
type leaveRunning struct{ base http.RoundTripper }

func (l leaveRunning) RoundTrip(r *http.Request) (*http.Response, error) {
	type result struct {
		resp *http.Response
		err  error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := l.base.RoundTrip(r.WithContext(context.WithoutCancel(r.Context())))
		done <- result{resp, err}
	}()
	select {
	case res := <-done:
		return res.resp, res.err
	case <-r.Context().Done():
		go func() {
			if res := <-done; res.resp != nil {
				_, _ = io.Copy(io.Discard, res.resp.Body)
				res.resp.Body.Close()
			}
		}()
		return nil, r.Context().Err()
	}
}
