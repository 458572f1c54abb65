package outhook

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/config"
)

func TestCheckTokens(t *testing.T) {
	good := bot.NewToken()
	short := make([]byte, 16)
	rand.Read(short)
	tests := []struct {
		name   string
		tokens []string
		want   string // in the error; "" for none
	}{
		{"as Teams shows it", []string{good}, ""},
		{"two, for a rotation", []string{good, bot.NewToken()}, ""},
		{"surrounding space", []string{" " + good + "\n"}, ""},
		{"double quotes", []string{`"` + good + `"`}, "token 1 of 1 starts or ends with a quote: remove the quotes"},
		{"single quote at the end", []string{good + "'"}, "starts or ends with a quote"},
		{"variable name pasted", []string{"OUTHOOK_SECRET=" + good}, `holds "NAME="`},
		{"export line pasted", []string{"export OUTHOOK_SECRET=" + good}, `holds "NAME="`},
		{"base64 twice", []string{base64.StdEncoding.EncodeToString([]byte(good))}, "base64-encoded twice: use the token exactly as Teams showed it"},
		{"too short", []string{base64.StdEncoding.EncodeToString(short)}, "decodes to 16 bytes; a Teams token decodes to 32"},
		{"cut off", []string{good[:20]}, "decodes to 15 bytes"},
		{"not base64", []string{"not*base64"}, "not valid base64"},
		{"the second is wrong", []string{good, `"` + good + `"`}, "token 2 of 2 starts or ends with a quote"},
		{"only quotes", []string{`""`}, "starts or ends with a quote"},
		{"blank", []string{"  "}, "token is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkTokens(tt.tokens)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("got %v; want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v; want an error containing %q", err, tt.want)
			}
			if err != nil {
				for _, tok := range tt.tokens {
					if s := strings.Trim(strings.TrimSpace(tok), `"'`); len(s) > 8 && strings.Contains(err.Error(), s) {
						t.Errorf("got %v; want the token left out", err)
					}
				}
			}
		})
	}
}

// TestNewExplainsTokens checks that New reports a token mistake with the
// webhook and where the token came from, and without the token.
func TestNewExplainsTokens(t *testing.T) {
	token := "OUTHOOK_OPS_SECRET=" + bot.NewToken()
	cfg := config.Config{Webhooks: []config.Webhook{{Name: "ops", Path: "/ops", SecretEnv: "TEST_TOKENS_OPS", Plugins: []string{"ping"}}}}
	_, err := New(cfg, Options{LookupEnv: func(k string) (string, bool) { return token, k == "TEST_TOKENS_OPS" }})
	if err == nil || !strings.Contains(err.Error(), `webhook "ops": token from $TEST_TOKENS_OPS: token 1 of 1 holds "NAME="`) {
		t.Fatalf("got %v; want the mistake, the webhook and the variable", err)
	}
	if strings.Contains(err.Error(), token[len("OUTHOOK_OPS_SECRET="):]) {
		t.Error("got the token in the error")
	}
}
