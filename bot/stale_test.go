package bot

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCheckQuote(t *testing.T) {
	const quote = "The ceasefire starts on 3 March and lasts 30 days, under observers from five countries."
	tests := []struct {
		name string
		doc  DocVersion
		want QuoteState
	}{
		{"a quote still there word for word stands", DocVersion{Passages: []string{"Intro.", quote, "Outro."}}, QuoteState{}},
		{"a paragraph added elsewhere changes nothing", DocVersion{Passages: []string{"A new opening paragraph.", "Intro.", quote}}, QuoteState{}},
		{"white space changes are folded", DocVersion{Passages: []string{"The ceasefire starts on 3 March\n and  lasts 30 days,\tunder observers from five countries."}}, QuoteState{}},
		{"a quote split over two passages of the new version stands", DocVersion{Passages: []string{"The ceasefire starts on 3 March and lasts 30 days,", "under observers from five countries."}}, QuoteState{}},
		{"a changed figure is stale, with the close passage as now",
			DocVersion{Passages: []string{"Intro.", "The ceasefire starts on 3 March and lasts 45 days, under observers from five countries.", "Outro."}},
			QuoteState{Kind: QuoteChanged, Now: "The ceasefire starts on 3 March and lasts 45 days, under observers from five countries."}},
		{"a rewritten document is stale with no close passage", DocVersion{Passages: []string{"Something else entirely.", "Nothing about the truce."}}, QuoteState{Kind: QuoteChanged}},
		{"an emptied document is stale", DocVersion{}, QuoteState{Kind: QuoteChanged}},
		{"a removed document is stale", DocVersion{Removed: true}, QuoteState{Kind: QuoteRemoved}},
		{"a renamed document is moved", DocVersion{Removed: true, MovedTo: "new/plan.md"}, QuoteState{Kind: QuoteMoved, MovedTo: "new/plan.md"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckQuote(quote, tt.doc, DefaultCloseMatch)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("CheckQuote (-want +got):\n%s", diff)
			}
		})
	}
}

// memStale is a StaleStore in memory.
type memStale struct {
	mu     sync.Mutex // a tracker's sweeps read it from a goroutine
	looks  int        // QuotedDocs calls
	quotes []QuoteRef
	at     map[int64]time.Time
	marked [][]QuoteMark
}

// remember adds the quotes of an answer sent at at.
func (m *memStale) remember(at time.Time, qs ...QuoteRef) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, q := range qs {
		m.at[q.AnswerID] = at
	}
	m.quotes = append(m.quotes, qs...)
}

// state returns the state of quote index of answer id.
func (m *memStale) state(id int64, index int) QuoteState {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, q := range m.quotes {
		if q.AnswerID == id && q.Index == index {
			return q.State
		}
	}
	return QuoteState{}
}

func (m *memStale) RecentQuotes(_ context.Context, doc string, since time.Time) ([]QuoteRef, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []QuoteRef
	for _, q := range m.quotes {
		if q.Doc == doc && !m.at[q.AnswerID].Before(since) {
			out = append(out, q)
		}
	}
	return out, nil
}

// lookCount returns how many times QuotedDocs has been called (a
// tracker's sweeps call it).
func (m *memStale) lookCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.looks
}

func (m *memStale) QuotedDocs(_ context.Context, since time.Time) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.looks++
	seen := map[string]bool{}
	var out []string
	for _, q := range m.quotes {
		if !seen[q.Doc] && !m.at[q.AnswerID].Before(since) {
			seen[q.Doc] = true
			out = append(out, q.Doc)
		}
	}
	return out, nil
}

func (m *memStale) MarkQuotes(_ context.Context, marks []QuoteMark) ([]int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.marked = append(m.marked, marks)
	seen := map[int64]bool{}
	var ids []int64
	for _, mk := range marks {
		for i := range m.quotes {
			if m.quotes[i].AnswerID == mk.AnswerID && m.quotes[i].Index == mk.Index {
				m.quotes[i].State = mk.State
			}
		}
		if !seen[mk.AnswerID] {
			seen[mk.AnswerID] = true
			ids = append(ids, mk.AnswerID)
		}
	}
	return ids, nil
}

// docsFunc is a DocReader from a function.
type docsFunc func(doc string) ([]Passage, bool)

