package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"framebot/adapters/console"
	"framebot/bot"
)

// renderers print a reply in a --format that the console does not know:
// the message an adapter would send. The map is never written.
var renderers = map[string]func(w io.Writer, rep bot.Reply) error{
	"matrix": renderMatrix,
	"slack":  renderSlack,
}

func formatNames() string {
	s := "text|json"
	for _, n := range []string{"slack", "matrix"} {
		if _, ok := renderers[n]; ok {
			s += "|" + n
		}
	}
	return s
}

// printReply writes rep in format.
func printReply(w io.Writer, rep bot.Reply, format string) error {
	if r, ok := renderers[format]; ok {
		return r(w, rep)
	}
	f, err := console.ParseFormat(format)
	if err != nil {
		return usageError{fmt.Errorf("unknown format %q: use %s", format, formatNames())}
	}
	return console.Render(w, rep, f, isTerminal(w))
}

func checkFormat(format string) error {
	if _, ok := renderers[format]; ok {
		return nil
	}
	if _, err := console.ParseFormat(format); err != nil {
		return usageError{fmt.Errorf("unknown format %q: use %s", format, formatNames())}
	}
	return nil
}

// oneShot runs a command that answers one piece of text and exits: ask and
// summary. missing is the usage error for an empty text; reply builds the
// reply from the opened app.
func oneShot(ctx context.Context, name, arg, missing string, args []string, stdout, stderr io.Writer,
	reply func(ctx context.Context, a *app, text string) (bot.Reply, error)) error {
	fs := newFlagSet(name, stderr, name+" [flags] "+arg)
	var c commonFlags
	c.register(fs, formatNames())
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	text := joinArgs(pos)
	if text == "" {
		return usageError{errors.New(missing)}
	}
	if err := checkFormat(c.format); err != nil {
		return err
	}
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel, stderr)
	a, _, err := openApp(ctx, cfg, log, nil)
	if err := serveStale(log, err); err != nil {
		return err
	}
	defer a.Close()
	rep, err := reply(ctx, a, text)
	if err != nil {
		return err
	}
	return printReply(stdout, rep, c.format)
}

func cmdAsk(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	return oneShot(ctx, "ask", "QUESTION", `give a question, e.g. framebot ask "what guarantees are offered?"`, args, stdout, stderr,
		func(ctx context.Context, a *app, q string) (bot.Reply, error) {
			rep, err := a.bot.Ask(ctx, bot.Request{Platform: "console", User: "cli", Text: q, Prefix: "framebot"})
			if err == nil && rep.Answer == nil {
				// The question had no words: answer in the contract's shape all the same.
				rep = bot.Reply{Answer: &bot.Answer{Question: bot.CleanText(q, bot.MaxQuestionRunes), Passages: []bot.Passage{}, Note: rep.Text}}
			}
			return rep, err
		})
}

func cmdSummary(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	return oneShot(ctx, "summary", "TOPIC", `give a topic, e.g. framebot summary "security guarantees"`, args, stdout, stderr,
		func(ctx context.Context, a *app, topic string) (bot.Reply, error) {
			return a.bot.Command(ctx, bot.Request{Platform: "console", User: "cli"}, "framebot", "summary "+topic)
		})
}

func cmdChat(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("chat", stderr, "chat [flags]   (one message per line on standard input)")
	var c commonFlags
	c.register(fs, "text|json")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Errorf("chat reads messages from standard input and takes no arguments (got %q)", joinArgs(pos))}
	}
	f, err := console.ParseFormat(c.format)
	if err != nil {
		return usageError{err}
	}
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel, stderr)
	a, _, err := openApp(ctx, cfg, log, nil)
	if err := serveStale(log, err); err != nil {
		return err
	}
	defer a.Close()
	chat, err := console.New(console.Config{Format: f, Bold: f == console.Text && isTerminal(stdout)},
		console.Deps{Bot: a.bot, In: stdin, Out: stdout, Logger: log})
	if err != nil {
		return err
	}
	// A corpus folder is watched while the chat runs; each change is
	// printed as an event line between the answers.
	w, err := a.watchService(nil, func(c bot.DocChange) {
		if err := chat.PrintChange(c); err != nil {
			log.Warn("can't print corpus event", "error", err.Error())
		}
	})
	if err != nil {
		return err
	}
	if w == nil {
		return chat.Run(ctx)
	}
	attachChatStale(w, chat, a)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	watchErr := make(chan error, 1)
	go func() { watchErr <- w.Run(ctx) }()
	err = chat.Run(ctx)
	cancel()
	if werr := <-watchErr; werr != nil && !errors.Is(werr, context.Canceled) {
		return errors.Join(err, fmt.Errorf("corpus watcher: %w", werr))
	}
	return err
}

func cmdIndex(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("index", stderr, "index [flags]")
	var c commonFlags
	c.register(fs, "text")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Errorf("index takes no arguments (got %q); use --corpus DIR", joinArgs(pos))}
	}
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	bar := newProgressBar(stderr, isTerminal(stderr))
	a, st, err := openApp(ctx, cfg, newLogger(cfg.LogLevel, stderr), bar.update)
	bar.done()
	if a != nil {
		defer a.Close()
	}
	if err != nil {
		return err
	}
	docs, passages, size, err := a.index.Stats(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Index %s\n", a.index.Dir())
	fmt.Fprintf(stdout, "Documents: %d (%d added, %d updated, %d removed, %d unchanged)\n", docs, st.Added, st.Updated, st.Removed, st.Unchanged)
	fmt.Fprintf(stdout, "Passages: %d\nSize on disk: %d bytes\n", passages, size)
	if len(a.notes) > 0 {
		fmt.Fprintf(stdout, "Indexed in part, %d files:\n", len(a.notes))
		for _, s := range a.notes {
			fmt.Fprintf(stdout, "  %s: %s\n", bot.SafeName(s.Path), s.Reason)
		}
	}
	if len(a.skipped) > 0 {
		fmt.Fprintf(stdout, "Skipped %d files:\n", len(a.skipped))
		for _, s := range a.skipped {
			fmt.Fprintf(stdout, "  %s: %s\n", bot.SafeName(s.Path), bot.SafeName(s.Reason))
		}
	}
	return nil
}
