package matrix

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"go.mau.fi/util/dbutil"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"framebot/bot"
)

// Platform is the adapter's name in requests and the state database.
const Platform = "matrix"

// senders is how many replies are sent to the homeserver at once. Sending
// waits on the network, not the CPU, so it gets more goroutines than
// answering does.
const senders = 16

var _ bot.Notifier = (*Adapter)(nil)

// matrixClient is the part of *mautrix.Client the adapter calls.
type matrixClient interface {
	Whoami(ctx context.Context) (*mautrix.RespWhoami, error)
	Login(ctx context.Context, req *mautrix.ReqLogin) (*mautrix.RespLogin, error)
	GetOwnDisplayName(ctx context.Context) (*mautrix.RespUserDisplayName, error)
	SyncWithContext(ctx context.Context) error
	SendMessageEvent(ctx context.Context, roomID id.RoomID, eventType event.Type, content any, extra ...mautrix.ReqSendEvent) (*mautrix.RespSendEvent, error)
	JoinRoomByID(ctx context.Context, roomID id.RoomID) (*mautrix.RespJoinRoom, error)
	LeaveRoom(ctx context.Context, roomID id.RoomID, req ...*mautrix.ReqLeave) (*mautrix.RespLeaveRoom, error)
	JoinedMembers(ctx context.Context, roomID id.RoomID) (*mautrix.RespJoinedMembers, error)
	TxnID() string
}

var _ matrixClient = (*mautrix.Client)(nil)

// ErrUnknownToken is wrapped by Run's error when the homeserver rejects the
// bot's access token (M_UNKNOWN_TOKEN): a new token or login is needed.
var ErrUnknownToken = errors.New("matrix access token rejected (M_UNKNOWN_TOKEN): the session was logged out; set a new MATRIX_ACCESS_TOKEN or use MATRIX_PASSWORD")

// Adapter connects a bot.Bot to Matrix. Create it with New and run it with
// Run; Notify posts corpus announcements once Run has connected.
type Adapter struct {
	cfg   Config
	bot   *bot.Bot
	state Store
	// cryptoDB holds mautrix's crypto store (Deps.CryptoDB).
	cryptoDB *dbutil.Database
	log      *slog.Logger
	now      func() time.Time
	cli      *mautrix.Client // setup that needs the concrete type (crypto)
	client   matrixClient
	syncer   *syncer
	limiter  *bot.RateLimiter

	maxBackoff time.Duration
	ready      chan struct{}
	readyOnce  sync.Once
	// connected is true while the last /sync succeeded; see Connected.
	connected atomic.Bool

	// Set by connect, before any event is handled.
	me      id.UserID
	mention mentioner
	started int64 // Unix ms; older events are ignored
	workers *bot.Workers
	// senders send replies, so that answering never waits on the
	// homeserver.
	senders *bot.Workers
	// side sends what may be dropped under load (the 👍/👎 offered under an
	// answer), so it never holds up answers.
	side     *bot.Workers
	connectd chan struct{}

	mu       sync.Mutex
	members  map[id.RoomID]int   // joined member count cache
	skip     map[id.EventID]bool // timeline events from before the bot joined their room
	seen     map[id.EventID]bool // events already queued (decryption can deliver twice)
	invites  map[id.RoomID]bool  // invites being handled
	noCrypto map[id.RoomID]bool  // rooms warned about encryption being off
	lastWarn map[id.UserID]int64 // rate-limit notice per user (Unix ms)

	trust trustState // cross-signing and undecryptable messages (withheld.go)
}

