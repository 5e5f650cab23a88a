package slack

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
	"sync"
	"testing"
	"time"

	"framebot/bot"
	"framebot/sqlite"
)

// TestMain removes the shared index of the embedded corpus after the tests.
func TestMain(m *testing.M) { os.Exit(testbot.Run(m)) }

// harness is a running adapter connected to a fake Slack.
type harness struct {
	t      *testing.T
	f      *fakeSlack
	a      *Adapter
	db     *sqlite.DB
	bot    *bot.Bot
	cancel context.CancelFunc
	done   chan error

	mu     sync.Mutex
	sleeps []time.Duration // waits asked for by retries
}

type harnessOpts struct {
	cfg      Config
	searcher bot.Searcher // default: the shared index
	catalog  bot.Catalog
	now      func() time.Time
	observer bot.Observer // e.g. a metrics.Metrics
	logger   *slog.Logger
	threads  bool // the bot remembers threads (follow-ups in context)
}

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// start runs an adapter against a fake Slack. Tokens come from the
// environment as in production, under test-only variable names.
func start(t *testing.T, o harnessOpts) *harness {
	t.Helper()
	f := newFakeSlack(t)
	t.Setenv("FRAMEBOT_TEST_SLACK_BOT", fakeBotToken)
	t.Setenv("FRAMEBOT_TEST_SLACK_APP", fakeAppToken)
	t.Setenv("FRAMEBOT_TEST_SLACK_SECRET", testSecret)
	cfg := o.cfg
	cfg.Enabled = true
	cfg.BotTokenEnv, cfg.AppTokenEnv, cfg.SigningSecretEnv = "FRAMEBOT_TEST_SLACK_BOT", "FRAMEBOT_TEST_SLACK_APP", "FRAMEBOT_TEST_SLACK_SECRET"
	cfg.APIURL = f.srv.URL + "/api/"
	if cfg.Workers == 0 {
		cfg.Workers = 1 // replies in the order of the questions
	}
	if cfg.Mode == ModeHTTP && cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var s bot.Searcher = testbot.Shared(t)
	if o.searcher != nil {
		s = o.searcher
	}
	var c bot.Catalog = testbot.Shared(t)
	if o.catalog != nil {
		c = o.catalog
	}
	b := bot.New(bot.NewAnswerer(s, bot.AnswerOptions{}), c)
	b.Feedback, b.Subscriptions = db, db
	b.Observer = o.observer
	if o.threads {
		b.Threads = bot.NewThreads(bot.ThreadOptions{})
	}
	a, err := New(cfg, Deps{Bot: b, Store: db, Now: o.now, Logger: o.logger})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, f: f, a: a, db: db, bot: b, done: make(chan error, 1)}
	a.sleep = func(ctx context.Context, d time.Duration) error {
		h.mu.Lock()
		h.sleeps = append(h.sleeps, d)
		h.mu.Unlock()
		return nil
	}
	ctx, h.cancel = context.WithCancel(ctx)
	go func() { h.done <- a.Run(ctx) }()
	t.Cleanup(h.stop)
	if cfg.Mode != ModeHTTP {
		f.waitConnects(1)
	}
	return h
}

