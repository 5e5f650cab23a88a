package bot

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// StaleAnswer is a remembered answer with what became of its quotes: what
// an adapter needs to edit its message.
type StaleAnswer struct {
	ID int64
	// Channel, Thread and MessageID say where the message is.
	Channel, Thread, MessageID string
	Question                   string
	// Context is the answer's Answer.Context ("" if none).
	Context string
	// At is when the answer was sent.
	At       time.Time
	Passages []Passage
	// Quotes is parallel to Passages.
	Quotes []QuoteState
}

// StaleCount returns how many of a's quotes no longer stand.
func (a StaleAnswer) StaleCount() int {
	n := 0
	for _, q := range a.Quotes {
		if q.Stale() {
			n++
		}
	}
	return n
}

// StaleEditor edits the bot's earlier answers on one platform (an
// optional capability of an adapter).
type StaleEditor interface {
	// Platform names the platform, as in AnswerRecord.Platform.
	Platform() string
	// EditStale replaces the message of a with its corrected rendering. It
	// returns an error wrapping ErrNotEditable when the message can never
	// be edited (deleted, too old), and another error when the edit
	// failed but may succeed later.
	EditStale(ctx context.Context, a StaleAnswer) error
}

// ErrNotEditable is wrapped by the error of a StaleEditor when retrying
// can't help.
var ErrNotEditable = errors.New("message can't be edited")

// StaleEdit is one queued edit.
type StaleEdit struct {
	Answer StaleAnswer
	// Attempts is how many times it failed so far.
	Attempts int
}

// EditQueue is the durable queue of edits (sqlite.DB).
type EditQueue interface {
	// DueEdits returns up to limit edits of platform due at now, oldest
	// first. It returns an error when the queue can't be read.
	DueEdits(ctx context.Context, platform string, now time.Time, limit int) ([]StaleEdit, error)
	// EditDone removes the edit of answer id from the queue.
	EditDone(ctx context.Context, id int64) error
	// EditRetry keeps the edit of answer id for another attempt at next.
	EditRetry(ctx context.Context, id int64, attempts int, next time.Time) error
}

// Defaults of EditSender.
const (
	DefaultEditAttempts = 8
	DefaultEditPoll     = 30 * time.Second
	editBackoffFirst    = 30 * time.Second
	editBackoffMax      = time.Hour
)

// EditSender sends the queued edits of one platform at a steady pace, and
// retries failed ones with exponential backoff.
type EditSender struct {
	Queue  EditQueue
	Editor StaleEditor
	// PerMinute and Burst bound the pace of edits (a token bucket);
	// PerMinute <= 0 sends without a limit.
	PerMinute, Burst int
	// MaxAttempts is how many failures drop an edit (DefaultEditAttempts
	// when 0).
	MaxAttempts int
	// Poll is how often Run looks at the queue when not woken
	// (DefaultEditPoll when 0).
	Poll time.Duration
	// Now is the clock and Wait waits for d (time.Now and Sleep when nil);
	// tests inject a fake clock that Wait advances.
	Now  func() time.Time
	Wait func(ctx context.Context, d time.Duration) error
	// Observer, when not nil, counts edits sent and failed.
	Observer StaleObserver
	// Logger receives what happened; nil discards it.
	Logger *slog.Logger

	wake    chan struct{}
	limiter *RateLimiter
}

// Wake makes Run look at the queue now (edits were queued).
func (s *EditSender) Wake() {
	if s.wake == nil {
		return
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// init sets the defaults; it is called before the sender is shared.
func (s *EditSender) init() {
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Wait == nil {
		s.Wait = Sleep
	}
	if s.limiter == nil {
		s.limiter = NewRateLimiter(s.PerMinute, s.Burst, s.Now)
	}
}

// NewEditSender returns s ready for Wake to be called while Run runs.
func NewEditSender(s *EditSender) *EditSender {
	s.wake = make(chan struct{}, 1)
	s.init()
	return s
}

// Run sends the due edits whenever woken and every Poll until ctx ends,
// then returns ctx's error.
func (s *EditSender) Run(ctx context.Context) error {
	s.init()
	poll := s.Poll
	if poll <= 0 {
		poll = DefaultEditPoll
	}
	for {
		if _, _, err := s.Drain(ctx); err != nil && ctx.Err() == nil {
			s.logger().Error("stale edits not sent", slog.String("error", err.Error()))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.wake:
		case <-time.After(poll):
		}
	}
}

// Drain sends every edit due now, pacing them, and returns how many were
// sent and how many failed. An edit that fails is kept for a retry after a
// backoff, or dropped after MaxAttempts failures or when the message can't
// be edited. It returns an error when the queue can't be read or written
// or ctx ends.
func (s *EditSender) Drain(ctx context.Context) (sent, failed int, err error) {
	s.init()
	platform := s.Editor.Platform()
	log := s.logger()
	maxAttempts := s.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = DefaultEditAttempts
	}
	for {
		edits, err := s.Queue.DueEdits(ctx, platform, s.Now(), 64)
		if err != nil || len(edits) == 0 {
			return sent, failed, err
		}
		for _, e := range edits {
			if err := s.pace(ctx, platform); err != nil {
				return sent, failed, err
			}
			err := s.Editor.EditStale(ctx, e.Answer)
			if err == nil {
				sent++
				if s.Observer != nil {
					s.Observer.StaleEditSent(platform)
				}
				if err := s.Queue.EditDone(ctx, e.Answer.ID); err != nil {
					return sent, failed, err
				}
				continue
			}
			if ctx.Err() != nil {
				return sent, failed, ctx.Err()
			}
			failed++
			if s.Observer != nil {
				s.Observer.StaleEditFailed(platform)
			}
			attempts := e.Attempts + 1
			if attempts >= maxAttempts || errors.Is(err, ErrNotEditable) {
				log.Warn("stale answer not edited; giving up", slog.String("platform", platform), slog.Int64("answer_id", e.Answer.ID),
					slog.Int("attempts", attempts), slog.String("error", err.Error()))
				if err := s.Queue.EditDone(ctx, e.Answer.ID); err != nil {
					return sent, failed, err
				}
				continue
			}
			log.Info("stale answer edit failed; will retry", slog.String("platform", platform), slog.Int64("answer_id", e.Answer.ID),
				slog.Int("attempts", attempts), slog.String("error", err.Error()))
			if err := s.Queue.EditRetry(ctx, e.Answer.ID, attempts, s.Now().Add(EditBackoff(attempts))); err != nil {
				return sent, failed, err
			}
		}
	}
}

// pace waits until the rate limit allows one more edit.
func (s *EditSender) pace(ctx context.Context, platform string) error {
	for {
		ok, d := s.limiter.Allow(platform)
		if ok {
			return nil
		}
		if err := s.Wait(ctx, d); err != nil {
			return err
		}
	}
}

// EditBackoff is the wait before attempt n+1 of an edit that failed n
// times: 30 s, doubling, at most an hour.
func EditBackoff(n int) time.Duration {
	d := editBackoffFirst
	for i := 1; i < n && d < editBackoffMax; i++ {
		d *= 2
	}
	return min(d, editBackoffMax)
}

func (s *EditSender) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}
