package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"framebot/beir"
	"framebot/bot"
	"framebot/index"
)

// evalReport is the line framebot eval prints. Its first keys are those of
// ../shared/bench/peers/peers.py, so the lines can be set side by side.
type evalReport struct {
	Engine        string  `json:"engine"`
	Docs          int     `json:"docs"`
	Queries       int     `json:"queries"`
	IndexS        float64 `json:"index_s"`
	IndexDocsPerS int     `json:"index_docs_per_s"`
	QueryP50Ms    float64 `json:"query_p50_ms"`
	QueryP99Ms    float64 `json:"query_p99_ms"`
	*beir.Metrics         // only with qrels
	Passages      int     `json:"passages"`
	IndexPassPerS int     `json:"index_passages_per_s"`
	AskP50Ms      float64 `json:"ask_p50_ms,omitempty"`
	AskP99Ms      float64 `json:"ask_p99_ms,omitempty"`
	// AskNDCG is nDCG@10 of the chat path: the documents of the passages
	// an answer is chosen from, in the answerer's order (first passage of
	// each document).
	AskNDCG        *float64 `json:"ask_ndcg@10,omitempty"`
	PeakRSSMB      float64  `json:"peak_rss_mb"`
	AnswerPeakRSS  float64  `json:"answer_peak_rss_mb"`
	AnswerGoSysMB  float64  `json:"answer_go_sys_mb"`
	AnswerFileMB   float64  `json:"answer_rss_file_mb"`
	AnswerPeakAnon float64  `json:"answer_peak_anon_mb"`
	AnswerHeapMB   float64  `json:"answer_go_heap_mb"`
	Reused         bool     `json:"index_reused,omitempty"`
}

// evalFlags are framebot eval's flags and its one argument.
type evalFlags struct {
	dir        string // the evaluated folder
	ixDir      string
	depth      int
	ask        bool
	k1, b      float64
	answerOnly bool
	rankJSON   string
	makeFU     bool
	fuJSON     string
	answerJSON string
	abstain    string
	out        string
	cpuProfile string
}

func parseEvalFlags(args []string, stderr io.Writer) (evalFlags, error) {
	var f evalFlags
	fs := newFlagSet("eval", stderr, "eval [flags] DIR   (a BEIR folder: corpus.jsonl, queries.jsonl, qrels/test.tsv; a QA folder: corpus/, questions.jsonl; or a follow-up folder: corpus/, followups.jsonl)")
	fs.StringVar(&f.ixDir, "index", "", "index `folder` to build, or reuse when it already holds DIR (default: a temporary folder, removed afterwards)")
	fs.IntVar(&f.depth, "depth", 100, "documents ranked per query")
	fs.BoolVar(&f.ask, "ask", false, "also answer every query as a chat question and report ask_p50_ms/ask_p99_ms")
	fs.Float64Var(&f.k1, "k1", 0, "BM25 k1 (default: the tuned value)")
	fs.Float64Var(&f.b, "b", -1, "BM25 b (default: the tuned value)")
	fs.BoolVar(&f.answerOnly, "answer-only", false, "answer from the --index folder as it is, without reading corpus.jsonl or syncing: a process that only answers, for memory figures")
	fs.StringVar(&f.rankJSON, "ranking", "", "JSON object overriding fields of index.Ranking, for tuning (e.g. '{\"FeedbackTerms\":0}')")
	fs.BoolVar(&f.makeFU, "make-followups", false, "print followups.jsonl built from DIR/questions.jsonl (a qa-dev folder) and exit")
	fs.StringVar(&f.fuJSON, "followup", "", "JSON object overriding fields of bot.FollowupOptions, for tuning (e.g. '{\"Weight\":0.3}')")
	fs.StringVar(&f.abstain, "abstain", bot.AbstainBalanced, "QA folders and --ask: abstention `level`, "+strings.Join(bot.AbstainLevels, ", ")+" (set before --answer's overrides)")
	fs.StringVar(&f.answerJSON, "answer", "", "QA folders: JSON object overriding fields of bot.AnswerOptions, for tuning (e.g. '{\"MinCoverage\":0.5}')")
	fs.StringVar(&f.out, "out", "", "`file` to write each query's results to: for a QA folder one JSON line per question, for a BEIR folder a TREC run (query Q0 document rank score framebot)")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "`file` to write a CPU profile of the whole run to, as go test -cpuprofile does (cmd/framebot/default.pgo is made of such profiles)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return f, err
	}
	if len(pos) != 1 {
		return f, usageError{errors.New("give one BEIR folder, e.g. framebot eval ../shared/bench/cranfield")}
	}
	f.dir = pos[0]
	return f, nil
}

