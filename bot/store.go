package bot

import (
	"context"
	"time"
)

// AnswerRecord is an answer the bot sent, kept so that feedback buttons and
// reactions, and follow-ups in its thread, can find it.
type AnswerRecord struct {
	// ID is assigned by RememberAnswer; it is never reused, so a feedback
	// button carrying it can't point at another answer.
	ID int64
	// Platform and Channel say where the answer was sent.
	Platform, Channel string
	// Thread is the root of the thread the answer was posted in ("" if
	// none).
	Thread string
	// MessageID is the platform's ID of the bot's answer message (Slack ts,
	// Matrix event ID); "" if unknown.
	MessageID string
	// User is the platform's ID of the person who asked.
	User     string
	Question string
	// Context is the answer's Answer.Context: the earlier subject of its
	// thread that a follow-up was read in ("" if none).
	Context  string
	Passages []Passage
	// At is when the answer was sent (UTC when read back, millisecond
	// precision).
	At time.Time
}

// AnswerStore keeps the answers the bot sent (sqlite.DB), so that a
// feedback button, a reaction or a reply in the answer's thread finds the
// answer it is about.
type AnswerStore interface {
	// RememberAnswer stores r and returns its ID; r.ID is ignored and a
	// zero r.At means now. Remembering an answer with the same non-empty
	// (Platform, Channel, MessageID) as an earlier one replaces it and
	// keeps its ID. It returns an error when the store can't be written.
	RememberAnswer(ctx context.Context, r AnswerRecord) (int64, error)
	// Answer returns the answer with ID id; ok is false when there is
	// none. It returns an error when the store can't be read.
	Answer(ctx context.Context, id int64) (r AnswerRecord, ok bool, err error)
	// AnswerByMessage returns the answer the bot sent as message messageID
	// in channel; ok is false when there is none (or messageID is ""). It
	// returns an error when the store can't be read.
	AnswerByMessage(ctx context.Context, platform, channel, messageID string) (r AnswerRecord, ok bool, err error)
	// AnsweredInThread reports whether the bot already answered in the
	// thread rooted at thread (an answer was posted in it, or its root is
	// an answer); an empty thread never is. It returns an error when the
	// store can't be read.
	AnsweredInThread(ctx context.Context, platform, channel, thread string) (bool, error)
}

// AnswerMessageRecorder records the message ID of an answer remembered
// before its message was sent (Slack gives the ts only once the message is
// posted), so that the answer can be edited when it goes stale.
type AnswerMessageRecorder interface {
	// SetAnswerMessage records messageID as the message of answer id. It
	// returns an error when the store can't be written.
	SetAnswerMessage(ctx context.Context, id int64, messageID string) error
}

// FeedbackRecorder records users' votes on answers: what an adapter's
// buttons and reactions need of a FeedbackStore.
type FeedbackRecorder interface {
	// RecordFeedback stores one vote; a user has one vote per answer
	// (f.AnswerID, when not 0), the latest. It returns an error when the
	// store can't be written.
	RecordFeedback(ctx context.Context, f Feedback) error
}

// ValueStore keeps an adapter's small values across restarts, such as the
// Matrix sync token and device ID. Keys are "<feature>/<name>" by
// convention ("matrix/sync_token").
type ValueStore interface {
	// Get returns the value stored under key; ok is false when there is
	// none. It returns an error when the store can't be read.
	Get(ctx context.Context, key string) (value string, ok bool, err error)
	// Set stores value under key, replacing any previous value. It returns
	// an error when the store can't be written.
	Set(ctx context.Context, key, value string) error
}
