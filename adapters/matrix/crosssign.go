//go:build goolm

package matrix

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/crypto"
	"maunium.net/go/mautrix/crypto/ssss"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// keyCrossSigning holds the bot's private cross-signing keys (master,
// self-signing, user-signing seeds), encrypted with a key derived from the
// pickle key, like the rest of its encryption keys.
const keyCrossSigning = "matrix/cross_signing_keys"

// errNoRecoveryKey says what the operator must do when the account has
// cross-signing keys that this device does not hold.
var errNoRecoveryKey = fmt.Errorf("the bot's account already has cross-signing keys but this state database does not hold them: "+
	"set %s to the recovery key framebot printed when it created them (or the one Element shows for the bot's account) and restart", EnvRecoveryKey)

// crossSign makes the bot's device cross-signed by its own account, so
// that clients show its messages without a warning and clients that only
// send to signed devices (Element's "never send to unverified sessions")
// share their room keys with it.
//
//   - The account has no cross-signing keys: it creates them, publishes
//     them (user-interactive auth with the password), keeps the private
//     keys in the state database (encrypted with the pickle key) and in the
//     account's server-side secret storage under a new recovery key, which
//     is printed once.
//   - The state database holds the published keys: it uses them.
//   - It does not (a new device, state lost): it reads the keys from secret
//     storage with MATRIX_RECOVERY_KEY.
//
// It then signs its device (and, with the device, the master key) when
// the homeserver does not have that signature yet. It returns an error
// when it cannot; the caller logs it and carries on unsigned.
func (a *Adapter) crossSign(ctx context.Context, mach *crypto.OlmMachine) error {
	resp, err := a.cli.QueryKeys(ctx, &mautrix.ReqQueryKeys{
		DeviceKeys: map[id.UserID]mautrix.DeviceIDList{a.me: {a.cli.DeviceID}},
	})
	if err != nil {
		return fmt.Errorf("query own keys: %w", err)
	}
	published := ""
	if mk, ok := resp.MasterKeys[a.me]; ok {
		published = mk.FirstKey().String()
	}

	stored, err := a.loadCrossSigningKeys(ctx)
	if err != nil {
		return err
	}
	switch {
	case published == "":
		if err := a.bootstrapCrossSigning(ctx, mach); err != nil {
			return err
		}
	case stored != nil && stored.MasterKey.PublicKey().String() == published:
		if err := mach.ImportCrossSigningKeys(stored.Seeds()); err != nil {
			return fmt.Errorf("import stored cross-signing keys: %w", err)
		}
		if err := a.ensureSecretStorage(ctx, mach); err != nil {
			return err
		}
	case a.cfg.RecoveryKey != "":
		if err := a.fetchCrossSigningKeys(ctx, mach, published); err != nil {
			return err
		}
	default:
		return errNoRecoveryKey
	}

	ssk := mach.CrossSigningKeys.SelfSigningKey.PublicKey()
	dev := resp.DeviceKeys[a.me][a.cli.DeviceID]
	if dev.Signatures[a.me][id.NewKeyID(id.KeyAlgorithmEd25519, ssk.String())] != "" {
		a.log.Info("matrix device is cross-signed", "device_id", a.cli.DeviceID.String())
		return nil
	}
	if err := mach.SignOwnDevice(ctx, mach.OwnIdentity()); err != nil {
		return fmt.Errorf("sign own device: %w", err)
	}
	if err := mach.SignOwnMasterKey(ctx); err != nil {
		return fmt.Errorf("sign own master key: %w", err)
	}
	a.log.Info("matrix device cross-signed", "device_id", a.cli.DeviceID.String(), "master_key", mach.CrossSigningKeys.MasterKey.PublicKey().String())
	return nil
}

// bootstrapCrossSigning creates and publishes new cross-signing keys,
// stores them, and backs them up in secret storage under a new recovery
// key that it prints once.
func (a *Adapter) bootstrapCrossSigning(ctx context.Context, mach *crypto.OlmMachine) error {
	keys, err := mach.GenerateCrossSigningKeys()
	if err != nil {
		return fmt.Errorf("generate cross-signing keys: %w", err)
	}
	uia := func(r *mautrix.RespUserInteractive) any {
		if a.cfg.Password == "" || !r.HasSingleStageFlow(mautrix.AuthTypePassword) {
			return nil
		}
		return &mautrix.ReqUIAuthLogin{
			BaseAuthData: mautrix.BaseAuthData{Type: mautrix.AuthTypePassword, Session: r.Session},
			User:         a.me.String(),
			Password:     a.cfg.Password,
		}
	}
	if err := mach.PublishCrossSigningKeys(ctx, keys, uia); err != nil {
		if a.cfg.Password == "" {
			return fmt.Errorf("publish cross-signing keys (the homeserver asks for the account password: set %s): %w", EnvPassword, err)
		}
		return fmt.Errorf("publish cross-signing keys: %w", err)
	}
	// From here on the keys are the account's: keep them before anything
	// else can fail.
	if err := a.saveCrossSigningKeys(ctx, keys); err != nil {
		return err
	}
	a.log.Info("matrix cross-signing keys created", "master_key", keys.MasterKey.PublicKey().String())
	return a.backUpCrossSigningKeys(ctx, mach, keys)
}

