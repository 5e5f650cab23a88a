package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"framebot/index"
	"framebot/internal/wait"
	"framebot/sqlite"
)

const (
	faultDocs    = 3000
	faultParas   = 8
	faultTimeout = 2 * time.Minute
	smallDocs    = 20
	askTimeout   = time.Minute
	serveTimeout = time.Minute
	// diskFullTimeout bounds framebot index on a full disk; when it fails
	// cleanly it does so in about 3 s.
	diskFullTimeout = 30 * time.Second
)

// askJSON is the part of framebot ask --format json the tests read.
type askJSON struct {
	Answered bool `json:"answered"`
	Passages []struct {
		Text    string `json:"text"`
		Doc     string `json:"doc"`
		Ordinal int    `json:"ordinal"`
	} `json:"passages"`
}

// askMarker asks the binary for docmarker<i> and checks that exactly one
// passage quotes it, from doc<i>.txt.
func askMarker(t *testing.T, corpusDir, ixDir string, i int) {
	t.Helper()
	marker := fmt.Sprintf("docmarker%04d", i)
	r := runBinary(t, askTimeout, nil, "", "ask", "--format", "json", "--corpus", corpusDir, "--index", ixDir, marker)
	if r.code != 0 {
		t.Fatalf("ask %s: exit %d\n%s", marker, r.code, tail(r.stderr))
	}
	var a askJSON
	if err := json.Unmarshal([]byte(r.stdout), &a); err != nil {
		t.Fatalf("ask %s: output is not JSON: %v\n%s", marker, err, r.stdout)
	}
	var got []string
	for _, p := range a.Passages {
		if strings.Contains(p.Text, marker) {
			got = append(got, fmt.Sprintf("%s#%d", p.Doc, p.Ordinal))
		}
	}
	want := []string{fmt.Sprintf("doc%04d.txt#0", i)}
	if diff := cmp.Diff(want, got); diff != "" || !a.Answered {
		t.Errorf("ask %s: answered=%v, passages quoting it (-want +got):\n%s", marker, a.Answered, diff)
	}
}

