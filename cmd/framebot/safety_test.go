package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"framebot/internal/testfs"
)

// TestIndexFolderThatIsNotAnIndexIsRefused points --index (or index_dir)
// at folders and files that are not framebot's index: every command
// refuses with exit 2 and a sentence naming the path, and nothing there
// changes, byte for byte.
func TestIndexFolderThatIsNotAnIndexIsRefused(t *testing.T) {
	root := t.TempDir()
	corpusDir := filepath.Join(root, "corpus")
	writeMarkerCorpus(t, corpusDir, 0, 5, 2)
	userDir := filepath.Join(root, "thesis")
	testfs.Write(t, userDir, "chapter1.txt", "It was a dark and stormy night.")
	testfs.Write(t, userDir, "figures/plot.svg", "<svg/>")
	userFile := testfs.Write(t, root, "notes.txt", "remember the milk")
	dataDir := filepath.Join(root, "data")
	testfs.Write(t, dataDir, "state.db", "feedback, subscriptions and Matrix keys")

	for _, tt := range []struct {
		name  string
		args  []string
		path  string
		wants []string
	}{
		{"index into a folder of the user's files", []string{"index", "--corpus", corpusDir, "--index", userDir}, userDir, []string{"not a framebot index", "chapter1.txt"}},
		{"ask with a regular file as the index", []string{"ask", "--corpus", corpusDir, "--index", userFile, "docmarker0001"}, userFile, []string{"is a file"}},
		{"chat with a folder of the user's files", []string{"chat", "--corpus", corpusDir, "--index", userDir}, userDir, []string{"not a framebot index"}},
		{"index into the corpus folder", []string{"index", "--corpus", corpusDir, "--index", corpusDir}, corpusDir, []string{"is the corpus folder"}},
		{"index into a folder inside the corpus", []string{"index", "--corpus", corpusDir, "--index", filepath.Join(corpusDir, "ix")}, filepath.Join(corpusDir, "ix"), []string{"inside the corpus folder"}},
		{"index into the folder holding the corpus", []string{"index", "--corpus", corpusDir, "--index", root}, root, []string{"holds the corpus folder"}},
		{"eval with the BEIR folder as the index", []string{"eval", "--index", corpusDir, corpusDir}, corpusDir, []string{"is the evaluated folder"}},
		{"eval into a folder of the user's files", []string{"eval", "--index", userDir, writeBEIR(t, true)}, userDir, []string{"not a framebot index"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := hashTree(t, root)
			r := runBinary(t, faultTimeout, nil, "what is this?\n", tt.args...)
			if r.code != 2 {
				t.Errorf("exit %d, want 2\n%s", r.code, tail(r.stderr))
			}
			for _, want := range append([]string{tt.path}, tt.wants...) {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr does not say %q:\n%s", want, tail(r.stderr))
				}
			}
			if diff := cmp.Diff(before, hashTree(t, root)); diff != "" {
				t.Errorf("files changed (-before +after):\n%s", diff)
			}
			if _, err := os.Stat(filepath.Join(corpusDir, "ix")); err == nil {
				t.Errorf("a folder was created inside the corpus")
			}
		})
	}

	t.Run("index_dir equal to data_dir is refused and state.db kept", func(t *testing.T) {
		for _, cmd := range [][]string{{"index"}, {"ask", "docmarker0001"}, {"serve"}} {
			cfg := filepath.Join(t.TempDir(), "config.yaml")
			writeConfig(t, cfg, fmt.Sprintf("corpus: %s\ndata_dir: %s\nindex_dir: %s\nslack:\n  enabled: true\n", corpusDir, dataDir, dataDir))
			before := hashTree(t, root)
			r := runBinary(t, faultTimeout, []string{"SLACK_BOT_TOKEN=xoxb-1", "SLACK_APP_TOKEN=xapp-1"}, "", append(cmd, "--config", cfg)...)
			if r.code != 2 {
				t.Errorf("%s: exit %d, want 2\n%s", cmd[0], r.code, tail(r.stderr))
			}
			for _, want := range []string{"index_dir", dataDir, "is the data folder", "state.db"} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("%s: stderr does not say %q:\n%s", cmd[0], want, tail(r.stderr))
				}
			}
			if diff := cmp.Diff(before, hashTree(t, root)); diff != "" {
				t.Errorf("%s: files changed (-before +after):\n%s", cmd[0], diff)
			}
		}
	})

	t.Run("an index folder from before the marker is adopted, not rebuilt", func(t *testing.T) {
		ixDir := filepath.Join(t.TempDir(), "ix")
		if r := runBinary(t, faultTimeout, nil, "", "index", "--corpus", corpusDir, "--index", ixDir); r.code != 0 {
			t.Fatalf("index: exit %d\n%s", r.code, tail(r.stderr))
		}
		if err := os.Remove(filepath.Join(ixDir, "framebot-index.json")); err != nil {
			t.Fatal(err)
		}
		r := runBinary(t, faultTimeout, nil, "", "index", "--corpus", corpusDir, "--index", ixDir)
		if r.code != 0 {
			t.Fatalf("index: exit %d\n%s", r.code, tail(r.stderr))
		}
		if st := parseIndexOutput(t, r.stdout); st.Unchanged != 5 {
			t.Errorf("index of the adopted folder: %+v, want 5 unchanged", st)
		}
		if _, err := os.Stat(filepath.Join(ixDir, "framebot-index.json")); err != nil {
			t.Errorf("the adopted index was not marked: %v", err)
		}
	})
}

