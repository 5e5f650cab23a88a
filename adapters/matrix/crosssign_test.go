//go:build goolm

package matrix

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/crypto/cryptohelper"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"framebot/internal/dendritetest"
	"framebot/sqlite"
)

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// ownKeys returns the account's published master key and whether device is
// signed by its published self-signing key, as the homeserver has them.
func ownKeys(t *testing.T, ctx context.Context, cli *mautrix.Client, user id.UserID, device id.DeviceID) (master string, signed bool) {
	t.Helper()
	resp, err := cli.QueryKeys(ctx, &mautrix.ReqQueryKeys{DeviceKeys: map[id.UserID]mautrix.DeviceIDList{user: {device}}})
	if err != nil {
		t.Fatal(err)
	}
	mk, ok := resp.MasterKeys[user]
	if !ok {
		return "", false
	}
	ssk := resp.SelfSigningKeys[user]
	sig := resp.DeviceKeys[user][device].Signatures[user][id.NewKeyID(id.KeyAlgorithmEd25519, ssk.FirstKey().String())]
	return mk.FirstKey().String(), sig != ""
}

var recoveryKeyLine = regexp.MustCompile(`(?m)^    (\S.*\S)\s*$`)

// TestCrossSigning checks the bot's cross-signing across restarts and
// devices: created once, kept across restarts, and a new device signs
// itself with the recovery key (and says what to do without it).
func TestCrossSigning(t *testing.T) {
	srv := dendritetest.Start(t)
	srv.CreateAccount(t, "framebot", "framebot-password", false)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	botID := id.UserID(srv.UserID("framebot"))
	cfg := Config{Homeserver: srv.URL(), UserID: botID.String(), Password: "framebot-password", PickleKey: "k", Workers: 1}
	state := openState(t, "state.db")
	b := newBot(t, state)

	start := func(t *testing.T, cfg Config, st *sqlite.DB) (r *running, out, logs *syncBuffer) {
		out, logs = &syncBuffer{}, &syncBuffer{}
		// The adapter's log goes to the test output too, so that a start
		// that never gets ready says why.
		tw := &testWriter{t: t}
		t.Cleanup(func() { tw.mu.Lock(); tw.done = true; tw.mu.Unlock() })
		log := slog.New(slog.NewTextHandler(io.MultiWriter(logs, tw), nil))
		r = startAdapterWith(t, ctx, cfg, b, st, log, func(a *Adapter) { a.trust.recoveryOut = out })
		return r, out, logs
	}

	run, out, _ := start(t, cfg, state)
	master, signed := ownKeys(t, ctx, run.a.cli, botID, run.a.cli.DeviceID)
	if master == "" || !signed {
		t.Fatalf("after the first start: master key %q, device signed %v; want both", master, signed)
	}
	m := recoveryKeyLine.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no recovery key printed:\n%s", out.String())
	}
	recovery := m[1]
	run.stop(t)

	t.Run("a restart keeps the keys and prints no recovery key", func(t *testing.T) {
		run, out, _ := start(t, cfg, state)
		defer run.stop(t)
		got, signed := ownKeys(t, ctx, run.a.cli, botID, run.a.cli.DeviceID)
		if got != master || !signed {
			t.Errorf("master key %q signed %v, want %q signed", got, signed, master)
		}
		if out.String() != "" {
			t.Errorf("a recovery key was printed again:\n%s", out.String())
		}
	})

	t.Run("cleared secret storage is refilled under a new recovery key", func(t *testing.T) {
		// Another session of the bot's account clears it.
		_, token, _ := srv.Login(t, "framebot", "framebot-password")
		other, err := mautrix.NewClient(srv.URL(), botID, token)
		if err != nil {
			t.Fatal(err)
		}
		if err := other.SetAccountData(ctx, event.AccountDataCrossSigningMaster.Type, map[string]any{}); err != nil {
			t.Fatal(err)
		}
		run, out, _ := start(t, cfg, state)
		defer run.stop(t)
		m := recoveryKeyLine.FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("no new recovery key printed:\n%s", out.String())
		}
		if got, _ := ownKeys(t, ctx, run.a.cli, botID, run.a.cli.DeviceID); got != master {
			t.Errorf("master key %q, want %q (the keys must not be replaced)", got, master)
		}
		recovery = m[1]
	})

	t.Run("a new device without the recovery key stays unsigned and says what to do", func(t *testing.T) {
		st := openState(t, "lost.db")
		run, out, logs := start(t, cfg, st)
		defer run.stop(t)
		got, signed := ownKeys(t, ctx, run.a.cli, botID, run.a.cli.DeviceID)
		if got != master || signed {
			t.Errorf("master key %q signed %v, want %q unsigned (the keys must not be replaced)", got, signed, master)
		}
		if !strings.Contains(logs.String(), EnvRecoveryKey) {
			t.Errorf("the log does not tell the operator to set %s:\n%s", EnvRecoveryKey, logs.String())
		}
		if out.String() != "" {
			t.Errorf("a recovery key was printed:\n%s", out.String())
		}
	})

	t.Run("a wrong recovery key is refused and named", func(t *testing.T) {
		cfg := cfg
		cfg.RecoveryKey = "EsTj 3yST y4Fv 1Gai t9Jm rbbW ufQf oGdc VSfT 2ogL 94xN F5Ec" // well formed, not this account's
		run, _, logs := start(t, cfg, openState(t, "wrong.db"))
		defer run.stop(t)
		if _, signed := ownKeys(t, ctx, run.a.cli, botID, run.a.cli.DeviceID); signed {
			t.Error("the device was signed with a wrong recovery key")
		}
		if !strings.Contains(logs.String(), EnvRecoveryKey+" does not open") {
			t.Errorf("the log does not say the recovery key is wrong:\n%s", logs.String())
		}
	})

	t.Run("a new device with the recovery key signs itself", func(t *testing.T) {
		st := openState(t, "recovered.db")
		cfg := cfg
		cfg.RecoveryKey = recovery
		run, _, _ := start(t, cfg, st)
		got, signed := ownKeys(t, ctx, run.a.cli, botID, run.a.cli.DeviceID)
		if got != master || !signed {
			t.Errorf("master key %q signed %v, want %q signed", got, signed, master)
		}
		run.stop(t)
		// The keys are now in this state database: no recovery key needed.
		cfg.RecoveryKey = ""
		run, _, _ = start(t, cfg, st)
		defer run.stop(t)
		if got, signed := ownKeys(t, ctx, run.a.cli, botID, run.a.cli.DeviceID); got != master || !signed {
			t.Errorf("after a restart: master key %q signed %v, want %q signed", got, signed, master)
		}
	})
}

