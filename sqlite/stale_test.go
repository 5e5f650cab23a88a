package sqlite

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"framebot/bot"
)

func TestStaleQuotesAndEditQueue(t *testing.T) {
	ctx := t.Context()
	db := openTest(t, filepath.Join(t.TempDir(), "framebot.db"))
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	db.now = func() time.Time { return at }
	remember := func(r bot.AnswerRecord) int64 {
		t.Helper()
		id, err := db.RememberAnswer(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	ps := []bot.Passage{{Text: "One.", Doc: "a.md"}, {Text: "Two.", Doc: "b.md"}, {Text: "Three.", Doc: "a.md"}}
	pub := remember(bot.AnswerRecord{Platform: "slack", Channel: "C1", MessageID: "1.1", User: "U", Question: "q?", Passages: ps, At: at})
	priv := remember(bot.AnswerRecord{Platform: "slack", Channel: "C1", User: "U", Question: "private?", Passages: ps[:1], At: at})
	old := remember(bot.AnswerRecord{Platform: "slack", Channel: "C1", MessageID: "0.1", User: "U", Question: "old?", Passages: ps[:1], At: at.Add(-40 * 24 * time.Hour)})
	_ = old

	got, err := db.RecentQuotes(ctx, "a.md", at.Add(-30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := []bot.QuoteRef{
		{AnswerID: pub, Index: 0, Doc: "a.md", Text: "One."},
		{AnswerID: pub, Index: 2, Doc: "a.md", Text: "Three."},
		{AnswerID: priv, Index: 0, Doc: "a.md", Text: "One."},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("RecentQuotes (-want +got):\n%s", diff)
	}
	docs, err := db.QuotedDocs(ctx, at.Add(-30*24*time.Hour))
	if diff := cmp.Diff([]string{"a.md", "b.md"}, docs); err != nil || diff != "" {
		t.Errorf("QuotedDocs = %v (-want +got):\n%s", err, diff)
	}

	changed := bot.QuoteState{Kind: bot.QuoteChanged, Now: "One!", Since: at}
	ids, err := db.MarkQuotes(ctx, []bot.QuoteMark{
		{AnswerID: pub, Index: 0, State: changed},
		{AnswerID: pub, Index: 2, State: bot.QuoteState{Kind: bot.QuoteRemoved, Since: at}},
		{AnswerID: priv, Index: 0, State: changed},
	})
	if diff := cmp.Diff([]int64{pub, priv}, ids); err != nil || diff != "" {
		t.Fatalf("MarkQuotes = %v (-want +got):\n%s", err, diff)
	}
	// One edit for the public answer (two quotes, one message); none for
	// the private one, which has no message to edit.
	edits, err := db.DueEdits(ctx, "slack", at, 10)
	if err != nil {
		t.Fatal(err)
	}
	wantEdits := []bot.StaleEdit{{Answer: bot.StaleAnswer{
		ID: pub, Channel: "C1", MessageID: "1.1", Question: "q?", At: at, Passages: ps,
		Quotes: []bot.QuoteState{changed, {}, {Kind: bot.QuoteRemoved, Since: at}},
	}}}
	if diff := cmp.Diff(wantEdits, edits); diff != "" {
		t.Errorf("DueEdits (-want +got):\n%s", diff)
	}
	if edits, _ := db.DueEdits(ctx, "matrix", at, 10); len(edits) != 0 {
		t.Errorf("DueEdits of another platform = %v, want none", edits)
	}

	// A retry waits for its time; done removes it.
	if err := db.EditRetry(ctx, pub, 1, at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if edits, _ := db.DueEdits(ctx, "slack", at, 10); len(edits) != 0 {
		t.Errorf("DueEdits before the retry time = %v, want none", edits)
	}
	if edits, _ := db.DueEdits(ctx, "slack", at.Add(time.Minute), 10); len(edits) != 1 || edits[0].Attempts != 1 {
		t.Errorf("DueEdits at the retry time = %+v, want the edit with 1 attempt", edits)
	}
	if err := db.EditDone(ctx, pub); err != nil {
		t.Fatal(err)
	}
	if n, err := db.QueuedEdits(ctx); err != nil || len(n) != 0 {
		t.Errorf("QueuedEdits after done = %v, %v; want none", n, err)
	}

	// The queue survives a restart.
	if _, err := db.MarkQuotes(ctx, []bot.QuoteMark{{AnswerID: pub, Index: 1, State: changed}}); err != nil {
		t.Fatal(err)
	}
	path := db.Path()
	db.Close()
	re := openTest(t, path)
	if n, err := re.QueuedEdits(ctx); err != nil || n["slack"] != 1 {
		t.Errorf("QueuedEdits after reopening = %v, %v; want 1 on slack", n, err)
	}
}

func TestSetAnswerMessageMakesAnAnswerEditable(t *testing.T) {
	ctx := t.Context()
	db := openTest(t, filepath.Join(t.TempDir(), "framebot.db"))
	id, err := db.RememberAnswer(ctx, bot.AnswerRecord{Platform: "slack", Channel: "C1", User: "U", Question: "q?", Passages: []bot.Passage{{Text: "One.", Doc: "a.md"}}})
	if err != nil {
		t.Fatal(err)
	}
	// The quote goes stale before Slack gave the message's ts: nothing to
	// edit yet, and the edit is queued once the ts is known.
	if _, err := db.MarkQuotes(ctx, []bot.QuoteMark{{AnswerID: id, State: bot.QuoteState{Kind: bot.QuoteRemoved}}}); err != nil {
		t.Fatal(err)
	}
	if edits, _ := db.DueEdits(ctx, "slack", time.Now(), 10); len(edits) != 0 {
		t.Fatalf("DueEdits before the ts is known = %+v, want none", edits)
	}
	if err := db.SetAnswerMessage(ctx, id, "2.2"); err != nil {
		t.Fatal(err)
	}
	edits, err := db.DueEdits(ctx, "slack", time.Now(), 10)
	if err != nil || len(edits) != 1 || edits[0].Answer.MessageID != "2.2" {
		t.Errorf("DueEdits = %+v, %v; want the answer with message 2.2", edits, err)
	}
}

func TestMigrationIndexesTheQuotesOfEarlierAnswers(t *testing.T) {
	ctx := t.Context()
	db := openTest(t, databaseAt(t, 1,
		`INSERT INTO answers (platform, channel, message_id, user_id, question, passages, at)
		 VALUES ('matrix', '!r', '$e', '@u', 'q?', '[{"text":"One.","doc":"a.md"},{"text":"Two.","doc":"b.md"}]', 1)`))
	docs, err := db.QuotedDocs(ctx, time.UnixMilli(0))
	if diff := cmp.Diff([]string{"a.md", "b.md"}, docs); err != nil || diff != "" {
		t.Errorf("QuotedDocs after migrating = %v (-want +got):\n%s", err, diff)
	}
}

func TestMigrationAddsAnEmptyContextToEarlierAnswers(t *testing.T) {
	ctx := t.Context()
	// A database at version 3, before answers had a context.
	db := openTest(t, databaseAt(t, 3,
		`INSERT INTO answers (platform, channel, message_id, user_id, question, passages, at)
		 VALUES ('slack', 'C1', '1.1', 'U1', 'q?', '[{"text":"One.","doc":"a.md"}]', 1)`))
	if v, err := db.SchemaVersion(ctx); err != nil || v != len(migrations) {
		t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, len(migrations))
	}
	old, ok, err := db.AnswerByMessage(ctx, "slack", "C1", "1.1")
	if err != nil || !ok {
		t.Fatalf("AnswerByMessage of the earlier answer = %v, %v", ok, err)
	}
	want := bot.AnswerRecord{ID: old.ID, Platform: "slack", Channel: "C1", MessageID: "1.1", User: "U1", Question: "q?",
		Passages: []bot.Passage{{Text: "One.", Doc: "a.md"}}, At: time.UnixMilli(1).UTC()}
	if diff := cmp.Diff(want, old); diff != "" {
		t.Errorf("earlier answer after migrating (-want +got):\n%s", diff)
	}

	// A new answer keeps its context, and a stale edit of it gets it back.
	rec := bot.AnswerRecord{Platform: "slack", Channel: "C1", Thread: "1.1", MessageID: "1.2", User: "U1",
		Question: "who said it?", Context: "q?", Passages: []bot.Passage{{Text: "Two.", Doc: "b.md"}}, At: time.UnixMilli(2).UTC()}
	id, err := db.RememberAnswer(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	rec.ID = id
	got, _, err := db.Answer(ctx, id)
	if diff := cmp.Diff(rec, got); err != nil || diff != "" {
		t.Errorf("Answer = %v (-want +got):\n%s", err, diff)
	}
	st, err := db.StaleAnswer(ctx, id)
	if err != nil || st.Context != "q?" {
		t.Errorf("StaleAnswer.Context = %q, %v; want %q", st.Context, err, "q?")
	}
}

// databaseAt writes a state database as framebot left it at schema version
// (its first version migrations applied), with rows inserted, and returns
// its path: what an upgrade finds.
func databaseAt(t *testing.T, version int, rows ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "framebot.db")
	raw, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	qs := []string{`CREATE TABLE framebot_version (id INTEGER PRIMARY KEY CHECK (id = 0), version INTEGER NOT NULL)`}
	qs = append(qs, migrations[:version]...)
	qs = append(qs, fmt.Sprintf(`INSERT INTO framebot_version (id, version) VALUES (0, %d)`, version))
	for _, q := range append(qs, rows...) {
		if _, err := raw.ExecContext(t.Context(), q); err != nil {
			t.Fatal(err)
		}
	}
	return path
}
