package index

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"framebot/bot"
	"framebot/corpus"
)

func TestPassagesWalksEveryPassageInOrder(t *testing.T) {
	ix := openT(t, filepath.Join(t.TempDir(), "ix"))
	docs := []*corpus.Document{
		doc(t, "b", "Beta", "Beta one.", "Beta two."),
		doc(t, "a", "Alpha", "Alpha one."),
	}
	if _, err := ix.Sync(context.Background(), docs, nil); err != nil {
		t.Fatal(err)
	}
	var got []bot.Passage
	for p, err := range ix.Passages(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p)
	}
	want := []bot.Passage{
		{Text: "Alpha one.", Title: "Alpha", Doc: "a", Source: "src-a", Ordinal: 0},
		{Text: "Beta one.", Title: "Beta", Doc: "b", Source: "src-b", Ordinal: 0},
		{Text: "Beta two.", Title: "Beta", Doc: "b", Source: "src-b", Ordinal: 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	t.Run("stopping early is allowed", func(t *testing.T) {
		n := 0
		for range ix.Passages(context.Background()) {
			n++
			break
		}
		if n != 1 {
			t.Errorf("%d passages after break", n)
		}
	})
	t.Run("a cancelled context ends the walk with its error", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		for _, err := range ix.Passages(ctx) {
			if !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v, want context.Canceled", err)
			}
		}
	})
	t.Run("a closed index says so", func(t *testing.T) {
		ix.Close()
		for _, err := range ix.Passages(context.Background()) {
			if !errors.Is(err, ErrClosed) {
				t.Errorf("err = %v, want ErrClosed", err)
			}
		}
	})
}
