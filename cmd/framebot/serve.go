package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"framebot/bot"
	"framebot/sqlite"
)

// service is a long-running part of framebot serve: an adapter, the corpus
// watcher, the metrics listener. Run blocks until ctx ends.
type service interface {
	Run(ctx context.Context) error
}

// serviceFactory builds a service from the configuration; it returns nil when
// the service is not enabled.
type serviceFactory func(ctx context.Context, env *serveEnv) (service, error)

// serveEnv is what services are built from.
type serveEnv struct {
	cfg   Config
	log   *slog.Logger
	app   *app
	state *sqlite.DB
	// notifiers are the adapters that can post corpus announcements; each
	// factory appends its adapter. The corpus watcher, built after all the
	// factories have run, posts to the subscribers of every one.
	notifiers []bot.Notifier
}

// serviceFactories build the adapters framebot serve runs, each in the
// file that wires it (serve_slack.go, serve_matrix.go…); they run in name
// order. The map is never written.
var serviceFactories = map[string]serviceFactory{
	"matrix": newMatrixService,
	"slack":  newSlackService,
}

func cmdServe(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", stderr, "serve --config FILE")
	var configPath string
	fs.StringVar(&configPath, "config", "", "configuration `file` (YAML); see config.example.yaml")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Errorf("serve takes no arguments (got %q)", joinArgs(pos))}
	}
	if configPath == "" {
		return usageError{errors.New("give --config FILE (see config.example.yaml)")}
	}
	cfg, err := LoadConfig(configPath)
	if err != nil {
		return usageError{err}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{fmt.Errorf("invalid configuration:\n%w", err)}
	}
	log := newLogger(cfg.LogLevel, stderr)
	// The metrics listener (when configured) answers the probes while the
	// index loads.
	ops, err := listenOps(cfg, log)
	if err != nil {
		return err
	}
	defer ops.Close()
	a, _, err := openApp(ctx, cfg, log, nil)
	if err := serveStale(log, err); err != nil {
		return err
	}
	defer a.Close()
	st, err := sqlite.Open(ctx, filepath.Join(cfg.DataDir, "state.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	a.bot.Feedback = st
	a.bot.Subscriptions = st

	env := &serveEnv{cfg: cfg, log: log, app: a, state: st}
	var svcs []service
	for _, name := range sortedKeys(serviceFactories) {
		s, err := serviceFactories[name](ctx, env)
		if err != nil {
			return fmt.Errorf("start %s: %w", name, err)
		}
		if s != nil {
			log.Info("service configured", "service", name)
			svcs = append(svcs, s)
		}
	}
	if len(svcs) == 0 {
		return usageError{errors.New("no adapter is enabled: set slack.enabled or matrix.enabled in the configuration")}
	}
	ann := &bot.Announcer{Subscriptions: st, Notifiers: env.notifiers, Logger: log}
	w, err := a.watchService(ann, nil)
	if err != nil {
		return fmt.Errorf("start corpus watcher: %w", err)
	}
	if w != nil {
		log.Info("service configured", "service", "watch", "dir", w.Watcher.Root())
		svcs = append(svcs, w)
	}
	svcs = appendStaleService(env, svcs, w, ops)
	if ops != nil {
		ops.attach(env, svcs, w)
		svcs = append(svcs, ops)
	}
	go warmProposals(ctx, log, a.bot)
	return runAll(ctx, log, svcs)
}

// warmProposals builds the bot's list of proposals in the background at
// start, so that the first proposals command or summary does not wait for
// it.
func warmProposals(ctx context.Context, log *slog.Logger, b *bot.Bot) {
	start := time.Now()
	if err := b.WarmProposals(ctx); err != nil {
		if ctx.Err() == nil {
			log.Warn("proposal list not built", "error", err.Error())
		}
		return
	}
	log.Info("proposal list ready", "duration_ms", time.Since(start).Milliseconds())
}

// runAll runs the services until ctx ends or one fails; then it cancels the
// others and waits for them.
func runAll(ctx context.Context, log *slog.Logger, svcs []service) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for _, s := range svcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.Run(ctx)
			if err != nil && !errors.Is(err, context.Canceled) {
				log.Error("service stopped", "error", err.Error())
				once.Do(func() { first = err })
			}
			cancel()
		}()
	}
	wg.Wait()
	return first
}
