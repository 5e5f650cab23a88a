package live

import (
	"context"
	"log/slog"

	"framebot/bot"
)

// StaleChecker finds the earlier answers that a batch of changes made
// stale (bot.Tracker).
type StaleChecker interface {
	// Changes checks the answers quoting the changed documents and returns
	// how many it marked.
	Changes(ctx context.Context, changes []bot.DocChange) (int, error)
}

var _ StaleChecker = (*bot.Tracker)(nil)

// checkStale runs the stale checker on the changes of one batch, once they
// are in the index, and returns how many answers it marked. A failure is
// logged: indexing goes on, and the next start's reconciliation catches
// what was missed.
func (s *Service) checkStale(ctx context.Context, log *slog.Logger, changes []bot.DocChange) int {
	if s.Stale == nil || len(changes) == 0 {
		return 0
	}
	n, err := s.Stale.Changes(ctx, changes)
	if err != nil && ctx.Err() == nil {
		log.Error("earlier answers not checked against the changes", slog.String("error", err.Error()))
	}
	return n
}
