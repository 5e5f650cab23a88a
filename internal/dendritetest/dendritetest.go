// Package dendritetest runs a real Dendrite Matrix homeserver on 127.0.0.1
// for end-to-end tests.
//
// The dendrite, generate-config and create-account binaries are built once
// per machine from the nested module in tools/dendrite (pinned Dendrite
// version) into os.UserCacheDir()/framebot/dendrite-<hash>, and reused by
// every later test run. Each Start gets its own temporary data directory
// (SQLite databases, JetStream, media, search index), a fresh signing key,
// a free loopback port, federation and open registration disabled; accounts
// are created through the shared-secret admin API by the create-account
// tool.
//
// Typical use:
//
//	srv := dendritetest.Start(t)
//	srv.CreateAccount(t, "bot", "botpassword", false)
//	userID, token, deviceID := srv.Login(t, "bot", "botpassword")
//	// point the client under test at srv.URL()
//
// Start skips the test in -short mode; otherwise any failure (including a
// failed build) is fatal.
package dendritetest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// DefaultServerName is the Matrix server name of every test homeserver;
// user IDs look like @alice:localhost.
const DefaultServerName = "localhost"

const (
	readyTimeout   = 60 * time.Second
	stopTimeout    = 30 * time.Second
	logTailLines   = 100
	startAttempts  = 3
	requestTimeout = 30 * time.Second
)

// Option customises the homeserver configuration before Start launches it.
type Option func(*options)

type options struct {
	rateLimiting  bool
	rateThreshold int64
	rateCooloff   time.Duration
	logLevel      string
	edits         []func(cfg map[string]any)
}

// WithRateLimiting enables Dendrite's client API rate limiting (disabled by
// default) with the given burst threshold and cool-off per request slot.
// Use it to test a client's handling of M_LIMIT_EXCEEDED.
func WithRateLimiting(threshold int64, cooloff time.Duration) Option {
	return func(o *options) {
		o.rateLimiting = true
		o.rateThreshold = threshold
		o.rateCooloff = cooloff
	}
}

// WithLogLevel sets Dendrite's log level ("trace", "debug", "info", "warn",
// "error"); the default is "info".
func WithLogLevel(level string) Option {
	return func(o *options) { o.logLevel = level }
}

// WithConfig registers a function that edits the decoded dendrite.yaml
// after the harness has applied its own settings, for anything the other
// options do not cover. Nested sections are map[string]any.
func WithConfig(edit func(cfg map[string]any)) Option {
	return func(o *options) { o.edits = append(o.edits, edit) }
}

// Server is a running (or stopped) Dendrite homeserver owned by one test.
// Its methods are safe for concurrent use.
type Server struct {
	binDir     string
	dataDir    string
	configPath string
	logPath    string
	port       int
	url        string
	serverName string

	mu   sync.Mutex
	proc *process // nil while stopped
}

// process is one running dendrite subprocess.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once cmd.Wait returned
	err  error         // cmd.Wait's result, valid after done
}

// Start builds (or reuses) the Dendrite binaries, writes a configuration in
// t.TempDir(), launches the homeserver on a free 127.0.0.1 port and waits
// until GET /_matrix/client/versions answers. The server is stopped by a
// t.Cleanup; if the test failed, the last 100 lines of its log are logged.
// In -short mode the test is skipped.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	if testing.Short() {
		t.Skip("dendrite end-to-end test skipped in -short mode")
	}
	o := options{logLevel: "info"}
	for _, opt := range opts {
		opt(&o)
	}

	binDir, err := binaries()
	if err != nil {
		t.Fatal(err)
	}

	s := &Server{
		binDir:     binDir,
		dataDir:    t.TempDir(),
		serverName: DefaultServerName,
	}
	s.configPath = filepath.Join(s.dataDir, "dendrite.yaml")
	s.logPath = filepath.Join(s.dataDir, "dendrite.log")

	if err := s.writeConfig(o); err != nil {
		t.Fatalf("dendritetest: write config: %v", err)
	}

	// Registered first so it runs last, after the server has stopped and
	// the log is complete.
	t.Cleanup(func() {
		if t.Failed() {
			s.logTail(t)
		}
	})
	t.Cleanup(func() { s.stop(t) })

	// The port is picked by binding :0 and releasing it, so another
	// process can grab it in between; retry with a new port in that case.
	for attempt := 1; ; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatalf("dendritetest: pick port: %v", err)
		}
		s.port = port
		s.url = "http://127.0.0.1:" + strconv.Itoa(port)
		err = s.launch()
		if err == nil {
			return s
		}
		if attempt >= startAttempts || !errors.Is(err, errEarlyExit) || !s.logContains("address already in use") {
			t.Fatalf("dendritetest: start dendrite: %v", err)
		}
		t.Logf("dendritetest: port %d was taken, retrying", port)
	}
}

// URL returns the homeserver's client-server API base URL, e.g.
// "http://127.0.0.1:34567" (no trailing slash). It stays the same across
// Restart.
func (s *Server) URL() string { return s.url }

// ServerName returns the homeserver's Matrix server name (the part after
// the colon in user IDs and room aliases).
func (s *Server) ServerName() string { return s.serverName }