// checkEveryMarker opens the index in process (the binary has exited) and
// checks that every document is indexed once: docmarker<i> finds exactly
// one passage, doc<i>.txt's, and every document has all its passages.
func checkEveryMarker(t *testing.T, ixDir string, n, paras int) {
	t.Helper()
	ix, err := index.Open(ixDir, index.Options{})
	if err != nil {
		t.Fatalf("open index: %v", err)
	}
	defer ix.Close()
	ctx := context.Background()
	bad := 0
	for i := range n {
		marker := fmt.Sprintf("docmarker%04d", i)
		doc := fmt.Sprintf("doc%04d.txt", i)
		res, err := ix.Search(ctx, marker, 5)
		if err != nil {
			t.Fatalf("search %s: %v", marker, err)
		}
		var found []string
		for _, h := range res.Hits {
			if strings.Contains(h.Text, marker) {
				found = append(found, fmt.Sprintf("%s#%d", h.Doc, h.Ordinal))
			}
		}
		m, ok := ix.Meta(doc)
		if len(found) != 1 || found[0] != doc+"#0" || !ok || m.Passages != paras {
			bad++
			if bad <= 5 {
				t.Errorf("%s: passages quoting it %v (want [%s#0]); indexed %v with %d passages (want %d)", marker, found, doc, ok, m.Passages, paras)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d documents are not indexed exactly once", bad, n)
	}
}

// TestFaultKillDuringIndexing SIGKILLs framebot index at three moments
// while it indexes 3000 documents, then runs it again: the index must open
// (or be rebuilt with a warning), end with every document exactly once,
// and answer each document's marker with that document's passage.
func TestFaultKillDuringIndexing(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes 3000 documents four times")
	}
	bin := framebotBinary(t)
	corpusDir := filepath.Join(t.TempDir(), "corpus")
	writeMarkerCorpus(t, corpusDir, 0, faultDocs, faultParas)
	before := hashTree(t, corpusDir)

	// A full run, for the size and time the kills are placed against.
	ref := filepath.Join(t.TempDir(), "ix")
	r := runBinary(t, faultTimeout, nil, "", "index", "--corpus", corpusDir, "--index", ref)
	if r.code != 0 {
		t.Fatalf("index: exit %d\n%s", r.code, tail(r.stderr))
	}
	full := dirSize(ref)
	t.Logf("uninterrupted index of %d documents: %v, %d bytes", faultDocs, r.took.Round(time.Millisecond), full)

	for _, moment := range []struct {
		name string
		at   int64 // kill once the index folder holds this many bytes
	}{
		{"as soon as the index folder exists", 1},
		{"after a third of the index is written", full / 3},
		{"after two thirds of the index are written", 2 * full / 3},
	} {
		t.Run(moment.name, func(t *testing.T) {
			ixDir := filepath.Join(t.TempDir(), "ix")
			cmd := exec.Command(bin, "index", "--corpus", corpusDir, "--index", ixDir)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			start := time.Now()
			var size int64
			killed := false
		poll:
			for deadline := time.Now().Add(faultTimeout); time.Now().Before(deadline); {
				select {
				case <-exited:
					break poll
				default:
				}
				if size = dirSize(ixDir); size >= moment.at {
					if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
						t.Fatal(err)
					}
					<-exited
					killed = true
					break
				}
				time.Sleep(time.Millisecond) // polling the folder; not waiting for a result
			}
			if !killed {
				t.Logf("framebot index finished (%v) before the index folder reached %d bytes; checking the result all the same", time.Since(start), moment.at)
			} else {
				t.Logf("killed after %v with %d bytes in the index folder", time.Since(start).Round(time.Millisecond), size)
			}

			r := runBinary(t, faultTimeout, nil, "", "index", "--corpus", corpusDir, "--index", ixDir)
			if r.code != 0 {
				t.Fatalf("index after the kill: exit %d\n%s", r.code, tail(r.stderr))
			}
			st := parseIndexOutput(t, r.stdout)
			rebuilt := strings.Contains(r.stderr, "rebuilding")
			t.Logf("recovery: framebot index took %v, re-indexed %d documents, kept %d, rebuilt from scratch: %v",
				r.took.Round(time.Millisecond), st.Added+st.Updated, st.Unchanged, rebuilt)
			if st.Documents != faultDocs || st.Passages != faultDocs*faultParas {
				t.Errorf("after recovery: %d documents and %d passages, want %d and %d", st.Documents, st.Passages, faultDocs, faultDocs*faultParas)
			}
			if st.Added+st.Updated+st.Unchanged != faultDocs || st.Removed != 0 {
				t.Errorf("recovery statistics %+v do not add up to %d documents", st, faultDocs)
			}
			for _, i := range []int{0, 1234, faultDocs - 1} {
				askMarker(t, corpusDir, ixDir, i)
			}
			checkEveryMarker(t, ixDir, faultDocs, faultParas)
		})
	}
	if diff := cmp.Diff(before, hashTree(t, corpusDir)); diff != "" {
		t.Errorf("the corpus changed (-before +after):\n%s", diff)
	}
}

