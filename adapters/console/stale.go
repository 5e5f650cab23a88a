package console

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"framebot/bot"
)

// StaleEvent is printed when a document quoted by an answer of the session
// changes so that the quote no longer stands, one JSON line in JSON format:
// {"event":"stale","doc":"plan.md","question":"…","was":"old quote","now":"new quote"}.
// Now is null when the document has no close passage (or was removed);
// Kind says "changed", "removed" or "moved".
type StaleEvent struct {
	Event    string  `json:"event"` // "stale"
	Doc      string  `json:"doc"`
	Question string  `json:"question"`
	Was      string  `json:"was"`
	Now      *string `json:"now"`
	Kind     string  `json:"kind"`
	MovedTo  string  `json:"moved_to,omitempty"`
}

// sessionAnswers remembers the answers of one chat session for the stale
// check: a bot.StaleStore in memory that prints a StaleEvent for each quote
// marked stale instead of queueing an edit.
type sessionAnswers struct {
	chat *Chat

	mu      sync.Mutex
	answers []sessionAnswer
}

type sessionAnswer struct {
	question string
	at       time.Time
	passages []bot.Passage
	states   []bot.QuoteState
}

var _ bot.StaleStore = (*sessionAnswers)(nil)

// StaleStore returns the store of the session's answers, for a bot.Tracker
// that checks them against the corpus changes: each quote it marks stale
// is printed as a StaleEvent.
func (c *Chat) StaleStore() bot.StaleStore {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.session == nil {
		c.session = &sessionAnswers{chat: c}
	}
	return c.session
}

// remember keeps an answer of the session, when a stale check is attached.
func (c *Chat) remember(rep bot.Reply) {
	c.mu.Lock()
	s := c.session
	c.mu.Unlock()
	if s == nil || rep.Answer == nil || len(rep.Answer.Passages) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers = append(s.answers, sessionAnswer{question: rep.Answer.Question, at: time.Now(),
		passages: slices.Clone(rep.Answer.Passages), states: make([]bot.QuoteState, len(rep.Answer.Passages))})
}

func (s *sessionAnswers) RecentQuotes(_ context.Context, doc string, since time.Time) ([]bot.QuoteRef, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []bot.QuoteRef
	for i, a := range s.answers {
		if a.at.Before(since) {
			continue
		}
		for j, p := range a.passages {
			if p.Doc == doc {
				out = append(out, bot.QuoteRef{AnswerID: int64(i + 1), Index: j, Doc: doc, Text: p.Text, State: a.states[j]})
			}
		}
	}
	return out, nil
}

func (s *sessionAnswers) QuotedDocs(_ context.Context, since time.Time) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, a := range s.answers {
		if a.at.Before(since) {
			continue
		}
		for _, p := range a.passages {
			if !slices.Contains(out, p.Doc) {
				out = append(out, p.Doc)
			}
		}
	}
	return out, nil
}

// MarkQuotes records the marks and prints a StaleEvent for each quote
// marked stale. It returns an error when Out can't be written.
func (s *sessionAnswers) MarkQuotes(_ context.Context, marks []bot.QuoteMark) ([]int64, error) {
	var (
		ids    []int64
		events []StaleEvent
	)
	s.mu.Lock()
	for _, m := range marks {
		i := int(m.AnswerID) - 1
		if i < 0 || i >= len(s.answers) || m.Index < 0 || m.Index >= len(s.answers[i].passages) {
			continue
		}
		a := &s.answers[i]
		a.states[m.Index] = m.State
		if !slices.Contains(ids, m.AnswerID) {
			ids = append(ids, m.AnswerID)
		}
		if !m.State.Stale() {
			continue
		}
		p := a.passages[m.Index]
		e := StaleEvent{Event: "stale", Doc: p.Doc, Question: a.question, Was: p.Text, Kind: m.State.Kind, MovedTo: m.State.MovedTo}
		if m.State.Now != "" {
			now := m.State.Now
			e.Now = &now
		}
		events = append(events, e)
	}
	s.mu.Unlock()
	for _, e := range events {
		if err := s.chat.PrintStale(e); err != nil {
			return ids, err
		}
	}
	return ids, nil
}

// PrintStale writes a stale-answer line: a JSON object in JSON format, a
// sentence otherwise. It returns an error when Out can't be written.
func (c *Chat) PrintStale(e StaleEvent) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var err error
	if c.format == JSON {
		var b []byte
		if b, err = json.Marshal(e); err != nil {
			return fmt.Errorf("encode event: %w", err)
		}
		_, err = c.out.Write(append(b, '\n'))
	} else {
		line := fmt.Sprintf("[stale] An earlier answer to %q quoted %s, which ", e.Question, bot.SafeName(e.Doc))
		switch e.Kind {
		case bot.QuoteRemoved:
			line += "was removed."
		case bot.QuoteMoved:
			line += "moved to " + bot.SafeName(e.MovedTo) + "."
		default:
			line += "no longer says it."
		}
		line += fmt.Sprintf("\n  was: “%s”", e.Was)
		if e.Now != nil {
			line += fmt.Sprintf("\n  now: “%s”", *e.Now)
		}
		_, err = fmt.Fprintln(c.out, line)
	}
	if err != nil {
		return fmt.Errorf("write event: %w", err)
	}
	return nil
}