// UserID returns the full Matrix user ID for localpart on this server.
func (s *Server) UserID(localpart string) string {
	return "@" + localpart + ":" + s.serverName
}

// DataDir returns the temporary directory holding the configuration,
// databases and log of this server.
func (s *Server) DataDir() string { return s.dataDir }

// LogPath returns the path of the file receiving the homeserver's stdout
// and stderr (appended to across restarts).
func (s *Server) LogPath() string { return s.logPath }

// CreateAccount registers localpart with password on the server using the
// create-account tool (shared-secret registration, which works although
// open registration is disabled). admin makes the account a server admin.
// The server must be running.
func (s *Server) CreateAccount(t testing.TB, localpart, password string, admin bool) {
	t.Helper()
	args := []string{
		"-config", s.configPath,
		"-url", s.url,
		"-username", localpart,
		"-passwordstdin",
	}
	if admin {
		args = append(args, "-admin")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(s.binDir, exeName(binCreateAccount)), args...)
	cmd.Dir = s.dataDir
	cmd.Stdin = strings.NewReader(password)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("dendritetest: create-account %q: %v\n%s", localpart, err, out)
	}
}

// Login logs localpart in with password via POST /_matrix/client/v3/login
// and returns the full user ID, a fresh access token and the device ID.
func (s *Server) Login(t testing.TB, localpart, password string) (userID, accessToken, deviceID string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"type":       "m.login.password",
		"identifier": map[string]string{"type": "m.id.user", "user": localpart},
		"password":   password,
	})
	client := &http.Client{Timeout: requestTimeout}
	resp, err := client.Post(s.url+"/_matrix/client/v3/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("dendritetest: login %q: %v", localpart, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("dendritetest: login %q: HTTP %d: %s", localpart, resp.StatusCode, raw)
	}
	var r struct {
		UserID      string `json:"user_id"`
		AccessToken string `json:"access_token"`
		DeviceID    string `json:"device_id"`
	}
	if err := json.Unmarshal(raw, &r); err != nil || r.AccessToken == "" {
		t.Fatalf("dendritetest: login %q: bad response %s (%v)", localpart, raw, err)
	}
	return r.UserID, r.AccessToken, r.DeviceID
}

// Running reports whether the homeserver process is currently running.
func (s *Server) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return false
	}
	select {
	case <-s.proc.done:
		return false
	default:
		return true
	}
}

// Stop shuts the homeserver down (SIGTERM, then SIGKILL after 30s) and
// waits for the process to exit; its port then refuses connections. Data
// is kept for Restart. Stopping a stopped server is a no-op.
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	if err := s.stop(t); err != nil {
		t.Fatalf("dendritetest: stop: %v", err)
	}
}

// Restart stops the homeserver if it is running and starts it again on the
// same port with the same configuration and data, waiting until it answers
// again. Accounts, rooms and access tokens survive.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	if err := s.stop(t); err != nil {
		t.Fatalf("dendritetest: restart: stop: %v", err)
	}
	if err := s.launch(); err != nil {
		t.Fatalf("dendritetest: restart: %v", err)
	}
}

var errEarlyExit = errors.New("dendrite exited before becoming ready")

// launch starts the subprocess and waits for readiness. On failure the
// process is killed and reaped.
func (s *Server) launch() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		return errors.New("dendrite is already running")
	}
	logFile, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close() // the child keeps its own descriptor
	fmt.Fprintf(logFile, "=== dendritetest: starting dendrite on %s at %s\n", s.url, time.Now().Format(time.RFC3339Nano))

	cmd := exec.Command(filepath.Join(s.binDir, exeName(binDendrite)),
		"-config", s.configPath,
		"-http-bind-address", "127.0.0.1:"+strconv.Itoa(s.port),
	)
	cmd.Dir = s.dataDir
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	// Keep stray profiling/tracing settings of the developer's shell out.
	cmd.Env = filterEnv(os.Environ(), "PPROFLISTEN=")
	setProcAttr(cmd)
	if err := cmd.Start(); err != nil {
		return err
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()

	if err := waitReady(s.url, p, readyTimeout); err != nil {
		_ = cmd.Process.Kill()
		<-p.done
		return err
	}
	s.proc = p
	return nil
}

// stop terminates the process, if any, and waits for it.
func (s *Server) stop(t testing.TB) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.proc
	if p == nil {
		return nil
	}
	s.proc = nil
	select {
	case <-p.done:
		t.Logf("dendritetest: dendrite had already exited: %v", p.err)
		return nil
	default:
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		_ = p.cmd.Process.Kill()
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(stopTimeout):
	}
	_ = p.cmd.Process.Kill()
	select {
	case <-p.done:
		return fmt.Errorf("dendrite did not exit within %s of SIGTERM and was killed", stopTimeout)
	case <-time.After(10 * time.Second):
		return errors.New("dendrite did not exit even after SIGKILL")
	}
}