// stop cancels the adapter and checks that Run returned.
func (h *harness) stop() {
	h.cancel()
	select {
	case err := <-h.done:
		if err != nil && !errors.Is(err, context.Canceled) {
			h.t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		h.t.Error("Run did not return after cancel")
	}
}

// mention sends an app_mention in channel and waits for its ack.
func (h *harness) mention(channel, ts, threadTS, text string) {
	h.t.Helper()
	inner := map[string]any{"type": "app_mention", "user": "UALICE", "text": "<@" + fakeBotUser + "> " + text, "ts": ts, "channel": channel, "event_ts": ts}
	if threadTS != "" {
		inner["thread_ts"] = threadTS
	}
	h.f.waitAck(h.f.send("events_api", event("Ev"+ts+channel, inner)))
}

// message sends a message event and waits for its ack.
func (h *harness) message(inner map[string]any) {
	h.t.Helper()
	inner["type"] = "message"
	h.f.waitAck(h.f.send("events_api", event(fmt.Sprintf("Ev%v%v", inner["ts"], inner["channel"]), inner)))
}

// slash runs a slash command and waits for its ack.
func (h *harness) slash(channel, text string) {
	h.t.Helper()
	h.f.waitAck(h.f.send("slash_commands", map[string]any{
		"token": "legacy", "team_id": "TFAKE", "channel_id": channel, "user_id": "UALICE", "user_name": "alice",
		"command": "/framework", "text": text, "response_url": h.f.responseURL(channel), "trigger_id": "1.2.3", "api_app_id": "AFAKE",
	}))
}

// click presses a button on an answer and waits for its ack.
func (h *harness) click(channel, actionID, value string) {
	h.t.Helper()
	h.f.waitAck(h.f.send("interactive", clickPayload(h.f, channel, actionID, value)))
}

func clickPayload(f *fakeSlack, channel, actionID, value string) map[string]any {
	return map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UBOB", "name": "bob"}, "api_app_id": "AFAKE",
		"team": map[string]any{"id": "TFAKE"}, "channel": map[string]any{"id": channel},
		"container":    map[string]any{"type": "message", "channel_id": channel, "message_ts": "1700000000.000001", "is_ephemeral": true},
		"response_url": f.responseURL(channel), "trigger_id": "1.2.3",
		"actions": []map[string]any{{"type": "button", "action_id": actionID, "block_id": "answer_actions", "value": value, "action_ts": "1700000001.1"}},
	}
}

// blocks decodes a sent message's blocks.
func (p post) blocks(t *testing.T) []map[string]any {
	t.Helper()
	var bs []map[string]any
	if len(p.Blocks) > 0 {
		if err := json.Unmarshal(p.Blocks, &bs); err != nil {
			t.Fatalf("blocks of %s: %v", p.Via, err)
		}
	}
	return bs
}

// allText returns the fallback text and every text of the blocks, decoded,
// one a line: what Slack reads.
func (p post) allText(t *testing.T) string {
	t.Helper()
	texts := []string{p.Text}
	collectTexts(p.blocks(t), &texts)
	return strings.Join(texts, "\n")
}

// buttonValue returns the value of the button actionID ("" if absent).
func (p post) buttonValue(t *testing.T, actionID string) string {
	for _, b := range p.blocks(t) {
		if b["type"] != "actions" {
			continue
		}
		for _, e := range b["elements"].([]any) {
			el := e.(map[string]any)
			if el["action_id"] == actionID {
				return el["value"].(string)
			}
		}
	}
	return ""
}

const question = "What guarantees does the plan give?"

func TestMentionIsAnsweredInItsThread(t *testing.T) {
	h := start(t, harnessOpts{})
	h.mention("C1", "1700000100.000100", "", question)
	p := h.f.waitPosts(1)[0]
	if p.Via != "chat.postMessage" || p.Channel != "C1" || p.Thread != "1700000100.000100" {
		t.Fatalf("reply went to %s %s thread %q, want chat.postMessage C1 thread 1700000100.000100", p.Via, p.Channel, p.Thread)
	}
	if !strings.Contains(p.allText(t), "*Q:* What guarantees does the plan give?") {
		t.Errorf("blocks don't restate the question: %s", p.Blocks)
	}
	if !strings.Contains(p.allText(t), "\n&gt; ") || !strings.Contains(p.allText(t), "*plan*") {
		t.Errorf("blocks don't quote a passage with its match in bold: %s", p.Blocks)
	}
	if p.Text == "" || !strings.HasPrefix(p.Text, "“") {
		t.Errorf("fallback text = %q, want the first quote", p.Text)
	}
	if p.buttonValue(t, actionHelpful) == "" || p.buttonValue(t, actionNotHelpful) == "" {
		t.Error("answer has no feedback buttons")
	}
	if p.buttonValue(t, actionShare) != "" {
		t.Error("a public answer has a Share button")
	}
}

func TestDirectMessageIsAnswered(t *testing.T) {
	h := start(t, harnessOpts{})
	h.message(map[string]any{"user": "UALICE", "text": question, "ts": "1700000200.000100", "channel": "D1", "channel_type": "im"})
	p := h.f.waitPosts(1)[0]
	if p.Channel != "D1" || p.Thread != "1700000200.000100" || !strings.Contains(p.allText(t), "*Q:* What guarantees") {
		t.Fatalf("reply = %s in %s thread %q", p.Via, p.Channel, p.Thread)
	}
}

