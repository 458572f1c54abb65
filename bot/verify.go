package bot

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strings"
	"sync"
)

// Errors returned by Verifier.Verify. They never contain a token or a
// signature.
var (
	// ErrNoSignature means the request had no "Authorization: HMAC …" header.
	ErrNoSignature = errors.New("missing HMAC signature")
	// ErrBadSignature means the signature matched none of the tokens.
	ErrBadSignature = errors.New("signature does not match")
)

// Verifier checks the HMAC-SHA256 signature Teams puts on every
// outgoing-webhook post. It accepts any of several security tokens, for
// rotation or several webhooks sharing an endpoint. It is safe for
// concurrent use.
type Verifier struct {
	keys []*keyPool
}

type keyPool struct{ sync.Pool }

// NewVerifier returns a Verifier for the given security tokens, each the
// base64 text Teams showed when the webhook was created. It fails when
// there is no token or one is not valid base64; the error says which token
// (by position) without revealing it.
func NewVerifier(tokens ...string) (*Verifier, error) {
	if len(tokens) == 0 {
		return nil, errors.New("no security token: set the token Teams showed when the outgoing webhook was created")
	}
	v := &Verifier{}
	for i, t := range tokens {
		key, err := DecodeToken(t)
		if err != nil {
			return nil, fmt.Errorf("security token %d of %d: %w", i+1, len(tokens), err)
		}
		p := &keyPool{}
		p.New = func() any { return hmac.New(sha256.New, key) }
		v.keys = append(v.keys, p)
	}
	return v, nil
}

// DecodeToken decodes a Teams security token (standard base64, padding
// optional, surrounding space ignored) into the HMAC key. The error never
// contains the token.
func DecodeToken(token string) ([]byte, error) {
	t := strings.TrimSpace(token)
	if t == "" {
		return nil, errors.New("token is empty")
	}
	key, err := base64.StdEncoding.DecodeString(t)
	if err != nil {
		key, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(t, "="))
	}
	if err != nil || len(key) == 0 {
		return nil, errors.New("token is not valid base64 (copy it exactly as Teams showed it)")
	}
	return key, nil
}

// Verify checks authorization (the request's Authorization header value,
// "HMAC <base64>") against body, the raw request body bytes. It returns nil,
// ErrNoSignature or ErrBadSignature. The comparison is constant-time.
func (v *Verifier) Verify(body []byte, authorization string) error {
	want, err := parseSignature(authorization)
	if err != nil {
		return err
	}
	s := v.start()
	defer s.release()
	s.Write(body)
	return s.check(&want)
}

// parseSignature returns the digest an Authorization header value carries,
// ErrNoSignature when it is not "HMAC <…>", or ErrBadSignature when what
// follows is not a base64 SHA-256 digest. It reads no body: a request
// without a well-formed signature is refused before its body is read.
func parseSignature(authorization string) (want [sha256.Size]byte, err error) {
	scheme, sig, ok := strings.Cut(strings.TrimSpace(authorization), " ")
	if !ok || !strings.EqualFold(scheme, "HMAC") {
		return want, ErrNoSignature
	}
	sig = strings.TrimSpace(sig)
	if len(sig) != base64.StdEncoding.EncodedLen(sha256.Size) {
		return want, ErrBadSignature
	}
	var dst [sha256.Size + 2]byte
	var src [44]byte
	copy(src[:], sig)
	n, err := base64.StdEncoding.Decode(dst[:], src[:])
	if err != nil || n != sha256.Size {
		return want, ErrBadSignature
	}
	copy(want[:], dst[:sha256.Size])
	return want, nil
}

// signing hashes a body with every token at once, as it is read, so that
// the body is read once whatever the number of tokens.
type signing struct {
	v    *Verifier
	macs [4]hash.Hash // most verifiers have one token, a few at most
	more []hash.Hash
	sum  [sha256.Size]byte // where check computes each HMAC, without allocating
}

// start returns a signing with a reset HMAC per token, from the pools.
func (v *Verifier) start() *signing {
	s := signingPool.Get().(*signing)
	s.v = v
	for i, p := range v.keys {
		h := p.Get().(hash.Hash)
		h.Reset()
		if i < len(s.macs) {
			s.macs[i] = h
		} else {
			s.more = append(s.more, h)
		}
	}
	return s
}

var signingPool = sync.Pool{New: func() any { return new(signing) }}

// mac returns the HMAC of token i.
func (s *signing) mac(i int) hash.Hash {
	if i < len(s.macs) {
		return s.macs[i]
	}
	return s.more[i-len(s.macs)]
}

// Write feeds p to every token's HMAC. It never fails.
func (s *signing) Write(p []byte) (int, error) {
	for i := range s.v.keys {
		s.mac(i).Write(p)
	}
	return len(p), nil
}

// check compares every token's HMAC with want, in constant time, and
// returns nil or ErrBadSignature.
func (s *signing) check(want *[sha256.Size]byte) error {
	match := 0
	for i := range s.v.keys {
		got := s.mac(i).Sum(s.sum[:0])
		match |= subtleEq(got, want[:])
	}
	if match == 0 {
		return ErrBadSignature
	}
	return nil
}

// release returns the HMACs to their pools.
func (s *signing) release() {
	for i, p := range s.v.keys {
		p.Put(s.mac(i))
	}
	s.macs = [4]hash.Hash{}
	clear(s.more)
	s.more, s.v = s.more[:0], nil
	signingPool.Put(s)
}

func subtleEq(a, b []byte) int {
	if hmac.Equal(a, b) {
		return 1
	}
	return 0
}

// Sign returns the Authorization header value Teams would send for body
// when signing with token: "HMAC " followed by the base64 HMAC-SHA256
// digest. Tests and clients such as "outhook say" use it.
func Sign(token string, body []byte) (string, error) {
	key, err := DecodeToken(token)
	if err != nil {
		return "", err
	}
	h := hmac.New(sha256.New, key)
	h.Write(body)
	return "HMAC " + base64.StdEncoding.EncodeToString(h.Sum(nil)), nil
}

// NewToken returns a fresh random security token in the same form Teams
// issues (32 random bytes, base64), for local use and tests.
func NewToken() string {
	var b [32]byte
	rand.Read(b[:]) // never fails: crypto/rand.Read crashes the program instead

	return base64.StdEncoding.EncodeToString(b[:])
}
