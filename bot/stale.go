package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// An answer is stale when a passage it quoted is no longer in its
// document, word for word: the document changed or was removed. The
// Tracker finds such answers after each corpus change and marks their
// quotes in the StaleStore, which queues one edit per affected message;
// an EditSender then corrects the messages at a pace the platform allows.

// The kinds of QuoteState.
const (
	// QuoteFresh: the quote is still in its document.
	QuoteFresh = ""
	// QuoteChanged: the document changed and no longer says the quote.
	QuoteChanged = "changed"
	// QuoteRemoved: the document was deleted.
	QuoteRemoved = "removed"
	// QuoteMoved: the document was removed and the quote, word for word,
	// is in a document added in the same batch (a rename); the quote is
	// still true, under another citation.
	QuoteMoved = "moved"
)

// DefaultStaleWindow is how far back answers are corrected by default.
const DefaultStaleWindow = 30 * 24 * time.Hour

// DefaultCloseMatch is the least word overlap (Jaccard) between an old
// quote and a passage of the new version for that passage to be shown as
// what the document says now.
const DefaultCloseMatch = 0.5

// QuoteState is what became of one quoted passage.
type QuoteState struct {
	// Kind is QuoteFresh, QuoteChanged, QuoteRemoved or QuoteMoved.
	Kind string `json:"kind,omitempty"`
	// Now is the passage of the new version closest to the old quote,
	// verbatim ("" when none is close; QuoteChanged only).
	Now string `json:"now,omitempty"`
	// MovedTo is the document's new ID (QuoteMoved only).
	MovedTo string `json:"moved_to,omitempty"`
	// Since is when the change was noticed (zero for QuoteFresh).
	Since time.Time `json:"since,omitzero"`
}

// Stale reports whether the quote no longer stands as it was shown.
func (s QuoteState) Stale() bool { return s.Kind != QuoteFresh }

// same reports whether s and t say the same thing (Since aside).
func (s QuoteState) same(t QuoteState) bool {
	return s.Kind == t.Kind && s.Now == t.Now && s.MovedTo == t.MovedTo
}

// DocVersion is a document as it is now, for CheckQuote.
type DocVersion struct {
	// Removed is true when the document is gone.
	Removed bool
	// MovedTo is the document a removed one moved to, for CheckQuote to
	// report as QuoteMoved ("" when unknown or not moved).
	MovedTo string
	// Passages are the document's passages, in order.
	Passages []string
}

// CheckQuote says what became of quote in doc: fresh when its words are
// still there in order (whitespace folded; passages are joined, so a quote
// the new version splits differently still counts), else changed — with
// the closest passage of the new version as Now when one shares at least
// closeMatch of its words (Jaccard) — or removed, or moved. Since is left
// zero.
func CheckQuote(quote string, doc DocVersion, closeMatch float64) QuoteState {
	switch {
	case doc.Removed && doc.MovedTo != "":
		return QuoteState{Kind: QuoteMoved, MovedTo: doc.MovedTo}
	case doc.Removed:
		return QuoteState{Kind: QuoteRemoved}
	}
	q := foldSpace(quote)
	if q == "" || strings.Contains(foldSpace(strings.Join(doc.Passages, " ")), q) {
		return QuoteState{}
	}
	st := QuoteState{Kind: QuoteChanged}
	qw := wordSet(quote)
	best := 0.0
	for _, p := range doc.Passages {
		if j := jaccard(qw, wordSet(p)); j > best {
			best, st.Now = j, p
		}
	}
	if best < closeMatch {
		st.Now = ""
	}
	return st
}

// foldSpace turns every run of white space into one space and trims.
func foldSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// QuoteRef is one passage quoted by a remembered answer.
type QuoteRef struct {
	AnswerID int64
	// Index is the passage's position in the answer.
	Index int
	Doc   string
	// Text is the passage as the answer quoted it.
	Text string
	// State is what is known of it so far.
	State QuoteState
}

// QuoteMark sets the state of one quote.
type QuoteMark struct {
	AnswerID int64
	Index    int
	State    QuoteState
}

