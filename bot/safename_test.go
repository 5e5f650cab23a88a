package bot

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestSafeName(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"a plain name is kept", "plan-2024.md", "plan-2024.md"},
		{"accents and other scripts are kept", "Genève — 和平.txt", "Genève — 和平.txt"},
		{"a newline can't forge a line", "a.txt\nSkipped 0 files", `a.txt\nSkipped 0 files`},
		{"carriage return and tab are escaped", "a\rb\tc", `a\rb\tc`},
		{"other control characters are escaped", "a\x00b\x1bc\x7fd\u0085e", `a\x00b\x1bc\x7fd\x85e`},
		{"a right-to-left override is escaped", "invoice\u202Etxt.exe", `invoice\u202etxt.exe`},
		{"every bidi control is escaped", "\u202A\u202B\u202C\u202D\u2066\u2067\u2068\u2069\u200E\u200F\u061C", `\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061c`},
		{"line and paragraph separators are escaped", "a\u2028b\u2029c", `a\u2028b\u2029c`},
		{"invalid UTF-8 becomes U+FFFD", "a\xffb", "a\uFFFDb"},
		{"the empty name stays empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SafeName(tt.in); got != tt.want {
				t.Errorf("SafeName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestLogsQuoteUnsafeNames: the log (slog's text handler) escapes the same
// characters in attribute values, so a file name logged as an attribute
// can't forge a log line or hide reversed text either.
func TestLogsQuoteUnsafeNames(t *testing.T) {
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("skipped", "path", "a\nlevel=ERROR msg=forged \u202Eexe.txt")
	out := buf.String()
	if strings.Count(out, "\n") != 1 || strings.ContainsRune(out, '\u202E') {
		t.Errorf("log line %q is not escaped", out)
	}
}

func TestPrivateErrorHidesTheUsersText(t *testing.T) {
	cause := errors.New("index closed")
	tests := []struct {
		name, text string
		err        error
		want       string
	}{
		{"a quoted question", "Who met in Geneva?", fmt.Errorf("search for %q: %w", "Who met in Geneva?", cause), `search for "[text]": index closed`},
		{"a quoted word of it", "Who met in Geneva?", fmt.Errorf("look up spellings of %q: %w", "geneva", cause), `look up spellings of "[text]": index closed`},
		{"the text unquoted", "Who met in Geneva?", fmt.Errorf("search for Who met in Geneva?: %w", cause), `search for [text]: index closed`},
		{"escaped quotes inside", `say "hi"`, fmt.Errorf("term %q: %w", `say "hi"`, cause), `term "[text]": index closed`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := private(tt.err, tt.text)
			if got := err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
			if !errors.Is(err, cause) {
				t.Error("the cause is lost")
			}
		})
	}
}