func (f docsFunc) DocPassages(_ context.Context, doc string) ([]Passage, bool, error) {
	ps, ok := f(doc)
	return ps, ok, nil
}

func TestTrackerMarksEachChangeOnceAndRecognisesRenames(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	st := &memStale{
		quotes: []QuoteRef{
			{AnswerID: 1, Index: 0, Doc: "a.md", Text: "Alpha says one."},
			{AnswerID: 1, Index: 1, Doc: "a.md", Text: "Alpha says two apples."},
			{AnswerID: 2, Index: 0, Doc: "a.md", Text: "Alpha says one."}, // older than the window
			{AnswerID: 3, Index: 0, Doc: "b.md", Text: "Beta text."},
		},
		at: map[int64]time.Time{1: now.Add(-time.Hour), 2: now.Add(-31 * 24 * time.Hour), 3: now.Add(-time.Hour)},
	}
	docs := map[string][]string{"a.md": {"Alpha says one.", "Alpha says three apples."}, "c.md": {"Beta text."}}
	tr := &Tracker{Store: st, Now: func() time.Time { return now }, Docs: docsFunc(func(doc string) ([]Passage, bool) {
		ps, ok := docs[doc]
		var out []Passage
		for _, p := range ps {
			out = append(out, Passage{Text: p, Doc: doc})
		}
		return out, ok
	})}
	ctx := t.Context()
	n, err := tr.Changes(ctx, []DocChange{{Kind: "updated", Doc: "a.md"}, {Kind: "removed", Doc: "b.md"}, {Kind: "added", Doc: "c.md"}})
	if err != nil || n != 2 {
		t.Fatalf("Changes = %d, %v; want 2 answers marked", n, err)
	}
	want := [][]QuoteMark{
		{{AnswerID: 1, Index: 1, State: QuoteState{Kind: QuoteChanged, Now: "Alpha says three apples.", Since: now}}},
		{{AnswerID: 3, Index: 0, State: QuoteState{Kind: QuoteMoved, MovedTo: "c.md", Since: now}}},
	}
	if diff := cmp.Diff(want, st.marked); diff != "" {
		t.Errorf("marks (-want +got):\n%s", diff)
	}
	// The same state again (a rescan, a restart) marks nothing.
	st.marked = nil
	if n, err := tr.Reconcile(ctx); err != nil || n != 0 || st.marked != nil {
		t.Errorf("Reconcile after marking = %d, %v, marks %v; want nothing", n, err, st.marked)
	}
	// The document restored: the quote stands again.
	docs["a.md"] = []string{"Alpha says one.", "Alpha says two apples."}
	if n, err := tr.Changes(ctx, []DocChange{{Kind: "updated", Doc: "a.md"}}); err != nil || n != 1 {
		t.Errorf("Changes after restoring = %d, %v; want 1", n, err)
	}
	if got := st.quotes[1].State; got.Stale() {
		t.Errorf("restored quote state = %+v, want fresh", got)
	}
}

