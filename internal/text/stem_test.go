package text

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestStem(t *testing.T) {
	tests := []struct{ in, want string }{
		{"guarantees", "guarante"},
		{"guaranteed", "guarante"},
		{"guarantee", "guarante"},
		{"policies", "polici"},
		{"running", "run"},
		{"troops", "troop"},
		{"a", "a"},
		{"", ""},
		{"Troops", "Troop"},  // upper case is the caller's to fold
		{"köppen", "koppen"}, // accents folded first, as the index folds them
		{"résumés", "resum"},
	}
	var got, want []string
	for _, tt := range tests {
		got = append(got, tt.in+" → "+Stem(tt.in))
		want = append(want, tt.in+" → "+tt.want)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Stem mismatch (-want +got):\n%s", diff)
	}
}
