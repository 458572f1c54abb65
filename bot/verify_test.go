package bot_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/outhook/outhook/bot"
)

type vector struct {
	Token, Body, Authorization string
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	data, err := os.ReadFile("testdata/hmac-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Vectors []vector }
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Vectors) == 0 {
		t.Fatal("no vectors")
	}
	return f.Vectors
}

func TestSignMatchesVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		got, err := bot.Sign(v.Token, []byte(v.Body))
		if err != nil {
			t.Fatal(err)
		}
		if got != v.Authorization {
			t.Errorf("Sign(%q) = %q; want %q", v.Body, got, v.Authorization)
		}
	}
}

func TestVerify(t *testing.T) {
	vs := loadVectors(t)
	v0, v1 := vs[0], vs[1]
	both, err := bot.NewVerifier(v0.Token, v1.Token)
	if err != nil {
		t.Fatal(err)
	}
	only0, err := bot.NewVerifier(v0.Token)
	if err != nil {
		t.Fatal(err)
	}
	// The classic bug: the token's text used as the key.
	textKeyed, _ := bot.Sign("dGV4dA==", []byte(v0.Body))
	tests := []struct {
		name string
		v    *bot.Verifier
		body string
		auth string
		want error
	}{
		{"vector 0", both, v0.Body, v0.Authorization, nil},
		{"vector 1", both, v1.Body, v1.Authorization, nil},
		{"second token only on first verifier", only0, v1.Body, v1.Authorization, bot.ErrBadSignature},
		{"scheme case-insensitive", only0, v0.Body, "hmac " + strings.TrimPrefix(v0.Authorization, "HMAC "), nil},
		{"surrounding space", only0, v0.Body, "  " + v0.Authorization + " ", nil},
		{"body changed", both, v0.Body + " ", v0.Authorization, bot.ErrBadSignature},
		{"empty body", both, "", v0.Authorization, bot.ErrBadSignature},
		{"other key", only0, v0.Body, textKeyed, bot.ErrBadSignature},
		{"missing", both, v0.Body, "", bot.ErrNoSignature},
		{"bearer scheme", both, v0.Body, "Bearer " + strings.TrimPrefix(v0.Authorization, "HMAC "), bot.ErrNoSignature},
		{"no space", both, v0.Body, "HMAC", bot.ErrNoSignature},
		{"not base64", both, v0.Body, "HMAC !!!!" + strings.Repeat("A", 40), bot.ErrBadSignature},
		{"truncated", both, v0.Body, v0.Authorization[:len(v0.Authorization)-4], bot.ErrBadSignature},
		{"too long", both, v0.Body, v0.Authorization + "AAAA", bot.ErrBadSignature},
		{"huge", both, v0.Body, "HMAC " + strings.Repeat("A", 1<<16), bot.ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.v.Verify([]byte(tt.body), tt.auth)
			if !errors.Is(got, tt.want) {
				t.Errorf("Verify = %v; want %v", got, tt.want)
			}
		})
	}
}

func TestNewVerifierErrors(t *testing.T) {
	good := bot.NewToken()
	tests := []struct {
		name   string
		tokens []string
		want   string
	}{
		{"none", nil, "no security token"},
		{"empty", []string{" "}, "token 1 of 1: token is empty"},
		{"not base64", []string{good, "not*base64"}, "token 2 of 2: token is not valid base64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := bot.NewVerifier(tt.tokens...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v; want it to contain %q", err, tt.want)
			}
			for _, tok := range tt.tokens {
				if strings.TrimSpace(tok) != "" && strings.Contains(err.Error(), tok) {
					t.Errorf("error %q reveals a token", err)
				}
			}
		})
	}
}

func TestNewTokenIsTeamsShaped(t *testing.T) {
	tok := bot.NewToken()
	key, err := bot.DecodeToken(tok)
	if err != nil {
		t.Fatal(err)
	}
	if len(tok) != 44 || len(key) != 32 {
		t.Errorf("token %d chars, key %d bytes; want 44 and 32", len(tok), len(key))
	}
	if bot.NewToken() == tok {
		t.Error("two tokens are equal")
	}
}
