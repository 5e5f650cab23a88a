package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	"framebot/bot"
	"framebot/internal/text"
)

// Platform is the adapter's name in requests and the state database.
const Platform = "slack"

// Store is what the adapter keeps in the state database: the answers it
// sent, so that buttons and follow-ups in their threads find them, and the
// votes of its feedback buttons. When it is also a
// bot.AnswerMessageRecorder, the ts of each posted answer is recorded so
// that the answer can be corrected when it goes stale.
type Store interface {
	bot.AnswerStore
	bot.FeedbackRecorder
}

// slackAPI is the part of the Web API client the adapter calls.
type slackAPI interface {
	AuthTestContext(ctx context.Context) (*slack.AuthTestResponse, error)
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	PostEphemeralContext(ctx context.Context, channelID, userID string, options ...slack.MsgOption) (string, error)
}

var _ slackAPI = (*slack.Client)(nil)

// Deps are what the adapter is built on.
type Deps struct {
	// Bot answers questions and runs commands (required).
	Bot *bot.Bot
	// Store keeps answers and feedback; nil disables feedback buttons and
	// thread follow-ups.
	Store  Store
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Adapter connects the bot to one Slack workspace.
type Adapter struct {
	cfg     Config
	secrets secrets
	client  *slack.Client
	api     slackAPI
	http    *http.Client
	bot     *bot.Bot
	store   Store
	log     *slog.Logger
	now     func() time.Time
	limiter *bot.RateLimiter
	seen    *seenSet
	// replays are the signed HTTP requests already processed.
	replays *seenSet
	// sleep waits before a retry; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error

	// Set by Run.
	botUser, botID string
	mention        *regexp.Regexp
	workers        *bot.Workers

	mu        sync.Mutex
	addr      net.Addr      // HTTP mode: where it listens
	listening chan struct{} // closed once addr is set

	// connected is true while the socket is up (socket mode) or the
	// endpoints are served (HTTP mode); see Connected.
	connected atomic.Bool
	// lastBusy is when a request was last turned away because the queue
	// was full (Unix nanoseconds; 0 never); see Saturated.
	lastBusy atomic.Int64
	// notices bounds the "busy" replies being sent at once.
	notices chan struct{}
}

var _ bot.Notifier = (*Adapter)(nil)

// New builds the adapter from cfg and the tokens in the environment
// variables it names. It returns an error when the configuration is invalid
// (see Config.Validate) or Bot is nil; it does not contact Slack.
func New(cfg Config, d Deps) (*Adapter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.Bot == nil {
		return nil, errors.New("slack adapter needs a bot")
	}
	cfg = cfg.withDefaults()
	a := &Adapter{
		cfg:       cfg,
		secrets:   cfg.secrets(),
		http:      &http.Client{Timeout: 30 * time.Second},
		bot:       d.Bot,
		store:     d.Store,
		log:       d.Logger,
		now:       d.Now,
		seen:      newSeenSet(2048),
		replays:   newSeenSet(maxReplays),
		sleep:     bot.Sleep,
		listening: make(chan struct{}),
		notices:   make(chan struct{}, maxNotices),
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	a.log = a.log.With("adapter", Platform)
	if a.now == nil {
		a.now = time.Now
	}
	a.limiter = bot.NewRateLimiter(max(cfg.RateLimit.PerMinute, 0), cfg.RateLimit.Burst, a.now)
	opts := []slack.Option{slack.OptionAPIURL(cfg.APIURL), slack.OptionHTTPClient(a.http)}
	if cfg.Mode == ModeSocket {
		opts = append(opts, slack.OptionAppLevelToken(a.secrets.appToken))
	}
	a.client = slack.New(a.secrets.botToken, opts...)
	a.api = a.client
	return a, nil
}

// Platform names the platform ("slack").
func (a *Adapter) Platform() string { return Platform }

// Connected reports whether the adapter can receive events now: in socket
// mode, Slack said hello on the current socket; in HTTP mode, the bot token
// was accepted and the endpoints are served. It is false before Run,
// while the socket reconnects, and after Run returns.
func (a *Adapter) Connected() bool { return a.connected.Load() }

// Notify posts a digest of corpus changes to channel. It returns an error
// when Slack refuses the message or can't be reached.
func (a *Adapter) Notify(ctx context.Context, channel string, an bot.Announcement) error {
	if len(an.Changes) == 0 {
		return nil
	}
	return a.send(ctx, target{channel: channel}, RenderAnnouncement(an))
}

// Run connects to Slack and answers until ctx ends; it then returns
// ctx.Err(), as every adapter's Run does. It returns another error when
// the bot token is refused or the
// connection can't be kept (socket mode) or the address can't be served
// (HTTP mode).
func (a *Adapter) Run(ctx context.Context) error {
	auth, err := a.authTest(ctx)
	if err != nil {
		return err
	}
	a.botUser, a.botID = auth.UserID, auth.BotID
	defer a.connected.Store(false)
	a.mention = regexp.MustCompile(`<@` + regexp.QuoteMeta(a.botUser) + `(\|[^>]*)?>`)
	a.log.Info("slack connected", "team_id", auth.TeamID, "bot_user", a.botUser, "mode", a.cfg.Mode)

	ctx, cancel := context.WithCancel(ctx)
	w := bot.NewWorkers(ctx, a.cfg.Workers, a.cfg.Queue, a.log)
	a.mu.Lock()
	a.workers = w
	a.mu.Unlock()
	defer w.Wait()
	defer cancel() // first: stops the workers, then waits for them
	if a.cfg.Mode == ModeHTTP {
		return a.runHTTP(ctx)
	}
	return a.runSocket(ctx)
}

// authTest checks the bot token. While Slack can't be reached (network
// errors, 5xx, rate limits) it tries again with capped exponential backoff,
// Connected staying false; it stops only when ctx ends or Slack refuses the
// token, with an error that names the variable to fix.
func (a *Adapter) authTest(ctx context.Context) (*slack.AuthTestResponse, error) {
	for n := 0; ; n++ {
		auth, err := a.api.AuthTestContext(ctx)
		if err == nil {
			return auth, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		d, ok := retryDelay(err, n)
		var se slack.SlackErrorResponse
		if !ok && errors.As(err, &se) && slackBusy[se.Err] {
			d, ok = backoff(n), true
		}
		if !ok {
			return nil, fmt.Errorf("slack refused the bot token: set %s to the app's bot token (xoxb-…, OAuth & Permissions): %w", a.cfg.BotTokenEnv, err)
		}
		a.log.Warn("slack unreachable at start, retrying", "method", "auth.test", "error", redact(err), "retry_in", d.String(), "attempt", n+1)
		if err := a.sleep(ctx, d); err != nil {
			return nil, err
		}
	}
}

// slackBusy are the errors Slack answers when it is the one failing; at
// start they are waited out like a 5xx.
var slackBusy = map[string]bool{"internal_error": true, "fatal_error": true, "service_unavailable": true, "request_timeout": true}

// Retry policy of calls to Slack.
const (
	// maxRetries is how many times a failed call is retried.
	maxRetries = 3
	// maxRetryAfter caps the wait a 429's Retry-After asks for.
	maxRetryAfter = 60 * time.Second
	// firstBackoff doubles at each retry up to maxBackoff.
	firstBackoff = time.Second
	maxBackoff   = 30 * time.Second
)

// backoff is the wait before retry n (0-based): 1 s doubling up to 30 s.
func backoff(n int) time.Duration {
	d := firstBackoff
	for i := 0; i < n && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// retryDelay says whether err is worth retrying and after how long: a 429
// after its Retry-After (at most 60 s), a 5xx, a timeout or a network error
// after backoff(n). Slack's own error answers (invalid_auth,
// channel_not_found…) are not retried.
func retryDelay(err error, n int) (time.Duration, bool) {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return min(max(rl.RetryAfter, 0), maxRetryAfter), true
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		return backoff(n), sc.Code >= 500
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) {
		return backoff(n), true
	}
	return 0, false
}

// retry calls f, and again (up to maxRetries times) when it fails in a way
// waiting may fix: see retryDelay.
func (a *Adapter) retry(ctx context.Context, method string, f func() error) error {
	for attempt := 0; ; attempt++ {
		err := f()
		if err == nil || attempt == maxRetries || ctx.Err() != nil {
			return err
		}
		d, ok := retryDelay(err, attempt)
		if !ok {
			return err
		}
		a.log.Warn("slack call failed, retrying", "method", method, "error", redact(err), "retry_after", d.String(), "attempt", attempt+1)
		if err := a.sleep(ctx, d); err != nil {
			return err
		}
	}
}

// redact describes err for the log without the URL it may carry: a
// response_url is a capability (anyone holding it can post as the bot).
func redact(err error) string {
	s := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) && ue.URL != "" {
		s = strings.ReplaceAll(s, ue.URL, "[url]")
	}
	return s
}

// redactedError is an error whose message leaves out a capability URL;
// errors.As still finds the causes.
type redactedError struct{ err error }

func (e redactedError) Error() string { return redact(e.err) }
func (e redactedError) Unwrap() error { return e.err }

// target is where a reply goes.
type target struct {
	channel, thread, user string
	// responseURL, when set, is used instead of the Web API (slash commands
	// and buttons).
	responseURL string
	// private sends the reply to user only.
	private bool
}

// send posts msg to t.
func (a *Adapter) send(ctx context.Context, t target, msg Message) error {
	if t.responseURL != "" {
		kind := slack.ResponseTypeInChannel
		if t.private {
			kind = slack.ResponseTypeEphemeral
		}
		return a.respond(ctx, t.responseURL, &slack.WebhookMessage{
			Text: msg.Text, Blocks: &slack.Blocks{BlockSet: msg.Blocks}, ResponseType: kind,
		})
	}
	_, err := a.post(ctx, t, msg)
	return err
}

// post sends msg with the Web API and returns its ts ("" for a private
// message).
func (a *Adapter) post(ctx context.Context, t target, msg Message) (string, error) {
	opts := []slack.MsgOption{
		slack.MsgOptionText(msg.Text, false),
		slack.MsgOptionBlocks(msg.Blocks...),
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl(),
	}
	if t.thread != "" {
		opts = append(opts, slack.MsgOptionTS(t.thread))
	}
	var ts string
	if t.private {
		err := a.retry(ctx, "chat.postEphemeral", func() error {
			_, err := a.api.PostEphemeralContext(ctx, t.channel, t.user, opts...)
			return err
		})
		if err != nil {
			return "", fmt.Errorf("chat.postEphemeral: %w", err)
		}
		return "", nil
	}
	err := a.retry(ctx, "chat.postMessage", func() error {
		var err error
		_, ts, err = a.api.PostMessageContext(ctx, t.channel, opts...)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("chat.postMessage: %w", err)
	}
	return ts, nil
}

// respond posts to a response_url (slash commands, buttons).
func (a *Adapter) respond(ctx context.Context, responseURL string, m *slack.WebhookMessage) error {
	err := a.retry(ctx, "response_url", func() error {
		return slack.PostWebhookCustomHTTPContext(ctx, responseURL, a.http, m)
	})
	if err != nil {
		return fmt.Errorf("post to response_url: %w", redactedError{err})
	}
	return nil
}

// textMessage renders a plain sentence.
func textMessage(s string) Message { return Render(bot.Reply{Text: s}, RenderOptions{}) }

const (
	msgFailed   = "Something went wrong while answering; the details are in the log."
	msgNotHere  = "I only answer in some channels of this workspace. Ask me in one of them, or in a direct message."
	msgGone     = "That answer is no longer available."
	msgThanks   = "Thanks: your feedback was recorded."
	msgBadInput = "I could not read that request."
	msgBusy     = "I'm busy answering other questions right now; try again in a moment."
)

// slowDown tells a user to wait before asking again.
func slowDown(wait time.Duration) string {
	s := int(math.Ceil(wait.Seconds()))
	return fmt.Sprintf("Slow down: you are asking faster than I answer. Try again in %s.", text.Count(s, "second"))
}

// fail logs err and tells the user something went wrong.
func (a *Adapter) fail(ctx context.Context, t target, what string, err error) {
	a.log.Error("answer failed", "what", what, "channel", t.channel, "user", t.user, "error", err.Error())
	if t.responseURL == "" && t.thread == "" && !t.private {
		t.private = true
	}
	if err := a.send(ctx, t, textMessage(msgFailed)); err != nil {
		a.log.Error("could not report a failure", "channel", t.channel, "error", err.Error())
	}
}

// submit queues job on the worker pool without ever waiting, so that the
// acknowledgement Slack needs within 3 s is never held up. It returns false
// when the queue is full: the request is counted as turned away and the
// caller tells the user the bot is busy. A panic in job tells the user
// something went wrong.
func (a *Adapter) submit(ctx context.Context, t target, job func(ctx context.Context)) bool {
	ok := a.workers.TryGo(job, func() {
		a.fail(ctx, t, "panic", errors.New("panic while answering (see the stack above)"))
	})
	if !ok {
		a.lastBusy.Store(a.now().UnixNano())
		a.bot.NoteBusy(Platform)
		a.log.Warn("slack request turned away: answer queue full", "channel", t.channel, "queue", a.cfg.Queue, "workers", a.cfg.Workers)
	}
	return ok
}

// enqueue is submit for requests without a synchronous reply (events,
// buttons): when the queue is full, the user is told privately that the
// bot is busy.
func (a *Adapter) enqueue(ctx context.Context, t target, job func(ctx context.Context)) {
	if !a.submit(ctx, t, job) {
		a.noticeBusy(ctx, t)
	}
}

// maxNotices is how many "busy" replies are sent at once; more are dropped
// (the user sees no answer, the metric still counts them).
const maxNotices = 8

// noticeBusy sends the busy reply to t privately, in the background, never
// more than maxNotices at once.
func (a *Adapter) noticeBusy(ctx context.Context, t target) {
	select {
	case a.notices <- struct{}{}:
	default:
		a.log.Warn("busy reply dropped: too many being sent", "channel", t.channel)
		return
	}
	go func() {
		defer func() { <-a.notices }()
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		t.private = true
		if err := a.send(ctx, t, textMessage(msgBusy)); err != nil {
			a.log.Warn("could not send the busy reply", "channel", t.channel, "error", err.Error())
		}
	}()
}

// busyWindow is how long after turning a request away the adapter still
// reports itself saturated, so that a probe between two bursts sees it.
const busyWindow = 10 * time.Second

// Saturated reports whether the answer queue is full now, or turned a
// request away in the last 10 s: /readyz reports it (metrics.Saturation).
func (a *Adapter) Saturated() bool {
	a.mu.Lock()
	w := a.workers
	a.mu.Unlock()
	if w != nil && w.Full() {
		return true
	}
	last := a.lastBusy.Load()
	return last != 0 && a.now().Sub(time.Unix(0, last)) < busyWindow
}

// allowed reports whether the bot may answer in channel.
func (a *Adapter) allowed(channel string) bool {
	if len(a.cfg.Channels) == 0 || isDM(channel) {
		return true
	}
	for _, c := range a.cfg.Channels {
		if c == channel {
			return true
		}
	}
	return false
}

// isDM reports whether channel is a direct message with the bot.
func isDM(channel string) bool { return strings.HasPrefix(channel, "D") }

// seenSet remembers recent event IDs, so that an event Slack delivers
// twice (a retry) is answered once.
type seenSet struct {
	mu   sync.Mutex
	ids  map[string]bool
	ring []string
	next int
}

func newSeenSet(n int) *seenSet {
	return &seenSet{ids: make(map[string]bool, n), ring: make([]string, n)}
}

// add records id and reports whether it is new. An empty id is always new.
func (s *seenSet) add(id string) bool {
	if id == "" {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ids[id] {
		return false
	}
	if old := s.ring[s.next]; old != "" {
		delete(s.ids, old)
	}
	s.ring[s.next] = id
	s.next = (s.next + 1) % len(s.ring)
	s.ids[id] = true
	return true
}
