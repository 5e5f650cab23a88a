package sqlite

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"framebot/bot"
)

func TestSubscriptions(t *testing.T) {
	type op struct {
		unsubscribe       bool
		platform, channel string
		wantOK            bool // Unsubscribe's result
	}
	tests := []struct {
		name string
		ops  []op
		want map[string][]string // platform → subscribers after close and reopen
	}{
		{
			name: "subscribing twice keeps one subscription",
			ops:  []op{{platform: "slack", channel: "C2"}, {platform: "slack", channel: "C1"}, {platform: "slack", channel: "C2"}},
			want: map[string][]string{"slack": {"C1", "C2"}, "matrix": nil},
		},
		{
			name: "platforms are separate",
			ops:  []op{{platform: "slack", channel: "X"}, {platform: "matrix", channel: "!r:example.org"}, {unsubscribe: true, platform: "matrix", channel: "X"}},
			want: map[string][]string{"slack": {"X"}, "matrix": {"!r:example.org"}},
		},
		{
			name: "unsubscribe reports whether it was subscribed",
			ops: []op{
				{unsubscribe: true, platform: "slack", channel: "C1", wantOK: false},
				{platform: "slack", channel: "C1"},
				{unsubscribe: true, platform: "slack", channel: "C1", wantOK: true},
				{unsubscribe: true, platform: "slack", channel: "C1", wantOK: false},
			},
			want: map[string][]string{"slack": nil},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			path := filepath.Join(t.TempDir(), "framebot.db")
			db := openTest(t, path)
			for _, o := range tt.ops {
				if !o.unsubscribe {
					if err := db.Subscribe(ctx, o.platform, o.channel); err != nil {
						t.Fatal(err)
					}
					continue
				}
				ok, err := db.Unsubscribe(ctx, o.platform, o.channel)
				if err != nil {
					t.Fatal(err)
				}
				if ok != o.wantOK {
					t.Errorf("Unsubscribe(%s, %s) = %v, want %v", o.platform, o.channel, ok, o.wantOK)
				}
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			db = openTest(t, path)
			got := map[string][]string{}
			for platform := range tt.want {
				subs, err := db.Subscribers(ctx, platform)
				if err != nil {
					t.Fatal(err)
				}
				got[platform] = subs
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("subscribers after reopen (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFeedback(t *testing.T) {
	passages := []bot.Passage{{Text: "The plan guarantees…", Highlights: []bot.Span{{Start: 4, End: 8}}, Title: "Plan", Doc: "plan.md", Source: "corpus", Ordinal: 3, Score: 1.5}}
	tests := []struct {
		name                        string
		votes                       []bool
		wantHelpful, wantNotHelpful int
	}{
		{"no votes count zero", nil, 0, 0},
		{"one helpful vote", []bool{true}, 1, 0},
		{"mixed votes are counted apart", []bool{true, false, false, true, true}, 3, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			db := openTest(t, filepath.Join(t.TempDir(), "framebot.db"))
			for _, h := range tt.votes {
				f := bot.Feedback{Platform: "slack", User: "U1", Channel: "C1", Question: "guarantees?", Passages: passages, Helpful: h}
				if err := db.RecordFeedback(ctx, f); err != nil {
					t.Fatal(err)
				}
			}
			helpful, notHelpful, err := db.FeedbackCounts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]int{tt.wantHelpful, tt.wantNotHelpful}, []int{helpful, notHelpful}); diff != "" {
				t.Errorf("helpful, not helpful (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("stores the vote with its passages as JSON", func(t *testing.T) {
		ctx := t.Context()
		db := openTest(t, filepath.Join(t.TempDir(), "framebot.db"))
		at := time.Date(2026, 3, 1, 12, 30, 0, 0, time.FixedZone("CET", 3600))
		want := bot.Feedback{Platform: "matrix", User: "@u:example.org", Channel: "!r:example.org", Question: "q", Passages: passages, Helpful: false, At: at.UTC()}
		in := want
		in.At = at
		if err := db.RecordFeedback(ctx, in); err != nil {
			t.Fatal(err)
		}
		var got bot.Feedback
		var js string
		var ms int64
		err := db.SQL().QueryRowContext(ctx, `SELECT platform, user_id, channel, question, passages, helpful, at FROM feedback`).
			Scan(&got.Platform, &got.User, &got.Channel, &got.Question, &js, &got.Helpful, &ms)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(js), &got.Passages); err != nil {
			t.Fatalf("passages are not JSON: %v", err)
		}
		got.At = fromMillis(ms)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("stored feedback (-want +got):\n%s", diff)
		}
	})

	t.Run("one vote per user per answer, the latest wins", func(t *testing.T) {
		ctx := t.Context()
		db := openTest(t, filepath.Join(t.TempDir(), "framebot.db"))
		t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		votes := []bot.Feedback{
			{Platform: "slack", User: "U1", AnswerID: 7, Helpful: true, At: t0},
			{Platform: "slack", User: "U1", AnswerID: 7, Helpful: true, At: t0.Add(time.Second)},
			{Platform: "slack", User: "U1", AnswerID: 7, Helpful: false, At: t0.Add(2 * time.Second)},
			// Delivered late: older than the vote stored, so ignored.
			{Platform: "slack", User: "U1", AnswerID: 7, Helpful: true, At: t0.Add(time.Millisecond)},
			{Platform: "slack", User: "U2", AnswerID: 7, Helpful: true, At: t0},  // another user
			{Platform: "slack", User: "U1", AnswerID: 8, Helpful: true, At: t0},  // another answer
			{Platform: "matrix", User: "U1", AnswerID: 7, Helpful: true, At: t0}, // another platform
			{Platform: "slack", User: "U1", Helpful: true, At: t0},               // no answer ID: counted
			{Platform: "slack", User: "U1", Helpful: true, At: t0},               // …each time
		}
		for _, f := range votes {
			if err := db.RecordFeedback(ctx, f); err != nil {
				t.Fatal(err)
			}
		}
		helpful, notHelpful, err := db.FeedbackCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]int{5, 1}, []int{helpful, notHelpful}); diff != "" {
			t.Errorf("helpful, not helpful (-want +got):\n%s", diff)
		}
	})

	t.Run("a zero time is stored as now and no passages as []", func(t *testing.T) {
		ctx := t.Context()
		db := openTest(t, filepath.Join(t.TempDir(), "framebot.db"))
		now := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
		db.now = fixedClock(now)
		if err := db.RecordFeedback(ctx, bot.Feedback{Platform: "slack", Helpful: true}); err != nil {
			t.Fatal(err)
		}
		var js string
		var ms int64
		if err := db.SQL().QueryRowContext(ctx, `SELECT passages, at FROM feedback`).Scan(&js, &ms); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]any{"[]", now}, []any{js, fromMillis(ms)}); diff != "" {
			t.Errorf("passages, at (-want +got):\n%s", diff)
		}
	})
}

