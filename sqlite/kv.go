package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"framebot/bot"
)

var _ bot.ValueStore = (*DB)(nil)

// Get returns the value stored under key (by convention "<feature>/<name>",
// e.g. "matrix/sync_token"); ok is false when there is none. It returns an
// error when the database can't be read.
func (db *DB) Get(ctx context.Context, key string) (value string, ok bool, err error) {
	err = db.sql.QueryRowContext(ctx, `SELECT value FROM kv WHERE key = ?`, key).Scan(&value)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("get %s: %w", key, err)
	}
	return value, true, nil
}

// Set stores value under key, replacing any previous value. It returns an
// error when the database can't be written.
func (db *DB) Set(ctx context.Context, key, value string) error {
	_, err := db.sql.ExecContext(ctx,
		`INSERT INTO kv (key, value) VALUES (?, ?)
		 ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("set %s: %w", key, err)
	}
	return nil
}
