package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.mau.fi/util/dbutil"
	"maunium.net/go/mautrix/crypto/sql_store_upgrade"

	"framebot/bot"
)

// openTest opens a database at path and closes it when the test ends.
func openTest(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// tables lists the database's tables, sorted.
func tables(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

func TestOpen(t *testing.T) {
	ctx := t.Context()
	tests := []struct {
		name string
		path func(dir string) string
	}{
		{"creates missing folders", func(dir string) string { return filepath.Join(dir, "data", "state", "framebot.db") }},
		{"accepts a path with URI characters", func(dir string) string { return filepath.Join(dir, "a b?c#d%20.db") }},
		{"accepts a relative path", func(dir string) string {
			t.Chdir(dir)
			return filepath.Join("rel", "framebot.db")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := tt.path(dir)
			for i := range 2 { // the second open finds the schema current
				db, err := Open(ctx, path)
				if err != nil {
					t.Fatalf("open #%d: %v", i+1, err)
				}
				got, err := db.SchemaVersion(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if got != len(migrations) {
					t.Errorf("open #%d: schema version = %d, want %d", i+1, got, len(migrations))
				}
				want := []string{"answer_quotes", "answers", "feedback", "framebot_version", "kv", "stale_edits", "subscriptions"}
				if diff := cmp.Diff(want, tables(t, db.SQL())); diff != "" {
					t.Errorf("open #%d: tables (-want +got):\n%s", i+1, diff)
				}
				if db.Path() != path {
					t.Errorf("Path() = %q, want %q", db.Path(), path)
				}
				if err := db.Close(); err != nil {
					t.Fatal(err)
				}
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatalf("database is not at the path: %v", err)
			}
			if got := fi.Mode().Perm(); got != 0o600 {
				t.Errorf("file mode = %v, want 0600", got)
			}
		})
	}
}

func TestOpenSetsPragmas(t *testing.T) {
	db := openTest(t, filepath.Join(t.TempDir(), "framebot.db"))
	// Pin one connection so every pragma is read from the same one.
	conn, err := db.SQL().Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	got := map[string]string{}
	for _, p := range []string{"journal_mode", "foreign_keys", "busy_timeout", "synchronous"} {
		var v string
		if err := conn.QueryRowContext(t.Context(), "PRAGMA "+p).Scan(&v); err != nil {
			t.Fatal(err)
		}
		got[p] = v
	}
	want := map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "5000", "synchronous": "1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pragmas (-want +got):\n%s", diff)
	}
}

func TestOpenGarbageFileIsCorrupt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "framebot.db")
	if err := os.WriteFile(path, []byte(strings.Repeat("this is not a database\n", 200)), 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := Open(t.Context(), path)
	if err == nil {
		db.Close()
		t.Fatal("Open succeeded on a garbage file")
	}
	if !errors.Is(err, ErrCorrupt) {
		t.Errorf("error = %v, want one wrapping ErrCorrupt", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "move "+path+" aside") {
		t.Errorf("error %q does not tell the operator to move the file aside", msg)
	}
}

func TestOpenDamagedPagesIsCorrupt(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "framebot.db")
	db := openTest(t, path)
	long := strings.Repeat("passage text ", 50)
	for i := range 200 {
		if err := db.RecordFeedback(ctx, bot.Feedback{Platform: "slack", Question: fmt.Sprint(i), Passages: []bot.Passage{{Text: long}}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.SQL().Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	// Overwrite the back half of the file (the feedback table's pages),
	// leaving the header and schema intact.
	junk := []byte(strings.Repeat("\xff\x00junk", int(fi.Size()/12)))
	if _, err := f.WriteAt(junk[:fi.Size()/2], fi.Size()/2); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	db2, err := Open(ctx, path)
	if err == nil {
		db2.Close()
		t.Fatal("Open succeeded on a damaged database")
	}
	if !errors.Is(err, ErrCorrupt) {
		t.Errorf("error = %v, want one wrapping ErrCorrupt", err)
	}
}

func TestOpenNewerVersion(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "framebot.db")
	db := openTest(t, path)
	if _, err := db.SQL().ExecContext(ctx, `UPDATE framebot_version SET version = ?`, len(migrations)+1); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db2, err := Open(ctx, path)
	if err == nil {
		db2.Close()
		t.Fatal("Open succeeded on a database from a newer framebot")
	}
	if !errors.Is(err, ErrTooNew) {
		t.Errorf("error = %v, want one wrapping ErrTooNew", err)
	}
	if errors.Is(err, ErrCorrupt) {
		t.Errorf("error = %v, must not say the database is damaged", err)
	}
}

func TestConcurrentWriters(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "framebot.db")
	// Two handles stand for two processes (or a second pool) on one file.
	dbs := []*DB{openTest(t, path), openTest(t, path)}

	const workers, rounds = 8, 40
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds*4)
	for w := range workers {
		db := dbs[w%len(dbs)]
		wg.Go(func() {
			for i := range rounds {
				key := fmt.Sprintf("w%d", w)
				if err := db.RecordFeedback(ctx, bot.Feedback{Platform: "slack", User: key, Helpful: i%2 == 0}); err != nil {
					errs <- err
				}
				if err := db.Subscribe(ctx, "matrix", fmt.Sprintf("!%d-%d:example.org", w, i)); err != nil {
					errs <- err
				}
				if _, err := db.RememberAnswer(ctx, bot.AnswerRecord{Platform: "slack", Channel: "C1", MessageID: fmt.Sprintf("%d.%d", w, i)}); err != nil {
					errs <- err
				}
				// A transaction that reads and then writes: the case that
				// fails at once with a deferred BEGIN.
				if err := increment(ctx, db.SQL(), "counter"); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent write: %v", err)
	}

	helpful, notHelpful, err := dbs[0].FeedbackCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	subs, err := dbs[1].Subscribers(ctx, "matrix")
	if err != nil {
		t.Fatal(err)
	}
	counter, _, err := dbs[0].Get(ctx, "counter")
	if err != nil {
		t.Fatal(err)
	}
	got := []int{helpful, notHelpful, len(subs)}
	want := []int{workers * rounds / 2, workers * rounds / 2, workers * rounds}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("helpful, not helpful, subscribers (-want +got):\n%s", diff)
	}
	if want := fmt.Sprint(workers * rounds); counter != want {
		t.Errorf("counter = %s, want %s (lost updates)", counter, want)
	}
}

// increment adds one to the integer stored under key in the kv table, in
// one transaction.
func increment(ctx context.Context, db *sql.DB, key string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	err = tx.QueryRowContext(ctx, `SELECT CAST(value AS INTEGER) FROM kv WHERE key = ?`, key).Scan(&n)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, fmt.Sprint(n+1)); err != nil {
		return err
	}
	return tx.Commit()
}

// TestDbutil checks the pool wrapped as framebot serve wraps it for
// mautrix's crypto store.
func TestDbutil(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "framebot.db")
	db := openTest(t, path)
	mau, err := dbutil.NewWithDB(db.SQL(), "sqlite")
	if err != nil {
		t.Fatal(err)
	}
	if mau.Dialect != dbutil.SQLite {
		t.Errorf("dialect = %v, want sqlite", mau.Dialect)
	}

	t.Run("reads what framebot wrote", func(t *testing.T) {
		if err := db.Set(ctx, "matrix/device_id", "FRAMEBOT1"); err != nil {
			t.Fatal(err)
		}
		var got string
		if err := mau.QueryRow(ctx, `SELECT value FROM kv WHERE key = $1`, "matrix/device_id").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != "FRAMEBOT1" {
			t.Errorf("value = %q, want FRAMEBOT1", got)
		}
	})

	t.Run("its transactions are visible to framebot", func(t *testing.T) {
		err := mau.DoTxn(ctx, nil, func(ctx context.Context) error {
			_, err := mau.Exec(ctx, `INSERT INTO kv (key, value) VALUES ($1, $2)`, "matrix/sync_token", "s42")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		got, ok, err := db.Get(ctx, "matrix/sync_token")
		if err != nil || !ok || got != "s42" {
			t.Errorf("Get = %q, %v, %v; want s42, true, nil", got, ok, err)
		}
	})

	t.Run("mautrix's crypto store schema lives beside framebot's", func(t *testing.T) {
		crypto := mau.Child(sql_store_upgrade.VersionTableName, sql_store_upgrade.Table, nil)
		if err := crypto.Upgrade(ctx); err != nil {
			t.Fatalf("crypto store upgrade: %v", err)
		}
		var n int
		if err := mau.QueryRow(ctx, `SELECT count(*) FROM crypto_account`).Scan(&n); err != nil {
			t.Fatalf("crypto_account: %v", err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		re := openTest(t, path)
		v, err := re.SchemaVersion(ctx)
		if err != nil || v != len(migrations) {
			t.Errorf("after crypto upgrade, framebot schema version = %d, %v; want %d", v, err, len(migrations))
		}
		got, ok, err := re.Get(ctx, "matrix/device_id")
		if err != nil || !ok || got != "FRAMEBOT1" {
			t.Errorf("Get after reopen = %q, %v, %v; want FRAMEBOT1, true, nil", got, ok, err)
		}
	})
}

// fixedClock returns a clock stuck at t.
func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }
