package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"framebot/bot"
)

var (
	_ bot.StaleStore = (*DB)(nil)
	_ bot.EditQueue  = (*DB)(nil)
)

// staleSchema is migration 2. answer_quotes has one row per passage of
// each answer, filled by triggers on answers (and from the answers already
// there), so that a document change finds the answers quoting it without
// reading every answer; state is ” while the quote still stands.
// stale_edits holds one row per message waiting for an edit, so several
// quotes of one answer going stale make one edit, and the queue survives
// a restart.
const staleSchema = `
CREATE TABLE answer_quotes (
	answer_id INTEGER NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
	idx       INTEGER NOT NULL, -- position in answers.passages
	doc       TEXT    NOT NULL,
	state     TEXT    NOT NULL DEFAULT '', -- '', changed, removed, moved
	now_text  TEXT    NOT NULL DEFAULT '',
	moved_to  TEXT    NOT NULL DEFAULT '',
	since     INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (answer_id, idx)
) WITHOUT ROWID;
CREATE INDEX answer_quotes_by_doc ON answer_quotes (doc);

INSERT INTO answer_quotes (answer_id, idx, doc)
	SELECT a.id, j.key, json_extract(j.value, '$.doc')
	FROM answers a, json_each(a.passages) j
	WHERE json_extract(j.value, '$.doc') IS NOT NULL;

CREATE TRIGGER answer_quotes_insert AFTER INSERT ON answers BEGIN
	INSERT INTO answer_quotes (answer_id, idx, doc)
		SELECT NEW.id, j.key, json_extract(j.value, '$.doc')
		FROM json_each(NEW.passages) j
		WHERE json_extract(j.value, '$.doc') IS NOT NULL;
END;

CREATE TRIGGER answer_quotes_update AFTER UPDATE OF passages ON answers BEGIN
	DELETE FROM answer_quotes WHERE answer_id = NEW.id;
	DELETE FROM stale_edits WHERE answer_id = NEW.id;
	INSERT INTO answer_quotes (answer_id, idx, doc)
		SELECT NEW.id, j.key, json_extract(j.value, '$.doc')
		FROM json_each(NEW.passages) j
		WHERE json_extract(j.value, '$.doc') IS NOT NULL;
END;

CREATE TABLE stale_edits (
	answer_id INTEGER NOT NULL PRIMARY KEY REFERENCES answers (id) ON DELETE CASCADE,
	attempts  INTEGER NOT NULL DEFAULT 0,
	next_at   INTEGER NOT NULL,
	queued_at INTEGER NOT NULL
);
CREATE INDEX stale_edits_by_time ON stale_edits (next_at);
`

// RecentQuotes returns the quotes of doc in answers sent at or after
// since, with their state. It returns an error when the database can't be
// read.
func (db *DB) RecentQuotes(ctx context.Context, doc string, since time.Time) ([]bot.QuoteRef, error) {
	rows, err := db.sql.QueryContext(ctx,
		`SELECT q.answer_id, q.idx, q.doc, COALESCE(json_extract(a.passages, '$[' || q.idx || '].text'), ''),
		        q.state, q.now_text, q.moved_to, q.since
		 FROM answer_quotes q JOIN answers a ON a.id = q.answer_id
		 WHERE q.doc = ? AND a.at >= ?
		 ORDER BY q.answer_id, q.idx`, doc, since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("recent quotes of %s: %w", doc, err)
	}
	defer rows.Close()
	var out []bot.QuoteRef
	for rows.Next() {
		var (
			q     bot.QuoteRef
			since int64
		)
		if err := rows.Scan(&q.AnswerID, &q.Index, &q.Doc, &q.Text, &q.State.Kind, &q.State.Now, &q.State.MovedTo, &since); err != nil {
			return nil, fmt.Errorf("recent quotes of %s: %w", doc, err)
		}
		if since != 0 {
			q.State.Since = fromMillis(since)
		}
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("recent quotes of %s: %w", doc, err)
	}
	return out, nil
}

