package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"framebot/internal/testfs"
)

func TestReplaceSubject(t *testing.T) {
	tests := []struct {
		q, article, want string
		ok               bool
	}{
		{"When did the Andes form?", "Andes", "When did it form?", true},
		{"What is the Andes' highest peak?", "Andes", "What is its highest peak?", true},
		{"What is Connecticut's capital?", "Connecticut", "What is its capital?", true},
		{"Who founded the Sunday Times?", "The_Sunday_Times", "Who founded it?", true},
		{"What is a lens made of?", "Lens_(optics)", "What is it made of?", true},
		{"How did SKY form its acronym?", "Acronym", "", false},
		{"Who climbed the mountain?", "Andes", "", false},
	}
	for _, tc := range tests {
		got, ok := replaceSubject(tc.q, tc.article)
		if got != tc.want || ok != tc.ok {
			t.Errorf("replaceSubject(%q, %q) = %q, %v; want %q, %v", tc.q, tc.article, got, ok, tc.want, tc.ok)
		}
	}
}

func TestMakeFollowupsChainsQuestionsNamingTheSubject(t *testing.T) {
	in := strings.Join([]string{
		`{"q": "When did the Andes form?", "answers": ["long ago"], "article": "Andes", "answerable": true}`,
		`{"q": "How high is the Andes' highest peak?", "answers": ["6,961 m"], "article": "Andes", "answerable": true}`,
		`{"q": "Who lives there?", "answers": ["people"], "article": "Andes", "answerable": true}`,
		`{"q": "What is a lens?", "answers": ["glass"], "article": "Lens", "answerable": true}`,
		`{"q": "Is Atlantis here?", "answers": [], "article": "Atlantis", "answerable": false}`,
	}, "\n")
	var out strings.Builder
	if err := makeFollowups(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	var got []followupCase
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var c followupCase
		if err := json.Unmarshal([]byte(l), &c); err != nil {
			t.Fatal(err)
		}
		got = append(got, c)
	}
	want := []followupCase{
		{Kind: "followup", First: "How high is the Andes' highest peak?", Q: "When did it form?", Named: "When did the Andes form?", Answers: []string{"long ago"}, Article: "Andes"},
		{Kind: "followup", First: "When did the Andes form?", Q: "How high is its highest peak?", Named: "How high is the Andes' highest peak?", Answers: []string{"6,961 m"}, Article: "Andes"},
		{Kind: "standalone", First: "What is a lens?", Q: "When did the Andes form?", Answers: []string{"long ago"}, Article: "Andes"},
		{Kind: "standalone", First: "What is a lens?", Q: "How high is the Andes' highest peak?", Answers: []string{"6,961 m"}, Article: "Andes"},
		{Kind: "standalone", First: "What is a lens?", Q: "Who lives there?", Answers: []string{"people"}, Article: "Andes"},
		{Kind: "standalone", First: "When did the Andes form?", Q: "What is a lens?", Answers: []string{"glass"}, Article: "Lens"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestReadFollowupsRefusesABadCase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "followups.jsonl")
	if err := os.WriteFile(path, []byte(`{"kind": "followup", "first": "a", "q": "b"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := readFollowups(path)
	if err == nil || !strings.Contains(err.Error(), `needs "named"`) {
		t.Errorf("error = %v, want one asking for \"named\"", err)
	}
}

// TestEvalFollowupFolder runs framebot eval on a folder with
// followups.jsonl over the built-in corpus's documents: a follow-up that
// only resolves through its thread, and a standalone question asked in an
// unrelated thread.
func TestEvalFollowupFolder(t *testing.T) {
	dir := t.TempDir()
	src, err := filepath.Glob(filepath.Join("..", "..", "corpus", "default", "*.txt"))
	if err != nil || len(src) == 0 {
		t.Fatalf("built-in corpus files: %v %v", src, err)
	}
	for _, f := range src {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		testfs.Write(t, dir, filepath.Join("corpus", filepath.Base(f)), string(b))
	}
	testfs.Write(t, dir, "followups.jsonl", `{"kind": "followup", "first": "What does RUSI conclude about the Coalition of the Willing?", "q": "Who reported that?", "named": "Who reported what RUSI concludes about the Coalition of the Willing?", "answers": ["Edward Arnold"], "article": "x"}
{"kind": "standalone", "first": "Who leads the Coalition of the Willing?", "q": "What kind of security guarantees will Russia accept?", "answers": ["What kind of security guarantees will Russia accept?"], "article": "y"}
`)
	out, errOut, code := runCLI(t, "", "eval", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want := map[string]any{"docs": 4.0, "followups": 1.0, "in_thread_hit@3": 1.0, "alone_hit@3": 0.0, "named_hit@3": 1.0, "concat_hit@3": 1.0, "context_used": 1.0,
		"standalone": 1.0, "standalone_in_thread_hit@3": 1.0, "standalone_alone_hit@3": 1.0, "standalone_context_used": 0.0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
}
