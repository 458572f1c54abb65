package outhook

import (
	"context"
	"net"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/config"
	"github.com/outhook/outhook/middleware/access"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testToken is the token startApp's webhooks read from $OUTHOOK_SECRET.
var testToken = bot.NewToken()

// testEnv is the environment of the Apps the tests build.
func testEnv(k string) (string, bool) {
	if k == DefaultSecretEnv {
		return testToken, true
	}
	return "", false
}

// startApp serves cfg on a loopback port until the test ends, and returns
// the address.
func startApp(t *testing.T, cfg config.Config) string {
	t.Helper()
	a, err := New(cfg, Options{LookupEnv: testEnv})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// TestNewReportsEveryProblem: New names every problem of every webhook in
// one error, never a secret, and an App it gives up on leaves nothing
// running (goleak in TestMain).
func TestNewReportsEveryProblem(t *testing.T) {
	hook := "http://127.0.0.1:1/hook" // never posted to
	cfg := config.Config{
		Store: config.Store{Kind: config.StoreMemory},
		Webhooks: []config.Webhook{
			{Name: "good", Path: "/good", SecretEnv: DefaultSecretEnv, FollowUp: config.FollowUp{URLEnv: "HOOK"}},
			{Name: "notoken", Path: "/a", SecretEnv: "UNSET_TOKEN"},
			{Name: "badrule", Path: "/b", SecretEnv: DefaultSecretEnv,
				Access: config.Access{Rules: access.Rules{Default: access.Allow, Rules: []access.Rule{{Command: "nosuch", Effect: access.Deny}}}}},
		},
	}
	_, err := New(cfg, Options{LookupEnv: func(k string) (string, bool) {
		switch k {
		case DefaultSecretEnv:
			return testToken, true
		case "HOOK":
			return hook, true
		}
		return "", false
	}})
	if err == nil {
		t.Fatal("New succeeded")
	}
	for _, want := range []string{`webhook "notoken": no security token in $UNSET_TOKEN`, `webhook "badrule"`, `"nosuch"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), hook) {
		t.Error("the error holds a secret")
	}
}