// TestFaultDiskFull indexes a corpus too big for the index folder's file
// system (a 2 MB tmpfs): framebot index must fail with a clear message,
// and the index built before must still answer for the old documents.
func TestFaultDiskFull(t *testing.T) {
	root := t.TempDir()
	mnt := filepath.Join(root, "tmpfs")
	if err := os.MkdirAll(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("can't mount a small tmpfs here (needs root or CAP_SYS_ADMIN): %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", mnt, err, out)
		}
	})
	ixDir := filepath.Join(mnt, "ix")
	corpusDir := filepath.Join(root, "corpus")
	writeMarkerCorpus(t, corpusDir, 0, smallDocs, faultParas)
	r := runBinary(t, faultTimeout, nil, "", "index", "--corpus", corpusDir, "--index", ixDir)
	if r.code != 0 {
		t.Fatalf("index of the small corpus: exit %d\n%s", r.code, tail(r.stderr))
	}
	t.Logf("index of %d documents: %d bytes of the 2 MiB tmpfs", smallDocs, dirSize(ixDir))

	// The corpus grows past what the file system can hold.
	const grownDocs = 3000
	writeMarkerCorpus(t, corpusDir, smallDocs, grownDocs, faultParas)
	grown := hashTree(t, corpusDir)
	r, hung := runBinaryMayHang(t, diskFullTimeout, nil, "", "index", "--corpus", corpusDir, "--index", ixDir)
	t.Run("indexing a corpus too big for the disk fails with a clear error", func(t *testing.T) {
		if hung {
			t.Logf("framebot index hung for %v on the full disk; stacks:\n%s", diskFullTimeout, hangReport(r.stderr))
			t.Fatalf("framebot index did not exit within %v", diskFullTimeout)
		}
		t.Logf("exit %d after %v: %s", r.code, r.took.Round(time.Millisecond), strings.TrimSpace(r.stderr))
		if r.code == 0 {
			t.Fatalf("index of %d documents on a 2 MiB file system succeeded:\n%s", smallDocs+grownDocs, r.stdout)
		}
		if !strings.Contains(r.stderr, "index") || !strings.Contains(r.stderr, "no space left on device") {
			t.Errorf("error does not say the index is out of space:\n%s", r.stderr)
		}
		if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
			t.Errorf("framebot crashed:\n%s", tail(r.stderr))
		}
	})

	// The index that was there survived: every old document is still
	// found, once (read in process; the binary has exited).
	ix, err := index.Open(ixDir, index.Options{})
	if err != nil {
		t.Fatalf("open the index after the failure: %v", err)
	}
	for i := range smallDocs {
		marker := fmt.Sprintf("docmarker%04d", i)
		res, err := ix.Search(context.Background(), marker, 5)
		if err != nil {
			t.Fatalf("search %s: %v", marker, err)
		}
		n := 0
		for _, h := range res.Hits {
			if strings.Contains(h.Text, marker) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s: %d passages after the failure, want 1", marker, n)
		}
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}

	t.Run("ask with the grown corpus still answers from the old index", func(t *testing.T) {
		askMarker(t, corpusDir, ixDir, 5)
	})

	if diff := cmp.Diff(grown, hashTree(t, corpusDir)); diff != "" {
		t.Errorf("the corpus changed (-before +after):\n%s", diff)
	}

	// Once there is room again, the next run completes the index.
	if out, err := exec.Command("mount", "-o", "remount,size=128m", mnt).CombinedOutput(); err != nil {
		t.Fatalf("grow the tmpfs: %v: %s", err, out)
	}
	r = runBinary(t, faultTimeout, nil, "", "index", "--corpus", corpusDir, "--index", ixDir)
	if r.code != 0 {
		t.Fatalf("index once there is room: exit %d\n%s", r.code, tail(r.stderr))
	}
	st := parseIndexOutput(t, r.stdout)
	t.Logf("once there is room: framebot index took %v, added %d documents, kept %d", r.took.Round(time.Millisecond), st.Added+st.Updated, st.Unchanged)
	if st.Documents != smallDocs+grownDocs {
		t.Errorf("index holds %d documents, want %d", st.Documents, smallDocs+grownDocs)
	}
	checkEveryMarker(t, ixDir, smallDocs+grownDocs, faultParas)
	for _, i := range []int{5, smallDocs + 100} {
		askMarker(t, corpusDir, ixDir, i)
	}
}

