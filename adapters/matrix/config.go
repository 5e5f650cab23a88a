// Package matrix is framebot's Matrix adapter: it logs in to a homeserver,
// joins the rooms it is invited to by trusted users, answers mentions, direct
// messages, !framework commands and follow-ups in threads it answered in,
// and renders answers as HTML quotes with a plain-text fallback. Encrypted
// rooms work when the program is built with -tags goolm.
//
// Build it with New(cfg, Deps) and run it with Run(ctx), like every adapter.
// It keeps its state (sync token, device, answers, votes) through the store
// interfaces of package bot and the crypto keys in the *dbutil.Database it
// is given; it imports no other framebot package but bot and internal ones.
package matrix

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// Environment variables that carry the adapter's secrets; they are used when
// the matching Config field is empty.
const (
	EnvAccessToken = "MATRIX_ACCESS_TOKEN"
	EnvPassword    = "MATRIX_PASSWORD"
	EnvPickleKey   = "MATRIX_PICKLE_KEY"
	// EnvRecoveryKey is the recovery key of the bot account's secret
	// storage: a new device of the bot (state database lost) reads the
	// cross-signing keys with it and signs itself.
	EnvRecoveryKey = "MATRIX_RECOVERY_KEY"
)

// DefaultPrefix is the command prefix when Config.CommandPrefix is empty.
const DefaultPrefix = "!framework"

// Config configures the Matrix adapter (the matrix: section of the
// configuration file). The zero value of every optional field means its
// default.
type Config struct {
	// Enabled turns the adapter on in framebot serve.
	Enabled bool `yaml:"enabled"`
	// Homeserver is the client-server API base URL, e.g.
	// https://matrix.example.org.
	Homeserver string `yaml:"homeserver"`
	// UserID is the bot's full Matrix ID, e.g. @framebot:example.org.
	UserID string `yaml:"user_id"`
	// DeviceName is the device display name used on password login
	// (default "framebot").
	DeviceName string `yaml:"device_name"`
	// CommandPrefix starts a command (default "!framework").
	CommandPrefix string `yaml:"command_prefix"`
	// MsgType is the msgtype of the bot's messages: m.notice (default) or
	// m.text.
	MsgType string `yaml:"msgtype"`
	// AllowedInviters lists who may invite the bot: full user IDs
	// (@alice:example.org) or server names (example.org). Other invites are
	// declined. Default: the bot's own homeserver.
	AllowedInviters []string `yaml:"allowed_inviters"`
	// Encryption enables end-to-end encryption support (default true; it
	// needs a pickle key and a build with -tags goolm).
	Encryption *bool `yaml:"encryption"`
	// PickleKey encrypts the bot's encryption keys at rest in the state
	// database; MATRIX_PICKLE_KEY is used when empty. Keep it stable: a new
	// key can't read the old keys.
	PickleKey string `yaml:"pickle_key"`
	// CrossSigning makes the bot cross-sign its device at start-up, so
	// that clients trust its messages and share room keys with it in
	// strict mode (default true when encryption is on). Creating the
	// account's cross-signing keys needs MATRIX_PASSWORD.
	CrossSigning *bool `yaml:"cross_signing"`
	// Workers is how many questions are answered at once (default 4, at
	// most 256).
	Workers int `yaml:"workers"`
	// RatePerMinute and RateBurst limit each user's questions (defaults 20
	// a minute after a burst of 5; at most 10,000 and 1,000; a
	// RatePerMinute of -1 disables it).
	RatePerMinute int `yaml:"rate_per_minute"`
	RateBurst     int `yaml:"rate_burst"`
	// FeedbackReactions makes the bot put 👍 and 👎 under each answer so
	// that users can vote with one click (default true).
	FeedbackReactions *bool `yaml:"feedback_reactions"`

	// AccessToken and Password are the bot's credentials; only one is
	// needed. They are never read from the file: set MATRIX_ACCESS_TOKEN or
	// MATRIX_PASSWORD.
	AccessToken string `yaml:"-"`
	Password    string `yaml:"-"`
	// RecoveryKey opens the account's secret storage to sign a new device
	// with the existing cross-signing keys; MATRIX_RECOVERY_KEY is used
	// when empty. It is never read from the file.
	RecoveryKey string `yaml:"-"`
}

