package beir

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEvaluateScoresLikeTrecEval(t *testing.T) {
	qrels := Qrels{
		"q1": {"a": 2, "b": 1},
		"q2": {"c": 1},
	}
	runs := map[string][]string{
		"q1": {"b", "x", "a"},
		// q2 unanswered: it counts as 0 everywhere.
	}
	dcg := 1/math.Log2(2) + 2/math.Log2(4)
	idcg := 2/math.Log2(2) + 1/math.Log2(3)
	want := Metrics{
		QueriesJudged: 2,
		NDCG10:        round4(dcg / idcg / 2),
		MAP100:        round4((1.0/1 + 2.0/3) / 2 / 2),
		P10:           round4(2.0 / 10 / 2),
		Recall100:     round4(1.0 / 2),
	}
	if diff := cmp.Diff(want, Evaluate(runs, qrels)); diff != "" {
		t.Errorf("Evaluate (-want +got):\n%s", diff)
	}
}

func TestPercentileMatchesPeers(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3}
	for _, tc := range []struct {
		p    float64
		want float64
	}{{0.5, 3}, {0.99, 5}, {0, 1}} {
		if got := Percentile(xs, tc.p); got != tc.want {
			t.Errorf("Percentile(%v) = %v, want %v", tc.p, got, tc.want)
		}
	}
	if got := Percentile(nil, 0.5); got != 0 {
		t.Errorf("Percentile of nothing = %v, want 0", got)
	}
}