func TestFollowUpInAnsweredThreadIsAnswered(t *testing.T) {
	h := start(t, harnessOpts{})
	h.mention("C1", "1700000300.000100", "", question)
	h.f.waitPosts(1)
	// A message in another thread, without a mention, is none of the bot's
	// business; the follow-up in its own thread is.
	h.message(map[string]any{"user": "UALICE", "text": "How many troops were planned?", "ts": "1700000301.000100", "thread_ts": "1700000000.999999", "channel": "C1", "channel_type": "channel"})
	h.message(map[string]any{"user": "UALICE", "text": "How many troops were planned?", "ts": "1700000302.000100", "thread_ts": "1700000300.000100", "channel": "C1", "channel_type": "channel"})
	posts := h.f.waitPosts(2)
	p := posts[1]
	if p.Thread != "1700000300.000100" || !strings.Contains(p.allText(t), "*Q:* How many troops were planned?") {
		t.Fatalf("follow-up reply in thread %q: %s", p.Thread, p.Blocks)
	}
	// With one worker, the unrelated message was looked at before the
	// follow-up: had it been answered, it would be the second post.
	if n := h.f.postCount(); n != 2 {
		t.Errorf("%d messages sent, want 2", n)
	}
}

func TestOwnAndOtherBotsMessagesAreIgnored(t *testing.T) {
	h := start(t, harnessOpts{})
	h.message(map[string]any{"user": fakeBotUser, "bot_id": fakeBotID, "text": question, "ts": "1700000400.000100", "channel": "D1", "channel_type": "im"})
	h.message(map[string]any{"subtype": "bot_message", "bot_id": "BOTHER", "text": question, "ts": "1700000401.000100", "channel": "D1", "channel_type": "im"})
	h.message(map[string]any{"subtype": "message_changed", "text": question, "ts": "1700000402.000100", "channel": "D1", "channel_type": "im"})
	h.message(map[string]any{"user": "UALICE", "text": "How many troops were planned?", "ts": "1700000403.000100", "channel": "D1", "channel_type": "im"})
	posts := h.f.waitPosts(1)
	if len(posts) != 1 || posts[0].Thread != "1700000403.000100" {
		t.Fatalf("posts = %+v, want only the answer to UALICE", posts)
	}
}

func TestOtherBotsAreAnsweredWhenConfigured(t *testing.T) {
	h := start(t, harnessOpts{cfg: Config{AnswerBots: true}})
	h.message(map[string]any{"user": fakeBotUser, "text": question, "ts": "1700000410.000100", "channel": "D1", "channel_type": "im"})
	h.message(map[string]any{"subtype": "bot_message", "bot_id": "BOTHER", "text": question, "ts": "1700000411.000100", "channel": "D1", "channel_type": "im"})
	posts := h.f.waitPosts(1)
	if len(posts) != 1 || posts[0].Thread != "1700000411.000100" {
		t.Fatalf("posts = %+v, want only the answer to the other bot", posts)
	}
}

func TestAllowListLimitsChannels(t *testing.T) {
	h := start(t, harnessOpts{cfg: Config{Channels: []string{"CALLOWED"}}})
	h.mention("COTHER", "1700000500.000100", "", question)
	h.mention("CALLOWED", "1700000501.000100", "", question)
	posts := h.f.waitPosts(1)
	if len(posts) != 1 || posts[0].Channel != "CALLOWED" {
		t.Fatalf("posts = %+v, want one answer in CALLOWED", posts)
	}
	h.slash("COTHER", "ask "+question)
	p := h.f.waitPosts(2)[1]
	if p.Via != "response_url" || p.ResponseType != "ephemeral" || !strings.Contains(p.Text, "I only answer in some channels") {
		t.Errorf("slash command outside the allow-list got %+v", p)
	}
}

