package matrix

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"maunium.net/go/mautrix/id"
)

func TestConfigValidate(t *testing.T) {
	no := false
	good := Config{Enabled: true, Homeserver: "https://matrix.example.org", UserID: "@bot:example.org", AccessToken: "t", PickleKey: "k"}
	tests := []struct {
		name    string
		edit    func(c *Config)
		wantErr []string // substrings, in order; nil means valid
	}{
		{"a complete config is valid", func(*Config) {}, nil},
		{"a password instead of a token is valid", func(c *Config) { c.AccessToken, c.Password = "", "p" }, nil},
		{"no credentials", func(c *Config) { c.AccessToken = "" }, []string{EnvAccessToken}},
		{"bad homeserver and user", func(c *Config) { c.Homeserver, c.UserID = "matrix.example.org", "bot" }, []string{"homeserver:", "user_id:"}},
		{"encryption without pickle key", func(c *Config) { c.PickleKey = "" }, []string{EnvPickleKey}},
		{"encryption off needs no pickle key", func(c *Config) { c.PickleKey, c.Encryption = "", &no }, nil},
		{"workers out of range", func(c *Config) { c.Workers = -100000 }, []string{"workers: -100000 is out of range; set it between 1 and 256"}},
		{"absurd workers", func(c *Config) { c.Workers = 100000000 }, []string{"workers: 100000000 is out of range"}},
		{"a negative rate limit", func(c *Config) { c.RatePerMinute, c.RateBurst = -7, -1 }, []string{"rate_per_minute: -7 is out of range", "rate_burst: -1 is out of range"}},
		{"-1 turns the rate limit off", func(c *Config) { c.RatePerMinute = -1 }, nil},
		{"bad msgtype and inviter", func(c *Config) { c.MsgType, c.AllowedInviters = "m.image", []string{"not a server"} }, []string{"msgtype:", "allowed_inviters:"}},
	}
	t.Setenv(EnvAccessToken, "")
	t.Setenv(EnvPassword, "")
	t.Setenv(EnvPickleKey, "")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good
			tt.edit(&c)
			err := c.Validate()
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Validate() = nil, want an error")
			}
			msg := err.Error()
			for _, w := range tt.wantErr {
				i := strings.Index(msg, w)
				if i < 0 {
					t.Fatalf("error %q lacks %q", msg, w)
				}
				msg = msg[i:]
			}
		})
	}
}

func TestConfigSecretsFromEnvironment(t *testing.T) {
	t.Setenv(EnvAccessToken, "from-env")
	t.Setenv(EnvPickleKey, "pk")
	c := Config{Homeserver: "http://127.0.0.1:8008", UserID: "@bot:example.org"}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	got := c.withEnv()
	if diff := cmp.Diff([]string{"from-env", "pk", "!framework", "m.notice"}, []string{got.AccessToken, got.PickleKey, got.CommandPrefix, got.MsgType}); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestInviterAllowed(t *testing.T) {
	c := Config{UserID: "@bot:example.org", AllowedInviters: nil}.withEnv()
	c2 := Config{UserID: "@bot:example.org", AllowedInviters: []string{"@alice:other.org", "friends.net"}}.withEnv()
	tests := []struct {
		cfg  Config
		user id.UserID
		want bool
	}{
		{c, "@alice:example.org", true},
		{c, "@mallory:evil.org", false},
		{c2, "@alice:other.org", true},
		{c2, "@bob:other.org", false},
		{c2, "@carol:friends.net", true},
		{c2, "@dave:example.org", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.user), func(t *testing.T) {
			if got := tt.cfg.inviterAllowed(tt.user); got != tt.want {
				t.Errorf("inviterAllowed(%s) = %v, want %v", tt.user, got, tt.want)
			}
		})
	}
}

func TestCrossSigningConfig(t *testing.T) {
	t.Setenv(EnvRecoveryKey, "EsT0 recovery")
	no, yes := false, true
	tests := []struct {
		name         string
		cfg          Config
		crossSigning bool
	}{
		{"on by default with encryption", Config{}, true},
		{"off when asked", Config{CrossSigning: &no}, false},
		{"off without encryption", Config{Encryption: &no, CrossSigning: &yes}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.cfg.withEnv()
			if got := c.crossSigning(); got != tt.crossSigning {
				t.Errorf("crossSigning() = %v, want %v", got, tt.crossSigning)
			}
			if c.RecoveryKey != "EsT0 recovery" {
				t.Errorf("RecoveryKey = %q, want it from %s", c.RecoveryKey, EnvRecoveryKey)
			}
		})
	}
}
