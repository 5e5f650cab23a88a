package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"

	"framebot/adapters/slack"
	"framebot/live"
	"framebot/metrics"
)

// MetricsConfig is the operator's HTTP listener of framebot serve:
// Prometheus metrics on /metrics and the probes /healthz and /readyz. It
// is off by default and never shares the chat adapters' port.
type MetricsConfig struct {
	// Listen is the address to serve, e.g. "127.0.0.1:9090" or ":9090";
	// empty (the default) turns the listener off.
	Listen string `yaml:"listen"`
}

// Validate says what to fix in the listener's address; sl is the Slack
// section, whose HTTP-mode port the listener must not take. Port 0 (any
// free port, logged once listening) clashes with nothing.
func (c MetricsConfig) Validate(sl slack.Config) error {
	if c.Listen == "" {
		return nil
	}
	_, port, err := net.SplitHostPort(c.Listen)
	if err != nil || port == "" {
		return fmt.Errorf("listen: %q is not host:port (e.g. \"127.0.0.1:9090\" or \":9090\")", c.Listen)
	}
	if sl.Enabled && sl.Mode == slack.ModeHTTP {
		slackListen := sl.Listen
		if slackListen == "" {
			slackListen = ":3000"
		}
		if _, sp, err := net.SplitHostPort(slackListen); err == nil && sp == port && port != "0" {
			return fmt.Errorf("listen: port %s is slack.listen's; give the metrics listener a port of its own", port)
		}
	}
	return nil
}

// opsService is the running metrics listener, a service of framebot
// serve. It starts listening before the index is loaded, so that /healthz
// answers (and /readyz says "loading") during a long first indexing.
type opsService struct {
	m   *metrics.Metrics
	srv *metrics.Server
}

// listenOps binds the metrics listener; it returns nil when metrics.listen
// is not set, and an error when the address can't be bound.
func listenOps(cfg Config, log *slog.Logger) (*opsService, error) {
	if cfg.Metrics.Listen == "" {
		return nil, nil
	}
	m := metrics.New(log)
	srv, err := metrics.Listen(cfg.Metrics.Listen, m.Handler(), log)
	if err != nil {
		return nil, err
	}
	return &opsService{m: m, srv: srv}, nil
}

// attach connects the metrics to the loaded app: the bot reports its
// questions, the index, watcher (w, may be nil) and state database their
// figures, and every service that is a chat adapter its connection state.
// From then on /readyz waits only for the adapters.
func (o *opsService) attach(env *serveEnv, svcs []service, w *live.Service) {
	a := env.app
	a.bot.Observer = o.m
	src := metrics.Sources{Catalog: a.index, LastUpdate: a.index.LastUpdate, Feedback: env.state}
	if w != nil {
		src.Lag = w.Lag
	}
	o.m.SetSources(src)
	for _, s := range svcs {
		if ad, ok := s.(metrics.Adapter); ok {
			o.m.AddAdapter(ad)
		}
	}
	o.m.SetIndexReady()
}

// Run serves until ctx ends.
func (o *opsService) Run(ctx context.Context) error { return o.srv.Run(ctx) }

// Close stops the listener (when serve fails before running it); a nil
// service is ignored.
func (o *opsService) Close() error {
	if o == nil {
		return nil
	}
	return o.srv.Close()
}