func cmdEval(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) (err error) {
	f, err := parseEvalFlags(args, stderr)
	if err != nil {
		return err
	}
	if f.cpuProfile != "" {
		stop, perr := startCPUProfile(f.cpuProfile)
		if perr != nil {
			return perr
		}
		defer func() { err = errors.Join(err, stop()) }()
	}
	if f.makeFU {
		file, err := os.Open(filepath.Join(f.dir, "questions.jsonl"))
		if err != nil {
			return err
		}
		defer file.Close()
		return makeFollowups(file, stdout)
	}
	if _, err := os.Stat(filepath.Join(f.dir, "followups.jsonl")); err == nil {
		var fo bot.FollowupOptions
		if err := decodeOverrides("--followup", f.fuJSON, &fo); err != nil {
			return err
		}
		return evalFollowups(ctx, f.dir, f.ixDir, fo, stdout)
	}
	rank := index.DefaultRanking()
	if err := decodeOverrides("--ranking", f.rankJSON, &rank); err != nil {
		return err
	}
	answerOpts, err := bot.AnswerOptions{}.Abstain(f.abstain)
	if err != nil {
		return usageError{fmt.Errorf("--abstain: %w", err)}
	}
	if err := decodeOverrides("--answer", f.answerJSON, &answerOpts); err != nil {
		return err
	}
	f.setBM25(&rank)
	qa := isQAFolder(f.dir)
	if err := f.checkIndexFlags(qa); err != nil {
		return err
	}
	dir := f.ixDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "framebot-eval-")
		if err != nil {
			return fmt.Errorf("create temporary index folder: %w", err)
		}
		defer os.RemoveAll(tmp)
		dir = filepath.Join(tmp, "index")
	}
	if qa {
		ix, err := index.Open(dir, index.Options{Ranking: &rank})
		if err != nil {
			return err
		}
		defer ix.Close()
		return evalQA(ctx, ix, f.dir, answerOpts, f.out, stdout, stderr)
	}
	return evalBEIR(ctx, f, dir, rank, answerOpts, stdout, stderr)
}

// decodeOverrides decodes the JSON object s of flag name into v, whose
// fields it overrides; an empty s leaves v as it is. Unknown fields are a
// usage error.
func decodeOverrides(name, s string, v any) error {
	if s == "" {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return usageError{fmt.Errorf("%s: %w", name, err)}
	}
	return nil
}

// setBM25 applies --k1 and --b, when given, to rank's BM25 (the index's
// own: nothing process-wide is set).
func (f evalFlags) setBM25(rank *index.Ranking) {
	if f.k1 > 0 {
		rank.K1 = f.k1
	}
	if f.b >= 0 {
		rank.B = f.b
	}
}

// checkIndexFlags checks --index and --answer-only against each other and
// against the kind of folder evaluated (qa: a QA folder).
func (f evalFlags) checkIndexFlags(qa bool) error {
	if f.ixDir != "" {
		if err := notAmong(f.ixDir, f.dir, "the evaluated folder"); err != nil {
			return usageError{err}
		}
	}
	if qa && f.answerOnly {
		return usageError{errors.New("--answer-only is for BEIR folders; a QA folder's corpus is synced every run")}
	}
	if f.answerOnly && f.ixDir == "" {
		return usageError{errors.New("--answer-only needs --index: the folder of an index built from DIR")}
	}
	return nil
}

