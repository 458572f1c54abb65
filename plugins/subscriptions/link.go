package subscriptions

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// link is what a configuration link grants: the page of one channel, for
// one asker, until it expires, once.
type link struct {
	Tenant    string `json:"tn,omitempty"`
	Team      string `json:"tm,omitempty"`
	Channel   string `json:"ch"`
	AskerID   string `json:"u"`
	AskerName string `json:"nm,omitempty"`
	AskerAAD  string `json:"aad,omitempty"`
	TZ        string `json:"tz,omitempty"`
	Expires   int64  `json:"x"`
	Nonce     string `json:"r"`
}

var (
	errTampered = errors.New("the link is not one of mine")
	errExpired  = errors.New("the link has expired")
)

var b64 = base64.RawURLEncoding

// sign returns the token for l: its JSON and an HMAC-SHA256 of it, both
// base64url, joined by a dot.
func sign(key []byte, l link) string {
	payload, _ := json.Marshal(l)
	p := b64.EncodeToString(payload)
	return p + "." + b64.EncodeToString(mac(key, p))
}

func mac(key []byte, payload string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("outhook subscriptions page\x00"))
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// verify checks tok's signature and expiry at now.
func verify(key []byte, tok string, now time.Time) (link, error) {
	p, sig, ok := strings.Cut(tok, ".")
	if !ok || len(tok) > 4096 {
		return link{}, errTampered
	}
	got, err := b64.DecodeString(sig)
	if err != nil || !hmac.Equal(got, mac(key, p)) {
		return link{}, errTampered
	}
	payload, err := b64.DecodeString(p)
	if err != nil {
		return link{}, errTampered
	}
	var l link
	if err := json.Unmarshal(payload, &l); err != nil || l.Channel == "" || l.Nonce == "" {
		return link{}, errTampered
	}
	if now.Unix() >= l.Expires {
		return l, errExpired
	}
	return l, nil
}

// randomID returns n random bytes, base64url.
func randomID(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return b64.EncodeToString(b)
}
