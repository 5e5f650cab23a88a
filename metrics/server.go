package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Server serves a handler on a listener of its own: it starts serving as
// soon as Listen returns, so /healthz answers while the index loads, and
// stops when Run's context ends or Close is called.
type Server struct {
	ln   net.Listener
	srv  *http.Server
	log  *slog.Logger
	done chan error // Serve's result
}

// Listen binds addr ("127.0.0.1:9090", ":9090") and serves h there. It
// returns an error when the address can't be bound.
func Listen(addr string, h http.Handler, log *slog.Logger) (*Server, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics listener on %s: %w", addr, err)
	}
	s := &Server{
		ln: ln,
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       10 * time.Second,
			WriteTimeout:      30 * time.Second,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		},
		log:  log,
		done: make(chan error, 1),
	}
	go func() { s.done <- s.srv.Serve(ln) }()
	log.Info("metrics listening", "addr", ln.Addr().String())
	return s, nil
}

// Addr returns the address it listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Run serves until ctx ends, then shuts the server down and returns ctx's
// error. It returns another error when serving fails.
func (s *Server) Run(ctx context.Context) error {
	select {
	case err := <-s.done:
		s.done <- err
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("metrics listener: %w", err)
	case <-ctx.Done():
		s.Close()
		return ctx.Err()
	}
}

// Close stops serving, giving requests in flight a few seconds. Closing
// twice is harmless.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("stop metrics listener: %w", err)
	}
	return nil
}
