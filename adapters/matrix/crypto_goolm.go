//go:build goolm

package matrix

import (
	"context"
	"fmt"

	"maunium.net/go/mautrix/crypto/cryptohelper"
	"maunium.net/go/mautrix/event"
)

// initCrypto starts mautrix's crypto helper with its stores in the state
// database (opened on modernc's "sqlite" driver, so no cgo is needed) and
// the configured pickle key. The helper decrypts incoming events and
// encrypts what the bot sends to encrypted rooms.
func (a *Adapter) initCrypto(ctx context.Context) error {
	db, err := a.state.Dbutil()
	if err != nil {
		return permanent(fmt.Errorf("open crypto store: %w", err))
	}
	helper, err := cryptohelper.NewCryptoHelper(a.cli, []byte(a.cfg.PickleKey), db)
	if err != nil {
		return permanent(fmt.Errorf("set up encryption: %w", err))
	}
	helper.DecryptErrorCallback = func(evt *event.Event, err error) {
		a.log.Warn("matrix decryption failed", "room_id", evt.RoomID.String(), "event_id", evt.ID.String(), "error", errString(err))
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
	return nil
}