// Deps are what the adapter is built on.
type Deps struct {
	// Bot answers questions and runs commands (required).
	Bot *bot.Bot
	// Store keeps the sync position, the device and the answers sent
	// (required).
	Store Store
	// CryptoDB holds mautrix's crypto store (required when encryption is
	// on): framebot serve passes the state database's pool wrapped with
	// dbutil.NewWithDB, so the keys live in the same file in their own
	// tables. The adapter never closes it.
	CryptoDB *dbutil.Database
	Logger   *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// New returns an adapter for cfg (secrets may come from the environment,
// see Config). It returns an error when cfg is invalid or a required
// dependency is missing; it does not contact the homeserver (Run does).
func New(cfg Config, d Deps) (*Adapter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("matrix config: %w", err)
	}
	cfg = cfg.withEnv()
	switch {
	case d.Bot == nil:
		return nil, errors.New("matrix adapter needs a bot")
	case d.Store == nil:
		return nil, errors.New("matrix adapter needs a state store")
	case cfg.encryption() && d.CryptoDB == nil:
		return nil, errors.New("matrix encryption needs a crypto store database")
	}
	log := d.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := d.Now
	if now == nil {
		now = time.Now
	}
	cli, err := mautrix.NewClient(cfg.Homeserver, id.UserID(cfg.UserID), "")
	if err != nil {
		return nil, fmt.Errorf("matrix client: %w", err)
	}
	// The adapter does its own retries: it must honour retry_after_ms and
	// keep the same transaction ID when resending.
	cli.DefaultHTTPRetries = 0
	cli.UserAgent = "framebot (mautrix-go)"
	cli.Store = syncStore{st: d.Store}
	a := &Adapter{
		cfg:        cfg,
		bot:        d.Bot,
		state:      d.Store,
		cryptoDB:   d.CryptoDB,
		log:        log.With("adapter", Platform),
		now:        now,
		cli:        cli,
		client:     cli,
		limiter:    bot.NewRateLimiter(cfg.RatePerMinute, cfg.RateBurst, nil),
		maxBackoff: 30 * time.Second,
		ready:      make(chan struct{}),
		connectd:   make(chan struct{}),
		members:    map[id.RoomID]int{},
		skip:       map[id.EventID]bool{},
		seen:       map[id.EventID]bool{},
		invites:    map[id.RoomID]bool{},
		noCrypto:   map[id.RoomID]bool{},
		lastWarn:   map[id.UserID]int64{},
	}
	a.syncer = newSyncer(a)
	cli.Syncer = a.syncer
	return a, nil
}

// Platform returns "matrix".
func (a *Adapter) Platform() string { return Platform }

// Ready is closed once the first sync after Run's start has been processed.
func (a *Adapter) Ready() <-chan struct{} { return a.ready }

// Connected reports whether the adapter is receiving events: its last
// /sync succeeded. It is false before the first sync, while syncs fail and
// after Run returns.
func (a *Adapter) Connected() bool { return a.connected.Load() }

// UserID returns the bot's user ID.
func (a *Adapter) UserID() id.UserID { return id.UserID(a.cfg.UserID) }

// Run logs in, starts end-to-end encryption when configured, and syncs until
// ctx ends; it then returns ctx.Err(), as every adapter's Run does.
// Network errors and rate limits are waited out; it returns an error
// wrapping ErrUnknownToken when the homeserver rejects the session, or the
// login or crypto setup error when it can't start.
func (a *Adapter) Run(ctx context.Context) error {
	a.started = a.now().UnixMilli()
	defer a.connected.Store(false)
	if err := a.retry(ctx, "log in", func() error { return a.connect(ctx) }); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return a.fatal(err)
	}
	// The workers stop with ctx; cancel it on a fatal error too, so Run
	// returns.
	ctx, cancel := context.WithCancel(ctx)
	a.workers = bot.NewWorkers(ctx, a.cfg.Workers, 4*a.cfg.Workers, a.log)
	a.senders = bot.NewWorkers(ctx, senders, 16*senders, a.log)
	a.side = bot.NewWorkers(ctx, 2, 8*a.cfg.Workers, a.log)
	close(a.connectd)
	defer func() {
		cancel()
		a.workers.Wait()
		a.senders.Wait()
		a.side.Wait()
	}()
	a.log.Info("matrix connected", "user_id", a.me.String(), "device_id", a.cli.DeviceID.String(), "encryption", a.cli.Crypto != nil)

	failures := 0
	for {
		err := a.client.SyncWithContext(ctx)
		a.connected.Store(false)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, mautrix.MUnknownToken) {
			return a.fatal(err)
		}
		// SyncWithContext returns only when it can't start (creating the
		// filter failed) or the sync store failed: try again later.
		failures++
		d := a.backoff(failures)
		if ra, ok := retryAfter(err); ok {
			d = ra
		}
		a.log.Warn("matrix sync stopped, restarting", "error", errString(err), "retry_in", d.String())
		if bot.Sleep(ctx, d) != nil {
			return ctx.Err()
		}
	}
}

