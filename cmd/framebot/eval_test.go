package main

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"framebot/internal/testfs"
)

// writeBEIR writes a three-document collection; qrels only when judged.
func writeBEIR(t *testing.T, judged bool) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"corpus.jsonl": `{"_id":"d1","title":"Boundary layers","text":"The boundary layer on a flat plate thickens downstream."}
{"_id":"d2","title":"Heat transfer","text":"Heat transfer to a blunt body at hypersonic speed."}
{"_id":"d3","title":"Wings","text":"Swept wings delay the drag rise near the speed of sound."}
`,
		"queries.jsonl": `{"_id":"1","text":"how does the boundary layer grow on a plate"}
{"_id":"2","text":"heat transfer at hypersonic speeds"}
`,
	}
	if judged {
		files["qrels/test.tsv"] = "query-id\tcorpus-id\tscore\n1\td1\t2\n2\td2\t1\n"
	}
	for name, body := range files {
		testfs.Write(t, dir, name, body)
	}
	return dir
}

func TestEvalPrintsPeerKeys(t *testing.T) {
	for _, tt := range []struct {
		name    string
		judged  bool
		quality bool
	}{
		{"a judged collection gets quality and speed", true, true},
		{"a collection without qrels gets speed only", false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, "", "eval", writeBEIR(t, tt.judged))
			if code != 0 {
				t.Fatalf("exit %d, stderr %s", code, errOut)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &got); err != nil {
				t.Fatalf("output is not one JSON line: %v\n%s", err, out)
			}
			for _, k := range []string{"engine", "docs", "queries", "index_s", "index_docs_per_s", "query_p50_ms", "query_p99_ms", "peak_rss_mb"} {
				if _, ok := got[k]; !ok {
					t.Errorf("key %q missing from %s", k, out)
				}
			}
			_, hasNDCG := got["ndcg@10"]
			if hasNDCG != tt.quality {
				t.Errorf("ndcg@10 present = %v, want %v", hasNDCG, tt.quality)
			}
			if tt.quality && got["ndcg@10"].(float64) != 1 {
				t.Errorf("ndcg@10 = %v on an easy collection, want 1", got["ndcg@10"])
			}
		})
	}
}

// --ask answers every query through the chat path too, and scores the
// order in which that path ranks the documents.
func TestEvalAskScoresTheChatPath(t *testing.T) {
	out, errOut, code := runCLI(t, "", "eval", "--ask", writeBEIR(t, true))
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &got); err != nil {
		t.Fatalf("output is not one JSON line: %v\n%s", err, out)
	}
	for _, k := range []string{"ask_p50_ms", "ask_p99_ms"} {
		if _, ok := got[k]; !ok {
			t.Errorf("key %q missing from %s", k, out)
		}
	}
	if got["ask_ndcg@10"] != float64(1) {
		t.Errorf("ask_ndcg@10 = %v on an easy collection, want 1", got["ask_ndcg@10"])
	}
	if out, _, _ := runCLI(t, "", "eval", writeBEIR(t, true)); strings.Contains(out, "ask_ndcg") {
		t.Errorf("ask_ndcg@10 without --ask: %s", out)
	}
}

// evalFile runs framebot eval on a small BEIR folder with flag naming a
// new file, and returns what eval wrote to it.
func evalFile(t *testing.T, flag string) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "out")
	if _, errOut, code := runCLI(t, "", "eval", flag, path, writeBEIR(t, true)); code != 0 {
		t.Fatalf("eval %s: exit %d, stderr %s", flag, code, errOut)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// --out writes a BEIR folder's ranking as a TREC run, for comparing two
// rankings query by query (trec_eval, ranx, or a script).
func TestEvalWritesATRECRun(t *testing.T) {
	b := evalFile(t, "--out")
	first := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(l)
		if len(f) != 6 || f[1] != "Q0" || f[5] != "framebot" {
			t.Fatalf("line %q: want query Q0 document rank score framebot", l)
		}
		if f[3] == "1" {
			first[f[0]] = f[2]
		}
	}
	if want := map[string]string{"1": "d1", "2": "d2"}; !maps.Equal(first, want) {
		t.Errorf("first documents %v, want %v", first, want)
	}
}

// --cpuprofile writes a CPU profile of the run, the input of
// cmd/framebot/default.pgo (tools/speed/pgo.sh); a file it can't create
// is a clear error.
func TestEvalWritesACPUProfile(t *testing.T) {
	b := evalFile(t, "--cpuprofile")
	if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Errorf("profile of %d bytes does not begin as a gzipped pprof profile", len(b))
	}
	bad := filepath.Join(t.TempDir(), "no such folder", "cpu.prof")
	_, errOut, code := runCLI(t, "", "eval", "--cpuprofile", bad, writeBEIR(t, true))
	if code == 0 || !strings.Contains(errOut, "--cpuprofile") {
		t.Errorf("exit %d, stderr %q: want an error naming --cpuprofile", code, errOut)
	}
}

