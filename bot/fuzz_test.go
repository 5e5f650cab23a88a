package bot

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzCleanText checks that cleaned chat text is valid UTF-8, within the
// limit, and free of control and format characters.
func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"", "hello", "a\x00b", "\u202eevil", "\xff\xfe", strings.Repeat("word ", 300), "🙂\u200d🙂"} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		n = n % 2000
		if n < 0 {
			n = -n
		}
		got := CleanText(s, n)
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8: %q", got)
		}
		if n > 0 && utf8.RuneCountInString(got) > n {
			t.Fatalf("%d runes, limit %d", utf8.RuneCountInString(got), n)
		}
		if strings.ContainsAny(got, "\x00\u202e\u200b\t\n") {
			t.Fatalf("control or format character left: %q", got)
		}
	})
}

// FuzzCommand runs arbitrary command lines through the command table: no
// panic, and always a reply with something to show.
func FuzzCommand(f *testing.F) {
	for _, s := range []string{"", "help", "ask", "ask what is it", "sources 2", "sources -1", "sources 99999999999999999999", "summary ../../etc/passwd", "new", "status", "\x00", "frob"} {
		f.Add(s)
	}
	b := newTestBot()
	f.Fuzz(func(t *testing.T, line string) {
		rep, err := b.Command(context.Background(), Request{Platform: "fuzz", Channel: "c"}, "/framework", line)
		if err != nil {
			t.Fatalf("Command(%q): %v", line, err)
		}
		if rep.Text == "" && rep.Answer == nil && rep.Sources == nil && rep.Status == nil && rep.Summary == nil {
			t.Fatalf("Command(%q): empty reply", line)
		}
	})
}
