package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"framebot/bot"
	"framebot/corpus"
	"framebot/index"
	"framebot/internal/testbot"
	"framebot/internal/testfs"
	"framebot/live"
	"framebot/sqlite"
)

// fakeUpdates is the fake's record of chat.update calls. When clock is
// set, it answers 429 as Slack's Tier 3 does: more than perMinute calls
// in 60 seconds of that clock.
type fakeUpdates struct {
	clock     func() time.Time
	perMinute int
	at        []time.Time
	limited   int // 429s answered
}

// chatUpdate serves chat.update; f.mu is held.
func (f *fakeSlack) chatUpdate(w http.ResponseWriter, r *http.Request) {
	u := &f.updates
	if u.clock != nil {
		now := u.clock()
		n := 0
		for _, t := range u.at {
			if t.After(now.Add(-time.Minute)) {
				n++
			}
		}
		if n >= u.perMinute {
			u.limited++
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"ok":false,"error":"ratelimited"}`))
			f.notify()
			return
		}
		u.at = append(u.at, now)
	}
	p := post{Via: "chat.update", Channel: r.Form.Get("channel"), TS: r.Form.Get("ts"), Text: r.Form.Get("text"), Blocks: json.RawMessage(r.Form.Get("blocks"))}
	if p.TS == "" || p.TS == "0.404" {
		writeJSON(w, map[string]any{"ok": false, "error": "message_not_found"})
		return
	}
	f.posts = append(f.posts, p)
	f.notify()
	writeJSON(w, map[string]any{"ok": true, "channel": p.Channel, "ts": p.TS, "text": p.Text})
}

// posts returns the messages sent through via.
func (f *fakeSlack) sent(via string) []post {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []post
	for _, p := range f.posts {
		if p.Via == via {
			out = append(out, p)
		}
	}
	return out
}

const (
	ceasefire  = "The ceasefire between the two armies begins on the third of March and lasts thirty days under international monitors."
	ceasefire2 = "The ceasefire between the two armies begins on the third of March and lasts sixty days under international monitors."
	otherPara  = "Prisoners are exchanged in the second week, in groups of fifty, at the northern crossing."
	staleQ     = "How long does the ceasefire last?"
)

// staleCorpus is a corpus folder and its index, with what a running bot
// uses to correct its answers.
type staleCorpus struct {
	dir     string
	ix      *index.Index
	applier *live.Applier
	tracker *bot.Tracker
}

func newStaleCorpus(t *testing.T, db *sqlite.DB) *staleCorpus {
	t.Helper()
	dir := t.TempDir()
	testfs.Write(t, dir, "truce.md", "---\ntitle: Truce terms\nsource: Desk\n---\n\n"+ceasefire+"\n\n"+otherPara+"\n")
	testfs.Write(t, dir, "weather.md", "---\ntitle: Weather\nsource: Desk\n---\n\nRain is expected over the coast on Tuesday.\n")
	ix, _ := testbot.IndexFolders(t, dir)
	sc := &staleCorpus{dir: dir, ix: ix, applier: &live.Applier{Root: dir, Index: ix}}
	if db != nil {
		sc.tracker = &bot.Tracker{Store: db, Docs: ix}
	}
	return sc
}

// change writes (or, with body "", removes) the truce document, applies
// it to the index and checks the answers; it returns how many answers were
// marked.
func (sc *staleCorpus) change(t *testing.T, body string) int {
	t.Helper()
	if body == "" {
		if err := os.Remove(filepath.Join(sc.dir, "truce.md")); err != nil {
			t.Fatal(err)
		}
	} else {
		testfs.Write(t, sc.dir, "truce.md", "---\ntitle: Truce terms\nsource: Desk\n---\n\n"+body+"\n")
	}
	changes, err := sc.applier.Apply(t.Context(), corpus.Batch{Paths: []string{"truce.md"}})
	if err != nil {
		t.Fatal(err)
	}
	n, err := sc.tracker.Changes(t.Context(), changes)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// waitRemembered waits until the adapter has remembered its answer p: it
// does so just after posting it, so a test that changes the corpus as soon
// as the fake server has the post could otherwise run before the
// stale-answer tracker can know the answer.
func waitRemembered(t *testing.T, h *harness, p post) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, ok, err := h.db.AnswerByMessage(t.Context(), Platform, p.Channel, p.TS)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("answer %s in %s not remembered", p.TS, p.Channel)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// drain sends the queued edits with no pacing.
func drain(t *testing.T, h *harness) (sent int) {
	t.Helper()
	s := &bot.EditSender{Queue: h.db, Editor: h.a}
	sent, failed, err := s.Drain(t.Context())
	if err != nil || failed != 0 {
		t.Fatalf("Drain: %d failed, %v", failed, err)
	}
	return sent
}

func TestStaleAnswerIsCorrectedInPlace(t *testing.T) {
	sc := newStaleCorpus(t, nil)
	h := start(t, harnessOpts{searcher: sc.ix, catalog: sc.ix})
	sc.tracker = &bot.Tracker{Store: h.db, Docs: sc.ix}

	h.mention("C1", "1700000100.000100", "", staleQ)
	answer := h.f.waitPosts(1)[0]
	if !strings.Contains(answer.allText(t), "thirty days") {
		t.Fatalf("the answer does not quote the truce: %s", answer.allText(t))
	}
	waitRemembered(t, h, answer)

	t.Run("a paragraph added elsewhere or white space changed edits nothing", func(t *testing.T) {
		if n := sc.change(t, "A new opening paragraph about the talks.\n\n"+strings.ReplaceAll(ceasefire, " the ", "  the\n")+"\n\n"+otherPara); n != 0 {
			t.Errorf("%d answers marked, want 0", n)
		}
		if n := drain(t, h); n != 0 || len(h.f.sent("chat.update")) != 0 {
			t.Errorf("%d edits sent, want none", n)
		}
	})

	t.Run("a changed quote is struck through, dated, with what the document says now", func(t *testing.T) {
		if n := sc.change(t, ceasefire2+"\n\n"+otherPara); n != 1 {
			t.Fatalf("%d answers marked, want 1", n)
		}
		if n := drain(t, h); n != 1 {
			t.Fatalf("%d edits sent, want 1", n)
		}
		up := h.f.sent("chat.update")[0]
		if up.Channel != "C1" || up.TS != answer.TS {
			t.Errorf("chat.update of %s %s, want the answer %s %s", up.Channel, up.TS, answer.Channel, answer.TS)
		}
		text := up.allText(t)
		day := time.Now().UTC().Format("2006-01-02")
		for _, want := range []string{"~The ceasefire between", "thirty days", "_Changed on " + day, "*now:*", "sixty days", "*Q:* " + staleQ} {
			if !strings.Contains(text, want) {
				t.Errorf("edit lacks %q:\n%s", want, text)
			}
		}
		if up.buttonValue(t, actionAskAgain) == "" {
			t.Error("edit has no Ask again button")
		}
		// The same state again (a rescan) edits nothing more.
		if n := sc.change(t, ceasefire2+"\n\n"+otherPara+"\n"); n != 0 || drain(t, h) != 0 {
			t.Errorf("an unchanged document marked %d answers again", n)
		}
	})

	t.Run("Ask again answers in the answer's thread", func(t *testing.T) {
		before := len(h.f.sent("chat.postMessage"))
		h.click("C1", actionAskAgain, h.f.sent("chat.update")[0].buttonValue(t, actionAskAgain))
		h.f.waitFor("the new answer", func() bool {
			n := 0
			for _, p := range h.f.posts {
				if p.Via == "chat.postMessage" {
					n++
				}
			}
			return n > before
		})
		p := h.f.sent("chat.postMessage")[before]
		if p.Channel != "C1" || p.Thread != answer.Thread {
			t.Errorf("new answer in %s thread %q, want C1 thread %q", p.Channel, p.Thread, answer.Thread)
		}
		if !strings.Contains(p.allText(t), "sixty days") {
			t.Errorf("new answer does not quote the new version:\n%s", p.allText(t))
		}
	})

	t.Run("a deleted document says removed", func(t *testing.T) {
		sc.change(t, "")
		if n := drain(t, h); n < 1 {
			t.Fatalf("%d edits sent, want at least 1", n)
		}
		ups := h.f.sent("chat.update")
		var first *post
		for i := range ups {
			if ups[i].TS == answer.TS {
				first = &ups[i]
			}
		}
		if first == nil || !strings.Contains(first.allText(t), "_Document removed on ") || strings.Contains(first.allText(t), "*now:*") {
			t.Errorf("last edit of the answer does not say removed: %+v", first)
		}
	})
}

func TestThousandStaleAnswersAreEditedWithinTheRateLimit(t *testing.T) {
	h := start(t, harnessOpts{})
	sc := newStaleCorpus(t, h.db)
	var clock atomic.Int64
	clock.Store(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC).UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	h.f.mu.Lock()
	h.f.updates = fakeUpdates{clock: now, perMinute: 50}
	h.f.mu.Unlock()

	ctx := t.Context()
	passage := []bot.Passage{{Text: ceasefire, Doc: "truce.md", Title: "Truce terms"}}
	const n = 1000
	for i := range n {
		if _, err := h.db.RememberAnswer(ctx, bot.AnswerRecord{Platform: Platform, Channel: "C1", MessageID: fmt.Sprintf("1700000000.%06d", i),
			User: "U1", Question: staleQ, Passages: passage}); err != nil {
			t.Fatal(err)
		}
	}
	// One answer older than the window is left alone.
	if _, err := h.db.RememberAnswer(ctx, bot.AnswerRecord{Platform: Platform, Channel: "C1", MessageID: "1600000000.000001",
		User: "U1", Question: staleQ, Passages: passage, At: time.Now().Add(-31 * 24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if got := sc.change(t, ceasefire2); got != n {
		t.Fatalf("%d answers marked, want %d", got, n)
	}
	s := &bot.EditSender{Queue: h.db, Editor: h.a, PerMinute: 50, Burst: 1, Now: now,
		Wait: func(_ context.Context, d time.Duration) error { clock.Add(int64(d)); return nil }}
	start := now()
	sent, failed, err := s.Drain(ctx)
	if err != nil || sent != n || failed != 0 {
		t.Fatalf("Drain = %d sent, %d failed, %v; want %d, 0, nil", sent, failed, err, n)
	}
	h.f.mu.Lock()
	limited := h.f.updates.limited
	h.f.mu.Unlock()
	if limited != 0 {
		t.Errorf("Slack answered 429 %d times", limited)
	}
	if took, least := now().Sub(start), time.Duration(n-1)*time.Minute/50; took < least {
		t.Errorf("1000 edits took %s of the clock, want at least %s at 50 a minute", took, least)
	}
	for _, p := range h.f.sent("chat.update") {
		if p.TS == "1600000000.000001" {
			t.Error("an answer older than the window was edited")
		}
	}
	if q, err := h.db.QueuedEdits(ctx); err != nil || len(q) != 0 {
		t.Errorf("queue after draining = %v, %v; want empty", q, err)
	}
}

func TestEditOfADeletedMessageIsDropped(t *testing.T) {
	h := start(t, harnessOpts{})
	err := h.a.EditStale(t.Context(), bot.StaleAnswer{ID: 1, Channel: "C1", MessageID: "0.404", Question: "q?"})
	if err == nil || !strings.Contains(err.Error(), "message_not_found") || !isNotEditable(err) {
		t.Errorf("EditStale of a deleted message = %v, want bot.ErrNotEditable", err)
	}
}

func isNotEditable(err error) bool { return errors.Is(err, bot.ErrNotEditable) }

func TestDigestSaysHowManyEarlierAnswersWereUpdated(t *testing.T) {
	m := RenderAnnouncement(bot.Announcement{Changes: []bot.DocChange{{Kind: "updated", Doc: "a.md", Title: "A"}}, AnswersUpdated: 3})
	b, err := m.MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "3 earlier answers updated") {
		t.Errorf("digest lacks the line:\n%s", b)
	}
}