// An answer found in a document's old version but remembered only after
// the change was checked (adapters remember an answer once it is posted)
// is marked when the tracker checks the document again; a check that
// finds nothing new marks nothing, and none runs once ctx has ended.
func TestTrackerChecksAnswersRememberedLate(t *testing.T) {
	var clock atomic.Int64 // Unix milliseconds: the sweeps read it
	clock.Store(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC).UnixMilli())
	now := func() time.Time { return time.UnixMilli(clock.Load()).UTC() }
	st := &memStale{at: map[int64]time.Time{}}
	docs := docsFunc(func(doc string) ([]Passage, bool) {
		switch doc {
		case "a.md":
			return []Passage{{Text: "The truce lasts sixty days.", Doc: doc}}, true
		case "new/b.md":
			return []Passage{{Text: "Monitors report weekly.", Doc: doc}}, true
		}
		return nil, false
	})
	tr := &Tracker{Store: st, Docs: docs, Now: now, Recheck: 5 * time.Millisecond}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// a.md changes and b.md is renamed new/b.md while an answer quoting
	// both is being sent: nothing quotes them yet.
	changes := []DocChange{{Kind: Updated, Doc: "a.md"}, {Kind: Removed, Doc: "b.md"}, {Kind: Added, Doc: "new/b.md"}}
	if n, err := tr.Changes(ctx, changes); err != nil || n != 0 {
		t.Fatalf("Changes = %d, %v; want nothing marked yet", n, err)
	}
	// Its post is retried for ten minutes (here twenty Rechecks) before it
	// is remembered, stamped when it was finally sent.
	time.Sleep(20 * tr.Recheck)
	clock.Add((10 * time.Minute).Milliseconds())
	st.remember(now(),
		QuoteRef{AnswerID: 7, Index: 0, Doc: "a.md", Text: "The truce lasts thirty days."},
		QuoteRef{AnswerID: 7, Index: 1, Doc: "b.md", Text: "Monitors report weekly."})
	deadline := time.Now().Add(10 * time.Second)
	for st.state(7, 0).Kind != QuoteChanged || st.state(7, 1).Kind != QuoteMoved {
		if time.Now().After(deadline) {
			t.Fatalf("the answer remembered late is marked %+v and %+v; want changed and moved", st.state(7, 0), st.state(7, 1))
		}
		time.Sleep(time.Millisecond)
	}
	if got := st.state(7, 1).MovedTo; got != "new/b.md" {
		t.Errorf("quote of the renamed document moved to %q; want new/b.md", got)
	}
	// Once ctx has ended, no sweep runs.
	cancel()
	looks := st.lookCount()
	st.remember(now(), QuoteRef{AnswerID: 8, Index: 0, Doc: "a.md", Text: "The truce lasts ten days."})
	time.Sleep(50 * time.Millisecond)
	if got := st.state(8, 0); got.Stale() {
		t.Errorf("answer 8 marked %+v by a sweep after ctx ended", got)
	}
	if got := st.lookCount(); got > looks+1 {
		t.Errorf("%d sweeps after ctx ended; want at most the one under way", got-looks)
	}
}

// fakeEditor records edits and fails those listed.
type fakeEditor struct {
	now   func() time.Time
	fail  map[int64]error
	sent  []int64
	times []time.Time
}

func (f *fakeEditor) Platform() string { return "test" }
func (f *fakeEditor) EditStale(_ context.Context, a StaleAnswer) error {
	if err := f.fail[a.ID]; err != nil {
		return err
	}
	f.sent = append(f.sent, a.ID)
	f.times = append(f.times, f.now())
	return nil
}

// memQueue is an EditQueue in memory.
type memQueue struct {
	edits map[int64]*memEdit
}

type memEdit struct {
	attempts int
	next     time.Time
}

func (q *memQueue) DueEdits(_ context.Context, _ string, now time.Time, limit int) ([]StaleEdit, error) {
	var out []StaleEdit
	for id := int64(1); id <= int64(len(q.edits))+10 && len(out) < limit; id++ {
		if e, ok := q.edits[id]; ok && !e.next.After(now) {
			out = append(out, StaleEdit{Answer: StaleAnswer{ID: id}, Attempts: e.attempts})
		}
	}
	return out, nil
}
func (q *memQueue) EditDone(_ context.Context, id int64) error { delete(q.edits, id); return nil }
func (q *memQueue) EditRetry(_ context.Context, id int64, attempts int, next time.Time) error {
	q.edits[id] = &memEdit{attempts: attempts, next: next}
	return nil
}

func TestEditSenderPacesRetriesAndGivesUp(t *testing.T) {
	clock := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	q := &memQueue{edits: map[int64]*memEdit{}}
	for id := int64(1); id <= 5; id++ {
		q.edits[id] = &memEdit{next: clock}
	}
	ed := &fakeEditor{now: now, fail: map[int64]error{4: errors.New("timeout"), 5: ErrNotEditable}}
	s := &EditSender{Queue: q, Editor: ed, PerMinute: 60, Burst: 1, Now: now,
		Wait: func(_ context.Context, d time.Duration) error { clock = clock.Add(d); return nil }}
	sent, failed, err := s.Drain(t.Context())
	if err != nil || sent != 3 || failed != 2 {
		t.Fatalf("Drain = %d sent, %d failed, %v; want 3, 2, nil", sent, failed, err)
	}
	for i := 1; i < len(ed.times); i++ {
		if gap := ed.times[i].Sub(ed.times[i-1]); gap < time.Second {
			t.Errorf("edits %d and %d %s apart, want at least 1s at 60/min", i-1, i, gap)
		}
	}
	if e := q.edits[4]; len(q.edits) != 1 || e == nil || e.attempts != 1 || !e.next.After(clock) || e.next.After(clock.Add(30*time.Second)) {
		t.Errorf("queue after drain = %v; want only answer 4, one attempt, retried within 30s", q.edits)
	}
	// Failing up to the limit drops the edit.
	s.MaxAttempts = 2
	clock = clock.Add(time.Minute)
	if _, failed, err := s.Drain(t.Context()); err != nil || failed != 1 || len(q.edits) != 0 {
		t.Errorf("second drain: failed %d, %v, queue %v; want the edit dropped", failed, err, q.edits)
	}
}

