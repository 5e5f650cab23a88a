package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"framebot/adapters/console"
	"framebot/bot"
	"framebot/live"
)

// AnswersConfig tunes what happens to the answers the bot already sent
// when a document they quote changes or disappears.
type AnswersConfig struct {
	// StaleWindow is how far back answers are corrected (default 720h, 30
	// days); older answers are left as they are.
	StaleWindow time.Duration `yaml:"stale_window"`
	// EditStale turns the correction of stale answers on (default true).
	EditStale *bool `yaml:"edit_stale"`
}

func defaultAnswersConfig() AnswersConfig {
	on := true
	return AnswersConfig{StaleWindow: bot.DefaultStaleWindow, EditStale: &on}
}

// Validate says what to fix.
func (c AnswersConfig) Validate() error {
	if c.StaleWindow < time.Hour {
		return fmt.Errorf("stale_window: %s is too short; give a duration such as 720h (30 days)", c.StaleWindow)
	}
	return nil
}

// editRates are the edits a minute sent on each platform: Slack's
// chat.update is Tier 3 (about 50 a minute); Matrix servers rate-limit
// sends per user, and 20 a minute stays well under Synapse's defaults.
var editRates = map[string]int{"slack": 50, "matrix": 20}

// defaultEditRate is the pace on any other platform.
const defaultEditRate = 20

// appendStaleService adds the service that corrects stale answers when
// answers.edit_stale is on and an adapter can edit its messages: it
// reconciles at start (catching changes made while framebot was stopped),
// makes the watcher w (may be nil) check every batch, and sends the queued
// edits.
func appendStaleService(env *serveEnv, svcs []service, w *live.Service, ops *opsService) []service {
	cfg := env.cfg.Answers
	if cfg.EditStale != nil && !*cfg.EditStale {
		return svcs
	}
	var obs bot.StaleObserver
	if ops != nil {
		obs = ops.m.Stale()
	}
	s := &staleService{log: env.log}
	for _, sv := range svcs {
		ed, ok := sv.(bot.StaleEditor)
		if !ok {
			continue
		}
		rate, ok := editRates[ed.Platform()]
		if !ok {
			rate = defaultEditRate
		}
		sender := bot.NewEditSender(&bot.EditSender{Queue: env.state, Editor: ed, PerMinute: rate, Burst: 1, Observer: obs, Logger: env.log})
		var ready <-chan struct{}
		if r, ok := sv.(interface{ Ready() <-chan struct{} }); ok {
			ready = r.Ready()
		}
		s.senders = append(s.senders, sender)
		s.ready = append(s.ready, ready)
	}
	s.tracker = &bot.Tracker{
		Store: env.state, Docs: env.app.index, Window: cfg.StaleWindow, Observer: obs, Logger: env.log, Recheck: bot.DefaultRecheck,
		Wake: func() {
			for _, sn := range s.senders {
				sn.Wake()
			}
		},
	}
	if w != nil {
		w.Stale = s.tracker
	}
	env.log.Info("service configured", "service", "stale_answers", "window", cfg.StaleWindow.String(), "editors", len(s.senders))
	return append(svcs, s)
}

// staleService reconciles the recent answers with the corpus at start and
// then sends the queued edits until ctx ends.
type staleService struct {
	log     *slog.Logger
	tracker *bot.Tracker
	senders []*bot.EditSender
	// ready[i], when not nil, is closed once senders[i]'s adapter can
	// edit (Matrix logs in first).
	ready []<-chan struct{}
}

func (s *staleService) Run(ctx context.Context) error {
	n, err := s.tracker.Reconcile(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		s.log.Error("earlier answers not reconciled with the corpus", "error", err.Error())
	case n > 0:
		s.log.Info("earlier answers marked at start", "answers", n)
	}
	var wg sync.WaitGroup
	for i, sn := range s.senders {
		wg.Go(func() {
			if r := s.ready[i]; r != nil {
				select {
				case <-r:
				case <-ctx.Done():
					return
				}
			}
			_ = sn.Run(ctx)
		})
	}
	wg.Wait()
	// With no editor there is nothing more to do, but returning early
	// would make runAll stop the other services.
	<-ctx.Done()
	return ctx.Err()
}

// attachChatStale makes the watcher w of framebot chat check the answers of
// the session after each change and print a stale event for each quote
// that no longer stands.
func attachChatStale(w *live.Service, chat *console.Chat, a *app) {
	if e := a.cfg.Answers.EditStale; e != nil && !*e {
		return
	}
	w.Stale = &bot.Tracker{Store: chat.StaleStore(), Docs: a.index, Window: a.cfg.Answers.StaleWindow, Logger: a.log, Recheck: bot.DefaultRecheck}
}
