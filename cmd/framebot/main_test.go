package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs framebot with args and returns stdout, stderr and the exit code.
func runCLI(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

func TestAskJSONFollowsTheContract(t *testing.T) {
	ixDir := filepath.Join(t.TempDir(), "ix")
	for _, tt := range []struct {
		name     string
		question string
		answered bool
	}{
		{"an answerable question", "How many soldiers did the Western plans initially foresee?", true},
		{"an off-topic question", "What is the capital of France?", false},
		{"a question of punctuation only", "?!?", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, "", "ask", "--index", ixDir, "--format", "json", tt.question)
			if code != 0 {
				t.Fatalf("exit %d, stderr %s", code, errOut)
			}
			var got struct {
				Question string `json:"question"`
				Answered *bool  `json:"answered"`
				Passages []struct {
					Text, Title, Doc, Source string
					Score                    *float64
				} `json:"passages"`
			}
			dec := json.NewDecoder(strings.NewReader(out))
			if err := dec.Decode(&got); err != nil {
				t.Fatalf("output is not one JSON object: %v\n%s", err, out)
			}
			if dec.More() {
				t.Errorf("more than one JSON value printed:\n%s", out)
			}
			if got.Answered == nil || *got.Answered != tt.answered {
				t.Fatalf("answered = %v, want %v", got.Answered, tt.answered)
			}
			if got.Passages == nil {
				t.Error(`"passages" missing or null, want a list`)
			}
			if tt.answered && (len(got.Passages) == 0 || got.Passages[0].Text == "" || got.Passages[0].Title == "" || got.Passages[0].Doc == "" || got.Passages[0].Source == "" || got.Passages[0].Score == nil) {
				t.Errorf("first passage incomplete: %+v", got.Passages)
			}
		})
	}
}

func TestAskUsesACorpusFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "otters.md"), []byte("---\ntitle: Otters\nsource: Field notes\n---\n\nSea otters hold hands while they sleep so they do not drift apart.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, "", "ask", "--corpus", dir, "--index", filepath.Join(t.TempDir(), "ix"), "why do otters hold hands when sleeping")
	if code != 0 || !strings.Contains(out, "so they do not drift apart") || !strings.Contains(out, "Otters [Field notes]") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}

func TestChatAnswersEachLine(t *testing.T) {
	in := strings.Join([]string{
		"Who met in Geneva to discuss the peace framework?",
		"/help",
		"",
		"/frobnicate",
		"/sources",
		"What is the capital of France?",
	}, "\n") + "\n"
	out, errOut, code := runCLI(t, in, "chat", "--index", filepath.Join(t.TempDir(), "ix"), "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 6 {
		t.Fatalf("got %d lines, want 6:\n%s", len(lines), out)
	}
	var objs []map[string]any
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line is not JSON: %v\n%s", err, l)
		}
		objs = append(objs, m)
	}
	if objs[0]["answered"] != true {
		t.Errorf("first answer: %v", objs[0])
	}
	if !strings.Contains(objs[1]["text"].(string), "/ ask <question>") && !strings.Contains(objs[1]["text"].(string), "ask <question>") {
		t.Errorf("help: %v", objs[1])
	}
	if !strings.Contains(objs[2]["text"].(string), "Ask me a question") {
		t.Errorf("empty line: %v", objs[2])
	}
	if !strings.Contains(objs[3]["text"].(string), "Usage:") {
		t.Errorf("unknown command: %v", objs[3])
	}
	if objs[4]["total"] != float64(4) {
		t.Errorf("sources: %v", objs[4])
	}
	if objs[5]["answered"] != false {
		t.Errorf("off-topic: %v", objs[5])
	}
}

func TestIndexCommandReportsSkippedFiles(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "good.txt"), []byte("A good document about herons.\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "bad.txt"), []byte("binary\x00\x01\x02 data"), 0o644)
	out, errOut, code := runCLI(t, "", "index", "--corpus", dir, "--index", filepath.Join(t.TempDir(), "ix"))
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	for _, want := range []string{"Documents: 1 (1 added", "Skipped 1 files", "bad.txt"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestBadCommandLines(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no command", nil, 2, "Usage:"},
		{"an unknown command", []string{"frob"}, 2, `unknown command "frob"`},
		{"ask without a question", []string{"ask"}, 2, "give a question"},
		{"an unknown format", []string{"ask", "--format", "xml", "hi"}, 2, `unknown format "xml"`},
		{"a corpus folder that does not exist", []string{"ask", "--corpus", "/nonexistent/x", "hi"}, 2, "is not a readable folder"},
		{"serve without a config", []string{"serve"}, 2, "give --config FILE"},
		{"an unknown abstention level", []string{"eval", "--abstain", "sometimes", "/nonexistent/x"}, 2, `--abstain: abstention level "sometimes"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := runCLI(t, "", tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d (want %d), stderr:\n%s\nwant it to contain %q", code, tt.code, errOut, tt.want)
			}
		})
	}
}

func TestConfigValidateSaysWhatToFix(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(path, []byte("corpus: /nonexistent/folder\nmax_file_size: -1\nlog_level: loud\nanswer:\n  passages: 99\n  abstain: sometimes\n"), 0o644)
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.Validate()
	if err == nil {
		t.Fatal("Validate accepted a bad configuration")
	}
	for _, want := range []string{"corpus:", "max_file_size:", "log_level:", "answer.passages:", "answer.abstain:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	os.WriteFile(path, []byte("colour: blue\n"), 0o644)
	if _, err := LoadConfig(path); err == nil || !strings.Contains(err.Error(), "colour") {
		t.Errorf("unknown key: err = %v", err)
	}
}

func TestExampleConfigParses(t *testing.T) {
	cfg, err := LoadConfig(filepath.Join("..", "..", "config.example.yaml"))
	if err != nil {
		t.Fatalf("config.example.yaml: %v", err)
	}
	if cfg.DataDir != "/data" || cfg.Corpus != "/corpus" {
		t.Errorf("example config read as %+v", cfg)
	}
}

// answer.abstain reaches the answers: a question whose best passage in the
// embedded corpus covers more of it than the default level asks, but less
// than strict does, is answered by default and withheld at strict.
func TestAbstainLevelFromTheConfig(t *testing.T) {
	ixDir := filepath.Join(t.TempDir(), "ix")
	const q = "How much territory would Ukraine give up?"
	for _, tt := range []struct {
		level    string
		answered bool
	}{{"balanced", true}, {"strict", false}} {
		t.Run(tt.level, func(t *testing.T) {
			cfg := filepath.Join(t.TempDir(), "c.yaml")
			if err := os.WriteFile(cfg, []byte("answer:\n  abstain: "+tt.level+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			out, errOut, code := runCLI(t, "", "ask", "--config", cfg, "--index", ixDir, "--format", "json", q)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var got struct {
				Answered bool `json:"answered"`
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if got.Answered != tt.answered {
				t.Errorf("answered %v, want %v", got.Answered, tt.answered)
			}
		})
	}
}
