package bot

import (
	"context"
	"fmt"
	"iter"
	"sort"
	"strings"
	"sync"
	"time"

	"framebot/internal/text"
)

// PassageLister walks every passage of the corpus, for what must read all
// of it rather than the best matches of a search (the proposals command).
type PassageLister interface {
	// Passages yields every passage with its citation, document by
	// document. It yields an error, and stops, when the index can't be read
	// or ctx ends.
	Passages(ctx context.Context) iter.Seq2[Passage, error]
}

// Proposal is a plan, proposal, framework, coalition or guarantee the
// corpus talks about, named as the corpus names it.
type Proposal struct {
	// Name is the most frequent way the corpus writes it ("28-point
	// proposal", "Coalition of the Willing"); it works as a summary topic.
	Name string `json:"name"`
	// Documents is how many documents mention it; Mentions how many
	// sentences.
	Documents int `json:"documents"`
	Mentions  int `json:"mentions"`
}

// maxProposalsShown is the length of the proposals command's list.
const maxProposalsShown = 15

// FindProposals reads every passage of l and returns the proposals they
// mention with the default vocabulary, those in most documents first. It
// returns an error when the passages can't be read or ctx ends.
func FindProposals(ctx context.Context, l PassageLister) ([]Proposal, error) {
	return DefaultVocabulary().compile().findProposals(ctx, l)
}

// proposalTally is what the passages say of one proposal.
type proposalTally struct {
	forms    map[string]int // ways it is written, with their counts
	first    int            // order of first sight, for stable ties
	docs     map[string]bool
	mentions int
	named    bool // a proper name or an "N-point" plan
	atOnce   bool // headed by a word that counts from its first mention
}

func (v *vocab) findProposals(ctx context.Context, l PassageLister) ([]Proposal, error) {
	byKey := map[string]*proposalTally{}
	for p, err := range l.Passages(ctx) {
		if err != nil {
			return nil, fmt.Errorf("read passages: %w", err)
		}
		for _, r := range text.Sentences(p.Text) {
			for _, m := range v.proposalsIn(p.Text[r[0]:r[1]]) {
				v.tally(byKey, m, p.Doc)
			}
		}
	}
	return rankProposals(byKey), nil
}

// tally counts mention m, in document doc, under its key.
func (v *vocab) tally(byKey map[string]*proposalTally, m mention, doc string) {
	key := v.proposalKey(m.name)
	t := byKey[key]
	if t == nil {
		t = &proposalTally{forms: map[string]int{}, first: len(byKey), docs: map[string]bool{}}
		byKey[key] = t
	}
	t.forms[m.name]++
	t.docs[doc] = true
	t.mentions++
	t.named = t.named || m.named
	t.atOnce = t.atOnce || v.firstMention[key[strings.LastIndex(key, " ")+1:]]
}

// rankProposals keeps the tallies that are proposals, each under its most
// frequent form, those in most documents first, then those most mentioned,
// then those seen first.
func rankProposals(byKey map[string]*proposalTally) []Proposal {
	type ranked struct {
		Proposal
		first int
	}
	var out []ranked
	for _, t := range byKey {
		// A common-noun phrase said once is as likely a turn of phrase
		// as a proposal; names, "N-point" plans and phrases headed by a
		// first-mention head ("proposal") count at once.
		if !t.named && t.mentions < 2 && !t.atOnce {
			continue
		}
		name, n := "", 0
		for f, c := range t.forms {
			if c > n || c == n && f < name {
				name, n = f, c
			}
		}
		out = append(out, ranked{Proposal{Name: name, Documents: len(t.docs), Mentions: t.mentions}, t.first})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Documents != b.Documents {
			return a.Documents > b.Documents
		}
		if a.Mentions != b.Mentions {
			return a.Mentions > b.Mentions
		}
		return a.first < b.first
	})
	ps := make([]Proposal, len(out))
	for i, r := range out {
		ps[i] = r.Proposal
	}
	return ps
}

// nearestProposals returns up to n proposal names closest to topic: by
// shared words (roughly stemmed) and shared letter trigrams, which forgive
// typos; when none is close, the most discussed.
func nearestProposals(topic string, ps []Proposal, n int) []string {
	type scored struct {
		name  string
		score float64
		i     int
	}
	tw := stemSet(topic)
	tg := text.Trigrams(topic)
	var ss []scored
	for i, p := range ps {
		ss = append(ss, scored{p.Name, 0.6*jaccard(tw, stemSet(p.Name)) + 0.4*jaccard(tg, text.Trigrams(p.Name)), i})
	}
	sort.SliceStable(ss, func(i, j int) bool { return ss[i].score > ss[j].score })
	var out []string
	for _, s := range ss {
		if len(out) == n || s.score < minSimilarity {
			break
		}
		out = append(out, s.name)
	}
	if len(out) == 0 {
		// Nothing alike: offer the most discussed.
		for _, p := range ps[:min(n, len(ps))] {
			out = append(out, p.Name)
		}
	}
	return out
}