func TestEvalRejectsBadArguments(t *testing.T) {
	for _, args := range [][]string{{"eval"}, {"eval", "a", "b"}, {"eval", "--ranking", "{\"Nope\":1}", "x"}, {"eval", "--answer-only", "x"}} {
		if _, _, code := runCLI(t, "", args...); code != 2 {
			t.Errorf("framebot %q: exit %d, want 2", args, code)
		}
	}
}

// --answer-only answers from the index an earlier run built, without
// reading the documents, and finds the same ranking; on an empty index it
// says to build one first.
func TestEvalAnswerOnly(t *testing.T) {
	set := writeBEIR(t, true)
	ix := filepath.Join(t.TempDir(), "ix")
	evalJSON := func(args ...string) (map[string]any, string, int) {
		t.Helper()
		out, errOut, code := runCLI(t, "", append([]string{"eval"}, args...)...)
		var got map[string]any
		if code == 0 {
			if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &got); err != nil {
				t.Fatalf("output is not one JSON line: %v\n%s", err, out)
			}
		}
		return got, errOut, code
	}
	if _, errOut, code := evalJSON("--index", filepath.Join(t.TempDir(), "empty"), "--answer-only", set); code == 0 || !strings.Contains(errOut, "build it first") {
		t.Errorf("answer-only on an empty index: exit %d, stderr %q", code, errOut)
	}
	built, errOut, code := evalJSON("--index", ix, set)
	if code != 0 {
		t.Fatalf("build: exit %d, stderr %s", code, errOut)
	}
	got, errOut, code := evalJSON("--index", ix, "--answer-only", set)
	if code != 0 {
		t.Fatalf("answer-only: exit %d, stderr %s", code, errOut)
	}
	if got["index_reused"] != true || got["docs"] != float64(3) || got["passages"] != built["passages"] {
		t.Errorf("answer-only report %v, want the built index's 3 documents and %v passages, reused", got, built["passages"])
	}
	if got["ndcg@10"] != built["ndcg@10"] || got["ndcg@10"] != float64(1) {
		t.Errorf("ndcg@10 %v answering only, %v when built, want 1 both", got["ndcg@10"], built["ndcg@10"])
	}
}

// writeQA writes a QA folder in qa.py's layout: two articles, two
// answerable questions and one whose subject is in no article.
func writeQA(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	testfs.Write(t, dir, "corpus/Lighthouses.txt", "Lighthouses\n\nThe Eddystone lighthouse was rebuilt by John Smeaton in 1759.\n\nIts lamp burned tallow candles.\n")
	testfs.Write(t, dir, "corpus/Bees.txt", "Bees\n\nHoney bees dance to show the way to flowers.\n")
	testfs.Write(t, dir, "questions.jsonl", `{"q":"Who rebuilt the Eddystone lighthouse?","answers":["John Smeaton"],"article":"Lighthouses","para":0,"answerable":true}
{"q":"How do honey bees show the way to flowers?","answers":["dance"],"article":"Bees","para":0,"answerable":true}
{"q":"What is the population of Rotterdam harbour district?","answers":[],"article":"Rotterdam","answerable":false}
`)
	return dir
}

func TestEvalQAFolder(t *testing.T) {
	out, errOut, code := runCLI(t, "", "eval", writeQA(t))
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &got); err != nil {
		t.Fatalf("output is not one JSON line: %v\n%s", err, out)
	}
	want := map[string]any{
		"system": "framebot", "answerable": 2.0, "unanswerable": 1.0,
		"hit@1": 1.0, "hit@3": 1.0, "answered_rate": 1.0, "abstain_rate": 1.0,
		"answered_no_passages": 0.0, "article@1": 1.0, "gold_para@1": 1.0, "errors": 0.0,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v (line %s)", k, got[k], v, out)
		}
	}
	for _, k := range []string{"median_s", "p99_s", "mean_s", "hit@3_when_answered", "gold_para@3"} {
		if _, ok := got[k]; !ok {
			t.Errorf("key %q missing from %s", k, out)
		}
	}
}

func TestQANormMatchesQAPy(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"  The \u201cBig\u201d  Apple\u2019s\n\tcore ", `the "big" apple's core`},
		{"soft\u00adhyphen and zero\u200bwidth", "softhyphen and zerowidth"},
		{"STRASSE Straße", "strasse strasse"},
	} {
		if got := qaNorm(tt.in); got != tt.want {
			t.Errorf("qaNorm(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
