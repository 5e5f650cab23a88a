package bot

import "time"

// Observer is told what happens to questions, for the operator's metrics
// (package metrics implements it). Its methods must be safe for concurrent
// use and quick: they run on the answering goroutine.
type Observer interface {
	// ObserveQuestion records a question the answer engine handled in d;
	// answered is false when it abstained (no confident passage).
	ObserveQuestion(platform string, answered bool, d time.Duration)
	// ObserveQuestionError records a question that failed after d (the
	// index could not be read, the context ended).
	ObserveQuestionError(platform string, d time.Duration)
	// ObserveRateLimited records a question refused because its user asks
	// faster than the adapter's per-user limit.
	ObserveRateLimited(platform string)
}

// observe reports a question's outcome to the Observer, when there is one.
func (b *Bot) observe(platform string, start time.Time, ans *Answer, err error) {
	if b.Observer == nil {
		return
	}
	d := b.now().Sub(start)
	if err != nil {
		b.Observer.ObserveQuestionError(platform, d)
		return
	}
	b.Observer.ObserveQuestion(platform, ans != nil && ans.Answered, d)
}

// NoteRateLimited tells the Observer that an adapter refused a question of
// platform because its user asks too fast.
func (b *Bot) NoteRateLimited(platform string) {
	if b.Observer != nil {
		b.Observer.ObserveRateLimited(platform)
	}
}

// BusyObserver is told when an adapter turns a request away because its
// answer queue is full. It is optional: an Observer that also implements
// it (package metrics does) is told.
type BusyObserver interface {
	// ObserveBusy records a request of platform answered "busy, try again"
	// instead of being queued.
	ObserveBusy(platform string)
}

// NoteBusy tells the Observer, when it is a BusyObserver, that an adapter
// of platform turned a request away because its queue was full.
func (b *Bot) NoteBusy(platform string) {
	if o, ok := b.Observer.(BusyObserver); ok {
		o.ObserveBusy(platform)
	}
}

// now is the bot's clock (time.Now when Now is nil).
func (b *Bot) now() time.Time {
	if b.Now == nil {
		return time.Now()
	}
	return b.Now()
}
