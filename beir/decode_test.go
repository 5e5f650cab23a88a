package beir

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// commonRecords are records decodeDoc reads itself; otherRecords, those
// it leaves to json.Unmarshal. Both seed FuzzDecodeDoc.
var commonRecords = []string{
	`{"_id": "d1", "title": "A title", "text": "Plain text."}`,
	`{"_id":"d1","title":"","text":"x","metadata":{}}`,
	`  {"text": "t", "_id": "7", "metadata": {"url": "http://x/\"y\"", "n": [1, 2.5e3, {"a": null}]}}  `,
	`{"_id": "d2", "text": "caf\u00e9 \"quoted\" \\ \/ \b\f\n\r\t end"}`,
	`{"_id": "d3", "text": "emoji \ud83d\ude00 and a lone \ud83d then \u0041"}`,
	`{"_id": "d4", "text": "lone low \ude00 and high at end \ud83d"}`,
	`{"_id": "d5", "text": "raw UTF-8: café – 東京"}`,
	"{\"_id\": \"d6\", \"text\": \"invalid UTF-8: \xff\xfe end\"}",
	`{"_id": "d7", "_id": "d8"}`,
	`{}`,
	`{"_id": "x", "n": -0.5E+2, "b": true, "c": false, "z": null}`,
}

var otherRecords = []string{
	`{"_id": "d9", "Title": "case differs", "TEXT": "so does this"}`,
	`{"_id": "d10", "title": null, "text": 5}`,
	`{"_id": 11}`,
	`{"_\u0069d": "escaped key"}`,
	`null`,
	`[]`,
	`{"_id": "x",}`,
	`{"_id": "x"} trailing`,
	`{"_id": "x" "text": "y"}`,
	`{"_id": "unterminated`,
	"{\"_id\": \"control\x01char\"}",
	`{"_id": "bad escape \x"}`,
	`{"_id": "x", "metadata": {"a": }}`,
	`{"_id": "x", "metadata": tru}`,
	`{"_id": "x", "n": 01}`,
}

func TestDecodeDocIsJSONUnmarshal(t *testing.T) {
	for _, raw := range slices.Concat(commonRecords, otherRecords) {
		checkDecodeDoc(t, []byte(raw))
	}
	for _, raw := range commonRecords {
		if _, ok := fastDoc([]byte(raw)); !ok {
			t.Errorf("fastDoc left %s to json.Unmarshal", raw)
		}
	}
	for _, raw := range otherRecords {
		if _, ok := fastDoc([]byte(raw)); ok {
			t.Errorf("fastDoc read %s itself", raw)
		}
	}
}

func FuzzDecodeDoc(f *testing.F) {
	for _, raw := range slices.Concat(commonRecords, otherRecords) {
		f.Add([]byte(raw))
	}
	f.Fuzz(func(t *testing.T, raw []byte) { checkDecodeDoc(t, raw) })
}

// checkDecodeDoc fails when decodeDoc and json.Unmarshal disagree on raw:
// the same Doc, or both an error.
func checkDecodeDoc(t *testing.T, raw []byte) {
	t.Helper()
	var want Doc
	werr := json.Unmarshal(raw, &want)
	got, err := decodeDoc(raw)
	if (err != nil) != (werr != nil) {
		t.Fatalf("%q: decodeDoc error %v, json.Unmarshal error %v", raw, err, werr)
	}
	if werr == nil {
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("%q: decodeDoc differs from json.Unmarshal (-want +got):\n%s", raw, diff)
		}
	}
}

func BenchmarkDecodeDoc(b *testing.B) {
	raw := []byte(`{"_id": "doc000123", "title": "Harbour authority annual report", "text": "The harbour authority reported that container traffic rose by 4.2 per cent in the year, while bulk cargo fell slightly. The board approved a new berth on the eastern quay and a study of dredging the approach channel. Revenue from port dues covered operating costs; the deficit on the ferry terminal was met from reserves.", "metadata": {}}`)
	b.Run("decodeDoc", func(b *testing.B) {
		for b.Loop() {
			if _, err := decodeDoc(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json.Unmarshal", func(b *testing.B) {
		for b.Loop() {
			var d Doc
			if err := json.Unmarshal(raw, &d); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEachDoc reads and decodes the corpus.jsonl of the collection in
// $FRAMEBOT_BENCH_DIR (e.g. gen_corpus.py 200000's), with decodeDoc as
// EachDoc does and with json.Unmarshal as it did before.
func BenchmarkEachDoc(b *testing.B) {
	dir := os.Getenv("FRAMEBOT_BENCH_DIR")
	if dir == "" {
		b.Skip("FRAMEBOT_BENCH_DIR is not set")
	}
	for _, tt := range []struct {
		name   string
		decode func([]byte) (Doc, error)
	}{
		{"decodeDoc", decodeDoc},
		{"json.Unmarshal", func(raw []byte) (d Doc, err error) { return d, json.Unmarshal(raw, &d) }},
	} {
		b.Run(tt.name, func(b *testing.B) {
			for b.Loop() {
				if err := ReadJSONL(filepath.Join(dir, "corpus.jsonl"), func(raw []byte) error {
					_, err := tt.decode(raw)
					return err
				}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestEachLineSkipsAByteOrderMark(t *testing.T) {
	in := "\xef\xbb\xbf{\"_id\": \"d1\", \"text\": \"first\"}\n\n{\"_id\": \"d2\", \"text\": \"\xef\xbb\xbfkept\"}\n"
	var got []Doc
	err := EachLine(strings.NewReader(in), "corpus.jsonl", func(raw []byte) error {
		d, err := decodeDoc(raw)
		got = append(got, d)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []Doc{{ID: "d1", Text: "first"}, {ID: "d2", Text: "\ufeffkept"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
