package console

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"

	"framebot/bot"
)

// maxLine is the longest input line read; longer lines are answered with the
// usage line rather than read whole into memory.
const maxLine = 1 << 20

// Chat answers one message per input line until the input ends or ctx is
// done. A line starting with "/" or "!" is a command ("/summary 28-point
// plan"); any other line is a question. A line may also be a JSON object
// {"text": "...", "thread": "ID"} (see threadLine): messages with the same
// thread ID form one thread, whose follow-ups are answered in its context.
// Create it with New.
type Chat struct {
	bot    *bot.Bot
	in     io.Reader
	out    io.Writer
	format Format
	bold   bool
	log    *slog.Logger

	mu sync.Mutex // serialises writes: answers and corpus events interleave
	// session keeps the answers for the stale check (stale.go); nil until
	// StaleStore is called.
	session *sessionAnswers
}

// Config is how the chat prints.
type Config struct {
	// Format is Text (the default) or JSON.
	Format Format
	// Bold marks matched words with ANSI bold in text output.
	Bold bool
}

// Deps are what the chat is built on.
type Deps struct {
	// Bot answers questions and runs commands (required).
	Bot *bot.Bot
	// In gives the messages, one a line; Out receives the replies and the
	// corpus events (both required).
	In  io.Reader
	Out io.Writer
	// Logger receives failures; nil discards them.
	Logger *slog.Logger
}

// New returns a chat for cfg. It returns an error when the format is
// unknown or a required dependency is missing.
func New(cfg Config, d Deps) (*Chat, error) {
	if cfg.Format == "" {
		cfg.Format = Text
	}
	if _, err := ParseFormat(string(cfg.Format)); err != nil {
		return nil, err
	}
	switch {
	case d.Bot == nil:
		return nil, errors.New("console chat needs a bot")
	case d.In == nil || d.Out == nil:
		return nil, errors.New("console chat needs an input and an output")
	}
	log := d.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Chat{bot: d.Bot, in: d.In, out: d.Out, format: cfg.Format, bold: cfg.Bold, log: log}, nil
}

// Event is a corpus change printed while chatting, one JSON line in JSON
// format: {"event":"added","doc":"news/plan.md","title":"The plan"}.
type Event struct {
	Event string `json:"event"` // "added", "updated" or "removed"
	Doc   string `json:"doc"`
	Title string `json:"title"`
}

// Run reads the input line by line and writes one reply per line. Like
// every adapter's Run, it returns ctx.Err() when ctx ends; it returns nil
// at the end of the input, and an error when the input can't be read or
// the output can't be written.
func (c *Chat) Run(ctx context.Context) error {
	log, in := c.log, c.in
	lines := make(chan string)
	errc := make(chan error, 1)
	go func() {
		defer close(lines)
		r := bufio.NewReaderSize(in, 64*1024)
		for {
			line, err := readLine(r)
			if line != "" || err == nil {
				select {
				case lines <- line:
				case <-ctx.Done():
					return
				}
			}
			if err != nil {
				if err != io.EOF {
					errc <- fmt.Errorf("read input: %w", err)
				}
				return
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-errc:
			return err
		case line, ok := <-lines:
			if !ok {
				select {
				case err := <-errc:
					return err
				default:
					return nil
				}
			}
			if err := c.handle(ctx, log, line); err != nil {
				return err
			}
		}
	}
}

// readLine reads one line; an over-long line is consumed and reported as
// the marker tooLong.
func readLine(r *bufio.Reader) (string, error) {
	var b strings.Builder
	over := false
	for {
		frag, isPrefix, err := r.ReadLine()
		if !over {
			if b.Len()+len(frag) > maxLine {
				over = true
				b.Reset()
			} else {
				b.Write(frag)
			}
		}
		if err != nil {
			if over {
				return tooLong, err
			}
			return b.String(), err
		}
		if !isPrefix {
			break
		}
	}
	if over {
		return tooLong, nil
	}
	return b.String(), nil
}

const tooLong = "\x00too-long"

func (c *Chat) handle(ctx context.Context, log *slog.Logger, line string) (err error) {
	var rep bot.Reply
	defer func() {
		if p := recover(); p != nil {
			log.Error("panic while answering", "panic", fmt.Sprint(p))
			rep = bot.Reply{Text: "Something went wrong while answering; the details are in the log."}
			err = c.write(rep)
		}
	}()
	req := bot.Request{Platform: "console", User: "console", Channel: "console", Prefix: "/"}
	text := strings.TrimSpace(line)
	if m, ok := parseThreadLine(text); ok {
		text, req.Thread = strings.TrimSpace(m.Text), m.Thread
	}
	switch {
	case line == tooLong:
		rep = bot.Reply{Text: "That message is too long. " + c.bot.UsageLine("/")}
	case strings.HasPrefix(text, "/") || strings.HasPrefix(text, "!"):
		rep, err = c.bot.Command(ctx, req, "/", text[1:])
	default:
		req.Text = text
		rep, err = c.bot.Ask(ctx, req)
		if err == nil {
			c.remember(rep)
		}
	}
	if err != nil {
		log.Error("answer failed", "error", err.Error())
		rep = bot.Reply{Text: "Something went wrong while answering; the details are in the log."}
	}
	return c.write(rep)
}

func (c *Chat) write(rep bot.Reply) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Render(c.out, rep, c.format, c.bold)
}

// PrintChange prints a document change of the watched corpus as an Event.
// It returns an error when Out can't be written.
func (c *Chat) PrintChange(ch bot.DocChange) error {
	return c.PrintEvent(Event{Event: ch.Kind.String(), Doc: ch.Doc, Title: ch.Title})
}

// PrintEvent writes a corpus change line: a JSON object in JSON format, a
// sentence otherwise.
func (c *Chat) PrintEvent(e Event) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.format == JSON {
		b, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("encode event: %w", err)
		}
		if _, err := c.out.Write(append(b, '\n')); err != nil {
			return fmt.Errorf("write event: %w", err)
		}
		return nil
	}
	title := e.Title
	if title == "" {
		title = e.Doc
	}
	if _, err := fmt.Fprintf(c.out, "[corpus] %s: %s (%s)\n", e.Event, bot.SafeName(title), bot.SafeName(e.Doc)); err != nil {
		return fmt.Errorf("write event: %w", err)
	}
	return nil
}