// evalBEIR evaluates the BEIR folder f.dir with the index in folder dir:
// it indexes the documents (or, with --answer-only, takes the index as it
// is), ranks every query (and with --ask answers it), and prints the
// report line.
func evalBEIR(ctx context.Context, f evalFlags, dir string, rank index.Ranking, answerOpts bot.AnswerOptions, stdout, stderr io.Writer) error {
	// The documents are read as they are indexed (evalIndex).
	set, err := beir.LoadQueries(f.dir)
	if err != nil {
		return err
	}
	rep := evalReport{Engine: "framebot bleve " + bleveVersion(), Queries: len(set.Queries)}

	ix, err := index.Open(dir, index.Options{Ranking: &rank})
	if err != nil {
		return err
	}
	defer ix.Close()
	if f.answerOnly {
		if err := reuseIndex(ctx, ix, dir, f.dir, &rep); err != nil {
			return err
		}
	} else if err := evalIndex(ctx, ix, f.dir, &rep, stderr); err != nil {
		return err
	}

	// The answering phase: return the memory, and measure the peak from
	// here on.
	answeringGC()
	runtime.GC()
	debug.FreeOSMemory()
	peakBefore := resetPeakRSS()

	ranked, lat, peakAnon, err := rankQueries(ctx, ix, set.Queries, f.depth)
	if err != nil {
		return err
	}
	if f.out != "" {
		if err := writeTRECRun(f.out, set.Queries, ranked); err != nil {
			return err
		}
	}
	rep.QueryP50Ms = round3(beir.Percentile(lat, 0.5) * 1000)
	rep.QueryP99Ms = round3(beir.Percentile(lat, 0.99) * 1000)
	if f.ask {
		lat, askRuns, askAnon, err := askQueries(ctx, bot.NewAnswerer(ix, answerOpts), set.Queries)
		if err != nil {
			return err
		}
		if set.Qrels != nil {
			v := beir.Evaluate(askRuns, set.Qrels).NDCG10
			rep.AskNDCG = &v
		}
		peakAnon = max(peakAnon, askAnon)
		rep.AskP50Ms = round3(beir.Percentile(lat, 0.5) * 1000)
		rep.AskP99Ms = round3(beir.Percentile(lat, 0.99) * 1000)
	}
	rep.answerMemory(peakAnon, peakBefore)
	if set.Qrels != nil {
		runs := make(map[string][]string, len(ranked))
		for q, ds := range ranked {
			runs[q] = make([]string, len(ds))
			for i, d := range ds {
				runs[q][i] = d.Doc
			}
		}
		m := beir.Evaluate(runs, set.Qrels)
		rep.Metrics = &m
	}
	line, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", line)
	return err
}

// reuseIndex fills rep's document and passage counts from the index ix in
// folder dir, built before from the BEIR folder src; an empty index is an
// error.
func reuseIndex(ctx context.Context, ix *index.Index, dir, src string, rep *evalReport) error {
	rep.Reused = true
	n, passages, _, err := ix.Stats(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("--answer-only: the index in %s is empty; build it first with framebot eval --index %s %s", dir, dir, src)
	}
	rep.Docs, rep.Passages = n, passages
	return nil
}

// rankQueries ranks depth documents for each query. It returns the ranked
// documents by query ID, the latency of each query in seconds, and
// peakAnon (KiB): the largest private resident memory seen after a query,
// the heap and stacks without the index's mapped file pages (see
// docs/benchmarks.md).
func rankQueries(ctx context.Context, ix *index.Index, queries []beir.Query, depth int) (ranked map[string][]index.DocScore, lat []float64, peakAnon int64, err error) {
	ranked = make(map[string][]index.DocScore, len(queries))
	lat = make([]float64, 0, len(queries))
	for _, q := range queries {
		t := time.Now()
		ds, err := ix.RankDocuments(ctx, q.Text, depth)
		if err != nil {
			return nil, nil, 0, err
		}
		lat = append(lat, time.Since(t).Seconds())
		peakAnon = max(peakAnon, procStatusKB("RssAnon"))
		ranked[q.ID] = ds
	}
	return ranked, lat, peakAnon, nil
}

