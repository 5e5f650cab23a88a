package testbot

import (
	"context"
	"log/slog"
	"strings"
	"sync"
)

// PanicLog is a slog handler that records the log lines reporting a
// recovered panic (bot.Workers logs one per panicking job), so fuzz
// harnesses can fail on a panic the adapter survived.
type PanicLog struct {
	mu     sync.Mutex
	panics []string
}

var _ slog.Handler = (*PanicLog)(nil)

// Enabled reports true: every record is looked at.
func (l *PanicLog) Enabled(context.Context, slog.Level) bool { return true }

// WithAttrs returns l: attributes are read from each record.
func (l *PanicLog) WithAttrs([]slog.Attr) slog.Handler { return l }

// WithGroup returns l.
func (l *PanicLog) WithGroup(string) slog.Handler { return l }

// Handle records r when its message mentions a panic.
func (l *PanicLog) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, "panic") {
		s := r.Message
		r.Attrs(func(a slog.Attr) bool { s += " " + a.String(); return true })
		l.mu.Lock()
		l.panics = append(l.panics, s)
		l.mu.Unlock()
	}
	return nil
}

// Take returns the panics recorded since the last call and forgets them.
func (l *PanicLog) Take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.panics
	l.panics = nil
	return p
}
