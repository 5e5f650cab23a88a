// Package sqlite is framebot's state database: one SQLite file under the data
// directory shared by every feature that keeps state — feedback,
// subscriptions, the answers the bot sent, small adapter values such as the
// Matrix sync token, and mautrix's crypto store, which lives in the same file
// in its own tables and version table.
//
// DB implements the store interfaces package bot defines (AnswerStore,
// FeedbackStore, SubscriptionStore, ValueStore, StaleStore, EditQueue…);
// adapters see the database only through them, and framebot serve wires it
// in. This package knows nothing of the chat platforms or of mautrix.
//
// It uses the pure-Go modernc.org/sqlite driver (driver name "sqlite"), so
// framebot builds without cgo.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"framebot/bot"
)

var (
	_ bot.FeedbackStore     = (*DB)(nil)
	_ bot.SubscriptionStore = (*DB)(nil)
)

// ErrCorrupt is wrapped by the error Open returns when the file at the path
// is not a SQLite database or is damaged. The error's text tells the
// operator what to do.
var ErrCorrupt = errors.New("state database is damaged")

// ErrTooNew is wrapped by the error Open returns when the database was last
// written by a newer framebot whose schema this one does not know.
var ErrTooNew = errors.New("state database is from a newer framebot")

// busyTimeout is how long a statement waits for another connection's write
// lock before it fails with "database is locked".
const busyTimeout = 5 * time.Second

// maxOpenConns bounds the pool: SQLite has one writer at a time anyway, and
// each connection holds its own page cache.
const maxOpenConns = 8

// DB is framebot's state database. It is safe for concurrent use.
type DB struct {
	path string
	sql  *sql.DB
	now  func() time.Time
}

// Open opens the database at path, creating its folder (mode 0700) and the
// file (mode 0600: it holds Matrix keys) when missing, and brings its schema
// up to date. Every connection uses WAL, foreign keys, a 5 s busy timeout
// and BEGIN IMMEDIATE transactions, so concurrent writers wait for each
// other instead of failing with "database is locked".
//
// The error wraps ErrCorrupt when the file is not a SQLite database or fails
// PRAGMA quick_check, ErrTooNew when a newer framebot wrote it, and
// otherwise the file system or driver error.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("open state database: empty path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open state database: %w", err)
	}
	// SQLite creates the file with the umask's mode; create it first so the
	// database (and its -wal and -shm files, which copy the mode) stay
	// private.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open state database: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("open state database: %w", err)
	}

	sqlDB, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("open state database %s: %w", path, err)
	}
	sqlDB.SetMaxOpenConns(maxOpenConns)
	db := &DB{path: path, sql: sqlDB, now: time.Now}
	if err := db.init(ctx); err != nil {
		sqlDB.Close()
		return nil, err
	}
	return db, nil
}

// dsn builds a file: URI so that any character in path (even '?' or '#')
// reaches SQLite intact; the _pragma and _txlock parameters are read by the
// modernc driver on every new connection.
func dsn(path string) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	// A deferred transaction that reads and then writes can fail at once
	// with SQLITE_BUSY when another connection wrote in between, whatever
	// the busy timeout; taking the write lock at BEGIN avoids that. This
	// also covers mautrix's dbutil transactions, which use the same pool.
	q.Set("_txlock", "immediate")
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: q.Encode()}
	if !filepath.IsAbs(path) {
		// url.URL would turn a relative path into an opaque one; SQLite
		// accepts "file:relative/path" as relative to the working directory.
		u = url.URL{Scheme: "file", Opaque: (&url.URL{Path: filepath.ToSlash(path)}).EscapedPath(), RawQuery: q.Encode()}
	}
	return u.String()
}

// init checks the file is a sound database and migrates it.
func (db *DB) init(ctx context.Context) error {
	if err := db.sql.PingContext(ctx); err != nil {
		return db.openError(err)
	}
	if err := db.quickCheck(ctx); err != nil {
		return db.openError(err)
	}
	if err := db.migrate(ctx); err != nil {
		return db.openError(err)
	}
	return nil
}

// quickCheck runs PRAGMA quick_check, which reads every page but skips the
// slow index cross-checks of integrity_check.
func (db *DB) quickCheck(ctx context.Context) error {
	rows, err := db.sql.QueryContext(ctx, "PRAGMA quick_check")
	if err != nil {
		return err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(problems) > 0 {
		if len(problems) > 3 {
			problems = append(problems[:3], fmt.Sprintf("and %d more", len(problems)-3))
		}
		return fmt.Errorf("%w: quick_check: %s", ErrCorrupt, strings.Join(problems, "; "))
	}
	return nil
}

// openError turns err into Open's error, with the advice for a damaged file.
func (db *DB) openError(err error) error {
	if isCorrupt(err) {
		if !errors.Is(err, ErrCorrupt) {
			err = fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		return fmt.Errorf("open state database %s: %w; move %s aside (with any -wal and -shm files next to it) "+
			"and framebot will create a new one — feedback, subscriptions and the Matrix session and encryption keys in it are lost",
			db.path, err, db.path)
	}
	return fmt.Errorf("open state database %s: %w", db.path, err)
}

// isCorrupt reports whether err says the file is not a database or is
// damaged.
func isCorrupt(err error) bool {
	if errors.Is(err, ErrCorrupt) {
		return true
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff { // primary result code
		case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
			return true
		}
	}
	return false
}

// Close closes the database. It returns the driver's error, if any.
func (db *DB) Close() error {
	// Let SQLite refresh the statistics the query planner uses; failing to
	// is harmless.
	_, _ = db.sql.Exec("PRAGMA optimize")
	if err := db.sql.Close(); err != nil {
		return fmt.Errorf("close state database %s: %w", db.path, err)
	}
	return nil
}

// Path returns the path the database was opened at.
func (db *DB) Path() string { return db.path }

// SQL returns the underlying pool (driver "sqlite", modernc.org/sqlite) for
// packages that keep their own tables in the state database: framebot serve
// wraps it as a go.mau.fi/util/dbutil.Database for mautrix's crypto store,
// which keeps its own tables and version table (crypto_version…) in this
// file. Don't close it; close the DB.
func (db *DB) SQL() *sql.DB { return db.sql }
