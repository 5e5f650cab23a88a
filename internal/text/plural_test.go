package text

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPluralAndSingular(t *testing.T) {
	tests := []struct {
		singular, plural string
	}{
		{"troop", "troops"},
		{"country", "countries"},
		{"day", "days"},
		{"tie", "ties"},
		{"document", "documents"},
	}
	for _, tt := range tests {
		got := []string{Plural(tt.singular), Singular(tt.plural)}
		if diff := cmp.Diff([]string{tt.plural, tt.singular}, got); diff != "" {
			t.Errorf("Plural(%q), Singular(%q) mismatch (-want +got):\n%s", tt.singular, tt.plural, diff)
		}
	}
}

func TestPluralKeeps(t *testing.T) {
	for _, w := range []string{"staff", "personnel", "people", "troops", ""} {
		if got := Plural(w); got != w {
			t.Errorf("Plural(%q) = %q, want it unchanged", w, got)
		}
	}
}

func TestSingularKeeps(t *testing.T) {
	for _, w := range []string{"press", "status", "crisis", "bus", "plan"} {
		if got := Singular(w); got != w {
			t.Errorf("Singular(%q) = %q, want it unchanged", w, got)
		}
	}
}

func TestCount(t *testing.T) {
	tests := []struct {
		n    int
		noun string
		want string
	}{
		{0, "document", "0 documents"},
		{1, "document", "1 document"},
		{2, "second", "2 seconds"},
		{3, "folder", "3 folders"},
		{12, "country", "12 countries"},
		{2, "staff", "2 staff"},
	}
	for _, tt := range tests {
		if got := Count(tt.n, tt.noun); got != tt.want {
			t.Errorf("Count(%d, %q) = %q, want %q", tt.n, tt.noun, got, tt.want)
		}
	}
}