// writeTRECRun writes ranked, in the order of queries, to the file path as
// a TREC run: "query Q0 document rank score framebot" per line.
func writeTRECRun(path string, queries []beir.Query, ranked map[string][]index.DocScore) error {
	return writeOut(path, func(w io.Writer) error {
		for _, q := range queries {
			for i, d := range ranked[q.ID] {
				if _, err := fmt.Fprintf(w, "%s Q0 %s %d %.6f framebot\n", q.ID, d.Doc, i+1, d.Score); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// startCPUProfile profiles the process's CPU into path (created or
// replaced: a file the user named, as go test -cpuprofile does) until
// stop is called.
func startCPUProfile(path string) (stop func() error, err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		return nil
	}, nil
}

// writeOut creates (or replaces) the file path, an --out the user named,
// and writes it through a buffer with fill.
func writeOut(path string, fill func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	w := bufio.NewWriter(f)
	if err := cmp.Or(fill(w), w.Flush()); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// askQueries answers each query as a chat question. It returns the
// latency of each in seconds and the peak private resident memory (KiB)
// seen after one, as rankQueries does.
//
// It also returns, by query ID, the documents of the passages each answer
// was chosen from, in the answerer's order (Answerer.Ranked, outside the
// timed answer).
func askQueries(ctx context.Context, a *bot.Answerer, queries []beir.Query) (lat []float64, runs map[string][]string, peakAnon int64, err error) {
	lat = make([]float64, 0, len(queries))
	runs = make(map[string][]string, len(queries))
	for _, q := range queries {
		t := time.Now()
		if _, err := a.Ask(ctx, q.Text); err != nil {
			return nil, nil, 0, err
		}
		lat = append(lat, time.Since(t).Seconds())
		peakAnon = max(peakAnon, procStatusKB("RssAnon"))
		hits, err := a.Ranked(ctx, q.Text)
		if err != nil {
			return nil, nil, 0, err
		}
		seen := map[string]bool{}
		var ids []string
		for _, h := range hits {
			if !seen[h.Doc] {
				seen[h.Doc] = true
				ids = append(ids, h.Doc)
			}
		}
		runs[q.ID] = ids
	}
	return lat, runs, peakAnon, nil
}

// answerMemory fills the memory figures of the answering phase: peakAnon
// is the largest RssAnon seen after a question, peakBefore the process's
// peak resident size before the phase (both KiB).
func (rep *evalReport) answerMemory(peakAnon, peakBefore int64) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rep.AnswerGoSysMB = round1(float64(ms.Sys) / (1 << 20))
	rep.AnswerHeapMB = round1(float64(ms.HeapInuse) / (1 << 20))
	rep.AnswerPeakAnon = round1(float64(max(peakAnon, procStatusKB("RssAnon"))) / 1024)
	rep.AnswerFileMB = round1(float64(procStatusKB("RssFile")) / 1024)
	rep.AnswerPeakRSS = round1(float64(procStatusKB("VmHWM")) / 1024)
	rep.PeakRSSMB = max(rep.AnswerPeakRSS, round1(float64(peakBefore)/1024))
}

// evalIndex indexes the documents of the BEIR folder dir into ix (or finds
// them there already) and fills rep's document count and indexing figures.
// corpus.jsonl is read one record at a time, and each document converted
// and handed to an index stream, which writes them in batches while the
// next ones are read, so that the corpus is never held in memory while
// Bleve builds its segments: building the 200,000-passage benchmark peaked
// at 1.5 GB resident when it was, raw and converted.
func evalIndex(ctx context.Context, ix *index.Index, dir string, rep *evalReport, stderr io.Writer) error {
	bar := newProgressBar(stderr, isTerminal(stderr))
	defer bar.done()
	start := time.Now()
	want := map[string]bool{}
	written := 0 // by the stream's batches, read once it is closed
	st, err := ix.NewStream(ctx, func(chs []index.Change) { written += len(chs) })
	if err != nil {
		return err
	}
	err = beir.EachDoc(dir, func(raw beir.Doc) error {
		d := beir.ToDocument(raw, 0)
		rep.Docs++
		want[d.ID] = true
		rep.Passages += len(d.Passages)
		if rep.Docs%evalChunk == 0 {
			bar.update(rep.Docs, 0)
		}
		if m, ok := ix.Meta(d.ID); ok && m.Hash == d.Hash {
			return nil
		}
		return st.Add(d)
	})
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	bar.update(rep.Docs, 0)
	if err != nil {
		return err
	}
	srcs, err := ix.Documents(ctx)
	if err != nil {
		return err
	}
	var gone []string
	for _, s := range srcs {
		if !want[s.Doc] {
			gone = append(gone, s.Doc)
		}
	}
	if _, err := ix.Apply(ctx, nil, gone); err != nil {
		return err
	}
	took := time.Since(start).Seconds()
	rep.IndexS = round3(took)
	if written == 0 && len(want) > 0 {
		rep.Reused = true
	} else {
		rep.IndexDocsPerS = int(float64(rep.Docs)/took + 0.5)
		rep.IndexPassPerS = int(float64(rep.Passages)/took + 0.5)
	}
	return nil
}

// evalChunk is how many BEIR documents evalIndex reads between two
// updates of its progress bar.
const evalChunk = 10000

// resetPeakRSS returns the process's peak resident size so far (VmHWM,
// KiB) and starts a new peak (Linux: "5" to /proc/self/clear_refs).
// Elsewhere it does nothing and the reported answering peak covers the
// whole run.
func resetPeakRSS() (before int64) {
	before = procStatusKB("VmHWM")
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	return before
}

// procStatusKB reads a "Name: N kB" line of /proc/self/status (0 when
// unavailable).
func procStatusKB(name string) int64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && k == name {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

func bleveVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/blevesearch/bleve/v2" {
				return d.Version
			}
		}
	}
	return "v2"
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }
func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }
