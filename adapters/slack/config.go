// Package slack is framebot's Slack adapter: it answers mentions, direct
// messages, follow-ups in its threads and the /framework slash command, over
// Socket Mode or Slack's HTTP Events API, and renders replies as Block Kit.
//
// Build it with New(cfg, Deps) and run it with Run(ctx), like every adapter.
// It keeps the answers it sent and the votes of its buttons through the
// store interfaces of package bot; it imports no other framebot package but
// bot and internal ones.
package slack

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
)

// Connection modes.
const (
	// ModeSocket connects out to Slack over a WebSocket (no public URL).
	ModeSocket = "socket"
	// ModeHTTP serves the Events API, slash-command and interactivity
	// endpoints on Listen.
	ModeHTTP = "http"
)

// HTTP endpoints served in HTTP mode; the app manifest points at them.
const (
	EventsPath      = "/slack/events"
	CommandsPath    = "/slack/commands"
	InteractivePath = "/slack/interactive"
)

// Config configures the Slack adapter (the slack: section of the
// configuration file). Zero values mean the defaults. Secrets are never in
// the file: it names the environment variables that hold them.
type Config struct {
	// Enabled turns the adapter on in framebot serve.
	Enabled bool `yaml:"enabled"`
	// Mode is "socket" (default) or "http".
	Mode string `yaml:"mode"`
	// BotTokenEnv names the variable holding the bot token xoxb-…
	// (default SLACK_BOT_TOKEN).
	BotTokenEnv string `yaml:"bot_token_env"`
	// AppTokenEnv names the variable holding the app-level token xapp-…,
	// needed in socket mode (default SLACK_APP_TOKEN).
	AppTokenEnv string `yaml:"app_token_env"`
	// SigningSecretEnv names the variable holding the signing secret, needed
	// in HTTP mode (default SLACK_SIGNING_SECRET).
	SigningSecretEnv string `yaml:"signing_secret_env"`
	// Listen is the address served in HTTP mode (default ":3000").
	Listen string `yaml:"listen"`
	// Command is the slash command (default "/framework").
	Command string `yaml:"command"`
	// Channels, when not empty, are the only channel IDs the bot answers in
	// (direct messages are always answered).
	Channels []string `yaml:"channels"`
	// AnswerBots makes the bot answer other bots' messages (never its own).
	AnswerBots bool `yaml:"answer_bots"`
	// PublicSlash posts slash-command replies in the channel instead of
	// privately.
	PublicSlash bool `yaml:"public_slash"`
	// RateLimit limits questions per user.
	RateLimit RateLimitConfig `yaml:"rate_limit"`
	// Workers is how many messages are answered at once (default 4, at
	// most 256).
	Workers int `yaml:"workers"`
	// Queue is how many messages may wait for a worker (default 64, at most
	// 10,000). When it is full, a new request is told at once that the bot
	// is busy, so that Slack always gets its acknowledgement in time.
	Queue int `yaml:"queue"`
	// APIURL is the Web API base URL (default https://slack.com/api/).
	APIURL string `yaml:"api_url"`
}

// RateLimitConfig is a per-user token bucket for questions.
type RateLimitConfig struct {
	// PerMinute is the steady number of questions a user may ask a minute
	// (default 10, at most 10,000; -1 disables the limit).
	PerMinute int `yaml:"per_minute"`
	// Burst is how many questions may come at once (default 5, at most
	// 1,000).
	Burst int `yaml:"burst"`
}

// withDefaults fills in the zero values.
func (c Config) withDefaults() Config {
	if c.Mode == "" {
		c.Mode = ModeSocket
	}
	if c.BotTokenEnv == "" {
		c.BotTokenEnv = "SLACK_BOT_TOKEN"
	}
	if c.AppTokenEnv == "" {
		c.AppTokenEnv = "SLACK_APP_TOKEN"
	}
	if c.SigningSecretEnv == "" {
		c.SigningSecretEnv = "SLACK_SIGNING_SECRET"
	}
	if c.Listen == "" {
		c.Listen = ":3000"
	}
	if c.Command == "" {
		c.Command = "/framework"
	}
	if c.RateLimit.PerMinute == 0 {
		c.RateLimit.PerMinute = 10
	}
	if c.RateLimit.Burst == 0 {
		c.RateLimit.Burst = 5
	}
	if c.Workers == 0 {
		c.Workers = 4
	}
	if c.Queue == 0 {
		c.Queue = 64
	}
	if c.APIURL == "" {
		c.APIURL = "https://slack.com/api/"
	}
	if !strings.HasSuffix(c.APIURL, "/") {
		c.APIURL += "/"
	}
	return c
}