func TestSlashCommandSubcommands(t *testing.T) {
	h := start(t, harnessOpts{})
	tests := []struct {
		name, text string
		want       string // in the text or blocks
	}{
		{"ask answers with quotes", "ask " + question, "*Q:* What guarantees does the plan give?"},
		{"a bare question gets the usage of ask", "ask", "Usage: /framework ask &lt;question&gt;"},
		{"summary gives a cited brief", "summary security guarantees", "*Summary: security guarantees*"},
		{"proposals lists the proposals", "proposals", "point"},
		{"sources lists the documents", "sources", "Sources (4 documents)"},
		{"new lists recent documents", "new", "Recently added or changed"},
		{"subscribe subscribes the channel", "subscribe", "Subscribed: new and updated documents will be announced here."},
		{"unsubscribe unsubscribes it", "unsubscribe", "Unsubscribed: no more announcements here."},
		{"status gives the counts", "status", "*Documents*\n4"},
		{"help lists the commands", "help", "/framework unsubscribe — stop announcing new documents here"},
		{"nothing shows help", "", "Ask me anything about the documents"},
		{"an unknown subcommand gets the usage line", "frobnicate", "Usage: /framework &lt;ask|summary|proposals|sources|new|subscribe|unsubscribe|status|help&gt;"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.slash("C1", tt.text)
			p := h.f.waitPosts(i + 1)[i]
			if p.Via != "response_url" || p.ResponseType != "ephemeral" || p.Channel != "C1" {
				t.Fatalf("reply via %s (%s) to %s, want an ephemeral response_url reply", p.Via, p.ResponseType, p.Channel)
			}
			if got := p.allText(t); !strings.Contains(strings.ReplaceAll(got, zwsp, ""), tt.want) {
				t.Errorf("reply lacks %q:\n%s\n%s", tt.want, p.Text, p.Blocks)
			}
		})
	}
	subs, err := h.db.Subscribers(context.Background(), Platform)
	if err != nil || len(subs) != 0 {
		t.Errorf("subscribers after subscribe+unsubscribe = %v, %v", subs, err)
	}
}

func TestShareInChannelRepostsPublicly(t *testing.T) {
	h := start(t, harnessOpts{})
	h.slash("C1", "ask "+question)
	private := h.f.waitPosts(1)[0]
	id := private.buttonValue(t, actionShare)
	if id == "" {
		t.Fatalf("private answer has no Share button: %s", private.Blocks)
	}
	h.click("C1", actionShare, id)
	posts := h.f.waitPosts(3)
	pub, del := posts[1], posts[2]
	if pub.Via != "chat.postMessage" || pub.Channel != "C1" || pub.Thread != "" {
		t.Fatalf("shared answer went %s to %s thread %q", pub.Via, pub.Channel, pub.Thread)
	}
	if !strings.Contains(pub.allText(t), "Shared by <@UBOB>") || !strings.Contains(pub.allText(t), "*Q:* What guarantees") {
		t.Errorf("shared answer: %s", pub.Blocks)
	}
	if pub.buttonValue(t, actionShare) != "" || pub.buttonValue(t, actionHelpful) != id {
		t.Errorf("shared answer buttons: %s", pub.Blocks)
	}
	if del.Via != "response_url" || !del.Delete {
		t.Errorf("private copy not deleted: %+v", del)
	}
	// The shared answer's thread counts as answered.
	h.message(map[string]any{"user": "UCAROL", "text": "How many troops were planned?", "ts": "1700000601.000100", "thread_ts": pub.TS, "channel": "C1", "channel_type": "channel"})
	if p := h.f.waitPosts(4)[3]; p.Thread != pub.TS {
		t.Errorf("follow-up under the shared answer went to thread %q", p.Thread)
	}
}

func TestShareFallsBackToResponseURLOutsideTheChannel(t *testing.T) {
	h := start(t, harnessOpts{})
	h.slash("CNOTMEMBER", "ask "+question)
	id := h.f.waitPosts(1)[0].buttonValue(t, actionShare)
	h.click("CNOTMEMBER", actionShare, id)
	posts := h.f.waitPosts(3)
	if p := posts[1]; p.Via != "response_url" || p.ResponseType != "in_channel" || !strings.Contains(p.allText(t), "Shared by") {
		t.Errorf("fallback share = %+v", p)
	}
}

