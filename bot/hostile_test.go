package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"framebot/adapters/console"
	"framebot/bot"
	"framebot/corpus"
)

// hostileDeadline bounds every call with hostile input: a reply that takes
// longer counts as a hang.
const hostileDeadline = 20 * time.Second

// hostileTexts are chat messages a careless or malicious user may send.
// want is the kind of reply Ask must give (see replyKind).
var hostileTexts = []struct {
	name string
	text string
	want string
}{
	{"a 100 KB message", strings.Repeat("Who met in Geneva to discuss the peace framework? ", 2000), "answer"},
	{"invalid UTF-8", "Who met in \xff\xfe Geneva\xc3 to discuss the peace framework?\xe2\x82", "answer"},
	{"control characters", "Who\x00 met\x07 in\x1b[31m Geneva\x7f to discuss\r\n the peace\t framework?\x08", "answer"},
	{"right-to-left overrides and zero-width characters", "Who\u202e met\u200b in\u200d Gen\u2066eva\ufeff to\u2067 discuss\u200c the peace framework?\u202c", "answer"},
	{"only punctuation", "?!?...;;--//**", "prompt"},
	{"only emoji", "🙂🔥🕊️🇺🇦👍🏽", "prompt"},
	{"Bleve query syntax", `+peace -troops title:Geneva* ?~^ "framework (talks) \ AND OR NOT /re.*gex/ field:>5 {a TO b}`, "answer"},
	{"only Bleve query syntax", `+ - : * ? ~ ^ " ( ) \ { } [ ] / && || !`, "prompt"},
	{"a word repeated a thousand times", strings.Repeat("troops ", 1000), "answer"},
	{"an empty message", "", "prompt"},
	{"only white space and format characters", " \t\u200b\u202e\n\u00a0 ", "prompt"},
	{"a lone NUL", "\x00", "prompt"},
	{"a file path", "../../etc/passwd", "answer"},
}

// hostileCommands are command lines (after the prefix) with their expected
// reply kind; text replies must contain wantText.
var hostileCommands = []struct {
	name     string
	line     string
	want     string
	wantText string
}{
	{"an empty command shows help", "", "text", "Ask me anything"},
	{"a command of white space shows help", " \t ", "text", "Ask me anything"},
	{"an unknown subcommand gets the usage line", "frobnicate", "text", "Unknown command"},
	{"an unknown subcommand of 100 KB gets a short usage line", strings.Repeat("x", 100<<10), "text", "Unknown command"},
	{"an unknown subcommand with control characters", "fr\x00ob\u202e --all", "text", "Unknown command"},
	{"sources with a path is refused as a page", "sources ../../etc/passwd", "text", "The page must be a number"},
	{"sources with a huge page number", "sources 99999999999999999999", "text", "The page must be a number"},
	{"sources with a negative page", "sources -1", "text", "The page must be a number"},
	{"sources past the last page shows the last", "sources 9999", "sources", ""},
	{"summary of a path is a topic, not a file", "summary ../../x", "summary", ""},
	{"summary of /etc/passwd reads no file", "summary ../../etc/passwd", "summary", ""},
	{"summary without a topic gets its usage", "summary", "text", "Usage: /framework summary"},
	{"summary of punctuation gets its usage", "summary ?!…", "text", "Usage: /framework summary"},
	{"ask without a question gets its usage", "ask", "text", "Usage: /framework ask"},
	{"ask of 100 KB is answered", "ask " + strings.Repeat("Geneva peace framework ", 5000), "answer", ""},
	{"ask with Bleve syntax is answered", `ask +troops -"peace" title:* (x`, "answer", ""},
	{"a NUL before help is dropped", "\x00help", "text", "Ask me anything"},
	{"help with a right-to-left override", "help\u202e", "text", "Ask me anything"},
	{"subscribe without a store says coming soon", "subscribe", "text", "coming soon"},
	{"status", "status", "status", ""},
}

// replyKind names the part of rep that is set: answer, summary, sources,
// status, prompt (a text asking for a question) or text.
func replyKind(rep bot.Reply) string {
	switch {
	case rep.Answer != nil:
		return "answer"
	case rep.Summary != nil:
		return "summary"
	case rep.Sources != nil:
		return "sources"
	case rep.Status != nil:
		return "status"
	case strings.HasPrefix(rep.Text, "Ask me a question"):
		return "prompt"
	case rep.Text != "":
		return "text"
	}
	return "empty"
}

