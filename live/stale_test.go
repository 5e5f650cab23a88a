package live

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"framebot/bot"
	"framebot/corpus"
	"framebot/index"
	"framebot/internal/testfs"
	"framebot/sqlite"
)

const (
	truceOld = "The ceasefire between the two armies begins on the third of March and lasts thirty days under international monitors."
	truceNew = "The ceasefire between the two armies begins on the third of March and lasts sixty days under international monitors."
)

func TestServiceMarksStaleAnswersCountsThemInTheDigestAndRecognisesARename(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	testfs.Write(t, dir, "truce.md", doc("Truce", truceOld))
	testfs.Write(t, dir, "other.md", doc("Other", "Rain is expected over the coast on Tuesday."))
	ix, err := index.Open(filepath.Join(t.TempDir(), "ix"), index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	w, err := corpus.NewWatcher(dir, fastWatch)
	if err != nil {
		t.Fatal(err)
	}
	n := &recordingNotifier{platform: "test"}
	svc := &Service{
		Watcher:   w,
		Applier:   &Applier{Root: dir, Index: ix},
		Announcer: &bot.Announcer{Subscriptions: memSubs{"test": {"C1"}}, Notifiers: []bot.Notifier{n}},
		Stale:     &bot.Tracker{Store: db, Docs: ix},
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- svc.Run(runCtx) }()
	defer func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v", err)
		}
	}()
	waitFor(t, "the start-up scan", func() bool { return len(n.notices()) == 1 })

	quote := []bot.Passage{{Text: truceOld, Doc: "truce.md", Title: "Truce"}}
	var ids []int64
	for _, msg := range []string{"1.1", "1.2", "1.3"} {
		id, err := db.RememberAnswer(ctx, bot.AnswerRecord{Platform: "test", Channel: "C1", MessageID: msg, User: "U", Question: "q?", Passages: quote})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}

	// A rename is recognised: the quotes are still true, under a new name.
	if err := os.Rename(filepath.Join(dir, "truce.md"), filepath.Join(dir, "pact.md")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the rename's digest", func() bool { return len(n.notices()) == 2 })
	if got := n.notices()[1].A.AnswersUpdated; got != 3 {
		t.Errorf("digest after the rename says %d answers updated, want 3", got)
	}
	a, err := db.StaleAnswer(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if st := a.Quotes[0]; st.Kind != bot.QuoteMoved || st.MovedTo != "pact.md" {
		t.Errorf("quote after the rename = %+v, want moved to pact.md", st)
	}

	// Quotes of pact.md are checked from now on; a changed quote is stale.
	for _, msg := range []string{"2.1", "2.2"} {
		if _, err := db.RememberAnswer(ctx, bot.AnswerRecord{Platform: "test", Channel: "C1", MessageID: msg, User: "U", Question: "q?",
			Passages: []bot.Passage{{Text: truceOld, Doc: "pact.md"}}}); err != nil {
			t.Fatal(err)
		}
	}
	testfs.Write(t, dir, "pact.md", doc("Truce", truceNew))
	waitFor(t, "the change's digest", func() bool { return len(n.notices()) == 3 })
	if got := n.notices()[2].A.AnswersUpdated; got != 2 {
		t.Errorf("digest after the change says %d answers updated, want 2", got)
	}
}