func TestFeedbackIsRecordedAndCounted(t *testing.T) {
	h := start(t, harnessOpts{})
	h.mention("C1", "1700000700.000100", "", question)
	id := h.f.waitPosts(1)[0].buttonValue(t, actionHelpful)
	h.click("C1", actionHelpful, id)
	h.click("C1", actionNotHelpful, id)
	h.click("C1", actionHelpful, "999999")
	posts := h.f.waitPosts(4)
	for i, want := range []string{msgThanks, msgThanks, msgGone} {
		if p := posts[i+1]; p.Via != "response_url" || p.ResponseType != "ephemeral" || p.Text != want {
			t.Errorf("reply to click %d = %s %s %q, want ephemeral %q", i, p.Via, p.ResponseType, p.Text, want)
		}
	}
	// The same user changed their mind: one vote, the latest.
	helpful, notHelpful, err := h.db.FeedbackCounts(context.Background())
	if err != nil || helpful != 0 || notHelpful != 1 {
		t.Fatalf("feedback counts = %d, %d, %v; want 0, 1", helpful, notHelpful, err)
	}
	h.slash("C1", "status")
	if p := h.f.waitPosts(5)[4]; !strings.Contains(p.allText(t), "0 helpful, 1 not helpful") {
		t.Errorf("status lacks the feedback counts: %s", p.Blocks)
	}
}

func TestPayloadWithManyActionsCountsOneVote(t *testing.T) {
	h := start(t, harnessOpts{})
	h.mention("C1", "1700000750.000100", "", question)
	id := h.f.waitPosts(1)[0].buttonValue(t, actionHelpful)
	p := clickPayload(h.f, "C1", actionHelpful, id)
	acts := make([]map[string]any, 500)
	for i := range acts {
		acts[i] = map[string]any{"type": "button", "action_id": actionHelpful, "block_id": "answer_actions", "value": id, "action_ts": fmt.Sprintf("1700000751.%d", i)}
	}
	p["actions"] = acts
	h.f.waitAck(h.f.send("interactive", p))
	h.f.waitPosts(2)
	if !h.a.workers.Idle(t.Context()) {
		t.Fatal("workers never idle")
	}
	helpful, notHelpful, err := h.db.FeedbackCounts(context.Background())
	if err != nil || helpful != 1 || notHelpful != 0 {
		t.Errorf("feedback counts = %d, %d, %v; want 1, 0", helpful, notHelpful, err)
	}
	if n := h.f.postCount(); n != 2 {
		t.Errorf("%d messages sent, want the answer and one thanks", n)
	}
}

func TestQuestionAnsweredAfterTheSocketDrops(t *testing.T) {
	h := start(t, harnessOpts{})
	h.f.drop()
	h.f.waitConnects(2)
	if n := h.f.callCount("apps.connections.open"); n < 2 {
		t.Errorf("apps.connections.open called %d times, want a new URL for the new socket", n)
	}
	h.mention("C1", "1700000800.000100", "", question)
	if p := h.f.waitPosts(1)[0]; p.Thread != "1700000800.000100" {
		t.Errorf("reply after reconnect in thread %q", p.Thread)
	}
}

func TestRateLimitedWebAPICallIsRetriedAfterRetryAfter(t *testing.T) {
	h := start(t, harnessOpts{})
	h.f.rateLimit("chat.postMessage", 1)
	h.mention("C1", "1700000900.000100", "", question)
	h.f.waitPosts(1)
	if n := h.f.callCount("chat.postMessage"); n != 2 {
		t.Errorf("chat.postMessage called %d times, want 2 (429, then the retry)", n)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.sleeps) != 1 || h.sleeps[0] != 2*time.Second {
		t.Errorf("waits = %v, want [2s] from Retry-After", h.sleeps)
	}
}

func TestRateLimitedResponseURLIsRetried(t *testing.T) {
	h := start(t, harnessOpts{})
	h.f.rateLimit("response_url", 2)
	h.slash("C1", "help")
	h.f.waitPosts(1)
	if n := h.f.callCount("response_url"); n != 3 {
		t.Errorf("response_url called %d times, want 3", n)
	}
}

func TestUserAskingTooFastIsToldToSlowDown(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	h := start(t, harnessOpts{cfg: Config{RateLimit: RateLimitConfig{PerMinute: 2, Burst: 1}}, now: func() time.Time { return now }})
	h.mention("C1", "1700001000.000100", "", question)
	h.mention("C1", "1700001001.000100", "", question)
	h.slash("C1", "ask "+question)
	h.slash("C1", "help") // not a question: not limited
	posts := h.f.waitPosts(4)
	if posts[0].Via != "chat.postMessage" {
		t.Errorf("first question: %+v", posts[0])
	}
	if p := posts[1]; p.Via != "chat.postEphemeral" || p.User != "UALICE" || p.Thread != "1700001001.000100" || p.Text != "Slow down: you are asking faster than I answer. Try again in 30 seconds." {
		t.Errorf("second question got %s to %s: %q", p.Via, p.User, p.Text)
	}
	if p := posts[2]; p.Via != "response_url" || !strings.HasPrefix(p.Text, "Slow down") {
		t.Errorf("slash ask got %q", p.Text)
	}
	if p := posts[3]; !strings.Contains(p.Text, "Ask me anything") {
		t.Errorf("help got %q", p.Text)
	}
}