// StaleStore keeps the quotes of the answers sent and the queue of edits
// (sqlite.DB).
type StaleStore interface {
	// RecentQuotes returns the quotes of doc in answers sent at or after
	// since. It returns an error when the store can't be read.
	RecentQuotes(ctx context.Context, doc string, since time.Time) ([]QuoteRef, error)
	// QuotedDocs returns the documents quoted by answers sent at or after
	// since. It returns an error when the store can't be read.
	QuotedDocs(ctx context.Context, since time.Time) ([]string, error)
	// MarkQuotes records marks and queues one edit for each answer they
	// touch that has a message to edit; it returns the IDs of the answers
	// touched. It returns an error, having recorded nothing, when the
	// store can't be written.
	MarkQuotes(ctx context.Context, marks []QuoteMark) ([]int64, error)
}

// DocReader reads the current passages of one document (the index).
type DocReader interface {
	// DocPassages returns the passages of doc in order; ok is false when
	// doc is not indexed. It returns an error when the index can't be
	// read.
	DocPassages(ctx context.Context, doc string) (ps []Passage, ok bool, err error)
}

// StaleObserver counts what the stale-answer machinery does (metrics).
type StaleObserver interface {
	// AnswersStale counts answers newly marked stale.
	AnswersStale(n int)
	// StaleEditSent counts an edit delivered on platform.
	StaleEditSent(platform string)
	// StaleEditFailed counts a failed attempt to edit on platform.
	StaleEditFailed(platform string)
}

// Tracker finds the answers a corpus change made stale.
type Tracker struct {
	Store StaleStore
	Docs  DocReader
	// Window is how far back answers are corrected (DefaultStaleWindow
	// when 0).
	Window time.Duration
	// CloseMatch is the least overlap for a "now" passage
	// (DefaultCloseMatch when 0).
	CloseMatch float64
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Observer, when not nil, counts the answers marked stale.
	Observer StaleObserver
	// Wake, when not nil, is called after edits were queued (it nudges
	// the edit senders).
	Wake func()
	// Logger receives failures; nil discards them.
	Logger *slog.Logger
	// Recheck, when positive, is how often the answers remembered since the
	// last look are checked against the corpus as it is, from the first
	// batch of changes on. Adapters remember an answer once it is posted,
	// so an answer found in a document's old version can be remembered
	// after Changes looked for it: a moment later, or minutes later when
	// its post was retried while a homeserver was down. Each such answer
	// is checked within Recheck of being remembered. The checks stop when
	// the context of the first Changes call ends.
	Recheck time.Duration

	mu sync.Mutex // one check at a time: sweeps run beside Changes
	// sweeping starts the sweeps (see Recheck) once.
	sweeping sync.Once
	// movesMu guards moves: the documents added in the batch that removed
	// each document, for the sweeps to tell a move from a removal.
	movesMu  sync.Mutex
	moves    map[string]move
	movesAt  []moveKey // the entries of moves, oldest first (some replaced since)
	movesSeq int
}

// DefaultRecheck is the Recheck of framebot's trackers: an answer sent
// from a document's old version is marked at most about a minute after it
// is remembered, however long its post took.
const DefaultRecheck = time.Minute

// Changes checks the answers quoting the documents of one batch of
// changes and returns how many answers it marked (stale, or fresh again).
// A quote of a removed document found word for word in a document added
// in the same batch is marked moved to it (a rename, or a move of that
// passage), not removed. It returns an error when the store or the index
// can't be read or written; the documents checked before it stay marked.
// With Recheck set, the first batch also starts the sweeps that check the
// answers remembered later (see Recheck), until ctx ends.
func (t *Tracker) Changes(ctx context.Context, changes []DocChange) (int, error) {
	start := t.now()
	t.rememberMoves(changes)
	n, err := t.changes(ctx, changes, t.since())
	if every := t.Recheck; every > 0 && len(changes) > 0 {
		// Answers stamped from about when this check ran on: it saw
		// the others.
		t.sweeping.Do(func() { go t.sweep(ctx, every, start.Add(-recheckSlack)) })
	}
	return n, err
}

// recheckSlack is how long before a check an answer a sweep looks at may
// have been stamped: an adapter stamps an answer, then writes it.
const recheckSlack = time.Minute

