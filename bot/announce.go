package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"unicode/utf8"
)

// ChangeKind says what happened to a document of the corpus. Its value is
// the word JSON event lines carry ("added", "updated", "removed").
type ChangeKind string

// The kinds of change, in the order a digest lists them.
const (
	Added   ChangeKind = "added"
	Updated ChangeKind = "updated"
	Removed ChangeKind = "removed"
)

// String returns "added", "updated" or "removed".
func (k ChangeKind) String() string { return string(k) }

// Label names the kind at the start of a digest line: "Added", "Updated"
// or "Removed" (the value itself for an unknown kind).
func (k ChangeKind) Label() string {
	switch k {
	case Added:
		return "Added"
	case Updated:
		return "Updated"
	case Removed:
		return "Removed"
	}
	return k.String()
}

// DocChange is one document added, updated or removed in the corpus.
type DocChange struct {
	Kind     ChangeKind `json:"event"`
	Doc      string     `json:"doc"`
	Title    string     `json:"title"`
	Source   string     `json:"source"`
	URL      string     `json:"url,omitempty"`
	Passages int        `json:"passages"`
	// Opening is the document's first lines (empty for a removal).
	Opening string `json:"opening,omitempty"`
}

// Announcement tells subscribed conversations what changed in the corpus.
// Several changes at once make one digest.
type Announcement struct {
	Changes []DocChange `json:"changes"`
	// AnswersUpdated is how many earlier answers these changes made stale
	// (see Tracker); renderers add AnswersUpdatedLine when it is not 0.
	AnswersUpdated int `json:"answers_updated,omitempty"`
}

// Notifier delivers announcements to conversations of one platform.
type Notifier interface {
	// Platform names the platform, as in Request.Platform and the
	// subscription store.
	Platform() string
	// Notify posts a to the conversation channel. It returns an error when
	// the platform refuses the message or can't be reached.
	Notify(ctx context.Context, channel string, a Announcement) error
}

// MaxOpening is the longest Opening, in characters, that Opening returns.
const MaxOpening = 280

// Opening returns a document's first lines for an announcement: its first
// paragraphs, joined by a space, cut at a word boundary near MaxOpening
// characters, with an ellipsis when cut.
func Opening(paragraphs []string) string {
	var b strings.Builder
	for _, p := range paragraphs {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p)
		if utf8.RuneCountInString(b.String()) >= MaxOpening {
			break
		}
	}
	s := b.String()
	if utf8.RuneCountInString(s) <= MaxOpening {
		return s
	}
	s = string([]rune(s)[:MaxOpening])
	if i := strings.LastIndexByte(s, ' '); i > MaxOpening/2 {
		s = s[:i]
	}
	return strings.TrimRight(s, " ,;:") + "…"
}

// Digest makes one announcement of changes: additions first, then updates,
// then removals, each by title. It returns false when there is nothing to
// announce.
func Digest(changes []DocChange) (Announcement, bool) {
	if len(changes) == 0 {
		return Announcement{}, false
	}
	rank := map[ChangeKind]int{Added: 0, Updated: 1, Removed: 2}
	cs := slices.Clone(changes)
	slices.SortStableFunc(cs, func(a, b DocChange) int {
		return cmp.Or(cmp.Compare(rank[a.Kind], rank[b.Kind]),
			cmp.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title)),
			cmp.Compare(a.Doc, b.Doc))
	})
	return Announcement{Changes: cs}, true
}

// Announcer posts announcements to every subscribed conversation of each
// of its notifiers (one per chat platform).
type Announcer struct {
	Subscriptions SubscriptionStore
	Notifiers     []Notifier
	// Logger receives delivery failures; nil discards them.
	Logger *slog.Logger
}

// Announce sends a to the subscribers of every notifier and returns how
// many conversations received it. A platform whose subscribers can't be
// listed, or a conversation that refuses the message, is logged and
// skipped: the others still get it. The error joins every such failure
// (nil when all went out).
func (an *Announcer) Announce(ctx context.Context, a Announcement) (sent int, err error) {
	if an == nil || an.Subscriptions == nil || len(a.Changes) == 0 {
		return 0, nil
	}
	log := an.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var errs []error
	for _, n := range an.Notifiers {
		platform := n.Platform()
		channels, err := an.Subscriptions.Subscribers(ctx, platform)
		if err != nil {
			log.Error("can't list subscribers", slog.String("platform", platform), slog.String("error", err.Error()))
			errs = append(errs, fmt.Errorf("announce on %s: %w", platform, err))
			continue
		}
		for _, ch := range channels {
			if err := n.Notify(ctx, ch, a); err != nil {
				log.Warn("announcement not delivered", slog.String("platform", platform), slog.String("channel", ch), slog.String("error", err.Error()))
				errs = append(errs, fmt.Errorf("announce to %s %s: %w", platform, ch, err))
				continue
			}
			sent++
		}
	}
	if sent > 0 {
		log.Info("corpus changes announced", slog.Int("changes", len(a.Changes)), slog.Int("conversations", sent))
	}
	return sent, errors.Join(errs...)
}