// TestFaultDamagedIndexIsRebuilt damages the index files in several ways;
// the next run must rebuild the index with a warning and answer, and the
// corpus must not be touched.
func TestFaultDamagedIndexIsRebuilt(t *testing.T) {
	corpusDir := filepath.Join(t.TempDir(), "corpus")
	writeMarkerCorpus(t, corpusDir, 0, smallDocs, 3)
	before := hashTree(t, corpusDir)
	garbage := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*7919 + i/13)
		}
		return b
	}
	firstSegment := func(t *testing.T, ixDir string) string {
		m, _ := filepath.Glob(filepath.Join(ixDir, "store", "*.zap"))
		if len(m) == 0 {
			t.Fatalf("no segment file in %s", ixDir)
		}
		return m[0]
	}
	for _, tt := range []struct {
		name   string
		damage func(t *testing.T, ixDir string) error
		bug    string
	}{
		{"root.bolt overwritten with garbage", func(t *testing.T, ixDir string) error {
			return os.WriteFile(filepath.Join(ixDir, "store", "root.bolt"), garbage(64<<10), 0o600)
		}, ""},
		{"root.bolt emptied", func(t *testing.T, ixDir string) error {
			return os.Truncate(filepath.Join(ixDir, "store", "root.bolt"), 0)
		}, ""},
		{"a segment overwritten with garbage", func(t *testing.T, ixDir string) error {
			seg := firstSegment(t, ixDir)
			fi, err := os.Stat(seg)
			if err != nil {
				return err
			}
			return os.WriteFile(seg, garbage(int(fi.Size())), 0o600)
		}, ""},
		{"a segment deleted", func(t *testing.T, ixDir string) error {
			return os.Remove(firstSegment(t, ixDir))
		}, ""},
		{"index_meta.json overwritten with garbage", func(t *testing.T, ixDir string) error {
			return os.WriteFile(filepath.Join(ixDir, "index_meta.json"), []byte("{not json"), 0o600)
		}, ""},
		{"a segment damaged in its middle, its footer intact", func(t *testing.T, ixDir string) error {
			seg := firstSegment(t, ixDir)
			fi, err := os.Stat(seg)
			if err != nil {
				return err
			}
			f, err := os.OpenFile(seg, os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.WriteAt(garbage(int(fi.Size()/2)), fi.Size()/4)
			return err
		}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.bug != "" {
				knownBug(t, tt.bug)
			}
			ixDir := filepath.Join(t.TempDir(), "ix")
			if r := runBinary(t, faultTimeout, nil, "", "index", "--corpus", corpusDir, "--index", ixDir); r.code != 0 {
				t.Fatalf("index: exit %d\n%s", r.code, tail(r.stderr))
			}
			if err := tt.damage(t, ixDir); err != nil {
				t.Fatal(err)
			}
			r := runBinary(t, faultTimeout, nil, "", "index", "--corpus", corpusDir, "--index", ixDir)
			if r.code != 0 {
				t.Fatalf("index after the damage: exit %d\n%s", r.code, tail(r.stderr))
			}
			// framebot warns when Bleve can't open the index; when Bleve
			// opens an older snapshot instead, Bleve's own log line is the
			// warning, and Sync restores what the snapshot lacks.
			if !strings.Contains(r.stderr, "index unusable, rebuilding it from the corpus") && !strings.Contains(r.stderr, "unable to load snapshot") {
				t.Errorf("no warning on stderr:\n%s", tail(r.stderr))
			}
			st := parseIndexOutput(t, r.stdout)
			if st.Documents != smallDocs || st.Passages != smallDocs*3 || st.Added+st.Updated+st.Unchanged != smallDocs {
				t.Errorf("index after the damage: %+v, want %d documents and %d passages", st, smallDocs, smallDocs*3)
			}
			t.Logf("recovered in %v: %d documents re-indexed, %d kept; stderr: %s", r.took.Round(time.Millisecond), st.Added+st.Updated, st.Unchanged, firstLine(r.stderr))
			askMarker(t, corpusDir, ixDir, 7)
		})
	}
	if diff := cmp.Diff(before, hashTree(t, corpusDir)); diff != "" {
		t.Errorf("the corpus changed (-before +after):\n%s", diff)
	}
}

