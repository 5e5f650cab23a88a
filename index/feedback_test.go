package index

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFeedbackOnlyWhenAffordable: feedback's second search runs when the
// question's postings are under Ranking.FeedbackMaxPostings and is skipped
// (the scores are those without feedback) when they are over it.
func TestFeedbackOnlyWhenAffordable(t *testing.T) {
	scores := func(rk Ranking) []string {
		return searchScores(t, openRanked(t, rk, bm25Docs(t)...), "walrus")
	}
	base := DefaultRanking()
	base.FeedbackMinTerms, base.FeedbackDocs = 1, 3

	none := base
	none.FeedbackTerms = 0
	without := scores(none)

	unlimited := base
	unlimited.FeedbackMaxPostings = 0
	if diff := cmp.Diff(without, scores(unlimited)); diff == "" {
		t.Fatal("feedback with no postings limit changed no score; the test's corpus no longer exercises it")
	}

	tight := base
	tight.FeedbackMaxPostings = 1 // "walrus" alone is in more passages
	if diff := cmp.Diff(without, scores(tight)); diff != "" {
		t.Errorf("feedback ran although the question's postings exceed FeedbackMaxPostings (-without feedback +got):\n%s", diff)
	}
}
