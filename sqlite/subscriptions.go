package sqlite

import (
	"context"
	"fmt"
)

// Subscribe adds a conversation to platform's announcement list;
// subscribing twice is not an error. It returns an error when the database
// can't be written.
func (db *DB) Subscribe(ctx context.Context, platform, channel string) error {
	_, err := db.sql.ExecContext(ctx,
		`INSERT INTO subscriptions (platform, channel, since) VALUES (?, ?, ?)
		 ON CONFLICT (platform, channel) DO NOTHING`,
		platform, channel, db.now().UnixMilli())
	if err != nil {
		return fmt.Errorf("subscribe %s %s: %w", platform, channel, err)
	}
	return nil
}

// Unsubscribe removes a conversation; ok reports whether it was subscribed.
// It returns an error when the database can't be written.
func (db *DB) Unsubscribe(ctx context.Context, platform, channel string) (ok bool, err error) {
	res, err := db.sql.ExecContext(ctx,
		`DELETE FROM subscriptions WHERE platform = ? AND channel = ?`, platform, channel)
	if err != nil {
		return false, fmt.Errorf("unsubscribe %s %s: %w", platform, channel, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("unsubscribe %s %s: %w", platform, channel, err)
	}
	return n > 0, nil
}

// Subscribers lists platform's subscribed conversations, sorted; nil when
// there are none. It returns an error when the database can't be read.
func (db *DB) Subscribers(ctx context.Context, platform string) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx,
		`SELECT channel FROM subscriptions WHERE platform = ? ORDER BY channel`, platform)
	if err != nil {
		return nil, fmt.Errorf("list subscribers of %s: %w", platform, err)
	}
	defer rows.Close()
	var channels []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("list subscribers of %s: %w", platform, err)
		}
		channels = append(channels, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list subscribers of %s: %w", platform, err)
	}
	return channels, nil
}