// TestWithheldKeys: a user whose client sends room keys only to
// cross-signed devices withholds the key from an unsigned bot, which then
// says so in the room, unencrypted; once the bot is cross-signed it gets
// the key and answers.
func TestWithheldKeys(t *testing.T) {
	srv, ctx, cancel := startHomeserver(t, 5*time.Minute, "framebot", "alice")
	defer cancel()
	state := openState(t, "state.db")
	b := newBot(t, state)
	botID, botToken, _ := srv.Login(t, "framebot", "framebot-password")
	no := false
	cfg := Config{
		Homeserver: srv.URL(), UserID: botID, AccessToken: botToken, PickleKey: "k",
		Workers: 1, RatePerMinute: -1, CrossSigning: &no, AllowedInviters: []string{"@alice:localhost"},
	}
	logs := &syncBuffer{}
	run := startAdapterWith(t, ctx, cfg, b, state, slog.New(slog.NewTextHandler(logs, nil)), nil)

	alice := newAsker(t, ctx, srv, "alice", true)
	mach := alice.cli.Crypto.(*cryptohelper.CryptoHelper).Machine()
	mach.SendKeysMinTrust = id.TrustStateCrossSignedUntrusted
	botUser := id.UserID(botID)
	room := alice.encryptedRoomWith(t, ctx, botUser, "")

	q := alice.sendText(t, ctx, room, "framebot: what guarantees does the plan give?")
	notice := alice.waitReply(t, ctx, q)
	if notice.Mautrix.EventSource&event.SourceDecrypted != 0 {
		t.Error("the notice was encrypted; the user's client may not be able to read it")
	}
	body := notice.Content.AsMessage().Body
	for _, want := range []string{"could not read", "m.unverified", "Verify me"} {
		if !strings.Contains(body, want) {
			t.Errorf("notice %q lacks %q", body, want)
		}
	}
	if !strings.Contains(logs.String(), "reason=m.unverified") {
		t.Errorf("the log does not give the reason:\n%s", logs.String())
	}

	// Cross-signed, the bot gets the key.
	run.stop(t)
	yes := true
	cfg.CrossSigning = &yes
	run = startAdapter(t, ctx, cfg, b, state)
	if _, signed := ownKeys(t, ctx, run.a.cli, botUser, run.a.cli.DeviceID); !signed {
		t.Fatal("the bot did not cross-sign its device")
	}
	poll(t, "alice sees the bot's device as cross-signed", func() bool {
		dev, err := mach.CryptoStore.GetDevice(ctx, botUser, run.a.cli.DeviceID)
		if err != nil || dev == nil {
			return false
		}
		trust, err := mach.ResolveTrustContext(ctx, dev)
		return err == nil && trust >= id.TrustStateCrossSignedUntrusted
	})
	// mautrix starts a new room key when a device list changes, not when a
	// device becomes trusted; Element's crypto shares the current one with
	// a device that becomes eligible. Either way the bot gets a key.
	if err := mach.CryptoStore.RemoveOutboundGroupSession(ctx, room); err != nil {
		t.Fatal(err)
	}
	q = alice.sendText(t, ctx, room, "framebot: what guarantees does the plan give?")
	ans := alice.waitReply(t, ctx, q)
	if ans.Mautrix.EventSource&event.SourceDecrypted == 0 || !strings.Contains(ans.Content.AsMessage().FormattedBody, "<blockquote>") {
		t.Errorf("want an encrypted answer with quotes, got %q", ans.Content.AsMessage().Body)
	}
}

