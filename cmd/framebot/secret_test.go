package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"framebot/adapters/matrix"
	"framebot/adapters/slack"
	"framebot/bot"
	"framebot/sqlite"
)

// Recognisable secrets: none of them may appear in a log line, an error or
// the output of framebot.
const (
	secretBot       = "xoxb-SECRET-123-bot"
	secretApp       = "xapp-SECRET-456-app"
	secretSigning   = "SECRET-789-signing"
	secretBadBot    = "SECRET-000-not-a-bot-token"
	secretMatrixTok = "syt_SECRET_matrix_token_abc"
	secretPassword  = "SECRET-hunter2-password"
	secretPickle    = "SECRET-pickle-key-xyz"
)

var allSecrets = []string{secretBot, secretApp, secretSigning, secretBadBot, secretMatrixTok, secretPassword, secretPickle, "SECRET"}

// checkNoSecret fails when any secret (or the word SECRET that all of them
// hold) appears in s.
func checkNoSecret(t *testing.T, where, s string) {
	t.Helper()
	for _, secret := range allSecrets {
		if strings.Contains(s, secret) {
			t.Errorf("%s shows the secret %q:\n%s", where, secret, s)
			return
		}
	}
}

// debugLogger logs everything, as an operator chasing a problem would.
func debugLogger(buf *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func secretBotFor(t *testing.T) *bot.Bot {
	t.Helper()
	return bot.New(nil, nil)
}

// slackRefuses is a Slack Web API that refuses every token.
func slackRefuses(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":false,"error":"invalid_auth"}`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// matrixRefuses is a homeserver that rejects every token and password.
func matrixRefuses(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/login") {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"errcode":"M_FORBIDDEN","error":"Invalid username or password"}`)
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"errcode":"M_UNKNOWN_TOKEN","error":"Unknown access token","soft_logout":false}`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestSecretsNeverInSlackErrorsOrLogs(t *testing.T) {
	srv := slackRefuses(t)
	for _, tt := range []struct {
		name    string
		env     map[string]string
		cfg     slack.Config
		wantErr bool // from New; otherwise Run must fail on the refused token
	}{
		{"a bot token without its xoxb- prefix", map[string]string{"SLACK_BOT_TOKEN": secretBadBot, "SLACK_APP_TOKEN": secretApp}, slack.Config{}, true},
		{"an app token where the bot token goes", map[string]string{"SLACK_BOT_TOKEN": secretApp, "SLACK_APP_TOKEN": secretBot}, slack.Config{}, true},
		{"http mode without a listen address", map[string]string{"SLACK_BOT_TOKEN": secretBot, "SLACK_SIGNING_SECRET": secretSigning}, slack.Config{Mode: "http", Listen: "nowhere"}, true},
		{"a bad mode, command and channel", map[string]string{"SLACK_BOT_TOKEN": secretBot, "SLACK_APP_TOKEN": secretApp}, slack.Config{Mode: "carrier-pigeon", Command: "framework", Channels: []string{"#general"}}, true},
		{"a bad API URL", map[string]string{"SLACK_BOT_TOKEN": secretBot, "SLACK_APP_TOKEN": secretApp}, slack.Config{APIURL: "ftp://slack.example.org"}, true},
		{"a well-formed bot token Slack refuses, socket mode", map[string]string{"SLACK_BOT_TOKEN": secretBot, "SLACK_APP_TOKEN": secretApp}, slack.Config{}, false},
		{"a well-formed bot token Slack refuses, http mode", map[string]string{"SLACK_BOT_TOKEN": secretBot, "SLACK_SIGNING_SECRET": secretSigning}, slack.Config{Mode: "http", Listen: "127.0.0.1:0"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"} {
				t.Setenv(k, tt.env[k])
			}
			cfg := tt.cfg
			cfg.Enabled = true
			if cfg.APIURL == "" {
				cfg.APIURL = srv.URL + "/api/"
			}
			var logs bytes.Buffer
			verr := cfg.Validate()
			a, err := slack.New(cfg, slack.Deps{Bot: secretBotFor(t), Logger: debugLogger(&logs)})
			checkSecretsKept(t, tt.wantErr, verr, err, func(ctx context.Context) error { return a.Run(ctx) }, &logs)
		})
	}
}

func TestSecretsNeverInMatrixErrorsOrLogs(t *testing.T) {
	srv := matrixRefuses(t)
	off := false
	for _, tt := range []struct {
		name    string
		env     map[string]string
		cfg     matrix.Config
		wantErr bool
	}{
		{"no homeserver", map[string]string{matrix.EnvAccessToken: secretMatrixTok, matrix.EnvPickleKey: secretPickle}, matrix.Config{UserID: "@bot:example.org"}, true},
		{"a bad user ID and msgtype", map[string]string{matrix.EnvPassword: secretPassword, matrix.EnvPickleKey: secretPickle}, matrix.Config{UserID: "bot", MsgType: "m.image"}, true},
		{"a token but no pickle key", map[string]string{matrix.EnvAccessToken: secretMatrixTok}, matrix.Config{UserID: "@bot:example.org"}, true},
		{"a bad prefix and inviter", map[string]string{matrix.EnvAccessToken: secretMatrixTok, matrix.EnvPickleKey: secretPickle}, matrix.Config{UserID: "@bot:example.org", CommandPrefix: "! frame", AllowedInviters: []string{"not a server"}}, true},
		{"an access token the homeserver refuses", map[string]string{matrix.EnvAccessToken: secretMatrixTok}, matrix.Config{UserID: "@bot:example.org", Encryption: &off}, false},
		{"a password the homeserver refuses", map[string]string{matrix.EnvPassword: secretPassword}, matrix.Config{UserID: "@bot:example.org", Encryption: &off}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{matrix.EnvAccessToken, matrix.EnvPassword, matrix.EnvPickleKey} {
				t.Setenv(k, tt.env[k])
			}
			cfg := tt.cfg
			cfg.Enabled = true
			if cfg.Homeserver == "" && tt.name != "no homeserver" {
				cfg.Homeserver = srv.URL
			}
			var logs bytes.Buffer
			st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			crypto, err := cryptoDB(st)
			if err != nil {
				t.Fatal(err)
			}
			verr := cfg.Validate()
			a, err := matrix.New(cfg, matrix.Deps{Bot: secretBotFor(t), Store: st, CryptoDB: crypto, Logger: debugLogger(&logs)})
			err = checkSecretsKept(t, tt.wantErr, verr, err, func(ctx context.Context) error { return a.Run(ctx) }, &logs)
			if tt.wantErr {
				return
			}
			if tt.env[matrix.EnvAccessToken] != "" && !errors.Is(err, matrix.ErrUnknownToken) {
				t.Errorf("Run = %v, want ErrUnknownToken", err)
			}
		})
	}
}

// TestSecretsNeverInServeOutput runs framebot serve with tokens the
// platforms refuse, at log level debug: it must stop with an error that
// names the variable to fix, never its value.
func TestSecretsNeverInServeOutput(t *testing.T) {
	slackSrv := slackRefuses(t)
	matrixSrv := matrixRefuses(t)
	root := t.TempDir()
	for _, tt := range []struct {
		name   string
		config string
		env    []string
		want   string
	}{
		{"a Slack token Slack refuses", "slack:\n  enabled: true\n  api_url: " + slackSrv.URL + "/api/\n",
			[]string{"SLACK_BOT_TOKEN=" + secretBot, "SLACK_APP_TOKEN=" + secretApp}, "SLACK_BOT_TOKEN"},
		{"a malformed Slack token", "slack:\n  enabled: true\n",
			[]string{"SLACK_BOT_TOKEN=" + secretBadBot, "SLACK_APP_TOKEN=" + secretApp}, "SLACK_BOT_TOKEN does not hold a bot token"},
		{"a Matrix token the homeserver refuses", "matrix:\n  enabled: true\n  encryption: false\n  homeserver: " + matrixSrv.URL + "\n  user_id: \"@bot:example.org\"\n",
			[]string{matrix.EnvAccessToken + "=" + secretMatrixTok, matrix.EnvPickleKey + "=" + secretPickle}, "MATRIX_ACCESS_TOKEN"},
		{"a Matrix password the homeserver refuses", "matrix:\n  enabled: true\n  encryption: false\n  homeserver: " + matrixSrv.URL + "\n  user_id: \"@bot:example.org\"\n",
			[]string{matrix.EnvPassword + "=" + secretPassword}, "password"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(root, strings.ReplaceAll(tt.name, " ", "-"))
			cfg := filepath.Join(root, strings.ReplaceAll(tt.name, " ", "-")+".yaml")
			writeConfig(t, cfg, fmt.Sprintf("data_dir: %s\nlog_level: debug\n%s", dir, tt.config))
			env := append([]string{"SLACK_BOT_TOKEN=", "SLACK_APP_TOKEN=", "SLACK_SIGNING_SECRET=", "MATRIX_ACCESS_TOKEN=", "MATRIX_PASSWORD=", "MATRIX_PICKLE_KEY="}, tt.env...)
			r := runBinary(t, serveTimeout, env, "", "serve", "--config", cfg)
			if r.code == 0 {
				t.Fatalf("serve exited 0 with a refused credential\n%s", tail(r.stderr))
			}
			if !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr does not say what to fix (%q):\n%s", tt.want, tail(r.stderr))
			}
			checkNoSecret(t, "stderr", r.stderr)
			checkNoSecret(t, "stdout", r.stdout)
			t.Logf("exit %d after %v: %s", r.code, r.took.Round(time.Millisecond), lastLine(r.stderr))
		})
	}
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// checkSecretsKept checks an adapter built with bad or refused credentials:
// when wantErr, New's and Validate's errors must exist and name no secret;
// otherwise Run must fail once the platform refuses the credentials, with an
// error that names none. The log must name none either. It returns Run's
// error.
func checkSecretsKept(t *testing.T, wantErr bool, verr, newErr error, run func(context.Context) error, logs *bytes.Buffer) error {
	t.Helper()
	if wantErr {
		if newErr == nil || verr == nil {
			t.Fatalf("New = %v, Validate = %v, want errors", newErr, verr)
		}
		checkNoSecret(t, "New's error", newErr.Error())
		checkNoSecret(t, "Validate's error", verr.Error())
		checkNoSecret(t, "the log", logs.String())
		return nil
	}
	if newErr != nil {
		t.Fatal(newErr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := run(ctx)
	if err == nil || ctx.Err() != nil {
		t.Fatalf("Run = %v, want the platform's refusal", err)
	}
	checkNoSecret(t, "Run's error", err.Error())
	checkNoSecret(t, "the log", logs.String())
	return err
}