// TestPassageCapIsShownAndTheRestAnswers indexes a folder holding a file
// of 200,000 one-word paragraphs, with max_passages_per_doc: 50: the
// file is indexed up to the cap, framebot index says so, and the other
// documents are answerable. (The peak memory of the same run with the
// default cap is in docs/hardening.md.)
func TestPassageCapIsShownAndTheRestAnswers(t *testing.T) {
	root := t.TempDir()
	corpusDir := filepath.Join(root, "corpus")
	writeMarkerCorpus(t, corpusDir, 0, 3, 2)
	var b strings.Builder
	for i := range 200_000 {
		fmt.Fprintf(&b, "p%d\n\n", i)
	}
	testfs.Write(t, corpusDir, "huge.txt", b.String())
	cfg := filepath.Join(root, "config.yaml")
	writeConfig(t, cfg, "max_passages_per_doc: 50\n")
	ixDir := filepath.Join(root, "ix")

	r := runBinary(t, faultTimeout, nil, "", "index", "--config", cfg, "--corpus", corpusDir, "--index", ixDir)
	if r.code != 0 {
		t.Fatalf("index: exit %d\n%s", r.code, tail(r.stderr))
	}
	want := "Indexed in part, 1 files:\n  huge.txt: indexed its first 50 passages only (the cap, max_passages_per_doc); the rest, after paragraph 50 of 199999, is left out\n"
	if !strings.Contains(r.stdout, want) {
		t.Errorf("index output lacks the note %q:\n%s", want, r.stdout)
	}
	if st := parseIndexOutput(t, r.stdout); st.Documents != 4 || st.Passages != 3*2+50 {
		t.Errorf("index: %+v, want 4 documents and %d passages", st, 3*2+50)
	}
	if !strings.Contains(r.stderr, "document cut at the passage cap") {
		t.Errorf("no warning logged:\n%s", tail(r.stderr))
	}
	askMarker(t, corpusDir, ixDir, 1)

	t.Run("the cap is validated", func(t *testing.T) {
		for _, v := range []string{"0", "-5", "1000001"} {
			writeConfig(t, cfg, "max_passages_per_doc: "+v+"\n")
			r := runBinary(t, faultTimeout, nil, "", "index", "--config", cfg, "--corpus", corpusDir, "--index", ixDir)
			if r.code != 2 || !strings.Contains(r.stderr, "max_passages_per_doc: "+v+" must be between 1 and 1000000") {
				t.Errorf("max_passages_per_doc %s: exit %d\n%s", v, r.code, tail(r.stderr))
			}
		}
	})
}
