package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxSkew is how old (or how far in the future) a signed request may be.
const maxSkew = 5 * time.Minute

// Errors returned by verifySignature.
var (
	errUnsigned     = errors.New("request is not signed")
	errBadSignature = errors.New("request signature does not match")
	errStale        = errors.New("request timestamp is too old or in the future")
)

// verifySignature checks Slack's request signature: the X-Slack-Signature
// header must be "v0=" and the hex HMAC-SHA256, keyed with the signing
// secret, of "v0:" + X-Slack-Request-Timestamp + ":" + body, and the
// timestamp must be within five minutes of now.
func verifySignature(h http.Header, body []byte, secret string, now time.Time) error {
	ts := h.Get("X-Slack-Request-Timestamp")
	sig := h.Get("X-Slack-Signature")
	if ts == "" || sig == "" || secret == "" {
		return errUnsigned
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errBadSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > maxSkew || d < -maxSkew {
		return errStale
	}
	got, ok := strings.CutPrefix(sig, "v0=")
	if !ok {
		return errBadSignature
	}
	raw, err := hex.DecodeString(got)
	if err != nil {
		return errBadSignature
	}
	if !hmac.Equal(raw, sign(secret, ts, body)) {
		return errBadSignature
	}
	return nil
}

// sign returns the raw HMAC of a request.
func sign(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("v0:" + ts + ":"))
	m.Write(body)
	return m.Sum(nil)
}
