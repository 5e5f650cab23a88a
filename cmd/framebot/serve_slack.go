package main

import (
	"context"
	"io"

	"framebot/adapters/slack"
	"framebot/bot"
	"framebot/sqlite"
)

var (
	_ slack.Store               = (*sqlite.DB)(nil)
	_ bot.AnswerMessageRecorder = (*sqlite.DB)(nil) // answers are corrected when stale
)

// renderSlack prints the Block Kit message the Slack adapter would send
// for rep: framebot ask --format slack.
func renderSlack(w io.Writer, rep bot.Reply) error { return slack.WriteJSON(w, rep) }

// newSlackService builds the Slack adapter, or returns nil when it is not
// enabled.
func newSlackService(_ context.Context, env *serveEnv) (service, error) {
	if !env.cfg.Slack.Enabled {
		return nil, nil
	}
	a, err := slack.New(env.cfg.Slack, slack.Deps{Bot: env.app.bot, Store: env.state, Logger: env.log})
	if err != nil {
		return nil, err
	}
	// The corpus watcher posts announcements to the subscribed channels.
	env.notifiers = append(env.notifiers, a)
	return a, nil
}
