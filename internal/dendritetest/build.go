package dendritetest

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// Names of the Dendrite binaries built from tools/dendrite.
const (
	binDendrite       = "dendrite"
	binGenerateConfig = "generate-config"
	binCreateAccount  = "create-account"
)

// dendritePackages are the import paths passed to `go build`.
var dendritePackages = []string{
	"github.com/element-hq/dendrite/cmd/" + binDendrite,
	"github.com/element-hq/dendrite/cmd/" + binGenerateConfig,
	"github.com/element-hq/dendrite/cmd/" + binCreateAccount,
}

// buildOnce caches the result of ensureBinaries within one test binary so
// parallel tests in one package neither rebuild nor re-hash.
var (
	buildMu    sync.Mutex
	buildDir   string
	buildError error
)

// binaries returns the directory holding the cached dendrite,
// generate-config and create-account binaries, building them if needed.
func binaries() (string, error) {
	buildMu.Lock()
	defer buildMu.Unlock()
	if buildDir != "" || buildError != nil {
		return buildDir, buildError
	}
	buildDir, buildError = ensureBinaries()
	return buildDir, buildError
}

// ensureBinaries locates tools/dendrite, derives the cache directory from
// the hash of its go.mod and go.sum and builds the binaries there unless
// they are already present. Concurrent test binaries are serialised with a
// file lock; the result is published with an atomic directory rename so a
// half-finished build is never used.
func ensureBinaries() (string, error) {
	toolsDir, err := findToolsDir()
	if err != nil {
		return "", err
	}
	hash, err := toolsHash(toolsDir)
	if err != nil {
		return "", err
	}
	cacheRoot, err := os.UserCacheDir()
	if err != nil || cacheRoot == "" {
		cacheRoot = os.TempDir()
	}
	parent := filepath.Join(cacheRoot, "framebot")
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", fmt.Errorf("dendritetest: create cache dir: %w", err)
	}
	final := filepath.Join(parent, "dendrite-"+hash)
	if haveBinaries(final) {
		return final, nil
	}

	unlock, err := lockFile(final + ".lock")
	if err != nil {
		return "", fmt.Errorf("dendritetest: lock %s: %w", final+".lock", err)
	}
	defer unlock()
	// Another process may have finished the build while we waited.
	if haveBinaries(final) {
		return final, nil
	}

	tmp, err := os.MkdirTemp(parent, "dendrite-"+hash+".tmp-")
	if err != nil {
		return "", fmt.Errorf("dendritetest: create build dir: %w", err)
	}
	defer os.RemoveAll(tmp) // no-op after a successful rename
	_ = os.Chmod(tmp, 0o755)

	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	args := append([]string{"build", "-trimpath", "-o", tmp + string(os.PathSeparator)}, dendritePackages...)
	cmd := exec.Command(goBin, args...)
	cmd.Dir = toolsDir
	// CGO_ENABLED=0: Dendrite then uses the pure-Go modernc.org/sqlite
	// driver instead of mattn/go-sqlite3, so no C toolchain is needed.
	// GOWORK=off keeps any go.work at the repository root out of it.
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off")
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("dendritetest: building dendrite in %s failed after %s: %w\n%s",
			toolsDir, time.Since(start).Round(time.Second), err, out.String())
	}
	if !haveBinaries(tmp) {
		return "", fmt.Errorf("dendritetest: go build succeeded but binaries are missing in %s\n%s", tmp, out.String())
	}
	if err := os.Rename(tmp, final); err != nil {
		if haveBinaries(final) { // lost a race with a lock-less builder
			return final, nil
		}
		return "", fmt.Errorf("dendritetest: publish build: %w", err)
	}
	return final, nil
}

// haveBinaries reports whether dir contains all three executables.
func haveBinaries(dir string) bool {
	for _, name := range []string{binDendrite, binGenerateConfig, binCreateAccount} {
		fi, err := os.Stat(filepath.Join(dir, exeName(name)))
		if err != nil || !fi.Mode().IsRegular() {
			return false
		}
	}
	return true
}

// exeName appends the platform's executable suffix.
func exeName(name string) string {
	if runtime.GOOS == "windows" {
		return name + ".exe"
	}
	return name
}

// findToolsDir walks up from the working directory to the root of the
// framebot module and returns its tools/dendrite directory.
func findToolsDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if isFramebotRoot(filepath.Join(dir, "go.mod")) {
			tools := filepath.Join(dir, "tools", "dendrite")
			if _, err := os.Stat(filepath.Join(tools, "go.mod")); err != nil {
				return "", fmt.Errorf("dendritetest: %s: %w", tools, err)
			}
			return tools, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", errors.New("dendritetest: no go.mod with `module framebot` found above the working directory")
		}
		dir = up
	}
}

// isFramebotRoot reports whether the go.mod at path declares `module framebot`.
func isFramebotRoot(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "module" {
			return strings.Trim(fields[1], `"`) == "framebot"
		}
	}
	return false
}

// toolsHash hashes tools/dendrite's go.sum (and go.mod, which carries the
// Dendrite version and any replace directives) plus the target platform.
func toolsHash(toolsDir string) (string, error) {
	h := sha256.New()
	for _, name := range []string{"go.sum", "go.mod"} {
		b, err := os.ReadFile(filepath.Join(toolsDir, name))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", name, len(b))
		h.Write(b)
	}
	fmt.Fprintf(h, "%s/%s cgo=0\n", runtime.GOOS, runtime.GOARCH)
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// randomHex returns n random bytes hex-encoded.
func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
