package subscriptions

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestLinkTokens(t *testing.T) {
	key := []byte(strings.Repeat("k", 32))
	now := time.Unix(1_800_000_000, 0)
	l := link{Channel: "19:c", AskerID: "29:ada", Expires: now.Add(time.Minute).Unix(), Nonce: "n"}
	tok := sign(key, l)
	payload, sig, _ := strings.Cut(tok, ".")
	other := sign(key, link{Channel: "19:other", AskerID: "29:ada", Expires: l.Expires, Nonce: "n"})
	otherPayload, _, _ := strings.Cut(other, ".")
	tests := []struct {
		name string
		tok  string
		at   time.Time
		key  []byte
		want error
	}{
		{"valid", tok, now, key, nil},
		{"expired", tok, now.Add(time.Minute), key, errExpired},
		{"another key", tok, now, []byte(strings.Repeat("x", 32)), errTampered},
		{"payload swapped", otherPayload + "." + sig, now, key, errTampered},
		{"no signature", payload, now, key, errTampered},
		{"empty", "", now, key, errTampered},
		{"huge", strings.Repeat("a", 5000) + "." + sig, now, key, errTampered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := verify(tt.key, tt.tok, tt.at)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v; want %v", err, tt.want)
			}
			if err == nil && got != l {
				t.Errorf("got %+v; want %+v", got, l)
			}
		})
	}
}

// FuzzVerify: no token makes verify panic, and none but a signed one
// passes.
func FuzzVerify(f *testing.F) {
	key := []byte(strings.Repeat("k", 32))
	f.Add(sign(key, link{Channel: "19:c", Expires: 1 << 40, Nonce: "n"}))
	f.Add("a.b")
	f.Add("")
	f.Fuzz(func(t *testing.T, tok string) {
		if _, err := verify(key, tok, time.Unix(0, 0)); err != nil {
			return
		}
		p, s, _ := strings.Cut(tok, ".")
		if got, _ := b64.DecodeString(s); string(got) != string(mac(key, p)) {
			t.Fatalf("verify accepted an unsigned token %q", tok)
		}
	})
}