func TestEditBackoffDoublesUpToAnHour(t *testing.T) {
	got := []time.Duration{EditBackoff(1), EditBackoff(2), EditBackoff(3), EditBackoff(20)}
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, time.Hour}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("EditBackoff (-want +got):\n%s", diff)
	}
}

func FuzzCheckQuote(f *testing.F) {
	f.Add("The ceasefire lasts thirty days.", "Intro.\nThe ceasefire  lasts\tthirty days.", "Outro.")
	f.Add("a b c", "a b d", "")
	f.Add("", "x", "y")
	f.Fuzz(func(t *testing.T, quote, p1, p2 string) {
		doc := DocVersion{Passages: []string{p1, p2}}
		st := CheckQuote(quote, doc, DefaultCloseMatch)
		if st.Kind != QuoteFresh && st.Kind != QuoteChanged {
			t.Fatalf("kind %q for a document that is there", st.Kind)
		}
		if st.Now != "" && st.Now != p1 && st.Now != p2 {
			t.Fatalf("now %q is not a passage of the document", st.Now)
		}
		// The quote itself as a passage always stands.
		if got := CheckQuote(quote, DocVersion{Passages: []string{p1, quote}}, DefaultCloseMatch); got.Stale() {
			t.Fatalf("a quote present word for word is stale: %+v", got)
		}
	})
}

// The moves a tracker keeps for its sweeps: the latest batch that removed
// a document decides, one that adds nothing forgets it, and the oldest
// entries go first once there are too many.
func TestTrackerRemembersMoves(t *testing.T) {
	tr := &Tracker{Recheck: time.Minute}
	tr.rememberMoves([]DocChange{{Kind: Removed, Doc: "a.md"}, {Kind: Added, Doc: "x.md"}})
	if got := tr.movedTo("a.md"); !cmp.Equal(got, []string{"x.md"}) {
		t.Fatalf("movedTo(a.md) = %v; want [x.md]", got)
	}
	tr.rememberMoves([]DocChange{{Kind: Removed, Doc: "a.md"}})
	if got := tr.movedTo("a.md"); got != nil {
		t.Fatalf("movedTo(a.md) after a removal adding nothing = %v; want none", got)
	}
	tr.rememberMoves([]DocChange{{Kind: Removed, Doc: "b.md"}, {Kind: Added, Doc: "y.md"}})
	for i := range maxMoves - 1 {
		tr.rememberMoves([]DocChange{{Kind: Removed, Doc: fmt.Sprintf("old%d.md", i)}, {Kind: Added, Doc: "z.md"}})
	}
	// b.md moved again: its first entry is the oldest, but must not take
	// the new one with it when it goes.
	tr.rememberMoves([]DocChange{{Kind: Removed, Doc: "b.md"}, {Kind: Added, Doc: "w.md"}})
	if got := tr.movedTo("b.md"); !cmp.Equal(got, []string{"w.md"}) {
		t.Errorf("movedTo(b.md) = %v; want [w.md]", got)
	}
	if got := tr.movedTo("old0.md"); !cmp.Equal(got, []string{"z.md"}) {
		t.Errorf("movedTo(old0.md) = %v; want [z.md]", got)
	}
	tr.rememberMoves([]DocChange{{Kind: Removed, Doc: "c.md"}, {Kind: Added, Doc: "v.md"}})
	if got := tr.movedTo("old0.md"); got != nil {
		t.Errorf("movedTo(old0.md) = %v; want it forgotten, the oldest of %d", got, maxMoves+1)
	}
	if len(tr.moves) > maxMoves || len(tr.movesAt) > maxMoves {
		t.Errorf("%d moves kept, %d keys; want at most %d", len(tr.moves), len(tr.movesAt), maxMoves)
	}
}
