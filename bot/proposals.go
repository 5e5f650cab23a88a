package bot

import (
	"context"
	"fmt"
	"iter"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

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
// mention, those in most documents first. It returns an error when the
// passages can't be read or ctx ends.
func FindProposals(ctx context.Context, l PassageLister) ([]Proposal, error) {
	type tally struct {
		forms    map[string]int
		first    int // order of first sight, for stable ties
		docs     map[string]bool
		mentions int
		named    bool
		proposal bool
	}
	byKey := map[string]*tally{}
	for p, err := range l.Passages(ctx) {
		if err != nil {
			return nil, fmt.Errorf("read passages: %w", err)
		}
		for _, r := range text.Sentences(p.Text) {
			for _, m := range proposalsIn(p.Text[r[0]:r[1]]) {
				key := proposalKey(m.name)
				t := byKey[key]
				if t == nil {
					t = &tally{forms: map[string]int{}, first: len(byKey), docs: map[string]bool{}}
					byKey[key] = t
				}
				t.forms[m.name]++
				t.docs[p.Doc] = true
				t.mentions++
				t.named = t.named || m.named
				t.proposal = t.proposal || strings.HasSuffix(key, "proposal")
			}
		}
	}
	type ranked struct {
		Proposal
		first int
	}
	var out []ranked
	for _, t := range byKey {
		// A common-noun phrase said once is as likely a turn of phrase
		// as a proposal; names, "N-point" plans and anything called a
		// proposal count at once.
		if !t.named && t.mentions < 2 && !t.proposal {
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
	return ps, nil
}

// mention is one proposal named in a sentence.
type mention struct {
	name  string
	named bool // a proper name or an "N-point" plan, not a common-noun phrase
}

// Heads of proposal phrases, in lower case. Plural forms are matched too.
var proposalHeads = map[string]bool{
	"plan": true, "proposal": true, "framework": true, "agreement": true, "accord": true,
	"deal": true, "treaty": true, "pact": true, "coalition": true, "alliance": true,
	"guarantee": true, "assurance": true, "initiative": true, "roadmap": true,
	"settlement": true, "arrangement": true, "memorandum": true, "doctrine": true,
	"charter": true, "compact": true, "declaration": true, "protocol": true, "format": true,
}

// genericModifiers describe a proposal's state or quality rather than
// which one it is ("the revised plan", "a credible guarantee"); they are
// dropped from the front of a proposal's name.
var genericModifiers = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`initial revised tentative current new final future possible proposed controversial
		emerging sustainable comprehensive refined eventual credible reliable durable vague potential strong clear
		practical real typical traditional alternative entire overall formal informal broad broader wider whole
		original latest first second third previous existing updated draft detailed full flexible genuine long
		short good bad better best big small large major minor key main broad specific general actual similar
		different whatever certain concrete robust solid weak firm fair just lasting permanent temporary
		this that these those such their its his her our your my any every each some no another other`) {
		genericModifiers[w] = true
	}
}

// pointPlan matches "28-point plan", "20-point peace plan": the number,
// and the one or two words after "point", one of which should be a
// proposal word.
var pointPlan = regexp.MustCompile(`\b(\d{1,3})[-‑–]point\s+([a-z]+)(?:\s+([a-z]+))?`)

// proposalsIn finds the proposals a sentence names:
//
//   - "N-point plan" and the like: a number of points and a proposal word;
//   - proper names that contain a proposal word: "Coalition of the
//     Willing", "Minsk Agreement", and "Article N";
//   - common-noun phrases of one or two modifiers and a proposal word:
//     "security guarantees", "land swap proposal", "peace deal".
//
// Title-cased lines (headings) are skipped: every word there looks like a
// name.
func proposalsIn(s string) []mention {
	words := strings.Fields(s)
	if len(words) == 0 {
		return nil
	}
	capital := 0
	for _, w := range words {
		if unicode.IsUpper(text.FirstRune(strings.TrimLeft(w, `"'“‘(`))) {
			capital++
		}
	}
	if len(words) >= 3 && capital*10 > len(words)*6 {
		return nil
	}
	var out []mention
	claimed := map[int]bool{} // token index of heads already named
	for _, m := range pointPlan.FindAllStringSubmatch(s, -1) {
		switch {
		case proposalHeads[text.Singular(m[2])]:
			out = append(out, mention{name: m[1] + "-point " + m[2], named: true})
		case m[3] != "" && proposalHeads[text.Singular(m[3])]:
			out = append(out, mention{name: m[1] + "-point " + m[2] + " " + m[3], named: true})
		}
	}
	toks := tokenize(s)
	// Proper names: runs of capitalised words joined by "of", "the", "for",
	// "and", containing a proposal word.
	for i := 0; i < len(toks); {
		if !isWordToken(toks[i]) || !text.IsCapitalised(toks[i].text) {
			i++
			continue
		}
		last, hasHead, capitals := nameRun(toks, i, claimed)
		from := i
		for from < last && isConnector(toks[from]) {
			from++
		}
		if hasHead && capitals-countConnectors(toks[i:from]) >= 2 {
			out = append(out, mention{name: joinTokens(toks[from : last+1]), named: true})
		}
		i = last + 1
	}
	for i := 0; i+1 < len(toks); i++ {
		if isWord(toks[i], "Article") && toks[i+1].num {
			out = append(out, mention{name: "Article " + toks[i+1].text, named: true})
		}
	}
	// Common-noun phrases.
	for i, t := range toks {
		if !isWordToken(t) || claimed[i] || text.IsCapitalised(t.text) || !proposalHeads[text.Singular(t.text)] {
			continue
		}
		start := i
		for k := i - 1; k >= 0 && i-k <= 2; k-- {
			w := toks[k].text
			if isSentenceStart(toks, k) {
				w = lowerInitial(w) // "Security guarantees are…"
			}
			if !isWordToken(toks[k]) || text.IsCapitalised(w) || stopWords[w] || genericModifiers[w] ||
				strings.HasSuffix(w, "ly") || strings.HasSuffix(w, "ed") || strings.HasSuffix(w, "ing") || strings.ContainsAny(w, "'’") ||
				proposalHeads[text.Singular(w)] {
				break
			}
			start = k
		}
		if start == i {
			continue
		}
		if start >= 2 && isDash(toks[start-1]) && toks[start-2].num {
			// "30-plus nation coalition"; "28-point plan" was found above.
			if !isWord(toks[start], "point") {
				out = append(out, mention{name: toks[start-2].text + "-" + joinTokens(toks[start:i+1]), named: true})
			}
			continue
		}
		name := joinTokens(toks[start : i+1])
		if isSentenceStart(toks, start) {
			name = lowerInitial(name)
		}
		out = append(out, mention{name: name})
	}
	return out
}

// nameRun reads the run of capitalised words and connectors that starts at
// token i. It returns the index of the run's last capitalised word, whether
// the run holds a proposal word (marked in claimed) and how many
// capitalised words it has.
func nameRun(toks []token, i int, claimed map[int]bool) (last int, hasHead bool, capitals int) {
	last = i
	for j := i; j < len(toks); j++ {
		t := toks[j]
		switch {
		case isWordToken(t) && text.IsCapitalised(t.text):
			capitals++
			last = j
			if proposalHeads[text.Singular(strings.ToLower(t.text))] {
				hasHead = true
				claimed[j] = true
			}
		case isConnector(t):
		default:
			return last, hasHead, capitals
		}
	}
	return last, hasHead, capitals
}

// lowerInitial lower-cases the first letter of s when the rest of its first
// word is lower case: a capital that only marks a sentence's start.
func lowerInitial(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	w, _, _ := strings.Cut(s[size:], " ")
	if !unicode.IsUpper(r) || strings.ToLower(w) != w {
		return s
	}
	return string(unicode.ToLower(r)) + s[size:]
}

// isConnector reports the small words inside names ("Coalition of the
// Willing").
func isConnector(t token) bool {
	return isWord(t, "of") || isWord(t, "the") || isWord(t, "for") || isWord(t, "and")
}

func countConnectors(ts []token) int {
	n := 0
	for _, t := range ts {
		if isConnector(t) && text.IsCapitalised(t.text) {
			n++
		}
	}
	return n
}

func joinTokens(ts []token) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = t.text
	}
	return strings.Join(parts, " ")
}