// waitReady polls GET /_matrix/client/versions until it returns 200, the
// process exits or the timeout passes.
func waitReady(baseURL string, p *process, timeout time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var lastErr error
	for {
		resp, err := client.Get(baseURL + "/_matrix/client/versions")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		lastErr = err
		if time.Now().After(deadline) {
			return fmt.Errorf("dendrite not ready at %s after %s: %v", baseURL, timeout, lastErr)
		}
		select {
		case <-p.done:
			return fmt.Errorf("%w: %v", errEarlyExit, p.err)
		case <-tick.C:
		}
	}
}

// writeConfig runs generate-config -ci and rewrites the result for an
// isolated, loopback-only, federation-less test server.
func (s *Server) writeConfig(o options) error {
	gen := exec.Command(filepath.Join(s.binDir, exeName(binGenerateConfig)),
		"-ci", "-dir", s.dataDir, "-server", s.serverName)
	gen.Dir = s.dataDir
	var stderr bytes.Buffer
	gen.Stderr = &stderr
	out, err := gen.Output()
	if err != nil {
		return fmt.Errorf("generate-config: %v\n%s", err, stderr.String())
	}
	var cfg map[string]any
	if err := yaml.Unmarshal(out, &cfg); err != nil {
		return fmt.Errorf("parse generated config: %w", err)
	}

	keyPath := filepath.Join(s.dataDir, "matrix_key.pem")
	if err := writeMatrixKey(keyPath); err != nil {
		return err
	}

	global := section(cfg, "global")
	global["server_name"] = s.serverName
	global["private_key"] = keyPath
	global["disable_federation"] = true
	global["trusted_third_party_id_servers"] = []string{}
	// The ristretto cache defaults to 1 GiB; tests need far less.
	section(global, "cache")["max_size_estimated"] = "64mb"
	js := section(global, "jetstream")
	js["storage_path"] = filepath.Join(s.dataDir, "jetstream")
	js["in_memory"] = false // persist across Restart
	section(global, "report_stats")["enabled"] = false

	client := section(cfg, "client_api")
	client["registration_disabled"] = true
	client["guests_disabled"] = true
	// create-account registers through /_synapse/admin/v1/register.
	client["registration_shared_secret"] = randomHex(24)
	rl := section(client, "rate_limiting")
	rl["enabled"] = o.rateLimiting
	if o.rateLimiting {
		rl["threshold"] = o.rateThreshold
		rl["cooloff_ms"] = o.rateCooloff.Milliseconds()
	}

	fed := section(cfg, "federation_api")
	fed["key_perspectives"] = []any{}
	fed["disable_tls_validation"] = false

	section(cfg, "media_api")["base_path"] = filepath.Join(s.dataDir, "media")
	search := section(section(cfg, "sync_api"), "search")
	search["index_path"] = filepath.Join(s.dataDir, "searchindex")
	search["in_memory"] = false
	// The CI defaults switch on experimental MSCs; a test server should
	// behave like a stock one.
	section(cfg, "mscs")["mscs"] = []string{}

	cfg["logging"] = []any{map[string]any{"type": "std", "level": o.logLevel}}

	for _, edit := range o.edits {
		edit(cfg)
	}

	data, err := yaml.Marshal(cfg)
	if err != nil {
		return err
	}
	return os.WriteFile(s.configPath, data, 0o600)
}

// section returns m[key] as a map, creating it if absent.
func section(m map[string]any, key string) map[string]any {
	if sub, ok := m[key].(map[string]any); ok {
		return sub
	}
	sub := map[string]any{}
	m[key] = sub
	return sub
}

// writeMatrixKey writes a new ed25519 signing key in Dendrite's
// "MATRIX PRIVATE KEY" PEM format (the 32-byte seed plus a Key-ID header),
// as cmd/generate-keys would.
func writeMatrixKey(path string) error {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	block := &pem.Block{
		Type:    "MATRIX PRIVATE KEY",
		Headers: map[string]string{"Key-ID": "ed25519:test" + randomHex(3)},
		Bytes:   priv.Seed(),
	}
	return os.WriteFile(path, pem.EncodeToMemory(block), 0o600)
}

// freePort returns a currently unused TCP port on 127.0.0.1.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// filterEnv drops variables starting with any of the prefixes.
func filterEnv(env []string, prefixes ...string) []string {
	out := env[:0:0]
outer:
	for _, kv := range env {
		for _, p := range prefixes {
			if strings.HasPrefix(kv, p) {
				continue outer
			}
		}
		out = append(out, kv)
	}
	return out
}

// logContains reports whether the server log contains substr.
func (s *Server) logContains(substr string) bool {
	b, err := os.ReadFile(s.logPath)
	return err == nil && bytes.Contains(b, []byte(substr))
}

// logTail logs the last lines of the server log to t.
func (s *Server) logTail(t testing.TB) {
	f, err := os.Open(s.logPath)
	if err != nil {
		t.Logf("dendritetest: no dendrite log: %v", err)
		return
	}
	defer f.Close()
	ring := make([]string, 0, logTailLines)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		if len(ring) == logTailLines {
			ring = append(ring[:0], ring[1:]...)
		}
		ring = append(ring, sc.Text())
	}
	t.Logf("dendritetest: last %d lines of %s:\n%s", len(ring), s.logPath, strings.Join(ring, "\n"))
}
