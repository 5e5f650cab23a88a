package matrix

import (
	"context"
	"fmt"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"framebot/bot"
)

// Store is what the adapter keeps in the state database: small values
// (sync token, device ID), the answers it sent (for thread follow-ups and
// reactions) and the votes given by reactions. mautrix's crypto store lives
// apart, in Deps.CryptoDB.
type Store interface {
	bot.ValueStore
	bot.AnswerStore
	bot.FeedbackRecorder
}

// Keys of the values the adapter keeps in the state database.
const (
	keyUserID    = "matrix/user_id"
	keyDeviceID  = "matrix/device_id"
	keySyncToken = "matrix/sync_token"
	keyFilterID  = "matrix/filter_id"
	keyDirect    = "matrix/direct/" // + room ID: "1" when the invite was a direct chat
)

// syncStore keeps the sync token and filter ID in the state database, so a
// restart resumes where the bot stopped instead of answering old messages
// again. It is set on the client before the crypto helper starts, which
// then leaves it in place.
type syncStore struct{ st bot.ValueStore }

var _ mautrix.SyncStore = syncStore{}

func (s syncStore) SaveFilterID(ctx context.Context, _ id.UserID, filterID string) error {
	return s.set(ctx, keyFilterID, filterID)
}

func (s syncStore) LoadFilterID(ctx context.Context, _ id.UserID) (string, error) {
	return s.get(ctx, keyFilterID)
}

func (s syncStore) SaveNextBatch(ctx context.Context, _ id.UserID, token string) error {
	return s.set(ctx, keySyncToken, token)
}

func (s syncStore) LoadNextBatch(ctx context.Context, _ id.UserID) (string, error) {
	return s.get(ctx, keySyncToken)
}

func (s syncStore) get(ctx context.Context, key string) (string, error) {
	v, _, err := s.st.Get(ctx, key)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", key, err)
	}
	return v, nil
}

func (s syncStore) set(ctx context.Context, key, v string) error {
	if err := s.st.Set(ctx, key, v); err != nil {
		return fmt.Errorf("save %s: %w", key, err)
	}
	return nil
}
