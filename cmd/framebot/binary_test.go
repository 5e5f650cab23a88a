package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The fault and hostile-input tests run the real framebot binary, built
// once per test run, so that a crash, a SIGKILL or a hang is the process's
// and not the test's.
var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// framebotBinary builds ./cmd/framebot with -tags goolm, once.
func framebotBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "framebot-bin-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "framebot")
		out, err := exec.Command("go", "build", "-tags", "goolm", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatalf("build framebot: %v", binErr)
	}
	return binPath
}

// binResult is what one run of the binary did.
type binResult struct {
	stdout, stderr string
	code           int
	took           time.Duration
}

// runBinary runs framebot with args and stdin, with the extra environment
// env, and fails the test if it does not exit within timeout (a hang).
func runBinary(t *testing.T, timeout time.Duration, env []string, stdin string, args ...string) binResult {
	t.Helper()
	r, hung := runBinaryMayHang(t, timeout, env, stdin, args...)
	if hung {
		t.Fatalf("framebot %s did not exit within %v: hung\nstderr:\n%s", strings.Join(shortArgs(args), " "), timeout, hangReport(r.stderr))
	}
	return r
}

// runBinaryMayHang is runBinary for a run that may hang: after timeout the
// process gets SIGQUIT (its stacks go to stderr), then SIGKILL, and hung
// is true.
func runBinaryMayHang(t *testing.T, timeout time.Duration, env []string, stdin string, args ...string) (r binResult, hung bool) {
	t.Helper()
	bin := framebotBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	// On a hang, SIGQUIT makes the Go runtime print every goroutine's
	// stack to stderr.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGQUIT) }
	cmd.WaitDelay = 10 * time.Second
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r = binResult{stdout: out.String(), stderr: errb.String(), took: time.Since(start)}
	if ctx.Err() != nil {
		return r, true
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatalf("run framebot: %v", err)
	}
	return r, false
}

// shortArgs shortens long arguments for messages.
func shortArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if len(a) > 60 {
			a = a[:60] + "…"
		}
		out[i] = strconv.Quote(a)
	}
	return out
}

func tail(s string) string {
	if len(s) > 3000 {
		return "…" + s[len(s)-3000:]
	}
	return s
}

// writeMarkerCorpus writes documents doc<from>.txt… doc<from+n-1>.txt into
// dir, each a heading (not quoted) and paras paragraphs, so paras
// passages; the first paragraph of document i holds the unique token
// docmarker<i>, so a question of that token has exactly one right passage,
// ordinal 0.
func writeMarkerCorpus(t *testing.T, dir string, from, n, paras int) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := from; i < from+n; i++ {
		var b strings.Builder
		fmt.Fprintf(&b, "Harbour report %04d\n\n", i)
		fmt.Fprintf(&b, "The inspector wrote docmarker%04d in the ledger of the ship at berth %d after the morning tide.\n\n", i, i)
		for p := 1; p < paras; p++ {
			fmt.Fprintf(&b, "Paragraph %d of report %d notes the cargo of grain, timber and salt, counted twice by the clerk on watch %d.\n\n", p, i, p*i)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("doc%04d.txt", i)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// hashTree returns the SHA-256 of every file under dir, by relative path.
func hashTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		rel, _ := filepath.Rel(dir, p)
		m[rel] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// dirSize is the total size of the files under dir (0 when missing).
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// indexStats is what framebot index prints about the index.
type indexStats struct {
	Documents, Added, Updated, Removed, Unchanged, Passages int
}

var (
	documentsLine = regexp.MustCompile(`Documents: (\d+) \((\d+) added, (\d+) updated, (\d+) removed, (\d+) unchanged\)`)
	passagesLine  = regexp.MustCompile(`Passages: (\d+)`)
)

func parseIndexOutput(t *testing.T, out string) indexStats {
	t.Helper()
	m := documentsLine.FindStringSubmatch(out)
	p := passagesLine.FindStringSubmatch(out)
	if m == nil || p == nil {
		t.Fatalf("framebot index printed no statistics:\n%s", out)
	}
	n := func(s string) int { v, _ := strconv.Atoi(s); return v }
	return indexStats{Documents: n(m[1]), Added: n(m[2]), Updated: n(m[3]), Removed: n(m[4]), Unchanged: n(m[5]), Passages: n(p[1])}
}

// knownBug skips a subtest that shows a reported bug in code this suite
// does not own, unless FRAMEBOT_KNOWN_BUGS=1 asks to see it fail.
func knownBug(t *testing.T, what string) {
	t.Helper()
	if os.Getenv("FRAMEBOT_KNOWN_BUGS") != "1" {
		t.Skip("known bug: " + what + " (set FRAMEBOT_KNOWN_BUGS=1 to run)")
	}
}

// hangReport keeps what explains a hang: the first lines of stderr and the
// stacks of the goroutines in framebot's and Bleve's code.
func hangReport(stderr string) string {
	head, stacks, _ := strings.Cut(stderr, "SIGQUIT")
	var keep []string
	for g := range strings.SplitSeq(stacks, "\n\n") {
		if strings.Contains(g, "framebot/") || strings.Contains(g, "scorch") || strings.Contains(g, "bbolt") {
			keep = append(keep, g)
		}
	}
	out := head + "SIGQUIT" + strings.Join(keep, "\n\n")
	if len(out) > 20000 {
		out = out[:20000] + "…"
	}
	return out
}
