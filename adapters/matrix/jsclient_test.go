//go:build goolm

package matrix

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// jsClientDir holds the second client: matrix-js-sdk with the Rust crypto,
// installed from jsclient/package-lock.json by `npm ci` (.ci/run does it).
const jsClientDir = "jsclient"

// jsChecks are the checks jsclient/e2e.mjs reports, in order; each must
// be reported and pass.
var jsChecks = []string{
	"a strict user whose key the unsigned bot cannot get is told why",
	"the strict user sees the bot's device cross-signed",
	"a strict user gets an encrypted answer once the bot is cross-signed",
	"a question in a plain room is answered",
	"a question in an encrypted room is answered, encrypted, without a warning shield",
	"a question in a thread and a follow-up without a mention are answered in the thread",
	"a direct message without a mention is answered",
	"a new device of the user is answered, and can decrypt the answer",
}

// jsLine is one line of the script's output.
type jsLine struct {
	Check      string `json:"check"`
	OK         bool   `json:"ok"`
	Detail     string `json:"detail"`
	Checkpoint string `json:"checkpoint"`
	Done       bool   `json:"done"`
}

// requireJSClient returns the path of node, installing the client's
// packages from the lockfile when they are missing. A machine without
// Node.js skips the test (the README's test command needs only Go), except
// under CI, where the test must run: .ci/run installs what it needs.
func requireJSClient(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("node is not installed: the matrix-js-sdk test needs Node.js 20 or later (see .ci/run)")
		}
		t.Skip("matrix-js-sdk end-to-end test skipped: Node.js 20 or later is not installed (CI runs it)")
	}
	if _, err := os.Stat(filepath.Join(jsClientDir, "node_modules", "matrix-js-sdk", "package.json")); err == nil {
		return node
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Fatalf("matrix-js-sdk is not installed and npm is missing: run `npm ci` in adapters/matrix/%s", jsClientDir)
	}
	cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = jsClientDir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in adapters/matrix/%s: %v\n%s", jsClientDir, err, out)
	}
	return node
}

// TestJSClient drives the bot through Dendrite with a client that does not
// share its library: matrix-js-sdk and its Rust crypto, as in Element Web.
// The bot starts without cross-signing, so that a strict user's key is
// withheld from it; at the script's checkpoint it restarts cross-signed,
// and the script goes on with the strict user and a default user (plain
// and encrypted rooms, a thread, a direct room, a second device).
func TestJSClient(t *testing.T) {
	if testing.Short() {
		t.Skip("matrix-js-sdk end-to-end test skipped in -short mode")
	}
	node := requireJSClient(t)

	srv, ctx, cancel := startHomeserver(t, 8*time.Minute, "framebot", "jsuser", "jsstrict")
	defer cancel()
	state := openState(t, "state.db")
	b := newBot(t, state)
	botID, botToken, _ := srv.Login(t, "framebot", "framebot-password")
	no, yes := false, true
	cfg := Config{
		Homeserver: srv.URL(), UserID: botID, AccessToken: botToken, PickleKey: "k",
		RatePerMinute: -1, CrossSigning: &no, FeedbackReactions: &no,
		AllowedInviters: []string{srv.ServerName()},
	}
	run := startAdapter(t, ctx, cfg, b, state)

	cmd := exec.CommandContext(ctx, node, "e2e.mjs")
	cmd.Dir = jsClientDir
	cmd.Env = append(os.Environ(),
		"HOMESERVER="+srv.URL(),
		"BOT_USER_ID="+botID,
		"USER_LOCALPART=jsuser", "USER_PASSWORD=jsuser-password",
		"STRICT_LOCALPART=jsstrict", "STRICT_PASSWORD=jsstrict-password",
		fmt.Sprintf("TIMEOUT_MS=%d", wait.Milliseconds()),
	)
	stderr := &testWriter{t: t}
	defer func() { stderr.mu.Lock(); stderr.done = true; stderr.mu.Unlock() }()
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}

	results := map[string]jsLine{}
	var order []string
	done := false
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		var l jsLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Logf("jsclient: %s", sc.Text())
			continue
		}
		switch {
		case l.Checkpoint == "cross-sign":
			run.stop(t)
			cfg.CrossSigning = &yes
			run = startAdapter(t, ctx, cfg, b, state)
			if _, err := io.WriteString(stdin, "continue\n"); err != nil {
				t.Fatalf("resume the client: %v", err)
			}
		case l.Check != "":
			results[l.Check] = l
			order = append(order, l.Check)
			t.Logf("jsclient check %q ok=%v %s", l.Check, l.OK, l.Detail)
		case l.Done:
			done = true
		}
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Errorf("the client exited with %v", err)
	}
	if !done {
		t.Error("the client did not run to the end")
	}
	for _, name := range jsChecks {
		t.Run(name, func(t *testing.T) {
			r, ok := results[name]
			switch {
			case !ok:
				t.Error("not reported by the client")
			case !r.OK:
				t.Error(r.Detail)
			}
		})
	}
	for _, name := range order {
		if _, known := results[name]; known && !contains(jsChecks, name) {
			t.Errorf("unexpected check %q (ok=%v): %s", name, results[name].OK, results[name].Detail)
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
