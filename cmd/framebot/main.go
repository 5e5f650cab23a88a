// Command framebot answers questions about a document corpus with verbatim
// quoted passages and their sources, on the command line, in Slack and in
// Matrix.
//
//	framebot ask [--corpus DIR] [--format text|json|slack|matrix] QUESTION
//	framebot summary [--corpus DIR] [--format …] TOPIC
//	framebot chat [--corpus DIR] [--format text|json]
//	framebot index [--corpus DIR]
//	framebot eval DIR
//	framebot serve --config FILE
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"framebot/index"
)

const usage = `framebot answers questions about a document corpus with quoted passages.

Usage:
  framebot ask [--corpus DIR] [--index DIR] [--format text|json] QUESTION
  framebot summary [--corpus DIR] [--format text|json] TOPIC
  framebot chat [--corpus DIR] [--index DIR] [--format text|json]
  framebot index [--corpus DIR] [--index DIR]
  framebot eval DIR
  framebot serve --config FILE

Without --corpus the built-in corpus is used. Run "framebot COMMAND -h" for a
command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmds := map[string]func(context.Context, []string, io.Reader, io.Writer, io.Writer) error{
		"ask":     cmdAsk,
		"summary": cmdSummary,
		"chat":    cmdChat,
		"index":   cmdIndex,
		"serve":   cmdServe,
		"eval":    cmdEval,
	}
	name, rest := args[0], args[1:]
	switch name {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fn, ok := cmds[name]
	if !ok {
		fmt.Fprintf(stderr, "framebot: unknown command %q\n\n%s", name, usage)
		return 2
	}
	err := fn(ctx, rest, stdin, stdout, stderr)
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue), errors.Is(err, index.ErrNotIndex):
		fmt.Fprintf(stderr, "framebot %s: %v\n", name, err)
		return 2
	case errors.Is(err, context.Canceled):
		return 130
	default:
		fmt.Fprintf(stderr, "framebot %s: %v\n", name, err)
		return 1
	}
}

// usageError is a mistake in the command line (exit code 2).
type usageError struct{ error }

// parseArgs parses flags that may come before or after the positional
// arguments ("framebot ask --format json what is …" and "framebot ask what
// is … --format json" both work); "--" ends the flags.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err}
		}
		rest := fs.Args()
		// flag.Parse drops a "--" that ends the flags: what follows it is
		// positional even when it looks like a flag.
		if consumed := args[:len(args)-len(rest)]; len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			return append(pos, rest...), nil
		}
		args = rest
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// commonFlags are the flags every corpus command takes.
type commonFlags struct {
	config, corpus, index, format, logLevel string
}

func (c *commonFlags) register(fs *flag.FlagSet, formats string) {
	fs.StringVar(&c.config, "config", "", "configuration `file` (YAML)")
	fs.StringVar(&c.corpus, "corpus", "", "corpus `folder` (default: the built-in corpus)")
	fs.StringVar(&c.index, "index", "", "index `folder` (default: kept in the user's cache folder and reused)")
	fs.StringVar(&c.format, "format", "text", "output format: "+formats)
	fs.StringVar(&c.logLevel, "log-level", "warn", "log level: debug, info, warn or error")
}

// config merges the configuration file, if any, with the flags.
func (c *commonFlags) loadConfig() (Config, error) {
	cfg, err := LoadConfig(c.config)
	if err != nil {
		return cfg, err
	}
	if c.corpus != "" {
		cfg.Corpus = c.corpus
	}
	if c.index != "" {
		cfg.IndexDir = c.index
	}
	if c.config == "" || c.logLevel != "warn" {
		cfg.LogLevel = c.logLevel
	}
	if err := cfg.Validate(); err != nil {
		return cfg, usageError{err}
	}
	return cfg, nil
}

func newFlagSet(name string, stderr io.Writer, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: framebot %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func joinArgs(args []string) string { return strings.TrimSpace(strings.Join(args, " ")) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
