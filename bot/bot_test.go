package bot

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// searchFunc is a Searcher written as a function.
type searchFunc func(ctx context.Context, text string, limit int) (*SearchResult, error)

func (f searchFunc) Search(ctx context.Context, text string, limit int) (*SearchResult, error) {
	return f(ctx, text, limit)
}

// fixedCatalog is a Catalog over a fixed list.
type fixedCatalog []Source

func (c fixedCatalog) Documents(context.Context) ([]Source, error) {
	return append([]Source(nil), c...), nil
}

func (c fixedCatalog) Stats(context.Context) (int, int, int64, error) {
	n := 0
	for _, s := range c {
		n += s.Passages
	}
	return len(c), n, 4096, nil
}

func TestCleanText(t *testing.T) {
	tests := []struct {
		name, in, want string
		max            int
	}{
		{"folds whitespace", "  what\tis\n\nthis  ", "what is this", 0},
		{"drops control characters", "a\x00b\x07c", "abc", 0},
		{"drops zero-width and bidi overrides", "ab\u200bc\u202ed\u2066e", "abcde", 0},
		{"replaces invalid UTF-8", "a\xffb", "a b", 0},
		{"cuts to the rune limit", "héllo wörld", "héllo", 5},
		{"keeps emoji", "🙂 ok", "🙂 ok", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CleanText(tt.in, tt.max); got != tt.want {
				t.Errorf("CleanText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// hit builds a search hit matching the given term indexes.
func hit(doc string, ord int, score float64, text string, matched ...int) Hit {
	return Hit{Passage: Passage{Doc: doc, Title: "T " + doc, Ordinal: ord, Score: score, Text: text}, Matched: matched}
}

func terms(idfs ...float64) []Term {
	var ts []Term
	for i, f := range idfs {
		ts = append(ts, Term{Text: string(rune('a' + i)), Key: string(rune('a' + i)), IDF: f})
	}
	return ts
}

func TestAskChoosesPassages(t *testing.T) {
	tests := []struct {
		name         string
		res          SearchResult
		wantAnswered bool
		wantDocs     []string
	}{
		{
			name: "a passage covering the question is answered, one covering half of it left out",
			res: SearchResult{Terms: terms(2, 2), Hits: []Hit{
				hit("a", 0, 3, "alpha beta gamma", 0, 1),
				hit("b", 0, 1, "alpha delta", 0),
			}},
			wantAnswered: true, wantDocs: []string{"a"},
		},
		{
			name: "passages sharing one common word are not an answer",
			res: SearchResult{Terms: terms(0.2, 3, 3), Hits: []Hit{
				hit("a", 0, 1, "the ukraine word", 0),
				hit("b", 0, 0.9, "ukraine again", 0),
			}},
			wantAnswered: false,
		},
		{
			name: "a near-duplicate passage is quoted once",
			res: SearchResult{Terms: terms(2, 2), Hits: []Hit{
				hit("a", 0, 3, "the walrus sings at dawn by the sea", 0, 1),
				hit("b", 0, 2.9, "the walrus sings at dawn by the sea!", 0, 1),
				hit("c", 0, 1, "a walrus sings", 0, 1),
			}},
			wantAnswered: true, wantDocs: []string{"a", "c"},
		},
		{
			name: "another document is preferred over an equally good one from the same document",
			res: SearchResult{Terms: terms(2, 2), Hits: []Hit{
				hit("a", 0, 3, "one two three", 0, 1),
				hit("a", 5, 2.9, "four five six", 0, 1),
				hit("b", 0, 2.8, "seven eight nine", 0, 1),
			}},
			wantAnswered: true, wantDocs: []string{"a", "b", "a"},
		},
		{
			name: "a term named in a neighbouring passage counts towards coverage",
			res: SearchResult{Terms: terms(3, 3), Hits: []Hit{
				hit("a", 1, 2, "he stated the guarantees must deliver", 1),
				hit("a", 0, 1, "Zelenskyy welcomed the talks", 0),
			}},
			wantAnswered: true, wantDocs: []string{"a", "a"},
		},
		{
			name: "no hits is not in the corpus",
			res:  SearchResult{Terms: terms(3)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewAnswerer(searchFunc(func(context.Context, string, int) (*SearchResult, error) {
				r := tt.res
				return &r, nil
			}), AnswerOptions{})
			ans, err := a.Ask(context.Background(), "question")
			if err != nil {
				t.Fatal(err)
			}
			if ans.Answered != tt.wantAnswered {
				t.Fatalf("answered = %v, want %v", ans.Answered, tt.wantAnswered)
			}
			var docs []string
			for _, p := range ans.Passages {
				docs = append(docs, p.Doc)
			}
			if diff := cmp.Diff(tt.wantDocs, docs); diff != "" {
				t.Errorf("quoted documents (-want +got):\n%s", diff)
			}
			if !ans.Answered && len(tt.res.Hits) > 0 && len(ans.Nearest) == 0 {
				t.Error("not answered, but no nearest sources given")
			}
		})
	}
}

func TestAskReportsSearchErrors(t *testing.T) {
	boom := errors.New("disk on fire")
	a := NewAnswerer(searchFunc(func(context.Context, string, int) (*SearchResult, error) { return nil, boom }), AnswerOptions{})
	if _, err := a.Ask(context.Background(), "anything"); !errors.Is(err, boom) {
		t.Errorf("error = %v, want it to wrap %v", err, boom)
	}
}

func newTestBot() *Bot {
	b := New(NewAnswerer(searchFunc(func(context.Context, string, int) (*SearchResult, error) {
		return &SearchResult{}, nil
	}), AnswerOptions{}), fixedCatalog{
		{Doc: "b.txt", Title: "Beta", Source: "src-b", Passages: 3, Updated: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)},
		{Doc: "a.txt", Title: "Alpha", Source: "src-a", Passages: 2, Updated: time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC)},
		{Doc: "c.txt", Title: "Gamma", Source: "src-c", Passages: 1, Updated: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
	})
	b.PageSize = 2
	return b
}

func TestCommands(t *testing.T) {
	ctx := context.Background()
	b := newTestBot()
	req := Request{Platform: "test", Channel: "c1", Prefix: "/framework"}
	run := func(line string) Reply {
		t.Helper()
		rep, err := b.Command(ctx, req, "/framework", line)
		if err != nil {
			t.Fatalf("command %q: %v", line, err)
		}
		return rep
	}
	t.Run("help lists every command from the table", func(t *testing.T) {
		text := run("help").Text
		for _, c := range b.Commands() {
			if !strings.Contains(text, c.Usage("/framework")) {
				t.Errorf("help lacks %q:\n%s", c.Usage("/framework"), text)
			}
		}
		if got := run("").Text; got != text {
			t.Errorf("empty command = %q, want help", got)
		}
	})
	t.Run("an unknown command gets the usage line", func(t *testing.T) {
		got := run("frobnicate now").Text
		if !strings.Contains(got, `Unknown command "frobnicate"`) || !strings.Contains(got, "Usage: /framework <ask|") {
			t.Errorf("got %q", got)
		}
	})
	t.Run("aliases work and are case-insensitive", func(t *testing.T) {
		if run("DOCS").Sources == nil {
			t.Error("DOCS did not list sources")
		}
	})
	t.Run("a command missing its argument gets its usage", func(t *testing.T) {
		if got := run("ask").Text; got != "Usage: /framework ask <question>" {
			t.Errorf("got %q", got)
		}
	})
	t.Run("commands without a store say they are coming", func(t *testing.T) {
		if got := run("subscribe").Text; got != "/framework subscribe is coming soon." {
			t.Errorf("got %q", got)
		}
	})
	t.Run("sources are sorted by title and paginated", func(t *testing.T) {
		l := run("sources").Sources
		if diff := cmp.Diff([]string{"Alpha", "Beta"}, titles(l)); diff != "" || l.Pages != 2 || l.Total != 3 {
			t.Errorf("page 1: pages %d total %d, titles (-want +got):\n%s", l.Pages, l.Total, diff)
		}
		if diff := cmp.Diff([]string{"Gamma"}, titles(run("sources 2").Sources)); diff != "" {
			t.Errorf("page 2 (-want +got):\n%s", diff)
		}
		if got := run("sources x").Text; !strings.Contains(got, "from 1 to 2") {
			t.Errorf("bad page: %q", got)
		}
	})
	t.Run("new lists the most recent documents first", func(t *testing.T) {
		if diff := cmp.Diff([]string{"Alpha", "Beta", "Gamma"}, titles(run("new").Sources)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("status counts documents and passages", func(t *testing.T) {
		st := run("status").Status
		if st == nil || st.Documents != 3 || st.Passages != 6 || st.IndexBytes != 4096 {
			t.Errorf("status = %+v", st)
		}
	})
}

func titles(l *SourceList) []string {
	var out []string
	for _, s := range l.Sources {
		out = append(out, s.Title)
	}
	return out
}

func TestAskWithoutWordsGetsAHint(t *testing.T) {
	for _, q := range []string{"", "???", "🙂🙂", "  \t"} {
		rep, err := newTestBot().Ask(context.Background(), Request{Text: q})
		if err != nil || rep.Answer != nil || !strings.Contains(rep.Text, "Ask me a question") {
			t.Errorf("Ask(%q) = %+v, %v; want a hint", q, rep, err)
		}
	}
}

func TestRateLimiter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewRateLimiter(6, 2, func() time.Time { return now }) // one every 10 s, burst 2
	for i, want := range []bool{true, true, false} {
		if ok, _ := l.Allow("u1"); ok != want {
			t.Fatalf("event %d: allowed = %v, want %v", i, ok, want)
		}
	}
	if ok, _ := l.Allow("u2"); !ok {
		t.Error("another user was limited")
	}
	_, wait := l.Allow("u1")
	if wait <= 0 || wait > 10*time.Second {
		t.Errorf("wait = %v, want (0, 10s]", wait)
	}
	now = now.Add(10 * time.Second)
	if ok, _ := l.Allow("u1"); !ok {
		t.Error("not allowed again after the refill time")
	}
}

func TestWorkersRecoverPanics(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	w := NewWorkers(ctx, 2, 4, nil)
	var told atomic.Int32
	done := make(chan struct{})
	w.Go(ctx, func(context.Context) { panic("boom") }, func() { told.Add(1) })
	w.Go(ctx, func(context.Context) { close(done) }, nil)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the job after a panic never ran")
	}
	cancel()
	w.Wait()
	if told.Load() != 1 {
		t.Errorf("panic callback ran %d times, want 1", told.Load())
	}
}

func TestWorkersTryGoNeverWaits(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := NewWorkers(ctx, 1, 1, nil)
	block := make(chan struct{})
	started := make(chan struct{})
	w.Go(ctx, func(context.Context) { close(started); <-block }, nil)
	<-started
	if !w.TryGo(func(context.Context) {}, nil) {
		t.Fatal("TryGo refused a job with room in the queue")
	}
	if w.TryGo(func(context.Context) {}, nil) {
		t.Error("TryGo queued a job into a full queue")
	}
	close(block)
}