// TestUndecryptableHistoryIsSummarised: a new device of the bot (state
// lost) sees encrypted history it has no keys for; that is logged once as
// a summary, not once per event, and nobody is sent a notice about it.
func TestUndecryptableHistoryIsSummarised(t *testing.T) {
	srv, ctx, cancel := startHomeserver(t, 5*time.Minute, "framebot", "alice")
	defer cancel()
	botID := srv.UserID("framebot")
	// No feedback reactions: the first device is stopped right after its
	// last answer, and a reaction it was still sending would be left
	// running beside the next device (see leaveRunning).
	no := false
	cfg := Config{
		Homeserver: srv.URL(), UserID: botID, Password: "framebot-password", PickleKey: "k",
		Workers: 1, RatePerMinute: -1, AllowedInviters: []string{"@alice:localhost"}, FeedbackReactions: &no,
	}
	state := openState(t, "state.db")
	b := newBot(t, state)
	run := startAdapter(t, ctx, cfg, b, state)

	alice := newAsker(t, ctx, srv, "alice", true)
	botUser := id.UserID(botID)
	room := alice.encryptedRoomWith(t, ctx, botUser, "")
	const asked = 3
	for range asked {
		alice.waitReply(t, ctx, alice.sendText(t, ctx, room, "framebot: what guarantees does the plan give?"))
	}
	run.stop(t)

	logs := &syncBuffer{}
	startAdapterWith(t, ctx, cfg, b, openState(t, "new-device.db"), slog.New(slog.NewTextHandler(logs, nil)), nil)
	poll(t, "the history summary", func() bool { return strings.Contains(logs.String(), "skipped encrypted history") })
	if n := strings.Count(logs.String(), "skipped encrypted history"); n != 1 {
		t.Errorf("%d summaries, want 1:\n%s", n, logs.String())
	}
	if strings.Contains(logs.String(), "could not be decrypted") {
		t.Errorf("history was logged event by event:\n%s", logs.String())
	}
	// The new device answers new questions, and sent nothing about the old
	// ones.
	alice.waitReply(t, ctx, alice.sendText(t, ctx, room, "framebot: how many troops would be deployed?"))
	if n := alice.countFrom(room, botUser); n != asked+1 {
		t.Errorf("the bot sent %d messages, want %d (the answers only)", n, asked+1)
	}
}