// sweep checks, every interval until ctx ends, the documents quoted by the
// answers stamped from since on, and moves since on after each sweep that
// worked (a failed one is tried again, from the same time, at the next).
func (t *Tracker) sweep(ctx context.Context, every time.Duration, since time.Time) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		start := t.now()
		if w := t.since(); w.After(since) {
			since = w
		}
		_, err := t.reconcile(ctx, since, t.movedTo)
		switch {
		case err == nil:
			since = start.Add(-recheckSlack)
		case ctx.Err() == nil && t.Logger != nil:
			t.Logger.Warn("answers sent since the last change not checked", slog.String("error", err.Error()))
		}
	}
}

// maxMoves bounds the removed documents whose batch's added documents a
// tracker keeps for its sweeps.
const maxMoves = 4096

// rememberMoves keeps, for each document the batch removes, the documents
// it adds, for the sweeps; a document removed again in a batch that adds
// none is forgotten.
func (t *Tracker) rememberMoves(changes []DocChange) {
	if t.Recheck <= 0 {
		return
	}
	var added, removed []string
	for _, c := range changes {
		switch c.Kind {
		case Added:
			added = append(added, c.Doc)
		case Removed:
			removed = append(removed, c.Doc)
		}
	}
	if len(removed) == 0 {
		return
	}
	t.movesMu.Lock()
	defer t.movesMu.Unlock()
	if t.moves == nil {
		t.moves = map[string]move{}
	}
	for _, d := range removed {
		if len(added) == 0 {
			delete(t.moves, d)
			continue
		}
		t.movesSeq++
		t.moves[d] = move{to: added, seq: t.movesSeq}
		t.movesAt = append(t.movesAt, moveKey{doc: d, seq: t.movesSeq})
	}
	for len(t.movesAt) > maxMoves {
		k := t.movesAt[0]
		t.movesAt = t.movesAt[1:]
		if m, ok := t.moves[k.doc]; ok && m.seq == k.seq {
			delete(t.moves, k.doc)
		}
	}
}

// move is what a tracker keeps of a removed document for its sweeps: the
// documents added in the same batch, and the order it was kept in.
type move struct {
	to  []string
	seq int
}

// moveKey names one entry of Tracker.moves, oldest first in movesAt.
type moveKey struct {
	doc string
	seq int
}

// movedTo returns the documents added in the batch that last removed doc,
// as far as the tracker remembers.
func (t *Tracker) movedTo(doc string) []string {
	t.movesMu.Lock()
	defer t.movesMu.Unlock()
	return t.moves[doc].to
}

// changes checks the answers sent at or after since quoting the documents
// of changes.
func (t *Tracker) changes(ctx context.Context, changes []DocChange, since time.Time) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var added []string
	for _, c := range changes {
		if c.Kind == Added {
			added = append(added, c.Doc)
		}
	}
	total := 0
	var errs []error
	for _, c := range changes {
		var candidates []string
		if c.Kind == Removed {
			candidates = added
		}
		n, err := t.check(ctx, c.Doc, candidates, since)
		total += n
		if err != nil {
			errs = append(errs, err)
		}
	}
	return total, errors.Join(errs...)
}

// Reconcile checks every document quoted by an answer in the window: it
// catches the changes made while the bot was stopped. It returns how many
// answers it marked, and an error as Changes does.
func (t *Tracker) Reconcile(ctx context.Context) (int, error) {
	return t.reconcile(ctx, t.since(), nil)
}

// reconcile checks every document quoted by an answer stamped at or after
// since; movedTo, when not nil, gives the documents a removed one may have
// moved to.
func (t *Tracker) reconcile(ctx context.Context, since time.Time, movedTo func(string) []string) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	docs, err := t.Store.QuotedDocs(ctx, since)
	if err != nil {
		return 0, fmt.Errorf("reconcile quoted documents: %w", err)
	}
	total := 0
	var errs []error
	for _, d := range docs {
		var candidates []string
		if movedTo != nil {
			candidates = movedTo(d)
		}
		n, err := t.check(ctx, d, candidates, since)
		total += n
		if err != nil {
			errs = append(errs, err)
		}
	}
	return total, errors.Join(errs...)
}

func (t *Tracker) since() time.Time {
	w := t.Window
	if w <= 0 {
		w = DefaultStaleWindow
	}
	return t.now().Add(-w)
}

func (t *Tracker) now() time.Time {
	if t.Now == nil {
		return time.Now()
	}
	return t.Now()
}