// minSimilarity is the least similarity of a suggestion to the topic.
const minSimilarity = 0.12

func stemSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range contentWords(s) {
		m[w] = true
	}
	return m
}

// ProposalFinder lists the proposals of one corpus with one vocabulary,
// and keeps the last list while the corpus is unchanged: reading every
// passage of a large corpus takes seconds, and the list only changes when
// the corpus does. The bot's proposals command and its summaries'
// suggestions share one. It is safe for concurrent use.
type ProposalFinder struct {
	lister PassageLister
	vocab  *vocab

	mu      sync.Mutex
	version time.Time
	list    []Proposal
}

// NewProposalFinder returns a ProposalFinder over the passages of l with
// vocabulary v (see Vocabulary for its defaults; check it with
// Vocabulary.Validate first).
func NewProposalFinder(l PassageLister, v Vocabulary) *ProposalFinder {
	return &ProposalFinder{lister: l, vocab: v.compile()}
}

// Proposals returns the proposals of the corpus, those in most documents
// first, reusing the last list while the corpus is unchanged. The corpus's
// state is known when the lister has a LastUpdate method (the index has);
// otherwise nothing is reused. A caller that needs the list while another
// builds it waits for that build rather than starting its own. It returns
// an error when the passages can't be read or ctx ends.
func (f *ProposalFinder) Proposals(ctx context.Context) ([]Proposal, error) {
	u, ok := f.lister.(interface{ LastUpdate() time.Time })
	if !ok {
		return f.vocab.findProposals(ctx, f.lister)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	v := u.LastUpdate()
	if f.list != nil && f.version.Equal(v) {
		return f.list, nil
	}
	ps, err := f.vocab.findProposals(ctx, f.lister)
	if err != nil {
		return nil, err
	}
	if ps == nil {
		ps = []Proposal{}
	}
	f.version, f.list = v, ps
	return ps, nil
}

// WarmProposals finds the corpus's proposals now and keeps them for the
// proposals command and for summaries, which otherwise find them on first
// use: a read of every passage, seconds on a large corpus. A caller that
// needs them meanwhile waits for this build rather than starting its own.
// It does nothing when the bot can't list its passages.
func (b *Bot) WarmProposals(ctx context.Context) error {
	if b.Proposals == nil {
		return nil
	}
	_, err := b.Proposals.Proposals(ctx)
	return err
}

// passageLister returns what lists the passages of a bot built from a and
// c: the catalog or the searcher, whichever can; nil when neither can.
func passageLister(a *Answerer, c Catalog) PassageLister {
	if l, ok := c.(PassageLister); ok {
		return l
	}
	if a != nil {
		if l, ok := a.search.(PassageLister); ok {
			return l
		}
	}
	return nil
}

// runProposals lists the corpus's proposals as text: every adapter renders
// text already, and each line names a summary topic to try.
func runProposals(ctx context.Context, b *Bot, req Request, _ string) (Reply, error) {
	if b.Proposals == nil {
		return Reply{}, ErrComingSoon
	}
	ps, err := b.Proposals.Proposals(ctx)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: proposalsText(ps, req.Prefix)}, nil
}

// proposalsText renders the list with the summary command to run on each.
func proposalsText(ps []Proposal, prefix string) string {
	if len(ps) == 0 {
		return "The documents name no plans or proposals."
	}
	var s strings.Builder
	fmt.Fprintf(&s, "Plans and proposals in the documents (%d):", len(ps))
	for i, p := range ps {
		if i == maxProposalsShown {
			fmt.Fprintf(&s, "\n…and %d more.", len(ps)-maxProposalsShown)
			break
		}
		fmt.Fprintf(&s, "\n• %s — %s", p.Name, text.Count(p.Documents, "document"))
		if p.Mentions > p.Documents {
			fmt.Fprintf(&s, ", %s", text.Count(p.Mentions, "mention"))
		}
	}
	fmt.Fprintf(&s, "\nFor a brief on one: %s", strings.TrimSpace(prefix+" summary <name>"))
	return s.String()
}