// fatal logs why the adapter stops and returns the error.
func (a *Adapter) fatal(err error) error {
	if errors.Is(err, mautrix.MUnknownToken) {
		a.log.Error("matrix session rejected: the access token is unknown or was logged out; set a new MATRIX_ACCESS_TOKEN (or use MATRIX_PASSWORD) and restart", "user_id", a.cfg.UserID)
		return fmt.Errorf("%w: %w", ErrUnknownToken, err)
	}
	if errors.Is(err, mautrix.MForbidden) && a.cfg.AccessToken == "" {
		a.log.Error("matrix login refused: check MATRIX_PASSWORD and user_id, then restart", "user_id", a.cfg.UserID)
		return fmt.Errorf("matrix login refused (M_FORBIDDEN): set %s to the password of %s: %w", EnvPassword, a.cfg.UserID, err)
	}
	a.log.Error("matrix adapter stopped", "error", errString(err))
	return err
}

// connect logs in (access token or password), checks the device against the
// one the state database knows, and sets up encryption.
func (a *Adapter) connect(ctx context.Context) error {
	storedUser, _, err := a.state.Get(ctx, keyUserID)
	if err != nil {
		return permanent(fmt.Errorf("read state: %w", err))
	}
	storedDevice, _, err := a.state.Get(ctx, keyDeviceID)
	if err != nil {
		return permanent(fmt.Errorf("read state: %w", err))
	}
	if storedUser != "" && storedUser != a.cfg.UserID {
		// Another account used this state database: its sync position and
		// device mean nothing for this one.
		a.log.Warn("matrix state belongs to another account; starting afresh", "stored_user_id", storedUser, "user_id", a.cfg.UserID)
		storedDevice = ""
		for _, k := range []string{keySyncToken, keyFilterID, keyDeviceID} {
			if err := a.state.Set(ctx, k, ""); err != nil {
				return permanent(fmt.Errorf("reset state: %w", err))
			}
		}
	}

	if a.cfg.AccessToken != "" {
		a.cli.AccessToken = a.cfg.AccessToken
		who, err := a.client.Whoami(ctx)
		if err != nil {
			return fmt.Errorf("check access token: %w", err)
		}
		if who.UserID != id.UserID(a.cfg.UserID) {
			return permanent(fmt.Errorf("the access token belongs to %s, not user_id %s: fix user_id or the token", who.UserID, a.cfg.UserID))
		}
		if who.DeviceID == "" {
			return permanent(errors.New("the homeserver did not say which device the access token belongs to; use MATRIX_PASSWORD instead"))
		}
		if storedDevice != "" && string(who.DeviceID) != storedDevice && a.cfg.encryption() {
			return permanent(fmt.Errorf("the access token belongs to device %s but the state database holds the encryption keys of device %s: "+
				"use a token of device %s (or MATRIX_PASSWORD), or move the state database aside to start a new device", who.DeviceID, storedDevice, storedDevice))
		}
		a.cli.DeviceID = who.DeviceID
	} else {
		_, err := a.client.Login(ctx, &mautrix.ReqLogin{
			Type:                     mautrix.AuthTypePassword,
			Identifier:               mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: a.cfg.UserID},
			Password:                 a.cfg.Password,
			DeviceID:                 id.DeviceID(storedDevice),
			InitialDeviceDisplayName: a.cfg.DeviceName,
			StoreCredentials:         true,
		})
		if err != nil {
			return fmt.Errorf("log in with password: %w", err)
		}
	}
	a.me = a.cli.UserID
	if err := a.state.Set(ctx, keyUserID, a.me.String()); err != nil {
		return permanent(fmt.Errorf("save state: %w", err))
	}
	if err := a.state.Set(ctx, keyDeviceID, a.cli.DeviceID.String()); err != nil {
		return permanent(fmt.Errorf("save state: %w", err))
	}
	name := ""
	if r, err := a.client.GetOwnDisplayName(ctx); err == nil {
		name = r.DisplayName
	}
	a.mention = newMentioner(a.me, name)

	if a.cfg.encryption() && a.cli.Crypto == nil {
		if err := a.initCrypto(ctx); err != nil {
			return err
		}
	}
	return nil
}