// check marks the quotes of doc, in answers sent at or after since, whose
// state changed. When doc is gone, a quote found in one of the documents
// movedTo is marked moved.
func (t *Tracker) check(ctx context.Context, doc string, movedTo []string, since time.Time) (int, error) {
	quotes, err := t.Store.RecentQuotes(ctx, doc, since)
	if err != nil {
		return 0, fmt.Errorf("quotes of %s: %w", doc, err)
	}
	if len(quotes) == 0 {
		return 0, nil
	}
	v, err := t.version(ctx, doc)
	if err != nil {
		return 0, err
	}
	var targets []DocVersion
	if v.Removed {
		for _, d := range movedTo {
			tv, err := t.version(ctx, d)
			if err != nil {
				return 0, err
			}
			if !tv.Removed {
				tv.MovedTo = d
				targets = append(targets, tv)
			}
		}
	}
	closeMatch := t.CloseMatch
	if closeMatch <= 0 {
		closeMatch = DefaultCloseMatch
	}
	now := t.now().UTC()
	var (
		marks  []QuoteMark
		staled = map[int64]bool{}
	)
	for _, q := range quotes {
		st := CheckQuote(q.Text, v, closeMatch)
		for _, tv := range targets {
			if !CheckQuote(q.Text, DocVersion{Passages: tv.Passages}, closeMatch).Stale() {
				st = QuoteState{Kind: QuoteMoved, MovedTo: tv.MovedTo}
				break
			}
		}
		if st.Kind == QuoteRemoved && q.State.Kind == QuoteMoved {
			st = q.State // a move seen earlier; the new path is not known here
		}
		if st.same(q.State) {
			continue
		}
		if st.Stale() {
			st.Since = now
			if !q.State.Stale() {
				staled[q.AnswerID] = true
			}
		}
		marks = append(marks, QuoteMark{AnswerID: q.AnswerID, Index: q.Index, State: st})
	}
	if len(marks) == 0 {
		return 0, nil
	}
	ids, err := t.Store.MarkQuotes(ctx, marks)
	if err != nil {
		return 0, fmt.Errorf("mark quotes of %s: %w", doc, err)
	}
	if t.Observer != nil && len(staled) > 0 {
		t.Observer.AnswersStale(len(staled))
	}
	if t.Logger != nil {
		t.Logger.Info("earlier answers marked", slog.String("doc", doc), slog.Int("answers", len(ids)), slog.Int("quotes", len(marks)))
	}
	if t.Wake != nil {
		t.Wake()
	}
	return len(ids), nil
}

// version reads doc as it is now.
func (t *Tracker) version(ctx context.Context, doc string) (DocVersion, error) {
	ps, ok, err := t.Docs.DocPassages(ctx, doc)
	if err != nil {
		return DocVersion{}, fmt.Errorf("passages of %s: %w", doc, err)
	}
	v := DocVersion{Removed: !ok}
	for _, p := range ps {
		v.Passages = append(v.Passages, p.Text)
	}
	return v, nil
}

// AnswersUpdatedLine is the digest's line for n earlier answers corrected:
// "3 earlier answers updated".
func AnswersUpdatedLine(n int) string {
	if n == 1 {
		return "1 earlier answer updated"
	}
	return fmt.Sprintf("%d earlier answers updated", n)
}

// StaleNote says what happened to a quote, for renderers: "Changed on
// 2026-12-03: the document no longer says this.", "Document removed on
// 2026-12-03.", "Document moved on 2026-12-03 to news/plan.md."; "" for a
// quote that stands.
func StaleNote(st QuoteState) string {
	day := ""
	if !st.Since.IsZero() {
		day = " on " + st.Since.UTC().Format("2006-01-02")
	}
	switch st.Kind {
	case QuoteChanged:
		return "Changed" + day + ": the document no longer says this."
	case QuoteRemoved:
		return "Document removed" + day + "."
	case QuoteMoved:
		return "Document moved" + day + " to " + SafeName(st.MovedTo) + "."
	}
	return ""
}

// StaleHeading is the line that opens a corrected answer with n stale
// quotes.
func StaleHeading(n int) string {
	if n == 1 {
		return "A source of this answer changed after it was sent."
	}
	return "Sources of this answer changed after it was sent."
}
