package matrix

import (
	"context"
	"fmt"

	"go.mau.fi/util/dbutil"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"framebot/bot"
	"framebot/sqlite"
)

// State is what the adapter needs of the state database (*sqlite.DB): small
// values (sync token, device ID), the answers it sent (for thread
// follow-ups and reactions), feedback, and the database handle mautrix's
// crypto store keeps its tables in.
type State interface {
	Get(ctx context.Context, key string) (string, bool, error)
	Set(ctx context.Context, key, value string) error
	RememberAnswer(ctx context.Context, r sqlite.AnswerRecord) (int64, error)
	AnswerByMessage(ctx context.Context, platform, channel, messageID string) (sqlite.AnswerRecord, bool, error)
	AnsweredInThread(ctx context.Context, platform, channel, thread string) (bool, error)
	RecordFeedback(ctx context.Context, f bot.Feedback) error
	Dbutil() (*dbutil.Database, error)
}

var _ State = (*sqlite.DB)(nil)

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
type syncStore struct{ st State }

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