// backoff is the wait before retry n (1-based): 0.5 s doubling up to
// maxBackoff.
func (a *Adapter) backoff(n int) time.Duration {
	d := 500 * time.Millisecond
	for i := 1; i < n && d < a.maxBackoff; i++ {
		d *= 2
	}
	return min(d, a.maxBackoff)
}

// permanentError marks an error that retrying won't fix.
type permanentError struct{ error }

func (e permanentError) Unwrap() error { return e.error }

func permanent(err error) error { return permanentError{err} }

// retry runs fn until it succeeds, returns an error that waiting won't fix,
// or ctx ends. Rate limits wait retry_after_ms; network and server errors
// back off.
func (a *Adapter) retry(ctx context.Context, what string, fn func() error) error {
	for n := 1; ; n++ {
		err := fn()
		if err == nil {
			return nil
		}
		d, ok := retryAfter(err)
		if !ok {
			if !transient(err) {
				return err
			}
			d = a.backoff(n)
		}
		a.log.Warn("matrix request failed, retrying", "action", what, "error", errString(err), "retry_in", d.String())
		if bot.Sleep(ctx, d) != nil {
			return ctx.Err()
		}
	}
}

// retryAfter returns how long an M_LIMIT_EXCEEDED error asks to wait.
func retryAfter(err error) (time.Duration, bool) {
	if !errors.Is(err, mautrix.MLimitExceeded) {
		return 0, false
	}
	var he mautrix.HTTPError
	if errors.As(err, &he) && he.RespError != nil {
		if ms, ok := he.RespError.ExtraData["retry_after_ms"].(float64); ok && ms > 0 {
			return time.Duration(ms) * time.Millisecond, true
		}
	}
	var re mautrix.RespError
	if errors.As(err, &re) {
		if ms, ok := re.ExtraData["retry_after_ms"].(float64); ok && ms > 0 {
			return time.Duration(ms) * time.Millisecond, true
		}
	}
	return time.Second, true
}

// transient reports whether err is worth retrying: no answer from the
// server, or a 5xx/429 answer.
func transient(err error) bool {
	var pe permanentError
	if errors.As(err, &pe) || errors.Is(err, context.Canceled) {
		return false
	}
	var he mautrix.HTTPError
	if errors.As(err, &he) {
		if he.Response == nil {
			return true
		}
		return he.Response.StatusCode >= 500 || he.Response.StatusCode == 429
	}
	return false
}

// errString describes err for the log; mautrix errors don't carry tokens
// (they go in a header) or message text.
func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// send sends content to room, waiting out rate limits and network errors
// with the same transaction ID, so a resend after a lost answer does not
// post twice.
func (a *Adapter) send(ctx context.Context, room id.RoomID, typ event.Type, content any) (id.EventID, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	txn := a.client.TxnID()
	var resp *mautrix.RespSendEvent
	err := a.retry(ctx, "send", func() error {
		var err error
		resp, err = a.client.SendMessageEvent(ctx, room, typ, content, mautrix.ReqSendEvent{TransactionID: txn})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("send to %s: %w", room, err)
	}
	return resp.EventID, nil
}

// Notify posts a corpus announcement to room channel as one digest. It
// returns an error when the adapter has not connected yet or the message
// can't be sent.
func (a *Adapter) Notify(ctx context.Context, channel string, ann bot.Announcement) error {
	select {
	case <-a.connectd:
	default:
		return errors.New("matrix adapter not connected yet")
	}
	if len(ann.Changes) == 0 {
		return nil
	}
	_, err := a.send(ctx, id.RoomID(channel), event.EventMessage, RenderAnnouncement(ann, a.msgType()))
	return err
}

func (a *Adapter) msgType() event.MessageType { return event.MessageType(a.cfg.MsgType) }

// markReady closes Ready once.
func (a *Adapter) markReady() { a.readyOnce.Do(func() { close(a.ready) }) }

// trim keeps the bookkeeping maps from growing without bound.
func trim[K comparable, V any](m map[K]V, n int) {
	if len(m) > n {
		clear(m)
	}
}
