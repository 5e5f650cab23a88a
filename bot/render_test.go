package bot

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCite(t *testing.T) {
	tests := []struct {
		name                string
		title, source, link string
		want                string
	}{
		{"a title alone stands alone", "Plan", "", "", "Plan"},
		{"a source equal to the title is not repeated", "Plan", "Plan", "", "Plan"},
		{"a different source and a link follow the title", "Plan", "Desk", "https://example.org/p", "Plan [Desk] <https://example.org/p>"},
		{"control characters are shown, not obeyed", "Pl\x1b[31man\n", "De\u202esk", "", `Pl\x1b[31man\n [De\u202esk]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Cite(tt.title, tt.source, tt.link)); diff != "" {
				t.Errorf("Cite(%q, %q, %q) (-want +got):\n%s", tt.title, tt.source, tt.link, diff)
			}
		})
	}
}

func TestMarkHighlights(t *testing.T) {
	upper := func(s string) string { return "[" + s + "]" }
	plain := func(s string) string { return "(" + s + ")" }
	p := Passage{Text: "one two three", Highlights: []Span{{Start: 4, End: 7}, {Start: 0, End: 3}, {Start: 8, End: 99}}}
	tests := []struct {
		name        string
		plain, mark func(string) string
		want        string
	}{
		{"without mark the text is unchanged", nil, nil, "one two three"},
		{"without mark the plain function still applies", plain, nil, "(one two three)"},
		{"spans out of order or out of range are left unmarked", nil, upper, "one [two] three"},
		{"the text around the spans goes through plain", plain, upper, "(one )[two]( three)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, MarkHighlights(p, tt.plain, tt.mark)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
