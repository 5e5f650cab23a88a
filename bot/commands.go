package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"framebot/internal/text"
)

// Command is one subcommand of the chat command (/framework in Slack,
// !framework in Matrix). Commands are data: help and usage lines are
// generated from the table.
type Command struct {
	Name    string
	Aliases []string
	// Args describes the arguments, e.g. "<question>"; "" when none.
	Args string
	// Help is one sentence saying what the command does.
	Help string
	// Run executes the command; args is the text after the command word.
	Run func(ctx context.Context, b *Bot, req Request, args string) (Reply, error)
}

// Usage returns the command's usage line with prefix ("/framework").
func (c Command) Usage(prefix string) string {
	u := strings.TrimSpace(prefix + " " + c.Name)
	if c.Args != "" {
		u += " " + c.Args
	}
	return u
}

// ErrComingSoon is returned by Run of commands not built yet; adapters show
// Reply.Text as usual.
var ErrComingSoon = errors.New("command not available yet")

// FeedbackStore records what users think of answers.
type FeedbackStore interface {
	FeedbackRecorder
	// FeedbackCounts returns the number of helpful and not helpful votes.
	FeedbackCounts(ctx context.Context) (helpful, notHelpful int, err error)
}

// Feedback is one user's vote on an answer.
type Feedback struct {
	Platform, User, Channel string
	// AnswerID is the answer voted on (its AnswerRecord ID); a user
	// has one vote per answer, the latest. 0 when unknown: every vote counts.
	AnswerID int64
	Question string
	Passages []Passage
	Helpful  bool
	At       time.Time
}

// SubscriptionStore remembers which conversations want corpus
// announcements.
type SubscriptionStore interface {
	// Subscribe adds a conversation; subscribing twice is not an error.
	Subscribe(ctx context.Context, platform, channel string) error
	// Unsubscribe removes it; ok reports whether it was subscribed.
	Unsubscribe(ctx context.Context, platform, channel string) (ok bool, err error)
	// Subscribers lists the conversations of platform.
	Subscribers(ctx context.Context, platform string) ([]string, error)
}

// Bot answers questions and runs commands. Fields left nil disable the
// features that need them, with a sentence saying so.
type Bot struct {
	Answerer      *Answerer
	Catalog       Catalog
	Feedback      FeedbackStore
	Subscriptions SubscriptionStore
	// Watcher reports the corpus watcher's health for status ("" when the
	// corpus is not watched).
	Watcher func() string
	// Observer, when not nil, is told how each question went (metrics).
	Observer Observer
	Logger   *slog.Logger
	Now      func() time.Time
	Started  time.Time
	// PageSize is the number of documents a sources page lists (default 10).
	PageSize int
	// Threads, when not nil, remembers threads' turns so that follow-ups
	// in a thread are answered in its context (see followup.go).
	Threads *Threads
	// Proposals lists the corpus's proposals for the proposals command
	// (nil when the corpus's passages can't be listed); Summarizer writes
	// briefs for the summary command (nil without an Answerer). New sets
	// both with the default vocabulary; share one ProposalFinder between
	// them so that a warmed list serves both.
	Proposals  *ProposalFinder
	Summarizer *Summarizer

	commands []Command
}

// New returns a Bot with the default command table.
func New(a *Answerer, c Catalog) *Bot {
	b := &Bot{Answerer: a, Catalog: c, Logger: slog.New(slog.DiscardHandler), Now: time.Now}
	b.Started = b.Now()
	b.commands = DefaultCommands()
	if l := passageLister(a, c); l != nil {
		b.Proposals = NewProposalFinder(l, Vocabulary{})
	}
	if a != nil {
		b.Summarizer = NewSummarizer(a.search, b.Proposals, SummaryOptions{})
	}
	return b
}

// Commands returns the command table.
func (b *Bot) Commands() []Command { return b.commands }

// SetCommands replaces the command table (later features add theirs).
func (b *Bot) SetCommands(cs []Command) { b.commands = cs }

// Lookup finds a command by name or alias, case-insensitively.
func (b *Bot) Lookup(name string) (Command, bool) {
	name = strings.ToLower(name)
	for _, c := range b.commands {
		if c.Name == name {
			return c, true
		}
		for _, a := range c.Aliases {
			if a == name {
				return c, true
			}
		}
	}
	return Command{}, false
}

