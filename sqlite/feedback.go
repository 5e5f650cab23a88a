package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"framebot/bot"
)

// RecordFeedback stores one vote, with the answer's passages as JSON. A
// zero At is stored as the current time. A user has one vote per answer
// (f.AnswerID, when not 0): voting again replaces the vote, unless the new
// one is older than the one stored (the latest wins). It returns an error
// when the passages can't be encoded or the database can't be written.
func (db *DB) RecordFeedback(ctx context.Context, f bot.Feedback) error {
	passages, err := encodePassages(f.Passages)
	if err != nil {
		return fmt.Errorf("record feedback: %w", err)
	}
	_, err = db.sql.ExecContext(ctx,
		`INSERT INTO feedback (platform, answer_id, user_id, channel, question, passages, helpful, at)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		 ON CONFLICT (platform, answer_id, user_id) WHERE answer_id <> 0
		 DO UPDATE SET helpful = excluded.helpful, at = excluded.at
		 WHERE excluded.at >= feedback.at`,
		f.Platform, f.AnswerID, f.User, f.Channel, f.Question, passages, f.Helpful, db.millis(f.At))
	if err != nil {
		return fmt.Errorf("record feedback: %w", err)
	}
	return nil
}

// FeedbackCounts returns the number of helpful and not helpful votes ever
// recorded. It returns an error when the database can't be read.
func (db *DB) FeedbackCounts(ctx context.Context) (helpful, notHelpful int, err error) {
	err = db.sql.QueryRowContext(ctx,
		`SELECT count(*) FILTER (WHERE helpful = 1), count(*) FILTER (WHERE helpful = 0) FROM feedback`,
	).Scan(&helpful, &notHelpful)
	if err != nil {
		return 0, 0, fmt.Errorf("count feedback: %w", err)
	}
	return helpful, notHelpful, nil
}

// encodePassages returns ps as a JSON array ("[]" for none, never "null").
func encodePassages(ps []bot.Passage) (string, error) {
	if ps == nil {
		ps = []bot.Passage{}
	}
	b, err := json.Marshal(ps)
	if err != nil {
		return "", fmt.Errorf("encode passages: %w", err)
	}
	return string(b), nil
}

// decodePassages parses what encodePassages wrote.
func decodePassages(s string) ([]bot.Passage, error) {
	var ps []bot.Passage
	if err := json.Unmarshal([]byte(s), &ps); err != nil {
		return nil, fmt.Errorf("decode passages: %w", err)
	}
	return ps, nil
}

// millis converts t to the stored form, UTC Unix milliseconds; the zero time
// means now.
func (db *DB) millis(t time.Time) int64 {
	if t.IsZero() {
		t = db.now()
	}
	return t.UnixMilli()
}

// fromMillis converts the stored form back to a UTC time.
func fromMillis(ms int64) time.Time {
	return time.UnixMilli(ms).UTC()
}
