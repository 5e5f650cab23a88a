package console

import (
	"encoding/json"
	"strings"
)

// threadLine is an input line written as JSON, for harnesses that hold
// several conversations: {"text": "who reported that?", "thread": "t1"}.
type threadLine struct {
	Text   string `json:"text"`
	Thread string `json:"thread"`
}

// maxThreadID is the longest thread ID kept; a longer one is cut.
const maxThreadID = 200

// parseThreadLine reads line as a threadLine. ok is false when line is not
// a JSON object with a "text" string and only known keys: such a line is an
// ordinary question, as before, so that a question starting with "{" still
// works.
func parseThreadLine(line string) (threadLine, bool) {
	if !strings.HasPrefix(line, "{") || !strings.HasSuffix(line, "}") {
		return threadLine{}, false
	}
	var m struct {
		Text   *string `json:"text"`
		Thread string  `json:"thread"`
	}
	dec := json.NewDecoder(strings.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil || m.Text == nil || dec.More() {
		return threadLine{}, false
	}
	th := []rune(m.Thread)
	if len(th) > maxThreadID {
		th = th[:maxThreadID]
	}
	return threadLine{Text: *m.Text, Thread: string(th)}, true
}
