package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// TestHostileQuestionsThroughFramebotAsk runs the real binary on hostile
// questions (a NUL can't be passed in argv; chat covers it): each must
// exit within the deadline with the contract's JSON or a usage error.
func TestHostileQuestionsThroughFramebotAsk(t *testing.T) {
	ixDir := filepath.Join(t.TempDir(), "ix")
	for _, tt := range []struct {
		name     string
		args     []string
		wantCode int
		wantJSON bool
		wantErr  string // in stderr
		bug      string // a reported bug: the case is skipped (see knownBug)
	}{
		{"a 100 KB question", []string{strings.Repeat("Who met in Geneva to discuss the peace framework? ", 2000)}, 0, true, "", ""},
		{"invalid UTF-8", []string{"Who met in \xff\xfe Geneva\xc3?"}, 0, true, "", ""},
		{"control characters", []string{"Who\x07 met\x1b[31m in Geneva\x7f?\r"}, 0, true, "", ""},
		{"right-to-left overrides and zero-width characters", []string{"Who\u202e met\u200b in\u200d Geneva\ufeff?"}, 0, true, "", ""},
		{"only punctuation", []string{"?!?...;;"}, 0, true, "", ""},
		{"only emoji", []string{"🙂🔥🕊️🇺🇦"}, 0, true, "", ""},
		{"Bleve query syntax", []string{`+peace -troops title:Geneva* ?~^ "framework (talks) \`}, 0, true, "", ""},
		{"a word repeated a thousand times", []string{strings.Repeat("troops ", 1000)}, 0, true, "", ""},
		{"an empty question", []string{""}, 2, false, "give a question", ""},
		{"a flag-like question after --", []string{"--", "--format", "-h"}, 0, true, "", ""},
		{"a path as the corpus", []string{"--corpus", "../../etc/passwd", "what"}, 2, false, "not a readable folder", ""},
		{"an unknown format", []string{"--format", "../../x", "what"}, 2, false, "unknown format", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.bug != "" {
				knownBug(t, tt.bug)
			}
			args := append([]string{"ask", "--format", "json", "--index", ixDir}, tt.args...)
			r := runBinary(t, time.Minute, nil, "", args...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstderr:\n%s", r.code, tt.wantCode, tail(r.stderr))
			}
			if !strings.Contains(r.stderr, tt.wantErr) {
				t.Errorf("stderr does not say %q:\n%s", tt.wantErr, tail(r.stderr))
			}
			if strings.Contains(r.stderr, "panic") {
				t.Errorf("framebot panicked:\n%s", tail(r.stderr))
			}
			if !tt.wantJSON {
				return
			}
			var got struct {
				Question string            `json:"question"`
				Answered *bool             `json:"answered"`
				Passages []json.RawMessage `json:"passages"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
				t.Fatalf("output is not the JSON answer: %v\n%s", err, tail(r.stdout))
			}
			if got.Answered == nil || got.Passages == nil {
				t.Errorf("answered or passages missing: %s", tail(r.stdout))
			}
			if n := utf8.RuneCountInString(got.Question); n > 1000 || !utf8.ValidString(got.Question) || strings.ContainsFunc(got.Question, func(r rune) bool {
				return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
			}) {
				t.Errorf("question not cleaned (%d runes): %q", n, got.Question)
			}
		})
	}
}

// TestHostileLinesThroughFramebotChat pipes hostile lines, NUL included,
// to framebot chat: one JSON reply per line, in order, and exit 0.
func TestHostileLinesThroughFramebotChat(t *testing.T) {
	ixDir := filepath.Join(t.TempDir(), "ix")
	lines := []string{
		"Who met in Geneva\x00 to discuss the peace framework?",
		"/sources ../../etc/passwd",
		"/summary ../../x",
		"/",
		"/frobnicate",
		"!",
		"\u202e\u200b",
		strings.Repeat("x", 2<<20),
		"/help",
	}
	r := runBinary(t, 2*time.Minute, nil, strings.Join(lines, "\n")+"\n", "chat", "--format", "json", "--index", ixDir)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, tail(r.stderr))
	}
	var kinds []string
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	for dec.More() {
		var v map[string]any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("reply %d is not JSON: %v", len(kinds), err)
		}
		switch {
		case v["answered"] != nil:
			kinds = append(kinds, "answer")
		case v["sources"] != nil:
			kinds = append(kinds, "sources")
		case v["sentences"] != nil || v["topic"] != nil:
			kinds = append(kinds, "summary")
		default:
			s, _ := v["text"].(string)
			s, _, _ = strings.Cut(s, " ")
			kinds = append(kinds, "text:"+s)
		}
	}
	want := []string{"answer", "text:The", "summary", "text:Ask", "text:Unknown", "text:Ask", "text:Ask", "text:That", "text:Ask"}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("replies (-want +got):\n%s\nstdout:\n%s", diff, tail(r.stdout))
	}
}
