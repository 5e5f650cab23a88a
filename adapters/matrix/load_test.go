package matrix

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"framebot/internal/dendritetest"
	"framebot/internal/loadtest"
)

// BenchmarkLoadMatrix is the load test of the Matrix path: 50 accounts on a
// real Dendrite mention the bot at once in a shared room for a minute, on
// the 200,000-passage synthetic corpus, while a document is added every
// 2 s; the adapter runs with its production defaults (4 workers, 20
// questions a minute per user after a burst of 5, 👍/👎 under answers),
// without encryption. Latency runs from sending the question to a room
// member's client receiving the reply. The rate-limit notice is sent once
// a minute per user, so most refused questions get no reply; the metrics
// count them.
//
//	FRAMEBOT_BENCH_DIR=/tmp/scale-200k go test -run '^$' -bench LoadMatrix -benchtime 1x -timeout 0 ./adapters/matrix/
//
// With FRAMEBOT_LOAD_LOG=FILE the adapter's log goes to FILE as JSON at
// level Info: each "matrix message answered" line has duration_ms (the
// bot's answer) and sent_after_ms (answer plus the homeserver's send), which
// split the latency between the bot and the homeserver.
func BenchmarkLoadMatrix(b *testing.B) {
	ix, set := loadtest.Setup(b)
	srv := dendritetest.Start(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	plan := loadtest.DefaultPlan(set, 0, 0)

	srv.CreateAccount(b, "framebot", "framebot-password", false)
	srv.CreateAccount(b, "watcher", "watcher-password", false)
	users := make([]*mautrix.Client, plan.Users)
	for i := range users {
		name := fmt.Sprintf("user%02d", i)
		srv.CreateAccount(b, name, name+"-password", false)
		uid, token, _ := srv.Login(b, name, name+"-password")
		cli, err := mautrix.NewClient(srv.URL(), id.UserID(uid), token)
		if err != nil {
			b.Fatal(err)
		}
		users[i] = cli
	}

	bt, st, m, log := loadtest.Bot(b, ix)
	botID, botToken, _ := srv.Login(b, "framebot", "framebot-password")
	no := false
	cfg := Config{Enabled: true, Homeserver: srv.URL(), UserID: botID, AccessToken: botToken, Encryption: &no}
	if path := os.Getenv(envLoadLog); path != "" {
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		log = slog.New(slog.NewJSONHandler(f, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	a, err := New(cfg, Deps{Bot: bt, Store: st, Logger: log})
	if err != nil {
		b.Fatal(err)
	}
	c := cfg.withEnv()
	plan.PerMinute, plan.Burst = c.RatePerMinute, c.RateBurst
	runCtx, stopBot := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()
	defer func() {
		stopBot()
		if err := <-done; !errors.Is(err, context.Canceled) {
			b.Errorf("Run: %v", err)
		}
	}()
	select {
	case <-a.Ready():
	case err := <-done:
		b.Fatalf("adapter stopped: %v", err)
	case <-time.After(2 * time.Minute):
		b.Fatal("adapter not ready")
	}

	// The watcher creates a public room, invites the bot and follows the
	// replies; the users join.
	wid, wtoken, _ := srv.Login(b, "watcher", "watcher-password")
	watcher, err := mautrix.NewClient(srv.URL(), id.UserID(wid), wtoken)
	if err != nil {
		b.Fatal(err)
	}
	room, err := watcher.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat", Name: "load", Invite: []id.UserID{id.UserID(botID)}})
	if err != nil {
		b.Fatal(err)
	}
	p := &matrixLoad{users: users, room: room.RoomID, bot: id.UserID(botID), waiting: map[id.EventID]chan loadtest.Reply{}, early: map[id.EventID]loadtest.Reply{}}
	joined := make(chan struct{})
	var joinOnce sync.Once
	syncer := mautrix.NewDefaultSyncer()
	syncer.OnEventType(event.EventMessage, p.onMessage)
	syncer.OnEventType(event.StateMember, func(_ context.Context, evt *event.Event) {
		if evt.GetStateKey() == botID && evt.Content.AsMember().Membership == event.MembershipJoin {
			joinOnce.Do(func() { close(joined) })
		}
	})
	watcher.Syncer = syncer
	syncDone := make(chan struct{})
	go func() { defer close(syncDone); _ = watcher.SyncWithContext(ctx) }()
	defer func() { cancel(); <-syncDone }()
	select {
	case <-joined:
	case <-time.After(2 * time.Minute):
		b.Fatal("the bot did not join the room")
	}
	for _, u := range users {
		if _, err := u.JoinRoomByID(ctx, room.RoomID); err != nil {
			b.Fatal(err)
		}
	}

	plan.Add = loadtest.Adder(b, ix, set)
	for b.Loop() {
		r := loadtest.Run(ctx, "matrix", plan, p)
		loadtest.ReportTo(b, r, m)
	}
}

// envLoadLog names the file BenchmarkLoadMatrix logs to.
const envLoadLog = "FRAMEBOT_LOAD_LOG"

// matrixLoad sends mentions as the simulated users and matches the bot's
// replies, seen by the watcher's sync, to them.
type matrixLoad struct {
	users []*mautrix.Client
	room  id.RoomID
	bot   id.UserID

	mu      sync.Mutex
	waiting map[id.EventID]chan loadtest.Reply
	early   map[id.EventID]loadtest.Reply // replies seen before Send returned
}

func (p *matrixLoad) Send(ctx context.Context, user int, text string) (<-chan loadtest.Reply, error) {
	resp, err := p.users[user].SendMessageEvent(ctx, p.room, event.EventMessage, &event.MessageEventContent{MsgType: event.MsgText, Body: "framebot: " + text})
	if err != nil {
		return nil, err
	}
	ch := make(chan loadtest.Reply, 1)
	p.mu.Lock()
	defer p.mu.Unlock()
	if r, ok := p.early[resp.EventID]; ok {
		delete(p.early, resp.EventID)
		ch <- r
		return ch, nil
	}
	p.waiting[resp.EventID] = ch
	return ch, nil
}

func (p *matrixLoad) onMessage(_ context.Context, evt *event.Event) {
	if evt.Sender != p.bot || evt.RoomID != p.room {
		return
	}
	c := evt.Content.AsMessage()
	q := c.RelatesTo.GetReplyTo()
	if q == "" {
		return
	}
	r := loadtest.Reply{Kind: loadtest.Answer, At: time.Now()}
	switch {
	case strings.Contains(c.Body, "asking faster than I can answer"):
		r.Kind = loadtest.SlowDown
	case c.Body == msgFailed:
		r.Kind = loadtest.Failed
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if ch, ok := p.waiting[q]; ok {
		delete(p.waiting, q)
		ch <- r
		return
	}
	p.early[q] = r
}
