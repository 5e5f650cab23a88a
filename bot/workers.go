package bot

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"
)

// Workers runs jobs on a fixed number of goroutines, so a flood of messages
// queues instead of starting one goroutine each. A job that panics is
// recovered and logged, and its OnPanic callback tells the user.
type Workers struct {
	jobs chan job
	log  *slog.Logger
	wg   sync.WaitGroup

	mu      sync.Mutex
	pending int             // jobs queued or running
	idle    []chan struct{} // closed when pending drops to 0
}

type job struct {
	run     func(context.Context)
	onPanic func()
}

// NewWorkers starts n workers (at least 1) with a queue of queue jobs. They
// stop when ctx ends; Wait waits for them.
func NewWorkers(ctx context.Context, n, queue int, log *slog.Logger) *Workers {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	w := &Workers{jobs: make(chan job, max(queue, 0)), log: log}
	for range max(n, 1) {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case j := <-w.jobs:
					w.do(ctx, j)
				}
			}
		}()
	}
	return w
}

func (w *Workers) do(ctx context.Context, j job) {
	defer w.finish()
	defer func() {
		if p := recover(); p != nil {
			w.log.Error("panic while handling a message", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if j.onPanic != nil {
				j.onPanic()
			}
		}
	}()
	j.run(ctx)
}

// Go queues run; it blocks while the queue is full and returns false when
// ctx ends first. onPanic, when not nil, runs if run panics.
func (w *Workers) Go(ctx context.Context, run func(context.Context), onPanic func()) bool {
	w.start()
	select {
	case w.jobs <- job{run: run, onPanic: onPanic}:
		return true
	case <-ctx.Done():
		w.finish()
		return false
	}
}

// Wait blocks until every worker has stopped (after the context given to
// NewWorkers ends).
func (w *Workers) Wait() { w.wg.Wait() }

// TryGo queues run like Go but never waits: it returns false at once when
// the queue is full, for work that may be dropped under load.
func (w *Workers) TryGo(run func(context.Context), onPanic func()) bool {
	w.start()
	select {
	case w.jobs <- job{run: run, onPanic: onPanic}:
		return true
	default:
		w.finish()
		return false
	}
}

// Full reports whether the queue is full now, so that TryGo would refuse
// a job: the workers are saturated.
func (w *Workers) Full() bool { return len(w.jobs) == cap(w.jobs) }

// Idle waits until every job queued so far has run (and any job those
// queue here has run too), or ctx ends; it reports which. Jobs still
// queued when the workers stop never run, so Idle then waits for ctx.
func (w *Workers) Idle(ctx context.Context) bool {
	w.mu.Lock()
	if w.pending == 0 {
		w.mu.Unlock()
		return true
	}
	ch := make(chan struct{})
	w.idle = append(w.idle, ch)
	w.mu.Unlock()
	select {
	case <-ch:
		return true
	case <-ctx.Done():
		return false
	}
}

func (w *Workers) start() {
	w.mu.Lock()
	w.pending++
	w.mu.Unlock()
}

func (w *Workers) finish() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pending--
	if w.pending == 0 {
		for _, ch := range w.idle {
			close(ch)
		}
		w.idle = nil
	}
}

// Sleep waits for d, or until ctx ends, and then returns ctx's error.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
