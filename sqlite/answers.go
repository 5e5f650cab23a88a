package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"framebot/bot"
)

var (
	_ bot.AnswerStore           = (*DB)(nil)
	_ bot.AnswerMessageRecorder = (*DB)(nil)
)

// RememberAnswer stores r and returns its ID; r.ID is ignored and a zero
// r.At is stored as the current time. Remembering a second answer with the
// same non-empty (Platform, Channel, MessageID) — the bot edited its
// message — replaces the first and keeps its ID. It returns an error when
// the passages can't be encoded or the database can't be written.
func (db *DB) RememberAnswer(ctx context.Context, r bot.AnswerRecord) (int64, error) {
	passages, err := encodePassages(r.Passages)
	if err != nil {
		return 0, fmt.Errorf("remember answer: %w", err)
	}
	var id int64
	err = db.sql.QueryRowContext(ctx,
		`INSERT INTO answers (platform, channel, thread, message_id, user_id, question, context, passages, at)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		 ON CONFLICT (platform, channel, message_id) WHERE message_id <> '' DO UPDATE SET
			thread = excluded.thread, user_id = excluded.user_id, question = excluded.question,
			context = excluded.context, passages = excluded.passages, at = excluded.at
		 RETURNING id`,
		r.Platform, r.Channel, r.Thread, r.MessageID, r.User, r.Question, r.Context, passages, db.millis(r.At),
	).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("remember answer: %w", err)
	}
	return id, nil
}

const answerColumns = `id, platform, channel, thread, message_id, user_id, question, context, passages, at`

// Answer returns the answer with ID id; ok is false when there is none. It
// returns an error when the database can't be read or the stored passages
// can't be decoded.
func (db *DB) Answer(ctx context.Context, id int64) (bot.AnswerRecord, bool, error) {
	r, ok, err := db.scanAnswer(db.sql.QueryRowContext(ctx,
		`SELECT `+answerColumns+` FROM answers WHERE id = ?`, id))
	if err != nil {
		return bot.AnswerRecord{}, false, fmt.Errorf("answer %d: %w", id, err)
	}
	return r, ok, nil
}

// AnswerByMessage returns the answer the bot sent as message messageID in
// channel; ok is false when there is none (or messageID is ""). It returns
// an error when the database can't be read or the stored passages can't be
// decoded.
func (db *DB) AnswerByMessage(ctx context.Context, platform, channel, messageID string) (bot.AnswerRecord, bool, error) {
	if messageID == "" {
		return bot.AnswerRecord{}, false, nil
	}
	r, ok, err := db.scanAnswer(db.sql.QueryRowContext(ctx,
		`SELECT `+answerColumns+` FROM answers WHERE platform = ? AND channel = ? AND message_id = ?`,
		platform, channel, messageID))
	if err != nil {
		return bot.AnswerRecord{}, false, fmt.Errorf("answer by message %s %s %s: %w", platform, channel, messageID, err)
	}
	return r, ok, nil
}

// AnsweredInThread reports whether the bot already answered in the thread
// rooted at thread: an answer was posted in it, or the root is itself one of
// the bot's answers (someone replied in a thread under it). An empty thread
// is never answered. It returns an error when the database can't be read.
func (db *DB) AnsweredInThread(ctx context.Context, platform, channel, thread string) (bool, error) {
	if thread == "" {
		return false, nil
	}
	var ok bool
	err := db.sql.QueryRowContext(ctx,
		`SELECT EXISTS (SELECT 1 FROM answers WHERE platform = ?1 AND channel = ?2 AND thread = ?3)
		     OR EXISTS (SELECT 1 FROM answers WHERE platform = ?1 AND channel = ?2 AND message_id = ?3)`,
		platform, channel, thread).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("answered in thread %s %s %s: %w", platform, channel, thread, err)
	}
	return ok, nil
}

// scanAnswer reads one row of answerColumns.
func (db *DB) scanAnswer(row *sql.Row) (bot.AnswerRecord, bool, error) {
	var (
		r        bot.AnswerRecord
		passages string
		at       int64
	)
	err := row.Scan(&r.ID, &r.Platform, &r.Channel, &r.Thread, &r.MessageID, &r.User, &r.Question, &r.Context, &passages, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return bot.AnswerRecord{}, false, nil
	}
	if err != nil {
		return bot.AnswerRecord{}, false, err
	}
	if r.Passages, err = decodePassages(passages); err != nil {
		return bot.AnswerRecord{}, false, err
	}
	r.At = fromMillis(at)
	return r, true, nil
}
