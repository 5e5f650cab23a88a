package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"go.mau.fi/util/dbutil"

	"framebot/adapters/matrix"
	"framebot/bot"
	"framebot/sqlite"
)

var _ matrix.Store = (*sqlite.DB)(nil)

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
	crypto, err := cryptoDB(env.state)
	if err != nil {
		return nil, err
	}
	a, err := matrix.New(env.cfg.Matrix, matrix.Deps{Bot: env.app.bot, Store: env.state, CryptoDB: crypto, Logger: env.log})
	if err != nil {
		return nil, err
	}
	// The corpus watcher posts announcements to subscribed rooms through it.
	env.notifiers = append(env.notifiers, a)
	return a, nil
}

// cryptoDB wraps the state database's pool as a go.mau.fi/util/dbutil
// Database (dialect SQLite) for mautrix's crypto store, which keeps its own
// tables and version table (crypto_version…) in the same file. Its Close
// must not be called: that would close the pool under the state database,
// which serve closes. It returns dbutil's error when the pool can't be
// wrapped.
func cryptoDB(st *sqlite.DB) (*dbutil.Database, error) {
	db, err := dbutil.NewWithDB(st.SQL(), "sqlite")
	if err != nil {
		return nil, fmt.Errorf("open state database %s for mautrix: %w", st.Path(), err)
	}
	return db, nil
}
