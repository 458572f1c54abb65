package outhook

import (
	"context"
	"net"
	"testing"

	"go.uber.org/goleak"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/config"
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