// within runs f with a context that ends after d and fails the test if f
// does not return by then (a hang) or panics.
func within[T any](t *testing.T, d time.Duration, f func(ctx context.Context) (T, error)) (T, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	type result struct {
		v     T
		err   error
		panic any
	}
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() {
			r.panic = recover()
			done <- r
		}()
		r.v, r.err = f(ctx)
	}()
	select {
	case r := <-done:
		if r.panic != nil {
			t.Fatalf("panic: %v", r.panic)
		}
		return r.v, r.err
	case <-time.After(d + 5*time.Second):
		t.Fatalf("no reply within %v: hung", d)
	}
	panic("unreachable")
}

// corpusPassages returns the text of every passage of the embedded corpus,
// to check that answers quote verbatim.
func corpusPassages(t *testing.T) map[string]bool {
	t.Helper()
	docs, _, err := corpus.Load(corpus.Default(), corpus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]bool{}
	for _, d := range docs {
		for _, p := range d.Passages {
			m[p.Text] = true
		}
	}
	return m
}

// checkSaneReply checks what any reply to hostile input must be: valid
// UTF-8 without control or format characters in what the user reads, a
// question cut to MaxQuestionRunes, and passages quoted verbatim.
func checkSaneReply(t *testing.T, rep bot.Reply, passages map[string]bool) {
	t.Helper()
	shown := console.RenderText(rep, false)
	if !utf8.ValidString(shown) {
		t.Errorf("reply is not valid UTF-8: %q", truncateForLog(shown))
	}
	for _, r := range shown {
		if (unicode.IsControl(r) && r != '\n') || unicode.Is(unicode.Cf, r) {
			t.Errorf("reply shows control or format character %U: %q", r, truncateForLog(shown))
			break
		}
	}
	if len(shown) > 64<<10 {
		t.Errorf("reply is %d bytes: the input was echoed whole", len(shown))
	}
	if strings.Contains(shown, "root:x:0:0") {
		t.Errorf("reply shows /etc/passwd: %q", truncateForLog(shown))
	}
	if a := rep.Answer; a != nil {
		if n := utf8.RuneCountInString(a.Question); n > bot.MaxQuestionRunes {
			t.Errorf("question kept %d runes, limit %d", n, bot.MaxQuestionRunes)
		}
		if a.Answered == (len(a.Passages) == 0) {
			t.Errorf("answered = %v with %d passages", a.Answered, len(a.Passages))
		}
		seen := map[string]bool{}
		for _, p := range a.Passages {
			if !passages[p.Text] {
				t.Errorf("passage is not verbatim from the corpus: %q", truncateForLog(p.Text))
			}
			key := fmt.Sprintf("%s#%d", p.Doc, p.Ordinal)
			if seen[key] {
				t.Errorf("passage %s quoted twice", key)
			}
			seen[key] = true
		}
	}
}