// UsageLine lists the subcommands after prefix, for unknown or empty input.
func (b *Bot) UsageLine(prefix string) string {
	names := make([]string, len(b.commands))
	for i, c := range b.commands {
		names[i] = c.Name
	}
	return fmt.Sprintf("Usage: %s <%s> [arguments] — try %s help", prefix, strings.Join(names, "|"), prefix)
}

// Ask answers a question. It returns an error when the index fails; the
// caller shows the user a short sentence and logs the detail. The error's
// message never quotes the question (it may be logged).
func (b *Bot) Ask(ctx context.Context, req Request) (Reply, error) {
	if !text.HasWord(req.Text) {
		return Reply{Text: "Ask me a question about the documents, for example: " + b.exampleQuestion()}, nil
	}
	start := b.now()
	var (
		ans *Answer
		err error
	)
	if b.Threads != nil && req.Thread != "" {
		ans, err = b.askInThread(ctx, req)
	} else {
		ans, err = b.Answerer.Ask(ctx, req.Text)
	}
	b.observe(req.Platform, start, ans, err)
	if errors.Is(err, ErrRebuilding) {
		return Reply{Text: RebuildingText}, nil
	}
	if err != nil {
		return Reply{}, private(err, req.Text)
	}
	return Reply{Answer: ans}, nil
}

// Command runs a command line such as "summary 28-point plan"; prefix is
// how the user invokes commands on the platform ("/framework"). An empty
// line shows help; an unknown command gets the usage line. An error's
// message never quotes the line.
func (b *Bot) Command(ctx context.Context, req Request, prefix, line string) (Reply, error) {
	line = CleanText(line, MaxQuestionRunes)
	name, args, _ := strings.Cut(line, " ")
	if name == "" {
		name = "help"
	}
	c, ok := b.Lookup(name)
	if !ok {
		return Reply{Text: fmt.Sprintf("Unknown command %q. %s", text.Truncate(name, 40), b.UsageLine(prefix))}, nil
	}
	req.Text = strings.TrimSpace(args)
	rep, err := c.Run(ctx, b, req, req.Text)
	if errors.Is(err, ErrComingSoon) {
		return Reply{Text: fmt.Sprintf("%s is coming soon.", c.Usage(prefix))}, nil
	}
	if errors.Is(err, ErrRebuilding) {
		return Reply{Text: RebuildingText}, nil
	}
	if err != nil {
		return Reply{}, fmt.Errorf("command %s: %w", c.Name, private(err, req.Text))
	}
	if rep.Text == "" && rep.Answer == nil && rep.Summary == nil && rep.Sources == nil && rep.Status == nil {
		rep.Text = "Usage: " + c.Usage(prefix)
	}
	return rep, nil
}

// Help returns the help text generated from the command table.
func (b *Bot) Help(prefix string) string {
	var s strings.Builder
	s.WriteString("Ask me anything about the documents: mention me, write to me directly, or use a command.\n")
	for _, c := range b.commands {
		fmt.Fprintf(&s, "• %s — %s\n", c.Usage(prefix), c.Help)
	}
	return strings.TrimRight(s.String(), "\n")
}

func (b *Bot) exampleQuestion() string {
	return "“What guarantees does the plan give?”"
}

