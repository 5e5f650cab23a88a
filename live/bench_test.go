package live

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"framebot/bot"
	"framebot/corpus"
	"framebot/index"
)

// benchService runs the watcher and applier, with the production timings,
// on a new folder holding the built-in corpus, and returns once its
// start-up scan is applied.
func benchService(b *testing.B) (dir string, ix *index.Index, stop func()) {
	b.Helper()
	dir = b.TempDir()
	err := fs.WalkDir(corpus.Default(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(corpus.Default(), p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, filepath.FromSlash(p)), data, 0o644)
	})
	if err != nil {
		b.Fatal(err)
	}
	ix, err = index.Open(filepath.Join(b.TempDir(), "ix"), index.Options{})
	if err != nil {
		b.Fatal(err)
	}
	docs, _, err := corpus.LoadDir(dir, corpus.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := ix.Sync(context.Background(), docs, nil); err != nil {
		b.Fatal(err)
	}
	w, err := corpus.NewWatcher(dir, corpus.WatchOptions{})
	if err != nil {
		b.Fatal(err)
	}
	svc := &Service{Watcher: w, Applier: &Applier{Root: dir, Index: ix}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	waitFor(b, "the start-up scan", func() bool { return w.Health().Batches > 0 })
	return dir, ix, func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			b.Error(err)
		}
		ix.Close()
	}
}

// token returns a word found in no document, different for each i. It
// ends in "q" so that no stemmer folds two of them together ("…s").
func token(i int) string {
	var s strings.Builder
	s.WriteString("zorblax")
	for ; i > 0 || s.Len() == 7; i /= 26 {
		s.WriteByte(byte('a' + i%26))
	}
	s.WriteByte('q')
	return s.String()
}

// BenchmarkFileToAnswerable measures the time from a new document being
// closed to its passages being found by a search, with the watcher's
// production timings (settle 300 ms, debounce 100 ms, poll 50 ms).
//
//	go test ./live/ -run '^$' -bench FileToAnswerable -benchtime 20x
func BenchmarkFileToAnswerable(b *testing.B) {
	dir, ix, stop := benchService(b)
	defer stop()
	ctx := context.Background()
	var worst time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tok := token(i)
		body := fmt.Sprintf("---\ntitle: Bench %d\n---\n\nThe %s committee met on Tuesday to review the plan.\n", i, tok)
		id := fmt.Sprintf("bench-%d.md", i)
		if err := os.WriteFile(filepath.Join(dir, id), []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
		closed := time.Now()
		waitFor(b, "the new document "+id+" to be found", func() bool {
			// The search corrects spelling, so an earlier document's token
			// may match: only this document's passage counts.
			res, err := ix.Search(ctx, tok, 1)
			return err == nil && len(res.Hits) > 0 && res.Hits[0].Doc == id
		})
		worst = max(worst, time.Since(closed))
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/doc")
	b.ReportMetric(float64(worst.Milliseconds()), "max-ms")
}

// benchRecord is one line of gen_corpus.py's corpus.jsonl.
type benchRecord struct {
	ID    string `json:"_id"`
	Title string `json:"title"`
	Text  string `json:"text"`
}

// benchCorpus returns the folder holding corpus.jsonl and queries.jsonl of
// n generated passages: $FRAMEBOT_BENCH_CORPUS when set, else the output
// of /work/shared/bench/gen_corpus.py (or $FRAMEBOT_GEN_CORPUS) run now.
func benchCorpus(b *testing.B, n int) string {
	b.Helper()
	if d := os.Getenv("FRAMEBOT_BENCH_CORPUS"); d != "" {
		return d
	}
	gen := os.Getenv("FRAMEBOT_GEN_CORPUS")
	if gen == "" {
		gen = "/work/shared/bench/gen_corpus.py"
	}
	if _, err := os.Stat(gen); err != nil {
		b.Skipf("no corpus generator at %s; set FRAMEBOT_BENCH_CORPUS or FRAMEBOT_GEN_CORPUS", gen)
	}
	out := b.TempDir()
	if msg, err := exec.Command("python3", gen, fmt.Sprint(n), out).CombinedOutput(); err != nil {
		b.Skipf("generate corpus: %v\n%s", err, msg)
	}
	return out
}

func readJSONL[T any](b *testing.B, path string) []T {
	b.Helper()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var out []T
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			b.Fatal(err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	return out
}

// BenchmarkDrop1000 drops 1,000 generated documents (gen_corpus.py's
// corpus.jsonl split into one Markdown file per passage) into the watched
// folder at once, while one client asks the Cranfield questions back to
// back. It reports how long the batch took to be searchable and the
// latency of the questions asked meanwhile.
//
//	go test ./live/ -run '^$' -bench Drop1000 -benchtime 1x
func BenchmarkDrop1000(b *testing.B) {
	const n = 1000
	src := benchCorpus(b, n)
	recs := readJSONL[benchRecord](b, filepath.Join(src, "corpus.jsonl"))
	queries := readJSONL[benchRecord](b, filepath.Join(src, "queries.jsonl"))
	if len(recs) < n || len(queries) == 0 {
		b.Fatalf("%d passages and %d queries in %s, want %d and some", len(recs), len(queries), src, n)
	}
	recs = recs[:n]
	var (
		lat                []time.Duration
		indexTime, maxWait time.Duration
	)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir, ix, stop := benchService(b)
		before, _, _, err := ix.Stats(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		ans := bot.NewAnswerer(ix, bot.AnswerOptions{})
		ctx, cancel := context.WithCancel(context.Background())
		var (
			mu   sync.Mutex
			runs []time.Duration
			wg   sync.WaitGroup
		)
		wg.Go(func() {
			for q := 0; ctx.Err() == nil; q++ {
				start := time.Now()
				if _, err := ans.Ask(ctx, queries[q%len(queries)].Text); err != nil && ctx.Err() == nil {
					b.Error(err)
					return
				}
				d := time.Since(start)
				mu.Lock()
				runs = append(runs, d)
				mu.Unlock()
			}
		})
		b.StartTimer()
		start := time.Now()
		for _, r := range recs {
			body := fmt.Sprintf("---\ntitle: %s\nsource: Generated %s\n---\n\n%s\n", r.Title, r.ID, r.Text)
			if err := os.WriteFile(filepath.Join(dir, "drop-"+r.ID+".md"), []byte(body), 0o644); err != nil {
				b.Fatal(err)
			}
		}
		waitFor(b, "the thousand documents", func() bool {
			docs, _, _, err := ix.Stats(context.Background())
			return err == nil && docs == before+n
		})
		took := time.Since(start)
		b.StopTimer()
		cancel()
		wg.Wait()
		stop()
		indexTime += took
		mu.Lock()
		lat = append(lat, runs...)
		mu.Unlock()
	}
	slices.Sort(lat)
	if len(lat) == 0 {
		b.Fatal("no question was answered")
	}
	maxWait = lat[len(lat)-1]
	b.ReportMetric(float64(indexTime.Milliseconds())/float64(b.N), "ms/1000docs")
	b.ReportMetric(float64(len(lat))/float64(b.N), "questions/op")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(maxWait.Microseconds())/1000, "max-ms")
}
