package text

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTruncate(t *testing.T) {
	tests := []struct {
		name string
		cut  func(string, int) string
		s    string
		n    int
		want string
	}{
		{"short enough", Truncate, "plan", 4, "plan"},
		{"cut, ellipsis counted", Truncate, "peace plan", 6, "peace…"},
		{"runes, not bytes", Truncate, "Zürich–Genève", 7, "Zürich…"},
		{"one rune left", Truncate, "plan", 1, "…"},
		{"nothing left", Truncate, "plan", 0, "…"},
		{"negative", Truncate, "plan", -3, "…"},
		{"empty", Truncate, "", 0, ""},
		{"bytes: short enough", TruncateBytes, "plan", 4, "plan"},
		{"bytes: cut", TruncateBytes, "plan", 2, "pl"},
		{"bytes: not inside a rune", TruncateBytes, "aé", 2, "a"},
		{"bytes: at a rune's end", TruncateBytes, "aéb", 3, "aé"},
		{"bytes: nothing left", TruncateBytes, "éa", 1, ""},
		{"bytes: negative", TruncateBytes, "plan", -1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.cut(tt.s, tt.n)); diff != "" {
				t.Errorf("cut(%q, %d) mismatch (-want +got):\n%s", tt.s, tt.n, diff)
			}
		})
	}
}

func ExampleTruncate() {
	fmt.Println(Truncate("Coalition of the Willing", 12))
	fmt.Println(Count(3, "document"), Count(1, "country"), Count(2, "country"))
	// Output:
	// Coalition o…
	// 3 documents 1 country 2 countries
}