// ensureSecretStorage backs the keys up in secret storage when it does not
// hold them: the first start stopped between publishing and backing up, or
// the account's secret storage was cleared.
func (a *Adapter) ensureSecretStorage(ctx context.Context, mach *crypto.OlmMachine) error {
	var stored ssss.EncryptedAccountDataEventContent
	err := a.cli.GetAccountData(ctx, event.AccountDataCrossSigningMaster.Type, &stored)
	if err != nil && !errors.Is(err, mautrix.MNotFound) {
		return fmt.Errorf("read secret storage: %w", err)
	}
	if err == nil && len(stored.Encrypted) > 0 {
		return nil
	}
	a.log.Warn("matrix secret storage holds no cross-signing keys; backing them up under a new recovery key")
	return a.backUpCrossSigningKeys(ctx, mach, mach.CrossSigningKeys)
}

// backUpCrossSigningKeys stores the keys in the account's secret storage
// under a new recovery key, makes it the default key, and prints it once.
func (a *Adapter) backUpCrossSigningKeys(ctx context.Context, mach *crypto.OlmMachine, keys *crypto.CrossSigningKeysCache) error {
	key, err := mach.SSSS.GenerateAndUploadKey(ctx, "")
	if err != nil {
		return fmt.Errorf("create secret storage key: %w", err)
	}
	if err := mach.UploadCrossSigningKeysToSSSS(ctx, key, keys); err != nil {
		return fmt.Errorf("store cross-signing keys in secret storage: %w", err)
	}
	if err := mach.SSSS.SetDefaultKeyID(ctx, key.ID); err != nil {
		return fmt.Errorf("set default secret storage key: %w", err)
	}
	a.printRecoveryKey(key.RecoveryKey())
	return nil
}

// fetchCrossSigningKeys reads the private keys from secret storage with
// the recovery key, checks they are the published ones, and stores them.
func (a *Adapter) fetchCrossSigningKeys(ctx context.Context, mach *crypto.OlmMachine, published string) error {
	keyID, meta, err := mach.SSSS.GetDefaultKeyData(ctx)
	if err != nil {
		return fmt.Errorf("read secret storage key (is there secret storage on the bot's account?): %w", err)
	}
	key, err := meta.VerifyRecoveryKey(keyID, strings.TrimSpace(a.cfg.RecoveryKey))
	if err != nil {
		return fmt.Errorf("%s does not open the account's secret storage: %w", EnvRecoveryKey, err)
	}
	if err := mach.FetchCrossSigningKeysFromSSSS(ctx, key); err != nil {
		return fmt.Errorf("read cross-signing keys from secret storage: %w", err)
	}
	keys := mach.CrossSigningKeys
	if got := keys.MasterKey.PublicKey().String(); got != published {
		return fmt.Errorf("secret storage holds master key %s but the account publishes %s: set up recovery again from a verified session", got, published)
	}
	if err := a.saveCrossSigningKeys(ctx, keys); err != nil {
		return err
	}
	a.log.Info("matrix cross-signing keys restored from secret storage", "master_key", published)
	return nil
}

// printRecoveryKey shows the recovery key once, outside the structured
// log.
func (a *Adapter) printRecoveryKey(key string) {
	fmt.Fprintf(a.recoveryWriter(), "\nframebot: Matrix cross-signing was set up for %s.\n"+
		"Recovery key (shown only this once; keep it somewhere safe, it is needed\n"+
		"to sign a new device of the bot if the state database is lost, as %s):\n\n    %s\n\n",
		a.me, EnvRecoveryKey, key)
}

// saveCrossSigningKeys stores the private keys, encrypted with the pickle
// key.
func (a *Adapter) saveCrossSigningKeys(ctx context.Context, keys *crypto.CrossSigningKeysCache) error {
	plain, err := json.Marshal(keys.Seeds())
	if err != nil {
		return fmt.Errorf("encode cross-signing keys: %w", err)
	}
	aead, err := a.seedCipher()
	if err != nil {
		return err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return fmt.Errorf("encrypt cross-signing keys: %w", err)
	}
	sealed := aead.Seal(nonce, nonce, plain, []byte(a.me))
	if err := a.state.Set(ctx, keyCrossSigning, base64.StdEncoding.EncodeToString(sealed)); err != nil {
		return fmt.Errorf("save cross-signing keys: %w", err)
	}
	return nil
}

// loadCrossSigningKeys returns the stored private keys, or nil when there
// are none.
func (a *Adapter) loadCrossSigningKeys(ctx context.Context) (*crypto.CrossSigningKeysCache, error) {
	v, _, err := a.state.Get(ctx, keyCrossSigning)
	if err != nil {
		return nil, fmt.Errorf("read cross-signing keys: %w", err)
	}
	if v == "" {
		return nil, nil
	}
	sealed, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("stored cross-signing keys are damaged: %w", err)
	}
	aead, err := a.seedCipher()
	if err != nil {
		return nil, err
	}
	if len(sealed) < aead.NonceSize() {
		return nil, errors.New("stored cross-signing keys are damaged")
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(a.me))
	if err != nil {
		return nil, fmt.Errorf("decrypt stored cross-signing keys (is %s the one they were stored with?): %w", EnvPickleKey, err)
	}
	var seeds crypto.CrossSigningSeeds
	if err := json.Unmarshal(plain, &seeds); err != nil {
		return nil, fmt.Errorf("decode stored cross-signing keys: %w", err)
	}
	keys, err := seeds.Decode()
	if err != nil {
		return nil, fmt.Errorf("decode stored cross-signing keys: %w", err)
	}
	return &keys, nil
}

// seedCipher is AES-256-GCM under a key derived from the pickle key.
func (a *Adapter) seedCipher() (cipher.AEAD, error) {
	k := sha256.Sum256([]byte("framebot matrix cross-signing keys\x00" + a.cfg.PickleKey))
	block, err := aes.NewCipher(k[:])
	if err != nil {
		return nil, fmt.Errorf("cross-signing key cipher: %w", err)
	}
	return cipher.NewGCM(block)
}
