package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/cases"

	"framebot/beir"
	"framebot/bot"
	"framebot/corpus"
	"framebot/index"
)

// qaQuestion is one line of a QA folder's questions.jsonl (the layout
// ../shared/bench/qa.py reads).
type qaQuestion struct {
	Q          string   `json:"q"`
	Answers    []string `json:"answers"`
	Article    string   `json:"article"`
	Para       int      `json:"para"`
	Answerable *bool    `json:"answerable"`
	ID         string   `json:"id,omitempty"`

	doc, gold string // the article's corpus file and the question's paragraph
}

func (q *qaQuestion) answerable() bool { return q.Answerable == nil || *q.Answerable }

// qaReport is the line framebot eval prints for a QA folder. Its keys and
// their definitions are those of ../shared/bench/qa.py.
type qaReport struct {
	System          string   `json:"system"`
	Answerable      int      `json:"answerable"`
	Unanswerable    int      `json:"unanswerable"`
	Hit1            *float64 `json:"hit@1"`
	Hit3            *float64 `json:"hit@3"`
	Hits1           int      `json:"hits@1"`
	Hits3           int      `json:"hits@3"`
	AnsweredRate    *float64 `json:"answered_rate"`
	Hit3Answered    *float64 `json:"hit@3_when_answered"`
	Article1        *float64 `json:"article@1"`
	GoldPara1       *float64 `json:"gold_para@1"`
	GoldPara3       *float64 `json:"gold_para@3"`
	AbstainRate     *float64 `json:"abstain_rate"`
	AnsweredNoPass  int      `json:"answered_no_passages"`
	Errors          int      `json:"errors"`
	MedianS         *float64 `json:"median_s"`
	P99S            *float64 `json:"p99_s"`
	MeanS           *float64 `json:"mean_s"`
	IndexS          float64  `json:"index_s"`
	Passages        int      `json:"passages"`
	QuestionsPerSec float64  `json:"questions_per_s"`
}

// qaResult is one question's outcome, written to --out.
type qaResult struct {
	Q          string    `json:"q"`
	Answers    []string  `json:"answers"`
	Article    string    `json:"article"`
	Answerable bool      `json:"answerable"`
	Answered   bool      `json:"answered"`
	Texts      []string  `json:"texts"`
	Docs       []string  `json:"docs"`
	Scores     []float64 `json:"scores"`
	Note       string    `json:"note,omitempty"`
	Hit1       bool      `json:"hit1"`
	Hit3       bool      `json:"hit3"`
	S          float64   `json:"s"`
}

// isQAFolder reports whether dir holds a QA set (corpus/ and
// questions.jsonl) rather than a BEIR collection.
func isQAFolder(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, "corpus"))
	if err != nil || !st.IsDir() {
		return false
	}
	_, err = os.Stat(filepath.Join(dir, "questions.jsonl"))
	return err == nil
}

// evalQA indexes dir/corpus into ix, answers every question of
// dir/questions.jsonl through the bot (the path chat takes) and prints the
// figures as one JSON line. out, when not empty, receives one JSON line
// per question.
func evalQA(ctx context.Context, ix *index.Index, dir string, opts bot.AnswerOptions, out string, stdout, stderr io.Writer) error {
	qs, err := loadQAQuestions(dir)
	if err != nil {
		return err
	}
	docs, _, err := corpus.LoadDir(filepath.Join(dir, "corpus"), corpus.Options{})
	if err != nil {
		return fmt.Errorf("load corpus: %w", err)
	}
	rep := qaReport{System: "framebot", Passages: corpus.CountPassages(docs)}
	bar := newProgressBar(stderr, isTerminal(stderr))
	start := time.Now()
	if _, err := ix.Sync(ctx, docs, bar.update); err != nil {
		bar.done()
		return err
	}
	bar.done()
	rep.IndexS = round3(time.Since(start).Seconds())
	docs = nil
	answeringGC()

	b := bot.New(bot.NewAnswerer(ix, opts), ix)
	res := make([]qaResult, len(qs))
	lat := make([]float64, 0, len(qs))
	wall := time.Now()
	for i, q := range qs {
		t := time.Now()
		rp, err := b.Ask(ctx, bot.Request{Platform: "console", User: "eval", Text: q.Q, Prefix: "framebot"})
		s := time.Since(t).Seconds()
		if err != nil {
			return fmt.Errorf("question %d: %w", i+1, err)
		}
		lat = append(lat, s)
		r := qaResult{Q: q.Q, Answers: q.Answers, Article: q.Article, Answerable: q.answerable(), S: s, Texts: []string{}, Docs: []string{}, Scores: []float64{}}
		if a := rp.Answer; a != nil {
			r.Answered, r.Note = a.Answered, a.Note
			for _, p := range a.Passages {
				r.Texts = append(r.Texts, p.Text)
				r.Docs = append(r.Docs, p.Doc)
				r.Scores = append(r.Scores, p.Score)
			}
		}
		res[i] = r
	}
	if el := time.Since(wall).Seconds(); el > 0 {
		rep.QuestionsPerSec = math.Round(float64(len(qs))/el*10) / 10
	}
	scoreQA(qs, res, lat, &rep)
	if out != "" {
		if err := writeQAResults(out, res); err != nil {
			return err
		}
	}
	line, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", line)
	return err
}

