package text

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTruncate(t *testing.T) {
	tests := []struct {
		name string
		s    string
		n    int
		want string
	}{
		{"short enough", "plan", 4, "plan"},
		{"cut, ellipsis counted", "peace plan", 6, "peace…"},
		{"runes, not bytes", "Zürich–Genève", 7, "Zürich…"},
		{"one rune left", "plan", 1, "…"},
		{"nothing left", "plan", 0, "…"},
		{"negative", "plan", -3, "…"},
		{"empty", "", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Truncate(tt.s, tt.n)); diff != "" {
				t.Errorf("Truncate(%q, %d) mismatch (-want +got):\n%s", tt.s, tt.n, diff)
			}
		})
	}
}

func TestTruncateBytes(t *testing.T) {
	tests := []struct {
		name string
		s    string
		n    int
		want string
	}{
		{"short enough", "plan", 4, "plan"},
		{"cut", "plan", 2, "pl"},
		{"not inside a rune", "aé", 2, "a"},
		{"at a rune's end", "aéb", 3, "aé"},
		{"nothing left", "éa", 1, ""},
		{"negative", "plan", -1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, TruncateBytes(tt.s, tt.n)); diff != "" {
				t.Errorf("TruncateBytes(%q, %d) mismatch (-want +got):\n%s", tt.s, tt.n, diff)
			}
		})
	}
}