func TestKV(t *testing.T) {
	type result struct {
		Value string
		OK    bool
	}
	tests := []struct {
		name string
		sets [][2]string
		key  string
		want result
	}{
		{"a missing key is not ok", nil, "matrix/sync_token", result{}},
		{"a set key is found", [][2]string{{"matrix/sync_token", "s1"}}, "matrix/sync_token", result{"s1", true}},
		{"the last set wins", [][2]string{{"matrix/sync_token", "s1"}, {"matrix/sync_token", "s2"}}, "matrix/sync_token", result{"s2", true}},
		{"an empty value is still set", [][2]string{{"matrix/device_id", ""}}, "matrix/device_id", result{"", true}},
		{"keys are separate", [][2]string{{"matrix/device_id", "D"}}, "matrix/sync_token", result{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			path := filepath.Join(t.TempDir(), "framebot.db")
			db := openTest(t, path)
			for _, kv := range tt.sets {
				if err := db.Set(ctx, kv[0], kv[1]); err != nil {
					t.Fatal(err)
				}
			}
			db.Close()
			db = openTest(t, path)
			var got result
			var err error
			got.Value, got.OK, err = db.Get(ctx, tt.key)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Get(%q) (-want +got):\n%s", tt.key, diff)
			}
		})
	}
}