// scoreQA fills rep's quality and latency figures, as qa.py's score does.
func scoreQA(qs []qaQuestion, res []qaResult, lat []float64, rep *qaReport) {
	var h1, h3, answered, art1, g1, g3, abst int
	for i := range qs {
		q, r := &qs[i], &res[i]
		if r.Answered && len(r.Texts) == 0 {
			rep.AnsweredNoPass++
		}
		if !q.answerable() {
			rep.Unanswerable++
			if !r.Answered {
				abst++
			}
			continue
		}
		rep.Answerable++
		if !r.Answered {
			continue
		}
		answered++
		top := r.Texts[:min(3, len(r.Texts))]
		for k, t := range top {
			if qaHit(q.Answers, t) {
				r.Hit3 = true
				r.Hit1 = r.Hit1 || k == 0
			}
		}
		if r.Hit1 {
			h1++
		}
		if r.Hit3 {
			h3++
		}
		if len(r.Docs) > 0 && r.Docs[0] == q.doc {
			art1++
		}
		if k := goldRank(q.gold, top); k >= 0 {
			if k == 0 {
				g1++
			}
			g3++
		}
	}
	ratio := func(a, n int) *float64 {
		if n == 0 {
			return nil
		}
		v := math.Round(float64(a)/float64(n)*1e4) / 1e4
		return &v
	}
	n := rep.Answerable
	rep.Hits1, rep.Hits3 = h1, h3
	rep.Hit1, rep.Hit3 = ratio(h1, n), ratio(h3, n)
	rep.AnsweredRate = ratio(answered, n)
	rep.Hit3Answered = ratio(h3, answered)
	rep.Article1 = ratio(art1, n)
	rep.GoldPara1, rep.GoldPara3 = ratio(g1, n), ratio(g3, n)
	rep.AbstainRate = ratio(abst, rep.Unanswerable)
	qaLatency(lat, rep)
}

// goldRank returns the rank of the first of the passages top that lies in
// the gold paragraph, -1 when none does (or there is no gold paragraph).
func goldRank(gold string, top []string) int {
	gold = qaNorm(gold)
	if gold == "" {
		return -1
	}
	for k, t := range top {
		if strings.Contains(gold, qaNorm(t)) {
			return k
		}
	}
	return -1
}

// qaLatency fills rep's median, p99 and mean of the latencies lat, in
// seconds; it leaves them unset when lat is empty.
func qaLatency(lat []float64, rep *qaReport) {
	if len(lat) == 0 {
		return
	}
	r5 := func(f float64) *float64 { v := math.Round(f*1e5) / 1e5; return &v }
	sorted := append([]float64(nil), lat...)
	sort.Float64s(sorted)
	var sum float64
	for _, s := range sorted {
		sum += s
	}
	rep.MedianS = r5(median(sorted))
	rep.P99S = r5(sorted[min(len(sorted)-1, int(math.RoundToEven(0.99*float64(len(sorted)-1))))])
	rep.MeanS = r5(sum / float64(len(sorted)))
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// qaHit reports whether one of answers occurs in text, both normalised.
func qaHit(answers []string, text string) bool {
	t := qaNorm(text)
	for _, a := range answers {
		if a := qaNorm(a); a != "" && strings.Contains(t, a) {
			return true
		}
	}
	return false
}

var (
	qaQuotes    = strings.NewReplacer("\u2019", "'", "\u2018", "'", "\u201c", `"`, "\u201d", `"`, "\u200b", "", "\u2060", "", "\ufeff", "", "\u00ad", "")
	qaCaseFold  = cases.Fold()
	qaBlankLine = regexp.MustCompile(`\n[ \t]*\n`)
)

// qaNorm is qa.py's norm: straight quotes, no invisible characters,
// whitespace and control characters collapsed to one space, case folded.
func qaNorm(s string) string {
	s = qaQuotes.Replace(s)
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r < 0x20 || r == 0x7f
	}), " ")
	return qaCaseFold.String(s)
}

// loadQAQuestions reads dir/questions.jsonl and finds each answerable
// question's corpus file and paragraph (title line, blank line, paragraphs
// separated by blank lines), as qa.py does.
func loadQAQuestions(dir string) ([]qaQuestion, error) {
	var qs []qaQuestion
	err := beir.ReadJSONL(filepath.Join(dir, "questions.jsonl"), func(line []byte) error {
		var q qaQuestion
		if err := json.Unmarshal(line, &q); err != nil {
			return err
		}
		qs = append(qs, q)
		return nil
	})
	if err != nil {
		return nil, err
	}
	byTitle := map[string]struct {
		file  string
		paras []string
	}{}
	entries, err := os.ReadDir(filepath.Join(dir, "corpus"))
	if err != nil {
		return nil, fmt.Errorf("read corpus folder: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".txt") {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, "corpus", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read corpus file: %w", err)
		}
		var blocks []string
		for _, b := range qaBlankLine.Split(string(raw), -1) {
			if b = strings.TrimSpace(b); b != "" {
				blocks = append(blocks, b)
			}
		}
		if len(blocks) > 0 {
			byTitle[blocks[0]] = struct {
				file  string
				paras []string
			}{e.Name(), blocks[1:]}
		}
	}
	for i := range qs {
		q := &qs[i]
		a, ok := byTitle[strings.ReplaceAll(q.Article, "_", " ")]
		if !ok {
			a = byTitle[q.Article]
		}
		q.doc = a.file
		if q.answerable() && q.Para >= 0 && q.Para < len(a.paras) {
			q.gold = a.paras[q.Para]
		}
	}
	return qs, nil
}

// writeQAResults writes one JSON line per question to path.
func writeQAResults(path string, res []qaResult) error {
	return writeOut(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, r := range res {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	})
}
