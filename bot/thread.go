package bot

import (
	"container/list"
	"sync"
	"time"
)

// ThreadKey names one conversation thread: the platform, its channel (or
// room) and the thread's ID there.
type ThreadKey struct {
	Platform, Channel, Thread string
}

// Turn is one question of a thread as the bot remembers it.
type Turn struct {
	// Question is the text the user asked.
	Question string
	// Subject is the question's salient terms, names and noun phrases
	// first, as written; a follow-up borrows them.
	Subject []string
	// Strong is how many leading entries of Subject are names or title
	// phrases rather than single content words.
	Strong int
	// Label names the subject for the user ("" when it has no name).
	Label string
	// Docs are the documents the answer quoted.
	Docs []string
}

// ThreadOptions bound a thread memory. The zero value means the defaults.
type ThreadOptions struct {
	// MaxThreads is how many threads are remembered; the least recently
	// used is forgotten first (default 1000).
	MaxThreads int
	// MaxTurns is how many recent turns a thread keeps (default 4).
	MaxTurns int
	// Idle is how long a thread is remembered after its last turn
	// (default 1h).
	Idle time.Duration
	// Now is the clock (default time.Now); tests inject their own.
	Now func() time.Time
	// Followup tunes what a follow-up borrows.
	Followup FollowupOptions
	// Anaphora is the language data of follow-up detection (default
	// DefaultAnaphora).
	Anaphora *Anaphora
}

// Threads remembers the recent turns of each thread, bounded in threads and
// turns and forgotten after an idle time. It is safe for concurrent use.
type Threads struct {
	opts ThreadOptions

	mu  sync.Mutex
	lru *list.List // of *threadEntry, most recent first
	m   map[ThreadKey]*list.Element
}

type threadEntry struct {
	key   ThreadKey
	turns []Turn
	last  time.Time
}

// NewThreads returns an empty thread memory.
func NewThreads(opts ThreadOptions) *Threads {
	if opts.MaxThreads <= 0 {
		opts.MaxThreads = 1000
	}
	if opts.MaxTurns <= 0 {
		opts.MaxTurns = 4
	}
	if opts.Idle <= 0 {
		opts.Idle = time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Anaphora == nil {
		an := DefaultAnaphora()
		opts.Anaphora = &an
	}
	opts.Followup = opts.Followup.withDefaults()
	return &Threads{opts: opts, lru: list.New(), m: map[ThreadKey]*list.Element{}}
}

// Turns returns a copy of the thread's remembered turns, oldest first; nil
// when the thread is unknown or has been idle too long. Looking a thread up
// makes it the most recently used.
func (t *Threads) Turns(k ThreadKey) []Turn {
	t.mu.Lock()
	defer t.mu.Unlock()
	el, ok := t.m[k]
	if !ok {
		return nil
	}
	e := el.Value.(*threadEntry)
	if t.opts.Now().Sub(e.last) > t.opts.Idle {
		t.lru.Remove(el)
		delete(t.m, k)
		return nil
	}
	t.lru.MoveToFront(el)
	return append([]Turn(nil), e.turns...)
}

// Add records a turn of the thread, forgetting its oldest turn and the
// least recently used thread when over the bounds.
func (t *Threads) Add(k ThreadKey, turn Turn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.opts.Now()
	el, ok := t.m[k]
	if ok && now.Sub(el.Value.(*threadEntry).last) > t.opts.Idle {
		t.lru.Remove(el)
		delete(t.m, k)
		ok = false
	}
	if !ok {
		el = t.lru.PushFront(&threadEntry{key: k})
		t.m[k] = el
	}
	e := el.Value.(*threadEntry)
	e.turns = append(e.turns, turn)
	if n := len(e.turns) - t.opts.MaxTurns; n > 0 {
		e.turns = append([]Turn(nil), e.turns[n:]...)
	}
	e.last = now
	t.lru.MoveToFront(el)
	for t.lru.Len() > t.opts.MaxThreads {
		old := t.lru.Back()
		t.lru.Remove(old)
		delete(t.m, old.Value.(*threadEntry).key)
	}
}

// Len is the number of threads remembered (idle ones included until they
// are next looked up or pushed out).
func (t *Threads) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lru.Len()
}