// proposalKey merges the ways one proposal is written: case, plurals and,
// for "N-point" plans, the noun after them ("28-point plan", "28-point
// proposal").
func proposalKey(name string) string {
	if m := pointPlan.FindStringSubmatch(name); m != nil {
		return m[1] + "-point"
	}
	f := strings.Fields(strings.ToLower(name))
	for i, w := range f {
		f[i] = text.Singular(w)
	}
	return strings.Join(f, " ")
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

// proposalMemo remembers the last proposals found, for one lister and one
// state of the corpus: reading every passage of a large corpus takes
// seconds, and the list only changes when the corpus does.
var proposalMemo struct {
	mu      sync.Mutex
	lister  PassageLister
	version time.Time
	list    []Proposal
}

// cachedProposals returns FindProposals(ctx, l), reusing the last result
// while the corpus is unchanged. The corpus's state is known when l has a
// LastUpdate method (the index has); otherwise nothing is reused.
func cachedProposals(ctx context.Context, l PassageLister) ([]Proposal, error) {
	u, ok := l.(interface{ LastUpdate() time.Time })
	if !ok {
		return FindProposals(ctx, l)
	}
	proposalMemo.mu.Lock()
	defer proposalMemo.mu.Unlock()
	v := u.LastUpdate()
	if proposalMemo.list != nil && proposalMemo.lister == l && proposalMemo.version.Equal(v) {
		return proposalMemo.list, nil
	}
	ps, err := FindProposals(ctx, l)
	if err != nil {
		return nil, err
	}
	if ps == nil {
		ps = []Proposal{}
	}
	proposalMemo.lister, proposalMemo.version, proposalMemo.list = l, v, ps
	return ps, nil
}

// WarmProposals finds the corpus's proposals now and keeps them for the
// proposals command and for summaries, which otherwise find them on first
// use: a read of every passage, seconds on a large corpus. A caller that
// needs them meanwhile waits for this build rather than starting its own.
// It does nothing when the bot can't list its passages.
func (b *Bot) WarmProposals(ctx context.Context) error {
	l := b.passageLister()
	if l == nil {
		return nil
	}
	_, err := cachedProposals(ctx, l)
	return err
}

// passageLister returns what lists the bot's passages: the catalog or the
// searcher, whichever can; nil when neither can.
func (b *Bot) passageLister() PassageLister {
	if l, ok := b.Catalog.(PassageLister); ok {
		return l
	}
	if b.Answerer != nil {
		if l, ok := b.Answerer.search.(PassageLister); ok {
			return l
		}
	}
	return nil
}

// runProposals lists the corpus's proposals as text: every adapter renders
// text already, and each line names a summary topic to try.
func runProposals(ctx context.Context, b *Bot, req Request, _ string) (Reply, error) {
	l := b.passageLister()
	if l == nil {
		return Reply{}, ErrComingSoon
	}
	ps, err := cachedProposals(ctx, l)
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