// TestFaultDamagedStateDatabase puts garbage in state.db: sqlite.Open
// reports ErrCorrupt with what to do, and framebot serve stops at start-up
// with that sentence, before contacting any chat platform.
func TestFaultDamagedStateDatabase(t *testing.T) {
	damaged := func(t *testing.T, path string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		junk := []byte(strings.Repeat("this is not a SQLite database, it is garbage. ", 200))
		if err := os.WriteFile(path, junk, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("sqlite.Open says the file is damaged and what to do", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "state.db")
		damaged(t, path)
		_, err := sqlite.Open(context.Background(), path)
		if !errors.Is(err, sqlite.ErrCorrupt) {
			t.Fatalf("Open = %v, want ErrCorrupt", err)
		}
		for _, want := range []string{path, "move", "aside", "create a new one"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not mention %q", err, want)
			}
		}
	})
	t.Run("framebot serve stops with the same advice", func(t *testing.T) {
		root := t.TempDir()
		corpusDir := filepath.Join(root, "corpus")
		writeMarkerCorpus(t, corpusDir, 0, smallDocs, 3)
		before := hashTree(t, corpusDir)
		dataDir := filepath.Join(root, "data")
		damaged(t, filepath.Join(dataDir, "state.db"))
		cfg := filepath.Join(root, "config.yaml")
		writeConfig(t, cfg, fmt.Sprintf("corpus: %s\ndata_dir: %s\nslack:\n  enabled: true\n  api_url: http://127.0.0.1:9/api/\n", corpusDir, dataDir))
		env := []string{"SLACK_BOT_TOKEN=xoxb-SECRET-123", "SLACK_APP_TOKEN=xapp-SECRET-456"}
		r := runBinary(t, serveTimeout, env, "", "serve", "--config", cfg)
		if r.code != 1 {
			t.Errorf("serve: exit %d, want 1", r.code)
		}
		for _, want := range []string{"state database is damaged", "move", "state.db"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("stderr does not mention %q:\n%s", want, tail(r.stderr))
			}
		}
		for _, secret := range []string{"SECRET-123", "SECRET-456"} {
			if strings.Contains(r.stderr+r.stdout, secret) {
				t.Errorf("output shows the secret %q", secret)
			}
		}
		t.Logf("serve stopped after %v: %s", r.took.Round(time.Millisecond), strings.TrimSpace(r.stderr))
		if diff := cmp.Diff(before, hashTree(t, corpusDir)); diff != "" {
			t.Errorf("the corpus changed (-before +after):\n%s", diff)
		}
	})
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

func writeConfig(t *testing.T, path, yaml string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
}

