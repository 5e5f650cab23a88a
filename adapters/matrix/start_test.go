package matrix

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"framebot/bot"
	"framebot/internal/testbot"
	"framebot/sqlite"
)

// countingHandler counts the log records whose message contains want and
// calls at(n) with each new count.
type countingHandler struct {
	slog.Handler
	want string
	mu   *sync.Mutex
	n    *int
	at   func(n int)
}

func (h countingHandler) Handle(ctx context.Context, r slog.Record) error {
	if strings.Contains(r.Message, h.want) {
		h.mu.Lock()
		*h.n++
		n := *h.n
		h.mu.Unlock()
		h.at(n)
	}
	return nil
}

func (h countingHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }

// TestStartRetriesWhileTheHomeserverIsUnreachable: with nothing listening
// at the homeserver's address, Run keeps trying with backoff, never says
// it is connected, and returns ctx.Err() when cancelled.
func TestStartRetriesWhileTheHomeserverIsUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		mu sync.Mutex
		n  int
		a  *Adapter
	)
	h := countingHandler{Handler: slog.DiscardHandler, want: "retrying", mu: &mu, n: &n, at: func(n int) {
		if a.Connected() {
			t.Error("Connected() while the homeserver is unreachable")
		}
		if n == 5 {
			cancel()
		}
	}}
	off := false
	cfg := Config{Homeserver: dead, UserID: "@bot:example.org", AccessToken: "tok", Encryption: &off}
	a, err = New(cfg, Deps{Bot: bot.New(bot.NewAnswerer(testbot.Shared(t), bot.AnswerOptions{}), testbot.Shared(t)), Store: st, Logger: slog.New(h)})
	if err != nil {
		t.Fatal(err)
	}
	a.maxBackoff = 0 // retry at once: the test counts attempts, not waits
	if err := a.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled after cancel", err)
	}
	if n < 5 {
		t.Errorf("%d retries logged, want 5", n)
	}
}
