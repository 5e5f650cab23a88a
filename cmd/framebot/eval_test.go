package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
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

func TestEvalRejectsBadArguments(t *testing.T) {
	for _, args := range [][]string{{"eval"}, {"eval", "a", "b"}, {"eval", "--ranking", "{\"Nope\":1}", "x"}} {
		if _, _, code := runCLI(t, "", args...); code != 2 {
			t.Errorf("framebot %q: exit %d, want 2", args, code)
		}
	}
}
