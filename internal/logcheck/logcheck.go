// Package logcheck records what a test run logs at info level and above, so
// that tests can check the operators' log carries no message text,
// user-supplied topic or capability URL.
package logcheck

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// Recorder is a log destination for tests: every record at info level or
// above, as slog's text handler writes it.
type Recorder struct {
	mu  sync.Mutex
	buf bytes.Buffer
	n   int
}

// Logger returns a logger writing to r at info level.
func (r *Recorder) Logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(writer{r}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type writer struct{ r *Recorder }

func (w writer) Write(p []byte) (int, error) {
	w.r.mu.Lock()
	defer w.r.mu.Unlock()
	w.r.n++
	return w.r.buf.Write(p)
}

// String returns everything logged so far.
func (r *Recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.String()
}

// Records returns how many records were logged.
func (r *Recorder) Records() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// AssertNone fails t for each secret found in the log (case-insensitive,
// and also as slog would quote it), showing the lines that carry it.
func (r *Recorder) AssertNone(t testing.TB, secrets ...string) {
	t.Helper()
	log := r.String()
	lower := strings.ToLower(log)
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if strings.Contains(lower, strings.ToLower(s)) {
			var lines []string
			for _, l := range strings.Split(log, "\n") {
				if strings.Contains(strings.ToLower(l), strings.ToLower(s)) {
					lines = append(lines, l)
				}
			}
			t.Errorf("the log carries %q:\n%s", s, strings.Join(lines, "\n"))
		}
	}
}
