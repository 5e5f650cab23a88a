//go:build !goolm

package matrix

import "context"

// initCrypto logs that encryption is unavailable in this build; the bot
// still works in unencrypted rooms.
func (a *Adapter) initCrypto(context.Context) error {
	a.log.Warn("matrix encryption requested but this framebot was built without -tags goolm: encrypted rooms will not be answered")
	return nil
}
