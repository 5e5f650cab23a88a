package bot

import (
	"context"
	"strings"
)

// askInThread answers a message of a thread. A message with its own subject
// that resolves alone is answered as if alone. One that points back ("when
// did it end?") or is too weak alone borrows, at reduced weight, the
// subject of the thread's latest turns and the documents they quoted; the
// answer then names the borrowed subject in Context.
func (b *Bot) askInThread(ctx context.Context, req Request) (*Answer, error) {
	t := b.Threads
	key := ThreadKey{Platform: req.Platform, Channel: req.Channel, Thread: req.Thread}
	turns := t.Turns(key)
	ans, err := b.Answerer.Ask(ctx, req.Text)
	if err != nil {
		return nil, err
	}
	var used *Turn
	if len(turns) > 0 {
		q := CleanText(req.Text, MaxQuestionRunes)
		if from, src, ok := t.borrowFor(q, ans, turns); ok {
			alt, err := b.Answerer.AskWith(ctx, q, from)
			if err != nil {
				return nil, err
			}
			if t.accept(q, ans, alt) {
				alt.Context = from.Label
				ans, used = alt, src
			}
		}
	}
	t.Add(key, t.turnOf(ans, used))
	return ans, nil
}

// borrowFor decides whether q, answered alone as alone, needs its thread,
// and returns what it borrows and the turn it borrows from.
func (t *Threads) borrowFor(q string, alone *Answer, turns []Turn) (Borrowed, *Turn, bool) {
	an := t.opts.Anaphora
	lean := an.LeansOnThread(q)
	if alone.Answered && (!lean || len(an.Names(q)) > 0) {
		return Borrowed{}, nil, false // its own subject, resolved alone
	}
	// The latest turn with a named subject, else the latest turn.
	src := &turns[len(turns)-1]
	for i := len(turns) - 1; i >= 0; i-- {
		if turns[i].Label != "" {
			src = &turns[i]
			break
		}
	}
	o := t.opts.Followup
	from := Borrowed{Docs: map[string]bool{}, DocBoost: o.DocBoost, Label: src.Label}
	n := 0
	for i, s := range src.Subject {
		k := len(strings.Fields(s))
		if i >= min(src.Strong, 2) && n+k > o.MaxTerms {
			break // the first two names (the label) are borrowed whole
		}
		w := o.Weight
		if i >= src.Strong {
			w *= 0.5
		}
		from.Terms = append(from.Terms, WeightedText{Text: s, Weight: w})
		n += k
	}
	for _, d := range src.Docs {
		from.Docs[d] = true
	}
	if from.Label == "" && len(src.Subject) > 0 {
		from.Label = strings.Join(src.Subject[:min(3, len(src.Subject))], " ")
	}
	return from, src, len(from.Terms) > 0 || len(from.Docs) > 0
}

// accept decides between the answer alone and the one in context. A
// question that points back takes the thread's answer unless that one
// abstains where the alone answer did not. A question that was merely too
// weak alone takes it only when the quoted passage still holds most of its
// own words, so that a new topic is not answered from the old one.
func (t *Threads) accept(q string, alone, alt *Answer) bool {
	if !alt.Answered || len(alt.Passages) == 0 {
		return false
	}
	if t.opts.Anaphora.LeansOnThread(q) {
		return true
	}
	if alone.Answered {
		return false
	}
	return ownShare(q, alt.Passages[0].Text) >= 0.5
}

// ownShare is the share of q's content words that text contains.
func ownShare(q, text string) float64 {
	own := contentWords(q)
	if len(own) == 0 {
		return 0
	}
	have := map[string]bool{}
	for _, w := range contentWords(text) {
		have[w] = true
	}
	n := 0
	for _, w := range own {
		if have[w] {
			n++
		}
	}
	return float64(n) / float64(len(own))
}

// turnOf is the turn the thread remembers for ans. A follow-up without a
// named subject of its own keeps the subject it borrowed, so that a chain
// of follow-ups stays on it.
func (t *Threads) turnOf(ans *Answer, borrowed *Turn) Turn {
	var titles []string
	turn := Turn{Question: ans.Question}
	seen := map[string]bool{}
	for _, p := range ans.Passages {
		if !seen[p.Doc] {
			seen[p.Doc] = true
			turn.Docs = append(turn.Docs, p.Doc)
			titles = append(titles, p.Title)
		}
	}
	an := t.opts.Anaphora
	turn.Subject, turn.Strong, turn.Label = an.Subject(ans.Question, titles)
	if borrowed != nil && turn.Label == "" {
		turn.Subject = append(append([]string(nil), borrowed.Subject...), turn.Subject...)
		turn.Strong, turn.Label = borrowed.Strong, borrowed.Label
		turn.Docs = append(turn.Docs, borrowed.Docs...)
	}
	return turn
}
