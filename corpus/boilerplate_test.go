package corpus

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCleanRules(t *testing.T) {
	const title = "Harbour Town Votes to Restore Old Lighthouse"
	const prose = "The council voted on Tuesday to restore the lighthouse at the end of the pier."
	tests := []struct {
		name string
		in   []block
		want []string
	}{
		{
			name: "comment and navigation chrome is dropped anywhere",
			in: []block{
				{text: prose}, {text: "Post a Comment"}, {text: "Post a Comment (0)"},
				{text: "12 Comments"}, {text: "Previous Post Next Post"}, {text: prose},
				{text: "Table of Contents"}, {text: "Share this post"}, {text: prose},
			},
			want: []string{prose, prose, prose},
		},
		{
			name: "a lone tags line at the end is dropped",
			in:   []block{{text: prose}, {text: "Tags"}},
			want: []string{prose},
		},
		{
			name: "a labelled tag list is dropped",
			in:   []block{{text: prose}, {text: "Tags: lighthouse, council"}, {text: prose}},
			want: []string{prose, prose},
		},
		{
			name: "a short line in another script is dropped",
			in:   []block{{text: prose}, {text: "댓글 남기기"}, {text: prose}},
			want: []string{prose, prose},
		},
		{
			name: "a foreign-script sentence with punctuation is kept",
			in:   []block{{text: prose}, {text: "Слава Україні!"}},
			want: []string{prose, "Слава Україні!"},
		},
		{
			name: "the title repeated first is dropped, exactly or nearly",
			in: []block{
				{text: "“Harbour Town Votes to Restore Old Lighthouse”"},
				{text: "HARBOUR TOWN VOTES TO RESTORE OLD LIGHTHOUSE - Gazette"},
				{text: prose},
			},
			want: []string{prose},
		},
		{
			name: "the title repeated after the first paragraph is kept",
			in:   []block{{text: prose}, {text: title + "."}},
			want: []string{prose, title + "."},
		},
		{
			name: "the title is kept when it is all there is",
			in:   []block{{text: title}},
			want: []string{title},
		},
		{
			name: "a real one-sentence question is kept",
			in: []block{
				{text: prose},
				{text: `But what exactly do "security guarantees" mean for Ukraine in practice?`},
				{text: prose},
			},
			want: []string{prose, `But what exactly do "security guarantees" mean for Ukraine in practice?`, prose},
		},
		{
			name: "a short sentence with chrome-like words but other words is kept",
			in:   []block{{text: "Read the full report here."}, {text: "Next year, the council will vote again."}},
			want: []string{"Read the full report here.", "Next year, the council will vote again."},
		},
		{
			name: "symbol-only paragraphs and no-break spaces are dropped",
			in:   []block{{text: "\u00a0"}, {text: "* * *"}, {text: prose}},
			want: []string{prose},
		},
		{
			name: "a heading with nothing after it is dropped",
			in:   []block{{text: prose}, {text: "Related Coverage From Our Newsroom", kind: kindHeading}},
			want: []string{prose},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, b := range clean(tt.in, title) {
				got = append(got, b.text)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("clean() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLooksLikeHeading(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"Understanding the Framework", true},
		{"What’s Next?", true},
		{"What Are Security Guarantees?", true},
		{"Security Guarantees in Ukraine Peace Plan: What You Need to Know", true},
		{"Key points:", true},
		{`But what exactly do "security guarantees" mean for Ukraine in practice?`, false},
		{"“Ukraine must feel safe and be confident it will never again suffer invasion or attack”", false},
		{"The council voted.", false},
		{"It rained.", false},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := looksLikeHeading(tt.text); got != tt.want {
				t.Errorf("looksLikeHeading(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

func TestParagraphsKeepsHeadingsAsSections(t *testing.T) {
	blocks := []block{
		{text: "Intro sentence here."},
		{text: "Understanding the Framework"},
		{text: "Body sentence one."},
		{text: "Body sentence two."},
	}
	paras, sections, _ := paragraphs(blocks)
	if diff := cmp.Diff([]string{"Intro sentence here.", "Body sentence one.", "Body sentence two."}, paras); diff != "" {
		t.Errorf("paragraphs mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"", "Understanding the Framework", "Understanding the Framework"}, sections); diff != "" {
		t.Errorf("sections mismatch (-want +got):\n%s", diff)
	}
}

func TestParagraphsKeepsAllShortLinesWhenNoProse(t *testing.T) {
	blocks := []block{{text: "Milk"}, {text: "Eggs"}}
	paras, _, _ := paragraphs(blocks)
	if diff := cmp.Diff([]string{"Milk", "Eggs"}, paras); diff != "" {
		t.Errorf("paragraphs mismatch (-want +got):\n%s", diff)
	}
}
