package bot

import (
	"regexp"
	"strings"
)

// privateError is an error of a user's request whose message leaves out
// what the user wrote: the search and index layers quote the question in
// their errors ("search for \"Who met…?\""), and operators' logs must not
// carry message text. errors.Is and errors.As still see the cause.
type privateError struct {
	err  error
	text string
}

// quoted matches a Go-quoted string (%q) in an error message.
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

func (e privateError) Error() string {
	s := e.err.Error()
	if t := strings.TrimSpace(e.text); t != "" {
		s = strings.ReplaceAll(s, t, "[text]")
	}
	return quoted.ReplaceAllString(s, `"[text]"`)
}

func (e privateError) Unwrap() error { return e.err }

// private wraps err, an error while handling text, so that its message
// never quotes text (nil stays nil).
func private(err error, text string) error {
	if err == nil {
		return nil
	}
	return privateError{err: err, text: text}
}