func truncateForLog(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

func hostileBot(t *testing.T) *bot.Bot {
	t.Helper()
	ix := defaultIndex(t)
	return bot.New(bot.NewAnswerer(ix, bot.AnswerOptions{}), ix)
}

func TestHostileChatTextIsAnsweredSafely(t *testing.T) {
	b := hostileBot(t)
	passages := corpusPassages(t)
	for _, tt := range hostileTexts {
		t.Run(tt.name, func(t *testing.T) {
			req := bot.Request{Platform: "test", User: "u", Channel: "c", Text: tt.text, Prefix: "/framework"}
			rep, err := within(t, hostileDeadline, func(ctx context.Context) (bot.Reply, error) { return b.Ask(ctx, req) })
			if err != nil {
				t.Fatalf("Ask: %v", err)
			}
			if diff := cmp.Diff(tt.want, replyKind(rep)); diff != "" {
				t.Errorf("Ask reply kind (-want +got):\n%s\nreply: %q", diff, truncateForLog(console.RenderText(rep, false)))
			}
			checkSaneReply(t, rep, passages)

			// The same text after "ask" goes through the command table.
			rep, err = within(t, hostileDeadline, func(ctx context.Context) (bot.Reply, error) {
				return b.Command(ctx, req, "/framework", "ask "+tt.text)
			})
			if err != nil {
				t.Fatalf("Command(ask …): %v", err)
			}
			if replyKind(rep) == "empty" {
				t.Errorf("Command(ask …) gave an empty reply")
			}
			checkSaneReply(t, rep, passages)
		})
	}
}

func TestHostileCommandsGetAClearReply(t *testing.T) {
	b := hostileBot(t)
	passages := corpusPassages(t)
	for _, tt := range hostileCommands {
		t.Run(tt.name, func(t *testing.T) {
			req := bot.Request{Platform: "test", User: "u", Channel: "c", Prefix: "/framework"}
			rep, err := within(t, hostileDeadline, func(ctx context.Context) (bot.Reply, error) {
				return b.Command(ctx, req, "/framework", tt.line)
			})
			if err != nil {
				t.Fatalf("Command: %v", err)
			}
			if diff := cmp.Diff(tt.want, replyKind(rep)); diff != "" {
				t.Errorf("reply kind (-want +got):\n%s\nreply: %q", diff, truncateForLog(console.RenderText(rep, false)))
			}
			if !strings.Contains(rep.Text, tt.wantText) {
				t.Errorf("reply %q does not contain %q", truncateForLog(rep.Text), tt.wantText)
			}
			if len(rep.Text) > 2000 {
				t.Errorf("reply text is %d bytes: the input was echoed", len(rep.Text))
			}
			checkSaneReply(t, rep, passages)
		})
	}
}

// TestHostileConsoleChatAnswersEveryLine feeds every hostile message and
// command to the console chat, as framebot chat reads them from standard
// input: one JSON reply per line, in order, and nothing lost.
func TestHostileConsoleChatAnswersEveryLine(t *testing.T) {
	b := hostileBot(t)
	var lines []string
	for _, tt := range hostileTexts {
		// A message is one line: its own line breaks would make several.
		lines = append(lines, strings.NewReplacer("\n", " ", "\r", " ").Replace(tt.text))
	}
	for _, tt := range hostileCommands {
		lines = append(lines, "/"+tt.line)
	}
	lines = append(lines,
		strings.Repeat("a", 2<<20), // over the console's 1 MiB line limit
		"!help",
		"/",
		"Who met in Geneva to discuss the peace framework?",
	)
	in := strings.Join(lines, "\n") + "\n"
	var out bytes.Buffer
	chat, err := console.New(console.Config{Format: console.JSON}, console.Deps{Bot: b, In: strings.NewReader(in), Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := within(t, 2*time.Minute, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, chat.Run(ctx)
	}); err != nil {
		t.Fatalf("Run: %v", err)
	}
	var got []map[string]any
	dec := json.NewDecoder(&out)
	for dec.More() {
		var v map[string]any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("reply %d is not JSON: %v", len(got), err)
		}
		got = append(got, v)
	}
	if len(got) != len(lines) {
		t.Fatalf("%d replies to %d lines", len(got), len(lines))
	}
	tooLong := got[len(lines)-4]["text"]
	if s, _ := tooLong.(string); !strings.HasPrefix(s, "That message is too long.") {
		t.Errorf("reply to a 2 MiB line = %q, want the too-long sentence", s)
	}
	if got[len(lines)-1]["answered"] != true {
		t.Errorf("the last, ordinary question was not answered: %v", got[len(lines)-1])
	}
}

// FuzzConsoleChat feeds arbitrary standard input to the console chat (what
// framebot chat reads): it must end without error or panic, and write one
// JSON reply per input line.
func FuzzConsoleChat(f *testing.F) {
	for _, tt := range hostileTexts {
		f.Add([]byte(tt.text + "\n"))
	}
	for _, tt := range hostileCommands {
		f.Add([]byte("/" + tt.line + "\n!" + tt.line))
	}
	f.Add([]byte("\r\n\r\n\n"))
	f.Add([]byte("no newline at the end\r"))
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 64<<10 || bytes.Count(in, []byte("\n")) > 64 {
			return // the line reader's limits are tested above; keep runs fast
		}
		b := hostileBot(t) // the index is built once, on first use
		var out bytes.Buffer
		chat, err := console.New(console.Config{Format: console.JSON}, console.Deps{Bot: b, In: bytes.NewReader(in), Out: &out})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := within(t, time.Minute, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, chat.Run(ctx)
		}); err != nil {
			t.Fatalf("Run: %v", err)
		}
		want := bytes.Count(in, []byte("\n"))
		if i := bytes.LastIndexByte(in, '\n'); i < len(in)-1 {
			want++ // a last line without its line break
		}
		got := 0
		dec := json.NewDecoder(&out)
		for dec.More() {
			var v map[string]any
			if err := dec.Decode(&v); err != nil {
				t.Fatalf("reply %d is not JSON: %v\n%s", got, err, out.String())
			}
			got++
		}
		if got != want {
			t.Fatalf("%d replies to %d lines of %q", got, want, in)
		}
	})
}
