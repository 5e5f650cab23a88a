package loadtest

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"framebot/bot"
)

// Kind is how a question ended.
type Kind int

// The outcomes of a question.
const (
	// NoReply: nothing came back before the run's grace period ended.
	NoReply Kind = iota
	// Answer: the bot replied with an answer (quoted passages, or its
	// abstention with the nearest documents).
	Answer
	// SlowDown: the bot told the user to slow down (per-user rate limit).
	SlowDown
	// Failed: the bot said something went wrong.
	Failed
)

// Reply is what came back for one question, and when it was seen.
type Reply struct {
	Kind Kind
	At   time.Time
}

// Platform is one chat path under load (Slack through its fake server,
// Matrix through Dendrite).
type Platform interface {
	// Send posts text as simulated user number user and returns a channel
	// that receives the reply once. It returns an error when the message
	// can't be sent.
	Send(ctx context.Context, user int, text string) (<-chan Reply, error)
}

// Plan is a load run: Users simulated users, of which the first Fast ask
// faster than the per-user limit, for Duration, while Add adds a document
// every AddEvery.
type Plan struct {
	Users, Fast int
	Duration    time.Duration
	// Think is how long a normal user waits after a reply before asking
	// again; FastEvery is the pace of a fast user, who does not wait.
	Think, FastEvery time.Duration
	// Grace is how long replies are awaited after Duration.
	Grace time.Duration
	// Queries are asked in turn.
	Queries []string
	// PerMinute and Burst are the adapter's per-user limit.
	PerMinute, Burst int
	// Add adds document number n to the index; nil adds none.
	AddEvery time.Duration
	Add      func(ctx context.Context, n int) error
}

// Report is the outcome of a run.
type Report struct {
	Platform string
	Elapsed  time.Duration
	// Asked counts questions sent by normal and fast users.
	Asked, FastAsked int
	// Outcomes of normal users' questions and of fast users'.
	Normal, FastOut map[Kind]int
	// Latency percentiles of answers, from sending to seeing the reply.
	P50, P99, Max time.Duration
	// SendErrors counts messages that could not be sent.
	SendErrors int
	// FastAnsweredMax is the most answers one fast user got; FastAllowed
	// is what the limit allows over the run.
	FastAnsweredMax, FastAllowed int
	// Added counts documents added during the run, AddErrors those that
	// failed; AddP50 and AddMax are how long an addition took to become
	// searchable.
	Added, AddErrors int
	AddP50, AddMax   time.Duration
	// Limited is how many questions the adapter refused under the per-user
	// limit (the metrics' count), set by the caller.
	Limited int
	// PeakRSS is the process's peak resident memory during the run
	// (VmHWM, reset at the start; 0 when unavailable), PeakHeap the
	// largest Go heap in use seen.
	PeakRSS, PeakHeap uint64
}

// Errors is the number of failures: messages not sent, replies that said
// something went wrong or never came, and normal users told to slow
// down. A fast user's question without a reply is an error unless the
// adapter counted it as refused without a notice (Limited). The target is
// zero.
func (r Report) Errors() int {
	silent := max(r.Limited-r.FastOut[SlowDown], 0)
	return r.SendErrors + r.Normal[Failed] + r.Normal[NoReply] + r.Normal[SlowDown] + r.FastOut[Failed] + max(r.FastOut[NoReply]-silent, 0)
}

// LimitHolds reports whether every fast user got at most the answers the
// per-user limit allows and the adapter refused at least one question.
func (r Report) LimitHolds() bool {
	return r.FastAnsweredMax <= r.FastAllowed && r.Limited > 0
}

// String prints the report as the lines of docs/operations.md.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s load: %s, %d normal questions (%d answered, %d slow down, %d failed, %d no reply), p50 %s p99 %s max %s\n",
		r.Platform, r.Elapsed.Round(time.Second), r.Asked, r.Normal[Answer], r.Normal[SlowDown], r.Normal[Failed], r.Normal[NoReply],
		r.P50.Round(time.Millisecond), r.P99.Round(time.Millisecond), r.Max.Round(time.Millisecond))
	fmt.Fprintf(&b, "fast users: %d questions, %d answered (most for one user %d, limit allows %d), %d told to slow down, %d refused without a notice\n",
		r.FastAsked, r.FastOut[Answer], r.FastAnsweredMax, r.FastAllowed, r.FastOut[SlowDown], r.FastOut[NoReply])
	fmt.Fprintf(&b, "errors: %d (send %d); documents added: %d (%d failed), searchable after p50 %s max %s; peak RSS %s, peak Go heap %s\n",
		r.Errors(), r.SendErrors, r.Added, r.AddErrors, r.AddP50.Round(time.Millisecond), r.AddMax.Round(time.Millisecond), mib(r.PeakRSS), mib(r.PeakHeap))
	return b.String()
}

func mib(n uint64) string {
	if n == 0 {
		return "n/a"
	}
	return strconv.FormatUint(n>>20, 10) + " MiB"
}

type outcome struct {
	user    int
	fast    bool
	kind    Kind
	latency time.Duration
}

