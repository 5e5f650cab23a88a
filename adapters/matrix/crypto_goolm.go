//go:build goolm

package matrix

import (
	"context"
	"errors"
	"fmt"
	"time"

	"maunium.net/go/mautrix/crypto"
	"maunium.net/go/mautrix/crypto/cryptohelper"
	"maunium.net/go/mautrix/event"
)

// initCrypto starts mautrix's crypto helper with its stores in
// Deps.CryptoDB (framebot serve passes the state database, opened on
// modernc's "sqlite" driver, so no cgo is needed) and
// the configured pickle key. The helper decrypts incoming events and
// encrypts what the bot sends to encrypted rooms. With cross-signing on,
// it then makes the device cross-signed (crosssign.go); failing that, the
// bot still runs, unsigned.
func (a *Adapter) initCrypto(ctx context.Context) error {
	helper, err := cryptohelper.NewCryptoHelper(a.cli, []byte(a.cfg.PickleKey), a.cryptoDB)
	if err != nil {
		return permanent(fmt.Errorf("set up encryption: %w", err))
	}
	helper.DecryptErrorCallback = func(evt *event.Event, err error) {
		a.onUndecryptable(evt, err, errors.Is(err, crypto.ErrNoSessionFound))
	}
	if err := helper.Init(ctx); err != nil {
		if transient(err) {
			return fmt.Errorf("set up encryption: %w", err)
		}
		return permanent(fmt.Errorf("set up encryption (is MATRIX_PICKLE_KEY the one the keys were stored with?): %w", err))
	}
	// Deliberately no helper.Close: it would close the shared state
	// database, which the caller owns.
	a.cli.Crypto = helper
	if !a.cfg.crossSigning() {
		a.log.Info("matrix cross-signing off: clients will mark the bot's messages as sent by an unverified device")
		return nil
	}
	// Network errors are retried, but not for ever: the bot answers
	// unsigned rather than not at all.
	csCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	err = a.retry(csCtx, "cross-sign", func() error { return a.crossSign(csCtx, helper.Machine()) })
	if err != nil && ctx.Err() == nil {
		a.log.Error("matrix cross-signing failed; the bot runs unsigned (clients show a warning, strict clients withhold their keys)", "error", errString(err))
	}
	return nil
}
