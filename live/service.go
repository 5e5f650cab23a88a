package live

import (
	"context"
	"errors"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"framebot/bot"
	"framebot/corpus"
	"framebot/index"
)

// Service watches a corpus folder and keeps the index in step with it:
// framebot serve runs it beside the chat adapters, framebot chat while
// it reads questions.
type Service struct {
	Watcher *corpus.Watcher
	Applier *Applier
	// Announcer posts the changes of each batch as one digest; nil posts
	// nothing.
	Announcer *bot.Announcer
	// OnChange, when not nil, is called for each change once it is in the
	// index (the console prints it).
	OnChange func(bot.DocChange)
	// Logger receives indexing failures; nil discards them.
	Logger *slog.Logger
	// Stale, when not nil, finds the earlier answers each batch made stale
	// (see stale.go).
	Stale StaleChecker

	lag lagClock // see Lag
}

// announceQueue bounds the digests waiting for a slow chat platform; the
// indexing of later batches waits when it is full.
const announceQueue = 16

// Run watches and applies until ctx ends, then returns ctx's error. A
// batch that fails to index is logged and retried by the next rescan;
// announcements are posted in the background so that a slow platform does
// not hold up indexing. Run returns another error when the watcher can't
// start (the corpus folder can't be read) or the index is closed.
func (s *Service) Run(ctx context.Context) error {
	log := s.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	watchErr := make(chan error, 1)
	wg.Go(func() {
		watchErr <- s.Watcher.Run(ctx)
		cancel()
	})
	digests := make(chan bot.Announcement, announceQueue)
	wg.Go(func() {
		for a := range digests {
			// Failures are logged by the announcer; one conversation's
			// refusal must not stop the bot.
			_, _ = s.Announcer.Announce(ctx, a)
		}
	})
	err := s.loop(ctx, log, digests)
	close(digests)
	cancel()
	wg.Wait()
	if werr := <-watchErr; werr != nil && !errors.Is(werr, context.Canceled) {
		return werr
	}
	return err
}

func (s *Service) loop(ctx context.Context, log *slog.Logger, digests chan<- bot.Announcement) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case b := <-s.Watcher.Batches():
			s.lag.start(time.Now())
			changes, err := s.Applier.Apply(ctx, b)
			s.lag.done()
			if s.OnChange != nil {
				for _, c := range changes {
					s.OnChange(c)
				}
			}
			updated := s.checkStale(ctx, log, changes)
			if a, ok := bot.Digest(changes); ok && s.Announcer != nil {
				a.AnswersUpdated = updated
				select {
				case digests <- a:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			if err == nil && b.Full {
				s.verify(ctx, log)
			}
			releaseMemory(changes)
			switch {
			case err == nil:
			case ctx.Err() != nil:
				return ctx.Err()
			case errors.Is(err, index.ErrClosed):
				return err
			default:
				log.Error("corpus changes not indexed; the next rescan retries", slog.String("error", err.Error()))
			}
		}
	}
}

// verifier is an index that can check its own files (index.Index): each
// full rescan checks them too, so that a damaged index is found and
// rebuilt even when no search reads the damaged part.
type verifier interface {
	Verify(ctx context.Context) error
}

func (s *Service) verify(ctx context.Context, log *slog.Logger) {
	v, ok := s.Applier.Index.(verifier)
	if !ok {
		return
	}
	if err := v.Verify(ctx); err != nil && !errors.Is(err, index.ErrRebuilding) && ctx.Err() == nil {
		log.Error("index check failed", slog.String("error", err.Error()))
	}
}

// releaseAfter is how many passages a batch writes before the memory it
// took is handed back to the operating system at once.
const releaseAfter = 5000

// releaseMemory returns the memory a large batch took to the operating
// system. The Go runtime would keep it for minutes (or for good, if the
// heap never shrinks enough): a chat process that indexed one big file
// went from 29 MB to 1.2 GB resident and stayed there.
func releaseMemory(changes []bot.DocChange) {
	n := 0
	for _, c := range changes {
		n += c.Passages
	}
	if n >= releaseAfter {
		debug.FreeOSMemory()
	}
}