// Run runs plan against p and returns the figures. It returns when every
// question has its reply or the grace period has ended.
func Run(ctx context.Context, name string, plan Plan, p Platform) Report {
	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS()
	mem := watchHeap()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	r := &run{ctx: ctx, plan: plan, p: p, stopAsking: start.Add(plan.Duration), asked: make([]int, plan.Users)}
	r.giveUp = r.stopAsking.Add(plan.Grace)
	var users, adder sync.WaitGroup
	for u := range plan.Users {
		users.Go(func() { r.user(u) })
	}
	if plan.Add != nil {
		adder.Go(r.adder)
	}
	users.Wait()
	adder.Wait()
	r.questions.Wait()
	elapsed := time.Since(start)
	peakHeap := mem()
	rep := r.report(name, elapsed)
	rep.PeakRSS, rep.PeakHeap = peakRSS(), peakHeap
	return rep
}

// run is one Run under way: its plan, its deadlines, and what the users'
// and the adder's goroutines record, under mu.
type run struct {
	ctx        context.Context
	plan       Plan
	p          Platform
	stopAsking time.Time // no question is sent after it
	giveUp     time.Time // replies are awaited until then

	questions sync.WaitGroup // the questions awaiting their reply

	mu       sync.Mutex
	outs     []outcome
	sendErrs int
	asked    []int // questions sent, by user
	addTimes []time.Duration
	addErrs  int
}

// user asks questions as simulated user u until the asking time ends: a
// fast user every FastEvery, a normal one Think after each reply.
func (r *run) user(u int) {
	for n := 0; time.Now().Before(r.stopAsking); n++ {
		q := r.plan.Queries[(u*31+n)%len(r.plan.Queries)]
		done := r.ask(u, q)
		if u < r.plan.Fast {
			if !r.wait(r.plan.FastEvery) {
				return
			}
			continue
		}
		select {
		case <-done:
		case <-r.ctx.Done():
			return
		}
		if !r.wait(r.plan.Think) {
			return
		}
	}
}

// ask sends one question and returns a channel closed once its outcome
// is recorded.
func (r *run) ask(user int, q string) <-chan struct{} {
	done := make(chan struct{})
	fast := user < r.plan.Fast
	sent := time.Now()
	ch, err := r.p.Send(r.ctx, user, q)
	r.mu.Lock()
	r.asked[user]++
	if err != nil {
		r.sendErrs++
	}
	r.mu.Unlock()
	if err != nil {
		close(done)
		return done
	}
	r.questions.Add(1)
	go func() {
		defer r.questions.Done()
		defer close(done)
		t := time.NewTimer(time.Until(r.giveUp))
		defer t.Stop()
		select {
		case rep := <-ch:
			r.record(outcome{user: user, fast: fast, kind: rep.Kind, latency: rep.At.Sub(sent)})
		case <-t.C:
			r.record(outcome{user: user, fast: fast, kind: NoReply})
		}
	}()
	return done
}

func (r *run) record(o outcome) {
	r.mu.Lock()
	r.outs = append(r.outs, o)
	r.mu.Unlock()
}

// wait waits d, and reports false when the run was cancelled first.
func (r *run) wait(d time.Duration) bool { return bot.Sleep(r.ctx, d) == nil }

// adder adds a document every AddEvery until the asking time ends,
// timing each addition.
func (r *run) adder() {
	for n := 0; time.Now().Before(r.stopAsking); n++ {
		t0 := time.Now()
		err := r.plan.Add(r.ctx, n)
		r.mu.Lock()
		if err != nil {
			r.addErrs++
		} else {
			r.addTimes = append(r.addTimes, time.Since(t0))
		}
		r.mu.Unlock()
		if !r.wait(r.plan.AddEvery) {
			return
		}
	}
}

// report sums up what was recorded, once every goroutine has ended; the
// memory figures are left to the caller.
func (r *run) report(name string, elapsed time.Duration) Report {
	rep := Report{Platform: name, Elapsed: elapsed, Normal: map[Kind]int{}, FastOut: map[Kind]int{}, SendErrors: r.sendErrs,
		Added: len(r.addTimes), AddErrors: r.addErrs}
	for u, n := range r.asked {
		if u < r.plan.Fast {
			rep.FastAsked += n
		} else {
			rep.Asked += n
		}
	}
	var lat []time.Duration
	fastAnswers := map[int]int{}
	for _, o := range r.outs {
		if o.fast {
			rep.FastOut[o.kind]++
			if o.kind == Answer {
				fastAnswers[o.user]++
			}
		} else {
			rep.Normal[o.kind]++
		}
		if o.kind == Answer {
			lat = append(lat, o.latency)
		}
	}
	for _, n := range fastAnswers {
		rep.FastAnsweredMax = max(rep.FastAnsweredMax, n)
	}
	rep.FastAllowed = r.plan.Burst + int(float64(r.plan.PerMinute)*r.plan.Duration.Minutes()+0.999)
	rep.P50, rep.P99, rep.Max = percentile(lat, 50), percentile(lat, 99), percentile(lat, 100)
	rep.AddP50, rep.AddMax = percentile(r.addTimes, 50), percentile(r.addTimes, 100)
	return rep
}

// percentile returns the p-th percentile of ds (nearest rank).
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s))*p/100+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// watchHeap samples the Go heap in use until the returned function is
// called, which returns the largest sample.
func watchHeap() func() uint64 {
	stop := make(chan struct{})
	res := make(chan uint64, 1)
	go func() {
		var peak uint64
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				res <- peak
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(stop); return <-res }
}

// resetPeakRSS resets the kernel's peak resident memory of the process
// (Linux), so that the load, not the loading of the corpus, is measured.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS returns VmHWM in bytes, 0 when unavailable.
func peakRSS() uint64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}