// secrets are the credentials read from the environment.
type secrets struct {
	botToken, appToken, signingSecret string
}

// secrets reads the credentials from the environment variables c names.
func (c Config) secrets() secrets {
	return secrets{
		botToken:      strings.TrimSpace(os.Getenv(c.BotTokenEnv)),
		appToken:      strings.TrimSpace(os.Getenv(c.AppTokenEnv)),
		signingSecret: strings.TrimSpace(os.Getenv(c.SigningSecretEnv)),
	}
}

// Validate checks the configuration and the environment variables it
// names, and says what to fix. It never includes a secret in the error.
func (c Config) Validate() error {
	c = c.withDefaults()
	s := c.secrets()
	var errs []error
	switch c.Mode {
	case ModeSocket, ModeHTTP:
	default:
		errs = append(errs, fmt.Errorf("mode: %q is not socket or http", c.Mode))
	}
	switch {
	case s.botToken == "":
		errs = append(errs, fmt.Errorf("%s is not set; give it the app's bot token (xoxb-…) from OAuth & Permissions", c.BotTokenEnv))
	case !strings.HasPrefix(s.botToken, "xoxb-"):
		errs = append(errs, fmt.Errorf("%s does not hold a bot token: it must start with xoxb-", c.BotTokenEnv))
	}
	if c.Mode == ModeSocket {
		switch {
		case s.appToken == "":
			errs = append(errs, fmt.Errorf("%s is not set; socket mode needs an app-level token (xapp-…) with the connections:write scope", c.AppTokenEnv))
		case !strings.HasPrefix(s.appToken, "xapp-"):
			errs = append(errs, fmt.Errorf("%s does not hold an app-level token: it must start with xapp-", c.AppTokenEnv))
		}
	}
	if c.Mode == ModeHTTP {
		if s.signingSecret == "" {
			errs = append(errs, fmt.Errorf("%s is not set; http mode needs the app's signing secret (Basic Information page)", c.SigningSecretEnv))
		}
		if _, _, err := net.SplitHostPort(c.Listen); err != nil {
			errs = append(errs, fmt.Errorf("listen: %q is not host:port (e.g. \":3000\")", c.Listen))
		}
	}
	if !strings.HasPrefix(c.Command, "/") || strings.ContainsAny(c.Command, " \t") || len(c.Command) < 2 {
		errs = append(errs, fmt.Errorf("command: %q must be a slash command such as /framework", c.Command))
	}
	for _, ch := range c.Channels {
		if ch == "" || strings.ContainsAny(ch, " #") {
			errs = append(errs, fmt.Errorf("channels: %q is not a channel ID (e.g. C0123456789; names are not accepted)", ch))
		}
	}
	errs = append(errs, c.validateLimits()...)
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("api_url: %q is not an http(s) URL", c.APIURL))
	}
	return errors.Join(errs...)
}

// Bounds of the numeric settings: beyond them a value is a typo (workers
// of 1e8) or would exhaust the machine.
const (
	maxWorkers   = 256
	maxQueue     = 10000
	maxPerMinute = 10000
	maxBurst     = 1000
)

// validateLimits checks workers, queue and rate_limit (already defaulted).
func (c Config) validateLimits() []error {
	var errs []error
	if c.Workers < 1 || c.Workers > maxWorkers {
		errs = append(errs, fmt.Errorf("workers: %d is out of range; set it between 1 and %d (or leave it out for 4)", c.Workers, maxWorkers))
	}
	if c.Queue < 1 || c.Queue > maxQueue {
		errs = append(errs, fmt.Errorf("queue: %d is out of range; set it between 1 and %d (or leave it out for 64)", c.Queue, maxQueue))
	}
	if p := c.RateLimit.PerMinute; p != -1 && (p < 1 || p > maxPerMinute) {
		errs = append(errs, fmt.Errorf("rate_limit.per_minute: %d is out of range; set it between 1 and %d, or -1 to turn the limit off", p, maxPerMinute))
	}
	if b := c.RateLimit.Burst; b < 1 || b > maxBurst {
		errs = append(errs, fmt.Errorf("rate_limit.burst: %d is out of range; set it between 1 and %d (or leave it out for 5)", b, maxBurst))
	}
	return errs
}
