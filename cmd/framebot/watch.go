package main

import (
	"errors"
	"fmt"
	"time"

	"framebot/bot"
	"framebot/corpus"
	"framebot/live"
)

// WatchConfig tunes the corpus watcher, which keeps the index in step with
// a corpus folder while framebot serve or chat runs (the built-in corpus
// never changes and is not watched).
type WatchConfig struct {
	// Disabled turns the watcher off: the index then follows the folder
	// only when framebot starts.
	Disabled bool `yaml:"disabled"`
	// Rescan is the period of the full rescan that catches changes the file
	// events missed (default 10m).
	Rescan time.Duration `yaml:"rescan"`
	// Settle is how long a file must go unchanged before it is read, so
	// that a half-written file is never indexed (default 300ms).
	Settle time.Duration `yaml:"settle"`
}

func defaultWatchConfig() WatchConfig {
	return WatchConfig{Rescan: corpus.DefaultRescan, Settle: corpus.DefaultSettle}
}

// Validate says what to fix in the watcher's settings.
func (c WatchConfig) Validate() error {
	var errs []error
	if c.Rescan < time.Second {
		errs = append(errs, fmt.Errorf("rescan: %s is too short; give a period such as 10m", c.Rescan))
	}
	if c.Settle < 10*time.Millisecond || c.Settle > time.Minute {
		errs = append(errs, fmt.Errorf("settle: %s must be between 10ms and 1m", c.Settle))
	}
	return errors.Join(errs...)
}

// watchService returns the service that watches the corpus folder, applies
// its changes to the index, posts them through ann (when not nil) and
// passes each to onChange (when not nil). It also makes the status command
// report the watcher's health. It returns nil when the corpus is the
// built-in one or watching is disabled, and an error when the folder
// can't be watched.
func (a *app) watchService(ann *bot.Announcer, onChange func(bot.DocChange)) (*live.Service, error) {
	if a.corpus != nil || a.cfg.Corpus == "" || a.cfg.Watch.Disabled {
		return nil, nil
	}
	w, err := corpus.NewWatcher(a.cfg.Corpus, corpus.WatchOptions{
		Settle: a.cfg.Watch.Settle,
		Rescan: a.cfg.Watch.Rescan,
		Logger: a.log,
	})
	if err != nil {
		return nil, err
	}
	a.bot.Watcher = func() string { return w.Health().String() }
	return &live.Service{
		Watcher: w,
		Applier: &live.Applier{
			Root:   w.Root(),
			Index:  a.index,
			Load:   a.corpusOptions(),
			Logger: a.log,
		},
		Announcer: ann,
		OnChange:  onChange,
		Logger:    a.log,
	}, nil
}