// QuotedDocs returns the documents quoted by answers sent at or after
// since, sorted. It returns an error when the database can't be read.
func (db *DB) QuotedDocs(ctx context.Context, since time.Time) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx,
		`SELECT DISTINCT q.doc FROM answer_quotes q JOIN answers a ON a.id = q.answer_id
		 WHERE a.at >= ? ORDER BY q.doc`, since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("quoted documents: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, fmt.Errorf("quoted documents: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("quoted documents: %w", err)
	}
	return out, nil
}

// MarkQuotes records the marks in one transaction and queues an edit for
// every answer they touch that has a message ID (a private Slack answer
// has none and can't be edited); an edit already queued is kept, due now.
// It returns the IDs of the answers touched. It returns an error, having
// recorded nothing, when the database can't be written.
func (db *DB) MarkQuotes(ctx context.Context, marks []bot.QuoteMark) ([]int64, error) {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("mark quotes: %w", err)
	}
	defer tx.Rollback() // no-op after Commit
	seen := map[int64]bool{}
	var ids []int64
	for _, m := range marks {
		var since int64
		if !m.State.Since.IsZero() {
			since = m.State.Since.UnixMilli()
		}
		if _, err := tx.ExecContext(ctx,
			`UPDATE answer_quotes SET state = ?, now_text = ?, moved_to = ?, since = ? WHERE answer_id = ? AND idx = ?`,
			m.State.Kind, m.State.Now, m.State.MovedTo, since, m.AnswerID, m.Index); err != nil {
			return nil, fmt.Errorf("mark quotes: %w", err)
		}
		if !seen[m.AnswerID] {
			seen[m.AnswerID] = true
			ids = append(ids, m.AnswerID)
		}
	}
	now := db.now().UnixMilli()
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO stale_edits (answer_id, next_at, queued_at)
			 SELECT id, ?2, ?2 FROM answers WHERE id = ?1 AND message_id <> ''
			 ON CONFLICT (answer_id) DO UPDATE SET next_at = excluded.next_at, attempts = 0`, id, now); err != nil {
			return nil, fmt.Errorf("queue edit: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("mark quotes: %w", err)
	}
	return ids, nil
}

// DueEdits returns up to limit queued edits of platform whose time has
// come, oldest first, each with its answer and the state of its quotes.
// It returns an error when the database can't be read or an answer's
// passages can't be decoded.
func (db *DB) DueEdits(ctx context.Context, platform string, now time.Time, limit int) ([]bot.StaleEdit, error) {
	rows, err := db.sql.QueryContext(ctx,
		`SELECT e.answer_id, e.attempts FROM stale_edits e JOIN answers a ON a.id = e.answer_id
		 WHERE a.platform = ? AND e.next_at <= ? ORDER BY e.next_at, e.answer_id LIMIT ?`,
		platform, now.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("due edits: %w", err)
	}
	var out []bot.StaleEdit
	for rows.Next() {
		var e bot.StaleEdit
		if err := rows.Scan(&e.Answer.ID, &e.Attempts); err != nil {
			rows.Close()
			return nil, fmt.Errorf("due edits: %w", err)
		}
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("due edits: %w", err)
	}
	for i := range out {
		a, err := db.StaleAnswer(ctx, out[i].Answer.ID)
		if err != nil {
			return nil, err
		}
		out[i].Answer = a
	}
	return out, nil
}

// StaleAnswer returns answer id with the state of each of its quotes. It
// returns an error when the answer is missing or the database can't be
// read.
func (db *DB) StaleAnswer(ctx context.Context, id int64) (bot.StaleAnswer, error) {
	r, ok, err := db.Answer(ctx, id)
	if err != nil {
		return bot.StaleAnswer{}, err
	}
	if !ok {
		return bot.StaleAnswer{}, fmt.Errorf("stale answer %d: %w", id, sql.ErrNoRows)
	}
	a := bot.StaleAnswer{ID: r.ID, Channel: r.Channel, Thread: r.Thread, MessageID: r.MessageID,
		Question: r.Question, Context: r.Context, At: r.At, Passages: r.Passages, Quotes: make([]bot.QuoteState, len(r.Passages))}
	rows, err := db.sql.QueryContext(ctx,
		`SELECT idx, state, now_text, moved_to, since FROM answer_quotes WHERE answer_id = ?`, id)
	if err != nil {
		return bot.StaleAnswer{}, fmt.Errorf("stale answer %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			idx   int
			st    bot.QuoteState
			since int64
		)
		if err := rows.Scan(&idx, &st.Kind, &st.Now, &st.MovedTo, &since); err != nil {
			return bot.StaleAnswer{}, fmt.Errorf("stale answer %d: %w", id, err)
		}
		if since != 0 {
			st.Since = fromMillis(since)
		}
		if idx >= 0 && idx < len(a.Quotes) {
			a.Quotes[idx] = st
		}
	}
	if err := rows.Err(); err != nil {
		return bot.StaleAnswer{}, fmt.Errorf("stale answer %d: %w", id, err)
	}
	return a, nil
}

// EditDone removes the edit of answer id from the queue. It returns an
// error when the database can't be written.
func (db *DB) EditDone(ctx context.Context, id int64) error {
	if _, err := db.sql.ExecContext(ctx, `DELETE FROM stale_edits WHERE answer_id = ?`, id); err != nil {
		return fmt.Errorf("edit done %d: %w", id, err)
	}
	return nil
}

// EditRetry keeps the edit of answer id for attempt attempts+1 at next.
// It returns an error when the database can't be written.
func (db *DB) EditRetry(ctx context.Context, id int64, attempts int, next time.Time) error {
	if _, err := db.sql.ExecContext(ctx,
		`UPDATE stale_edits SET attempts = ?, next_at = ? WHERE answer_id = ?`, attempts, next.UnixMilli(), id); err != nil {
		return fmt.Errorf("edit retry %d: %w", id, err)
	}
	return nil
}

// QueuedEdits returns how many edits are waiting, per platform. It returns
// an error when the database can't be read.
func (db *DB) QueuedEdits(ctx context.Context) (map[string]int, error) {
	rows, err := db.sql.QueryContext(ctx,
		`SELECT a.platform, COUNT(*) FROM stale_edits e JOIN answers a ON a.id = e.answer_id GROUP BY a.platform`)
	if err != nil {
		return nil, fmt.Errorf("queued edits: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var (
			p string
			n int
		)
		if err := rows.Scan(&p, &n); err != nil {
			return nil, fmt.Errorf("queued edits: %w", err)
		}
		out[p] = n
	}
	return out, rows.Err()
}

// SetAnswerMessage records the platform's ID of answer id's message, once
// it is known (Slack gives the ts after the answer was remembered). An
// answer whose quotes went stale in between is queued for an edit. It
// returns an error when the database can't be written.
func (db *DB) SetAnswerMessage(ctx context.Context, id int64, messageID string) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("set message of answer %d: %w", id, err)
	}
	defer tx.Rollback() // no-op after Commit
	if _, err := tx.ExecContext(ctx,
		`UPDATE answers SET message_id = ? WHERE id = ? AND message_id = ''`, messageID, id); err != nil {
		return fmt.Errorf("set message of answer %d: %w", id, err)
	}
	now := db.now().UnixMilli()
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO stale_edits (answer_id, next_at, queued_at)
		 SELECT ?1, ?2, ?2 WHERE EXISTS (SELECT 1 FROM answer_quotes WHERE answer_id = ?1 AND state <> '')
		 ON CONFLICT (answer_id) DO NOTHING`, id, now); err != nil {
		return fmt.Errorf("set message of answer %d: queue edit: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("set message of answer %d: %w", id, err)
	}
	return nil
}
