// Package console is framebot's terminal adapter: it answers one question
// (framebot ask) or a stream of messages on standard input (framebot chat),
// rendering replies as plain text (bot.PlainText, the wording the other
// adapters share) or JSON lines. A chat is built with New(cfg, Deps) and
// run with Run(ctx), like every adapter.
package console

import (
	"encoding/json"
	"fmt"
	"io"

	"framebot/bot"
)

// Format is how replies are printed.
type Format string

// The formats the console prints.
const (
	Text Format = "text"
	JSON Format = "json"
)

// ParseFormat checks a --format value. It returns an error naming the
// accepted values when s is not one of them.
func ParseFormat(s string) (Format, error) {
	switch Format(s) {
	case Text, JSON:
		return Format(s), nil
	}
	return "", fmt.Errorf("unknown format %q: use text or json", s)
}

// Render writes rep to w in format f. bold, when true, marks matched words
// with ANSI bold (for a terminal); JSON output never carries escapes.
func Render(w io.Writer, rep bot.Reply, f Format, bold bool) error {
	if f == JSON {
		return renderJSON(w, rep)
	}
	_, err := io.WriteString(w, RenderText(rep, bold)+"\n")
	return err
}

func renderJSON(w io.Writer, rep bot.Reply) error {
	var v any
	switch {
	case rep.Answer != nil:
		v = rep.Answer
	case rep.Summary != nil:
		v = rep.Summary
	case rep.Sources != nil:
		v = rep.Sources
	case rep.Status != nil:
		v = statusJSON(rep.Status)
	default:
		v = map[string]string{"text": rep.Text}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode reply: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func statusJSON(s *bot.Status) any {
	return struct {
		*bot.Status
		Uptime string `json:"uptime"`
	}{s, s.Uptime.String()}
}

// RenderText renders rep as plain text, in the wording every adapter
// shares (bot.PlainText); bold, when true, marks matched words with ANSI
// bold (for a terminal).
func RenderText(rep bot.Reply, bold bool) string {
	if bold {
		return bot.PlainText(rep, ansiBold)
	}
	return bot.PlainText(rep, nil)
}

func ansiBold(s string) string { return "\x1b[1m" + s + "\x1b[0m" }
