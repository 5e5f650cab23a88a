package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// migrations are the schema steps in order; the database's version is the
// number of steps applied. Append new steps, never edit a released one. Our
// version lives in framebot_version: mautrix's dbutil keeps its own version
// tables (version, crypto_version, mx_version) in the same file.
//
// Times are INTEGER UTC Unix milliseconds.
var migrations = []string{
	// 1: feedback, subscriptions, key/value state, answers sent.
	`
CREATE TABLE feedback (
	id       INTEGER PRIMARY KEY,
	platform TEXT    NOT NULL,
	user_id  TEXT    NOT NULL,
	channel  TEXT    NOT NULL,
	question TEXT    NOT NULL,
	passages TEXT    NOT NULL, -- JSON array of bot.Passage
	helpful  INTEGER NOT NULL CHECK (helpful IN (0, 1)),
	at       INTEGER NOT NULL
);

CREATE TABLE subscriptions (
	platform TEXT    NOT NULL,
	channel  TEXT    NOT NULL,
	since    INTEGER NOT NULL,
	PRIMARY KEY (platform, channel)
) WITHOUT ROWID;

CREATE TABLE kv (
	key   TEXT NOT NULL PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE answers (
	id         INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: feedback buttons carry it
	platform   TEXT    NOT NULL,
	channel    TEXT    NOT NULL,
	thread     TEXT    NOT NULL DEFAULT '',
	message_id TEXT    NOT NULL DEFAULT '',
	user_id    TEXT    NOT NULL,
	question   TEXT    NOT NULL,
	passages   TEXT    NOT NULL, -- JSON array of bot.Passage
	at         INTEGER NOT NULL
);
CREATE UNIQUE INDEX answers_by_message ON answers (platform, channel, message_id) WHERE message_id <> '';
CREATE INDEX answers_by_thread ON answers (platform, channel, thread) WHERE thread <> '';
CREATE INDEX answers_by_time ON answers (at);
`,
	// 2: one vote per user per answer (votes from before have answer_id 0
	// and are kept as they were).
	`
ALTER TABLE feedback ADD COLUMN answer_id INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX feedback_one_vote ON feedback (platform, answer_id, user_id) WHERE answer_id <> 0;
`,
	// 3: the quotes of each answer, kept by triggers, and the queue of
	// edits of answers whose quotes went stale (sqlite/stale.go).
	staleSchema,
	// 4: the follow-up context an answer was read in (bot.Answer.Context),
	// so that re-renders (stale edits, Share) keep it; '' for earlier
	// answers.
	`ALTER TABLE answers ADD COLUMN context TEXT NOT NULL DEFAULT '';`,
}

// migrate applies the missing steps, each in its own transaction together
// with the version bump. The version is read inside the (immediate)
// transaction, so two processes opening the same new file don't both apply
// a step.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.sql.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS framebot_version (
	id      INTEGER PRIMARY KEY CHECK (id = 0),
	version INTEGER NOT NULL
)`); err != nil {
		return fmt.Errorf("create version table: %w", err)
	}
	for {
		done, err := db.migrateStep(ctx)
		if err != nil {
			return err
		}
		if done {
			return nil
		}
	}
}

// migrateStep applies the next step, if any; done reports that the schema
// is current.
func (db *DB) migrateStep(ctx context.Context) (done bool, err error) {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migrate: begin: %w", err)
	}
	defer tx.Rollback() // no-op after Commit

	var v int
	err = tx.QueryRowContext(ctx, `SELECT version FROM framebot_version WHERE id = 0`).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("migrate: read version: %w", err)
	}
	switch {
	case v > len(migrations):
		return false, fmt.Errorf("%w: schema version %d, this framebot knows up to %d; run a newer framebot or point it at another data directory",
			ErrTooNew, v, len(migrations))
	case v == len(migrations):
		return true, nil
	}
	if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
		return false, fmt.Errorf("migrate to version %d: %w", v+1, err)
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO framebot_version (id, version) VALUES (0, ?)
		 ON CONFLICT (id) DO UPDATE SET version = excluded.version`, v+1); err != nil {
		return false, fmt.Errorf("migrate to version %d: set version: %w", v+1, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migrate to version %d: commit: %w", v+1, err)
	}
	return false, nil
}

// SchemaVersion returns the schema version of the database: the number of
// migrations applied. It returns the driver's error if the version can't be
// read.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.sql.QueryRowContext(ctx, `SELECT version FROM framebot_version WHERE id = 0`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}
