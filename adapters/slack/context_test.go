package slack

import (
	"strconv"
	"strings"
	"testing"

	"framebot/bot"
)

// Answers re-rendered from their record (Share, stale edits) keep the
// follow-up context they were read in.

func TestSharedAnswerKeepsItsContext(t *testing.T) {
	h := start(t, harnessOpts{})
	// A private answer read in a thread's context, as the bot remembers it.
	id, err := h.db.RememberAnswer(t.Context(), bot.AnswerRecord{
		Platform: Platform, Channel: "C1", User: "UALICE", Question: "Who reported that?",
		Context:  "Coalition of the Willing",
		Passages: []bot.Passage{{Text: "Edward Arnold concludes.", Title: "News", Doc: "news.md"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.click("C1", actionShare, strconv.FormatInt(id, 10))
	pub := h.f.waitPosts(2)[0]
	if got := pub.allText(t); pub.Via != "chat.postMessage" || !strings.Contains(got, "Shared by <@UBOB>") ||
		!strings.Contains(got, "_in the context of: Coalition of the Willing_") {
		t.Errorf("shared answer (%s) lacks its context line:\n%s", pub.Via, got)
	}
	// The repost is remembered with its context too.
	rec, ok, err := h.db.AnswerByMessage(t.Context(), Platform, "C1", pub.TS)
	if err != nil || !ok || rec.Context != "Coalition of the Willing" {
		t.Errorf("shared answer remembered with context %q (%v, %v)", rec.Context, ok, err)
	}
}

func TestStaleEditOfAFollowUpKeepsItsContext(t *testing.T) {
	sc := newStaleCorpus(t, nil)
	h := start(t, harnessOpts{searcher: sc.ix, catalog: sc.ix, threads: true})
	sc.tracker = &bot.Tracker{Store: h.db, Docs: sc.ix}

	const root = "1700000100.000100"
	h.mention("C1", root, "", "What are the terms of the ceasefire between the two armies?")
	h.f.waitPosts(1)
	h.message(map[string]any{"user": "UALICE", "text": "How many days does it last?", "ts": "1700000101.000100", "thread_ts": root, "channel": "C1", "channel_type": "channel"})
	follow := h.f.waitPosts(2)[1]
	waitRemembered(t, h, follow)
	const line = "_in the context of: "
	if got := follow.allText(t); !strings.Contains(got, line) || !strings.Contains(got, "thirty days") {
		t.Fatalf("the follow-up was not answered in context:\n%s", got)
	}

	if n := sc.change(t, ceasefire2+"\n\n"+otherPara); n < 1 {
		t.Fatalf("%d answers marked, want at least 1", n)
	}
	drain(t, h)
	var edit *post
	for _, up := range h.f.sent("chat.update") {
		if up.TS == follow.TS {
			edit = &up
		}
	}
	if edit == nil {
		t.Fatal("the follow-up was not edited")
	}
	want := follow.allText(t)
	want = want[strings.Index(want, line):]
	want = want[:strings.Index(want, "_\n")+1]
	if got := edit.allText(t); !strings.Contains(got, want) || !strings.Contains(got, "sixty days") {
		t.Errorf("the edit lacks %q:\n%s", want, got)
	}
}