// searcherFunc is a Searcher made of a function.
type searcherFunc func(ctx context.Context, text string, limit int) (*bot.SearchResult, error)

func (f searcherFunc) Search(ctx context.Context, text string, limit int) (*bot.SearchResult, error) {
	return f(ctx, text, limit)
}

func TestFailedAnswerTellsTheUser(t *testing.T) {
	calls := 0
	h := start(t, harnessOpts{searcher: searcherFunc(func(context.Context, string, int) (*bot.SearchResult, error) {
		calls++
		if calls == 1 {
			return nil, errors.New("index on fire")
		}
		panic("boom")
	})})
	h.mention("C1", "1700001100.000100", "", question)
	h.mention("C1", "1700001101.000100", "", question)
	posts := h.f.waitPosts(2)
	for i, p := range posts {
		if p.Via != "chat.postMessage" || p.Thread == "" || p.Text != msgFailed {
			t.Errorf("failure %d reported as %s in %q: %q", i, p.Via, p.Thread, p.Text)
		}
		if strings.Contains(p.Text+string(p.Blocks), "fire") {
			t.Errorf("error detail leaked to the user: %s", p.Blocks)
		}
	}
	// The worker survived the panic.
	h.slash("C1", "help")
	h.f.waitPosts(3)
}

func TestHostileDocumentIsQuotedHarmlessly(t *testing.T) {
	dir := t.TempDir()
	hostile := "Hostile memo <!channel> and <!here> and <!everyone>: @here look at <script>alert(1)</script> " +
		"and <https://x|y> and <@U024BE7LH> with *stars* and _under_ and ~strike~ and `code` & more.\n> fake quote\n```block```"
	if err := os.WriteFile(filepath.Join(dir, "hostile.txt"), []byte("Hostile memo\n\n"+hostile+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ix := testbot.Index(t, dir)
	h := start(t, harnessOpts{searcher: ix, catalog: ix})
	h.mention("C1", "1700001200.000100", "", "hostile memo script alert")
	p := h.f.waitPosts(1)[0]
	// Check the decoded strings: what Slack reads.
	var texts []string
	collectTexts(p.blocks(t), &texts)
	texts = append(texts, p.Text)
	joined := strings.Join(texts, "\n")
	for _, bad := range []string{"<!channel>", "<!here>", "<!everyone>", "<script>", "<https://x|y>", "<@U024BE7LH>", "@here", "*stars*", "_under_", "~strike~", "`code`", "\n> fake", "```"} {
		if strings.Contains(joined, bad) {
			t.Errorf("rendered answer contains %q:\n%s", bad, joined)
		}
	}
	if !strings.Contains(joined, "&lt;!channel&gt;") || !strings.Contains(joined, "&lt;script&gt;") || !strings.Contains(joined, "&amp; more") {
		t.Errorf("hostile text not shown escaped:\n%s", joined)
	}
	checkBalanced(t, texts)
}

// collectTexts gathers every "text" string of blocks.
func collectTexts(v any, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && k == "text" {
				*out = append(*out, s)
				continue
			}
			collectTexts(e, out)
		}
	case []map[string]any:
		for _, e := range x {
			collectTexts(e, out)
		}
	case []any:
		for _, e := range x {
			collectTexts(e, out)
		}
	}
}

func TestNotifyPostsADigest(t *testing.T) {
	h := start(t, harnessOpts{})
	err := h.a.Notify(context.Background(), "CNEWS", bot.Announcement{Changes: []bot.DocChange{
		{Kind: "added", Doc: "a.txt", Title: "New <!channel> memo", Opening: "It begins."},
		{Kind: "removed", Doc: "b.txt", Title: "Old memo"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	p := h.f.waitPosts(1)[0]
	if p.Channel != "CNEWS" || p.Text != "Corpus updated: 1 added, 1 removed" || strings.Contains(p.allText(t), "<!channel>") {
		t.Errorf("digest = %s %q %s", p.Channel, p.Text, p.Blocks)
	}
}
