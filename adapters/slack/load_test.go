package slack

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"framebot/internal/loadtest"
)

// BenchmarkLoadSlack is the load test of the Slack path: 50 simulated users
// mention the bot at once through the fake Slack's Socket Mode for a
// minute, on the 200,000-passage synthetic corpus, while a document is
// added every 2 s; the adapter runs with its production defaults (4
// workers, 10 questions a minute per user after a burst of 5). It reports
// answer latency from the event to the reply reaching Slack, errors, peak
// memory and the slow-down replies of the users asking too fast:
//
//	python3 ../shared/bench/gen_corpus.py 200000 /tmp/scale-200k
//	FRAMEBOT_BENCH_DIR=/tmp/scale-200k go test -run '^$' -bench LoadSlack -benchtime 1x -timeout 0 ./adapters/slack/
func BenchmarkLoadSlack(b *testing.B) {
	ix, set := loadtest.Setup(b)
	f := newFakeSlack(b)
	b.Setenv("FRAMEBOT_TEST_SLACK_BOT", fakeBotToken)
	b.Setenv("FRAMEBOT_TEST_SLACK_APP", fakeAppToken)
	cfg := Config{Enabled: true, BotTokenEnv: "FRAMEBOT_TEST_SLACK_BOT", AppTokenEnv: "FRAMEBOT_TEST_SLACK_APP", APIURL: f.srv.URL + "/api/"}
	bt, db, m, log := loadtest.Bot(b, ix)
	a, err := New(cfg, Deps{Bot: bt, Store: db, Logger: log})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil && ctx.Err() == nil {
			b.Errorf("Run: %v", err)
		}
	}()
	f.waitConnects(1)
	p := newSlackLoad(f)
	go p.dispatch(ctx)

	d := cfg.withDefaults()
	plan := loadtest.DefaultPlan(set, d.RateLimit.PerMinute, d.RateLimit.Burst)
	plan.Add = loadtest.Adder(b, ix, set)
	for b.Loop() {
		r := loadtest.Run(ctx, "slack", plan, p)
		loadtest.ReportTo(b, r, m)
	}
}

// slackLoad sends mentions through the fake Slack and matches the bot's
// replies to them by thread.
type slackLoad struct {
	f *fakeSlack

	mu      sync.Mutex
	seq     int
	waiting map[string]chan loadtest.Reply // question ts → its reply
}

func newSlackLoad(f *fakeSlack) *slackLoad {
	return &slackLoad{f: f, waiting: map[string]chan loadtest.Reply{}}
}

// Send mentions the bot in channel CLOAD as user ULOAD<n>.
func (s *slackLoad) Send(_ context.Context, user int, text string) (<-chan loadtest.Reply, error) {
	s.mu.Lock()
	s.seq++
	ts := fmt.Sprintf("1800000000.%06d", s.seq)
	ch := make(chan loadtest.Reply, 1)
	s.waiting[ts] = ch
	s.mu.Unlock()
	u := fmt.Sprintf("ULOAD%02d", user)
	inner := map[string]any{"type": "app_mention", "user": u, "text": "<@" + fakeBotUser + "> " + text, "ts": ts, "channel": "CLOAD", "event_ts": ts}
	if _, err := s.f.trySend("events_api", event("EvLoad"+ts, inner)); err != nil {
		return nil, err
	}
	return ch, nil
}

// dispatch delivers each message the bot posts to the question of its
// thread until ctx ends.
func (s *slackLoad) dispatch(ctx context.Context) {
	next := 0
	for {
		s.f.mu.Lock()
		posts := append([]post(nil), s.f.posts[next:]...)
		next = len(s.f.posts)
		changed := s.f.changed
		s.f.mu.Unlock()
		now := time.Now()
		for _, p := range posts {
			kind := loadtest.Answer
			switch {
			case strings.HasPrefix(p.Text, "Slow down"):
				kind = loadtest.SlowDown
			case p.Text == msgFailed:
				kind = loadtest.Failed
			}
			s.mu.Lock()
			ch, ok := s.waiting[p.Thread]
			delete(s.waiting, p.Thread)
			s.mu.Unlock()
			if ok {
				ch <- loadtest.Reply{Kind: kind, At: now}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		}
	}
}
