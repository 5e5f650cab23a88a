package text

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sentenceTexts returns the sentences sp finds in text, as strings.
func sentenceTexts(sp SentenceSplitter, text string) []string {
	var out []string
	for _, r := range sp.Split(text) {
		out = append(out, text[r[0]:r[1]])
	}
	return out
}

func TestSentences(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"plain sentences", "One. Two! Three?", []string{"One.", "Two!", "Three?"}},
		{"abbreviation with inner periods", "When U.S. Secretary Rubio met Yermak, they talked. Then they left.",
			[]string{"When U.S. Secretary Rubio met Yermak, they talked.", "Then they left."}},
		{"titles", "Mr. Smith and Dr. Jones met Sir Keir. They spoke.", []string{"Mr. Smith and Dr. Jones met Sir Keir.", "They spoke."}},
		{"initials", "J. R. R. Tolkien wrote it. It sold.", []string{"J. R. R. Tolkien wrote it.", "It sold."}},
		{"decimals", "It grew 2.5 percent. Then 3.1.", []string{"It grew 2.5 percent.", "Then 3.1."}},
		{"closing quote after period", `He said “never again.” Then he left.`, []string{`He said “never again.”`, "Then he left."}},
		{"straight quotes", `"Go now." She went.`, []string{`"Go now."`, "She went."}},
		{"ellipsis then capital", "Wait… What happened?", []string{"Wait…", "What happened?"}},
		{"ellipsis then lower case", "Wait… and see.", []string{"Wait… and see."}},
		{"question inside quote followed by lower case", `"Really?" he asked. Yes.`, []string{`"Really?" he asked.`, "Yes."}},
		{"e.g. followed by lower case", "Use tools, e.g. hammers. Fine.", []string{"Use tools, e.g. hammers.", "Fine."}},
		{"number after No.", "See No. 5 for details. Done.", []string{"See No. 5 for details.", "Done."}},
		{"abbreviation in brackets", "It rose (approx. 5 points) today. Fine.", []string{"It rose (approx. 5 points) today.", "Fine."}},
		{"no terminator", "just words", []string{"just words"}},
		{"surrounding whitespace", "  One.   Two.  ", []string{"One.", "Two."}},
		{"CJK full stops", "今日は晴れ。明日は雨。", []string{"今日は晴れ。", "明日は雨。"}},
		{"whitespace only", " \n\t", nil},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, r := range Sentences(tt.text) {
				got = append(got, tt.text[r[0]:r[1]])
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Sentences(%q) mismatch (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

func TestSentenceSplitterAbbreviations(t *testing.T) {
	const text = "Ask Prof. Ng. Then Abt. Lee."
	tests := []struct {
		name string
		sp   SentenceSplitter
		want []string
	}{
		{"default", NewSentenceSplitter(Abbreviations()), []string{"Ask Prof. Ng.", "Then Abt.", "Lee."}},
		{"one more, written with its period", NewSentenceSplitter(append(Abbreviations(), "Abt.")), []string{"Ask Prof. Ng.", "Then Abt. Lee."}},
		{"none", SentenceSplitter{}, []string{"Ask Prof.", "Ng.", "Then Abt.", "Lee."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, sentenceTexts(tt.sp, text)); diff != "" {
				t.Errorf("Split(%q) mismatch (-want +got):\n%s", text, diff)
			}
		})
	}
}

func TestAbbreviationsIsACopy(t *testing.T) {
	a := Abbreviations()
	a[0] = "changed"
	if got := Abbreviations()[0]; got == "changed" {
		t.Fatalf("Abbreviations() shares its slice with the package")
	}
}

func TestClosersAndOpeners(t *testing.T) {
	var closers, openers []rune
	for _, r := range `"'”’»›)]}」』“‘«‹([{「『„a.` {
		if IsCloser(r) {
			closers = append(closers, r)
		}
		if IsOpener(r) {
			openers = append(openers, r)
		}
	}
	if diff := cmp.Diff([]rune(`"'”’»›)]}」』`), closers); diff != "" {
		t.Errorf("closers mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]rune(`"'“‘«‹([{「『„`), openers); diff != "" {
		t.Errorf("openers mismatch (-want +got):\n%s", diff)
	}
}

func TestTrimRange(t *testing.T) {
	tests := []struct {
		text       string
		start, end int
		want       [2]int
	}{
		{"  ab  ", 0, 6, [2]int{2, 4}},
		{"x ab y", 1, 5, [2]int{2, 4}},
		{"\u00a0é\n", 0, 5, [2]int{2, 4}},
		{"   ", 0, 3, [2]int{3, 3}},
		{"", 0, 0, [2]int{0, 0}},
	}
	for _, tt := range tests {
		s, e := TrimRange(tt.text, tt.start, tt.end)
		if diff := cmp.Diff(tt.want, [2]int{s, e}); diff != "" {
			t.Errorf("TrimRange(%q, %d, %d) mismatch (-want +got):\n%s", tt.text, tt.start, tt.end, diff)
		}
	}
}
