package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"framebot/adapters/matrix"
	"framebot/adapters/slack"
	"framebot/bot"
	"framebot/corpus"
)

// maxPassagesLimit bounds max_passages_per_doc: past it one document could
// again take gigabytes to index.
const maxPassagesLimit = 1_000_000

// Config is framebot's configuration: defaults in code, a YAML file for the
// rest, secrets from environment variables (see config.example.yaml).
type Config struct {
	// Corpus is the folder of documents; "" uses the embedded default corpus.
	Corpus string `yaml:"corpus"`
	// DataDir holds the index and the state database.
	DataDir string `yaml:"data_dir"`
	// IndexDir overrides where the index is kept (default DataDir/index).
	IndexDir string `yaml:"index_dir"`
	// MaxFileSize is the largest document read, in bytes (default 10 MiB).
	MaxFileSize int64 `yaml:"max_file_size"`
	// MaxPassagesPerDoc caps the passages indexed from one document
	// (default corpus.DefaultMaxPassages); a longer one is indexed up to
	// the cap, with a note.
	MaxPassagesPerDoc int `yaml:"max_passages_per_doc"`
	// MaxPages is the number of pages read from a PDF (default 2000).
	MaxPages int `yaml:"max_pages"`
	// ParseTimeout bounds reading one PDF, DOCX or ODT (default 60 s).
	ParseTimeout time.Duration `yaml:"parse_timeout"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `yaml:"log_level"`
	// Answer tunes answers.
	Answer AnswerConfig `yaml:"answer"`
	// Threads bounds the memory of conversation threads, which lets a
	// follow-up in a thread be answered in its context.
	Threads ThreadsConfig `yaml:"threads"`
	// Answers tunes what happens to answers already sent (serve_stale.go).
	Answers AnswersConfig `yaml:"answers"`
	// Watch tunes the corpus watcher (see watch.go).
	Watch WatchConfig `yaml:"watch"`
	// Slack and Matrix configure the chat adapters run by framebot serve.
	Slack  slack.Config  `yaml:"slack"`
	Matrix matrix.Config `yaml:"matrix"`
	// Metrics is the operator's listener: /metrics, /healthz, /readyz
	// (see serve_metrics.go); off unless metrics.listen is set.
	Metrics MetricsConfig `yaml:"metrics"`
	// Vocabulary is the domain knowledge of the proposals command and the
	// summaries' figures (see bot.Vocabulary); a list left out keeps its
	// default.
	Vocabulary bot.Vocabulary `yaml:"vocabulary"`
}

// AnswerConfig tunes how questions are answered.
type AnswerConfig struct {
	// Passages is how many passages an answer quotes (default 3).
	Passages int `yaml:"passages"`
	// Abstain is how readily the bot says that no passage answers a
	// question: lenient, balanced (default) or strict (bot.AbstainLevels).
	Abstain string `yaml:"abstain"`
}

// answerOptions returns the answer options c sets (Validate has checked
// them).
func (c AnswerConfig) answerOptions() (bot.AnswerOptions, error) {
	return bot.AnswerOptions{Passages: c.Passages}.Abstain(c.Abstain)
}

// ThreadsConfig bounds the thread memory (bot.Threads).
type ThreadsConfig struct {
	// Idle is how long a thread is remembered after its last message
	// (default 1h).
	Idle time.Duration `yaml:"idle"`
	// Max is how many threads are remembered, least recently used
	// forgotten first (default 1000).
	Max int `yaml:"max"`
	// Turns is how many recent questions of a thread are kept (default 4).
	Turns int `yaml:"turns"`
}

// DefaultConfig returns the configuration used when a file sets nothing.
func DefaultConfig() Config {
	return Config{
		DataDir:           defaultDataDir(),
		MaxFileSize:       10 << 20,
		MaxPages:          2000,
		MaxPassagesPerDoc: corpus.DefaultMaxPassages,
		ParseTimeout:      time.Minute,
		LogLevel:          "info",
		Answer:            AnswerConfig{Passages: 3, Abstain: bot.AbstainBalanced},
		Threads:           ThreadsConfig{Idle: time.Hour, Max: 1000, Turns: 4},
		Watch:             defaultWatchConfig(),
		Answers:           defaultAnswersConfig(),
	}
}

func defaultDataDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "framebot")
	}
	return filepath.Join(os.TempDir(), "framebot")
}

// LoadConfig reads the YAML file at path over the defaults, then applies
// environment variables. It returns an error when the file can't be read or
// parsed, or names an unknown key.
func LoadConfig(path string) (Config, error) {
	cfg := DefaultConfig()
	if path != "" {
		raw, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("read config: %w", err)
		}
		dec := yaml.NewDecoder(strings.NewReader(string(raw)))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
			return cfg, fmt.Errorf("parse config %s: %w", path, err)
		}
	}
	cfg.applyEnv()
	return cfg, nil
}

// applyEnv reads settings that are commonly given by the environment
// (containers): FRAMEBOT_CORPUS, FRAMEBOT_DATA_DIR, FRAMEBOT_LOG_LEVEL,
// FRAMEBOT_METRICS_LISTEN.
func (c *Config) applyEnv() {
	if v := os.Getenv("FRAMEBOT_CORPUS"); v != "" {
		c.Corpus = v
	}
	if v := os.Getenv("FRAMEBOT_DATA_DIR"); v != "" {
		c.DataDir = v
	}
	if v := os.Getenv("FRAMEBOT_LOG_LEVEL"); v != "" {
		c.LogLevel = v
	}
	if v := os.Getenv("FRAMEBOT_METRICS_LISTEN"); v != "" {
		c.Metrics.Listen = v
	}
}

// Validate checks the configuration and says what to fix.
func (c Config) Validate() error {
	var errs []error
	if c.Corpus != "" {
		if fi, err := os.Stat(c.Corpus); err != nil || !fi.IsDir() {
			errs = append(errs, fmt.Errorf("corpus: %q is not a readable folder; set corpus to a folder of documents, or leave it empty for the built-in corpus", c.Corpus))
		}
	}
	if c.DataDir == "" && c.IndexDir == "" {
		errs = append(errs, errors.New("data_dir: set it to a writable folder for the index and state"))
	}
	if err := c.checkIndexPlace(); err != nil {
		errs = append(errs, err)
	}
	if c.MaxPassagesPerDoc < 1 || c.MaxPassagesPerDoc > maxPassagesLimit {
		errs = append(errs, fmt.Errorf("max_passages_per_doc: %d must be between 1 and %d", c.MaxPassagesPerDoc, maxPassagesLimit))
	}
	if c.MaxFileSize <= 0 {
		errs = append(errs, fmt.Errorf("max_file_size: %d must be a positive number of bytes", c.MaxFileSize))
	}
	if c.MaxPages <= 0 {
		errs = append(errs, fmt.Errorf("max_pages: %d must be a positive number of pages", c.MaxPages))
	}
	if c.ParseTimeout <= 0 {
		errs = append(errs, fmt.Errorf("parse_timeout: %s must be a positive duration, such as 60s", c.ParseTimeout))
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		errs = append(errs, fmt.Errorf("log_level: %w", err))
	}
	if c.Answer.Passages < 1 || c.Answer.Passages > 10 {
		errs = append(errs, fmt.Errorf("answer.passages: %d must be between 1 and 10", c.Answer.Passages))
	}
	if _, err := c.Answer.answerOptions(); err != nil {
		errs = append(errs, fmt.Errorf("answer.abstain: %w", err))
	}
	if c.Threads.Idle <= 0 || c.Threads.Max < 1 || c.Threads.Turns < 1 {
		errs = append(errs, fmt.Errorf("threads: idle (%s), max (%d) and turns (%d) must be positive, e.g. idle: 1h, max: 1000, turns: 4", c.Threads.Idle, c.Threads.Max, c.Threads.Turns))
	}
	if err := c.Answers.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("answers: %w", err))
	}
	if err := c.Watch.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("watch: %w", err))
	}
	errs = append(errs, validateVocabulary(c.Vocabulary)...)
	if err := c.Metrics.Validate(c.Slack); err != nil {
		errs = append(errs, fmt.Errorf("metrics: %w", err))
	}
	if c.Slack.Enabled {
		if err := c.Slack.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("slack: %w", err))
		}
	}
	if c.Matrix.Enabled {
		if err := c.Matrix.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("matrix: %w", err))
		}
	}
	return errors.Join(errs...)
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("%q is not debug, info, warn or error", s)
	}
	return l, nil
}

// corpusOptions are the options every corpus load and reload uses.
func (c Config) corpusOptions(log *slog.Logger) corpus.Options {
	return corpus.Options{MaxFileSize: c.MaxFileSize, MaxPassages: c.MaxPassagesPerDoc, MaxPages: c.MaxPages, ParseTimeout: c.ParseTimeout, Logger: log}
}
