package outhook

import (
	"context"
	"net"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/bot/teamsim"
	"github.com/outhook/outhook/config"
	"github.com/outhook/outhook/middleware/access"
	"github.com/rs/zerolog"
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

// TestWebhooksKeepTheirOwnIds: two webhooks share the App's store, but not
// their activity ids. The same activity posted to each runs in each; a
// second delivery to either is a duplicate.
func TestWebhooksKeepTheirOwnIds(t *testing.T) {
	var logs bottest.LogBuffer
	logger := zerolog.New(&logs)
	a, err := New(config.Config{
		Store: config.Store{Kind: config.StoreMemory},
		Webhooks: []config.Webhook{
			{Name: "a", Path: "/a", SecretEnv: DefaultSecretEnv},
			{Name: "b", Path: "/b", SecretEnv: DefaultSecretEnv},
		},
	}, Options{LookupEnv: testEnv, Logger: &logger})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := a.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	}()
	srv := httptest.NewServer(a.Echo())
	body := teamsim.Message{Text: "ping", ID: "1700000000003"}.JSON()
	for _, path := range []string{"/a", "/b", "/a", "/b"} {
		if r, err := teamsim.Post(srv.Client(), srv.URL+path, testToken, body); err != nil || !strings.HasPrefix(r.Text, "pong") {
			srv.Close()
			t.Fatalf("%s: got %q %v; want a pong", path, r.Text, err)
		}
	}
	// The line of a request is logged once its reply is on its way: Close
	// waits for the requests, and so for their lines.
	srv.Close()
	for _, want := range []struct {
		webhook, command string
	}{{"a", "ping"}, {"b", "ping"}, {"a", "duplicate"}, {"b", "duplicate"}} {
		line := `"webhook":"` + want.webhook + `"`
		n := 0
		for _, l := range strings.Split(logs.String(), "\n") {
			if strings.Contains(l, line) && strings.Contains(l, `"command":"`+want.command+`"`) && strings.Contains(l, `"message":"answered"`) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("webhook %s answered %s %d times; want once:\n%s", want.webhook, want.command, n, logs.String())
		}
	}
}