// scribble writes n random bytes (seeded, so a failure can be replayed)
// into the middle of the largest segment file of the index in ixDir,
// leaving its footer intact: the damage of issue 12, which Bleve opens
// without complaint and panics on later.
func scribble(t *testing.T, ixDir string, n int, seed uint64) {
	t.Helper()
	segs, _ := filepath.Glob(filepath.Join(ixDir, "store", "*.zap"))
	var seg string
	var size int64
	for _, s := range segs {
		if fi, err := os.Stat(s); err == nil && fi.Size() > size {
			seg, size = s, fi.Size()
		}
	}
	if seg == "" {
		t.Fatalf("no segment file in %s", ixDir)
	}
	rng := rand.New(rand.NewPCG(seed, seed))
	junk := make([]byte, n)
	for i := range junk {
		junk[i] = byte(rng.Uint32())
	}
	f, err := os.OpenFile(seg, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(junk, size/2-int64(n)/2); err != nil {
		t.Fatal(err)
	}
}

// TestFaultScribbledSegment is issue 12's reproduction: 1,500 random bytes
// in the middle of a segment of a 200-document index. framebot index must
// reindex every document (not report them unchanged), ask must answer
// without a panic, and chat must answer both when the damage is there at
// start and when it happens while chat runs (found by the watcher's
// rescan, rebuilt in the background).
func TestFaultScribbledSegment(t *testing.T) {
	const docs = 200
	root := t.TempDir()
	corpusDir := filepath.Join(root, "corpus")
	writeMarkerCorpus(t, corpusDir, 0, docs, 3)
	before := hashTree(t, corpusDir)
	ixDir := filepath.Join(root, "ix")
	if r := runBinary(t, faultTimeout, nil, "", "index", "--corpus", corpusDir, "--index", ixDir); r.code != 0 {
		t.Fatalf("index: exit %d\n%s", r.code, tail(r.stderr))
	}

	t.Run("framebot index rebuilds it", func(t *testing.T) {
		scribble(t, ixDir, 1500, 1)
		r := runBinary(t, faultTimeout, nil, "", "index", "--corpus", corpusDir, "--index", ixDir)
		if r.code != 0 {
			t.Fatalf("index: exit %d\n%s", r.code, tail(r.stderr))
		}
		if st := parseIndexOutput(t, r.stdout); st.Added+st.Updated != docs || st.Unchanged != 0 {
			t.Errorf("index after the damage: %+v, want all %d documents indexed again", st, docs)
		}
		if !strings.Contains(r.stderr, "index unusable, rebuilding it from the corpus") || !strings.Contains(r.stderr, "checksum") {
			t.Errorf("no warning naming the checksum:\n%s", tail(r.stderr))
		}
	})
	t.Run("framebot ask answers", func(t *testing.T) {
		for seed := uint64(2); seed < 5; seed++ {
			scribble(t, ixDir, 1500, seed)
			askMarker(t, corpusDir, ixDir, int(seed)*17)
		}
	})
	t.Run("framebot chat answers when the damage is there at start", func(t *testing.T) {
		scribble(t, ixDir, 1500, 5)
		r := runBinary(t, faultTimeout, nil, "docmarker0042\n", "chat", "--format", "json", "--corpus", corpusDir, "--index", ixDir)
		if r.code != 0 || !strings.Contains(r.stdout, "docmarker0042") || strings.Contains(r.stderr, "panic") {
			t.Errorf("chat: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, tail(r.stderr))
		}
	})
	t.Run("framebot chat answers after a rebuild when the damage comes while it runs", func(t *testing.T) {
		cfg := filepath.Join(root, "rescan.yaml")
		writeConfig(t, cfg, "watch:\n  rescan: 1s\n  settle: 20ms\n")
		cmd := exec.Command(framebotBinary(t), "chat", "--format", "json", "--config", cfg, "--log-level", "info", "--corpus", corpusDir, "--index", ixDir)
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		var out, errOut syncBuffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer cmd.Process.Kill()
		fmt.Fprintln(stdin, "docmarker0007")
		wait.For(t, "the first answer", faultTimeout, 10*time.Millisecond, func() bool { return strings.Contains(out.String(), "docmarker0007") })

		scribble(t, ixDir, 1500, 6)
		wait.For(t, "the background rebuild", faultTimeout, 10*time.Millisecond, func() bool { return strings.Contains(errOut.String(), "index rebuilt from the corpus") })
		fmt.Fprintln(stdin, "docmarker0123")
		wait.For(t, "the answer after the rebuild", faultTimeout, 10*time.Millisecond, func() bool { return strings.Contains(out.String(), "docmarker0123") })
		stdin.Close()
		if err := cmd.Wait(); err != nil {
			t.Errorf("chat: %v\n%s", err, tail(errOut.String()))
		}
		for _, want := range []string{"rebuilding it from the corpus in the background", "checksum"} {
			if !strings.Contains(errOut.String(), want) {
				t.Errorf("stderr does not say %q:\n%s", want, tail(errOut.String()))
			}
		}
		if strings.Contains(errOut.String(), "panic") {
			t.Errorf("chat panicked:\n%s", tail(errOut.String()))
		}
	})
	if diff := cmp.Diff(before, hashTree(t, corpusDir)); diff != "" {
		t.Errorf("the corpus changed (-before +after):\n%s", diff)
	}
}