// withEnv fills the secrets left empty from the environment and applies the
// defaults.
func (c Config) withEnv() Config {
	if c.AccessToken == "" {
		c.AccessToken = os.Getenv(EnvAccessToken)
	}
	if c.Password == "" {
		c.Password = os.Getenv(EnvPassword)
	}
	if c.PickleKey == "" {
		c.PickleKey = os.Getenv(EnvPickleKey)
	}
	if c.RecoveryKey == "" {
		c.RecoveryKey = os.Getenv(EnvRecoveryKey)
	}
	if c.DeviceName == "" {
		c.DeviceName = "framebot"
	}
	if c.CommandPrefix == "" {
		c.CommandPrefix = DefaultPrefix
	}
	if c.MsgType == "" {
		c.MsgType = string(event.MsgNotice)
	}
	if c.Workers == 0 {
		c.Workers = 4
	}
	if c.RatePerMinute == 0 {
		c.RatePerMinute = 20
	}
	if c.RateBurst == 0 {
		c.RateBurst = 5
	}
	if c.Encryption == nil {
		t := true
		c.Encryption = &t
	}
	if c.CrossSigning == nil {
		t := true
		c.CrossSigning = &t
	}
	if c.FeedbackReactions == nil {
		t := true
		c.FeedbackReactions = &t
	}
	if len(c.AllowedInviters) == 0 {
		if _, server, err := id.UserID(c.UserID).Parse(); err == nil {
			c.AllowedInviters = []string{server}
		}
	}
	return c
}

// encryption reports whether encryption was asked for (after withEnv).
func (c Config) encryption() bool { return c.Encryption == nil || *c.Encryption }

// crossSigning reports whether the bot cross-signs its device (after
// withEnv).
func (c Config) crossSigning() bool {
	return c.encryption() && (c.CrossSigning == nil || *c.CrossSigning)
}

// Validate checks the configuration, environment included, and says what to
// fix. It returns every problem at once, joined.
func (c Config) Validate() error {
	c = c.withEnv()
	var errs []error
	if u, err := url.Parse(c.Homeserver); c.Homeserver == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, errors.New("homeserver: set it to the homeserver's client API URL, e.g. https://matrix.example.org"))
	}
	if _, _, err := id.UserID(c.UserID).Parse(); err != nil || !strings.HasPrefix(c.UserID, "@") {
		errs = append(errs, fmt.Errorf("user_id: %q is not a Matrix user ID; set it to the bot's full ID, e.g. @framebot:example.org", c.UserID))
	}
	if c.AccessToken == "" && c.Password == "" {
		errs = append(errs, fmt.Errorf("credentials: set %s (an access token of the bot's account) or %s in the environment", EnvAccessToken, EnvPassword))
	}
	switch event.MessageType(c.MsgType) {
	case event.MsgNotice, event.MsgText:
	default:
		errs = append(errs, fmt.Errorf("msgtype: %q must be m.notice or m.text", c.MsgType))
	}
	if p := c.CommandPrefix; strings.ContainsAny(p, " \t\n") {
		errs = append(errs, fmt.Errorf("command_prefix: %q must be one word, e.g. !framework", p))
	}
	for _, a := range c.AllowedInviters {
		if !validInviter(a) {
			errs = append(errs, fmt.Errorf("allowed_inviters: %q is neither a user ID (@alice:example.org) nor a server name (example.org)", a))
		}
	}
	if c.Workers < 1 || c.Workers > 256 {
		errs = append(errs, fmt.Errorf("workers: %d is out of range; set it between 1 and 256 (or leave it out for 4)", c.Workers))
	}
	if p := c.RatePerMinute; p != -1 && (p < 1 || p > 10000) {
		errs = append(errs, fmt.Errorf("rate_per_minute: %d is out of range; set it between 1 and 10000, or -1 to turn the limit off", p))
	}
	if b := c.RateBurst; b < 1 || b > 1000 {
		errs = append(errs, fmt.Errorf("rate_burst: %d is out of range; set it between 1 and 1000 (or leave it out for 5)", b))
	}
	if c.encryption() && c.PickleKey == "" {
		errs = append(errs, fmt.Errorf("pickle key: set %s (a long random string, kept stable) to store encryption keys, or set matrix.encryption: false", EnvPickleKey))
	}
	return errors.Join(errs...)
}

func validInviter(s string) bool {
	if strings.HasPrefix(s, "@") {
		_, _, err := id.UserID(s).Parse()
		return err == nil
	}
	return s != "" && !strings.ContainsAny(s, "@/ \t")
}

// inviterAllowed reports whether user may invite the bot.
func (c Config) inviterAllowed(user id.UserID) bool {
	_, server, err := user.Parse()
	if err != nil {
		return false
	}
	for _, a := range c.AllowedInviters {
		if id.UserID(a) == user || strings.EqualFold(strings.TrimPrefix(a, ":"), server) {
			return true
		}
	}
	return false
}