// DefaultCommands is the command table: ask, summary, proposals, sources,
// new, subscribe, unsubscribe, status and help.
func DefaultCommands() []Command {
	return []Command{
		{Name: "ask", Aliases: []string{"q", "question"}, Args: "<question>", Help: "answer a question with quoted passages and their sources",
			Run: func(ctx context.Context, b *Bot, req Request, args string) (Reply, error) {
				if !text.HasWord(args) {
					return Reply{}, nil
				}
				return b.Ask(ctx, req)
			}},
		{Name: "summary", Aliases: []string{"sum", "brief"}, Args: "<topic>", Help: "a short cited brief on a topic or proposal",
			Run: runSummary},
		{Name: "proposals", Aliases: []string{"plans"}, Help: "the plans and proposals the documents talk about",
			Run: runProposals},
		{Name: "sources", Aliases: []string{"docs", "documents"}, Args: "[page]", Help: "every document, with its source",
			Run: runSources},
		{Name: "new", Aliases: []string{"recent", "latest"}, Help: "documents added or changed recently",
			Run: runNew},
		{Name: "subscribe", Help: "announce new documents in this conversation",
			Run: func(ctx context.Context, b *Bot, req Request, _ string) (Reply, error) {
				if b.Subscriptions == nil {
					return Reply{}, ErrComingSoon
				}
				if err := b.Subscriptions.Subscribe(ctx, req.Platform, req.Channel); err != nil {
					return Reply{}, err
				}
				return Reply{Text: "Subscribed: new and updated documents will be announced here."}, nil
			}},
		{Name: "unsubscribe", Help: "stop announcing new documents here",
			Run: func(ctx context.Context, b *Bot, req Request, _ string) (Reply, error) {
				if b.Subscriptions == nil {
					return Reply{}, ErrComingSoon
				}
				ok, err := b.Subscriptions.Unsubscribe(ctx, req.Platform, req.Channel)
				if err != nil {
					return Reply{}, err
				}
				if !ok {
					return Reply{Text: "This conversation was not subscribed."}, nil
				}
				return Reply{Text: "Unsubscribed: no more announcements here."}, nil
			}},
		{Name: "status", Aliases: []string{"stats"}, Help: "documents, passages, index size, last update, uptime",
			Run: runStatus},
		{Name: "help", Aliases: []string{"?", "commands"}, Help: "this list",
			Run: func(_ context.Context, b *Bot, req Request, _ string) (Reply, error) {
				return Reply{Text: b.Help(req.Prefix)}, nil
			}},
	}
}

func runSources(ctx context.Context, b *Bot, _ Request, args string) (Reply, error) {
	docs, err := b.Catalog.Documents(ctx)
	if err != nil {
		return Reply{}, err
	}
	sort.SliceStable(docs, func(i, j int) bool { return strings.ToLower(docs[i].Title) < strings.ToLower(docs[j].Title) })
	size := b.PageSize
	if size <= 0 {
		size = 10
	}
	pages := max(1, (len(docs)+size-1)/size)
	page := 1
	if f := strings.Fields(args); len(f) > 0 {
		n, err := strconv.Atoi(f[0])
		if err != nil || n < 1 {
			return Reply{Text: fmt.Sprintf("The page must be a number from 1 to %d.", pages)}, nil
		}
		page = min(n, pages)
	}
	lo := min((page-1)*size, len(docs))
	hi := min(lo+size, len(docs))
	return Reply{Sources: &SourceList{Title: "Sources", Sources: docs[lo:hi], Page: page, Pages: pages, Total: len(docs)}}, nil
}

func runNew(ctx context.Context, b *Bot, _ Request, _ string) (Reply, error) {
	docs, err := b.Catalog.Documents(ctx)
	if err != nil {
		return Reply{}, err
	}
	sort.SliceStable(docs, func(i, j int) bool { return docs[i].Updated.After(docs[j].Updated) })
	n := min(len(docs), 10)
	return Reply{Sources: &SourceList{Title: "Recently added or changed", Sources: docs[:n], Page: 1, Pages: 1, Total: len(docs)}}, nil
}

func runStatus(ctx context.Context, b *Bot, _ Request, _ string) (Reply, error) {
	docs, passages, size, err := b.Catalog.Stats(ctx)
	if err != nil {
		return Reply{}, err
	}
	st := &Status{Documents: docs, Passages: passages, IndexBytes: size, Uptime: b.Now().Sub(b.Started).Round(time.Second)}
	if u, ok := b.Catalog.(interface{ LastUpdate() time.Time }); ok {
		st.LastUpdate = u.LastUpdate()
	}
	if b.Watcher != nil {
		st.Watcher = b.Watcher()
	}
	if b.Feedback != nil {
		st.Helpful, st.NotHelpful, err = b.Feedback.FeedbackCounts(ctx)
		if err != nil {
			return Reply{}, err
		}
	}
	return Reply{Status: st}, nil
}
