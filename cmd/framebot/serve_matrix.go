package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"framebot/adapters/matrix"
	"framebot/bot"
)

// renderMatrix prints the event content the Matrix adapter would send for
// rep (as an m.notice, without the reply relation): framebot ask --format
// matrix.
func renderMatrix(w io.Writer, rep bot.Reply) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(matrix.Render(rep, "m.notice")); err != nil {
		return fmt.Errorf("encode matrix content: %w", err)
	}
	return nil
}

// newMatrixService builds the Matrix adapter when matrix.enabled is set.
func newMatrixService(_ context.Context, env *serveEnv) (service, error) {
	if !env.cfg.Matrix.Enabled {
		return nil, nil
	}
	a, err := matrix.New(env.cfg.Matrix, env.app.bot, env.state, env.log)
	if err != nil {
		return nil, err
	}
	// The corpus watcher posts announcements to subscribed rooms through it.
	env.notifiers = append(env.notifiers, a)
	return a, nil
}