func TestAnswers(t *testing.T) {
	ctx := t.Context()
	db := openTest(t, filepath.Join(t.TempDir(), "framebot.db"))
	at := time.Date(2026, 4, 1, 9, 0, 0, 123_000_000, time.UTC)
	passages := []bot.Passage{{Text: "quoted", Title: "T", Doc: "d.md", Source: "s", Ordinal: 1, Score: 2}}

	top := bot.AnswerRecord{Platform: "slack", Channel: "C1", MessageID: "100.1", User: "U1", Question: "what?", Passages: passages, At: at}
	inThread := bot.AnswerRecord{Platform: "slack", Channel: "C1", Thread: "200.0", MessageID: "200.5", User: "U2", Question: "why?", Context: "Coalition of the Willing", At: at}
	noMessage := bot.AnswerRecord{Platform: "matrix", Channel: "!r:x", User: "@u:x", Question: "who?", At: at}
	ids := map[string]int64{}
	for name, r := range map[string]bot.AnswerRecord{"top": top, "inThread": inThread, "noMessage": noMessage} {
		id, err := db.RememberAnswer(ctx, r)
		if err != nil {
			t.Fatalf("RememberAnswer(%s): %v", name, err)
		}
		ids[name] = id
	}
	if _, err := db.RememberAnswer(ctx, noMessage); err != nil {
		t.Fatalf("a second answer without a message ID: %v", err)
	}
	withID := func(r bot.AnswerRecord, name string) bot.AnswerRecord { r.ID = ids[name]; return r }
	opts := cmpopts.EquateEmpty()

	t.Run("by id", func(t *testing.T) {
		tests := []struct {
			name   string
			id     int64
			want   bot.AnswerRecord
			wantOK bool
		}{
			{"finds a top-level answer with its passages", ids["top"], withID(top, "top"), true},
			{"finds an answer without a message ID", ids["noMessage"], withID(noMessage, "noMessage"), true},
			{"an unknown id is not found", 9999, bot.AnswerRecord{}, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, ok, err := db.Answer(ctx, tt.id)
				if err != nil {
					t.Fatal(err)
				}
				if ok != tt.wantOK {
					t.Errorf("ok = %v, want %v", ok, tt.wantOK)
				}
				if diff := cmp.Diff(tt.want, got, opts); diff != "" {
					t.Errorf("Answer(%d) (-want +got):\n%s", tt.id, diff)
				}
			})
		}
	})

	t.Run("by message", func(t *testing.T) {
		tests := []struct {
			name                         string
			platform, channel, messageID string
			want                         bot.AnswerRecord
			wantOK                       bool
		}{
			{"finds the answer in a thread", "slack", "C1", "200.5", withID(inThread, "inThread"), true},
			{"the same ID in another channel is not it", "slack", "C2", "200.5", bot.AnswerRecord{}, false},
			{"the same ID on another platform is not it", "matrix", "C1", "200.5", bot.AnswerRecord{}, false},
			{"an empty message ID finds nothing", "matrix", "!r:x", "", bot.AnswerRecord{}, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, ok, err := db.AnswerByMessage(ctx, tt.platform, tt.channel, tt.messageID)
				if err != nil {
					t.Fatal(err)
				}
				if ok != tt.wantOK {
					t.Errorf("ok = %v, want %v", ok, tt.wantOK)
				}
				if diff := cmp.Diff(tt.want, got, opts); diff != "" {
					t.Errorf("AnswerByMessage (-want +got):\n%s", diff)
				}
			})
		}
	})

	t.Run("in thread", func(t *testing.T) {
		tests := []struct {
			name                      string
			platform, channel, thread string
			want                      bool
		}{
			{"a thread the bot answered in", "slack", "C1", "200.0", true},
			{"a thread under the bot's own answer", "slack", "C1", "100.1", true},
			{"a thread the bot never answered in", "slack", "C1", "300.0", false},
			{"the same thread ID in another channel", "slack", "C9", "200.0", false},
			{"no thread", "matrix", "!r:x", "", false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := db.AnsweredInThread(ctx, tt.platform, tt.channel, tt.thread)
				if err != nil {
					t.Fatal(err)
				}
				if got != tt.want {
					t.Errorf("AnsweredInThread(%s, %s, %q) = %v, want %v", tt.platform, tt.channel, tt.thread, got, tt.want)
				}
			})
		}
	})

	t.Run("remembering an edited message keeps its id", func(t *testing.T) {
		edited := top
		edited.Question = "what, exactly?"
		edited.Context = "the earlier subject"
		edited.Passages = nil
		id, err := db.RememberAnswer(ctx, edited)
		if err != nil {
			t.Fatal(err)
		}
		if id != ids["top"] {
			t.Errorf("id = %d, want %d", id, ids["top"])
		}
		got, _, err := db.Answer(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(withID(edited, "top"), got, opts); diff != "" {
			t.Errorf("Answer after edit (-want +got):\n%s", diff)
		}
	})
}
