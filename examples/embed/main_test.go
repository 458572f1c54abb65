package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/config"
	"github.com/outhook/outhook/middleware/access"
	"github.com/outhook/outhook/plugins"
	"github.com/outhook/outhook/router"
)

// boom is a command that panics, to see the host told.
type boom struct{}

func (boom) Commands() []*router.Command {
	return []*router.Command{{Name: "boom", Handler: func(*router.Context) error { panic("kaboom") }}}
}

func init() {
	plugins.Register(plugins.Info{ID: "boom", Explicit: true, New: func() plugins.Plugin { return boom{} }})
}

func env(token string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		if k == "TEAM_TOKEN" {
			return token, true
		}
		return "", false
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return string(data)
}

// TestEmbedProtected mounts a configured bot in the service and checks,
// through HTTP with real signatures, that the embedded bot has what serve
// has: access rules, replay protection, metrics on the host's registry,
// logs through the host's logger, errors reported to the host.
func TestEmbedProtected(t *testing.T) {
	token := bot.NewToken()
	var logs bottest.LogBuffer
	cfg := config.Config{Webhooks: []config.Webhook{{
		Name: "team", Path: "/webhook", SecretEnv: "TEAM_TOKEN",
		Plugins: []string{"help", "ping", "echo", "whoami", "boom"},
		Access: config.Access{Rules: access.Rules{Default: access.Allow, Rules: []access.Rule{
			{Command: "echo", Effect: access.Deny},
		}}},
	}}}
	s, err := newService(cfg, zerolog.New(&logs), env(token))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.echo)
	defer srv.Close()
	defer s.bot.Shutdown(context.Background())
	url := srv.URL + "/teams/webhook"
	client := &http.Client{Timeout: 10 * time.Second}
	post := func(m bottest.Message) string {
		t.Helper()
		r, err := bottest.Post(client, url, token, m.JSON())
		if err != nil {
			t.Fatal(err)
		}
		return r.Text
	}

	if got := get(t, srv.URL+"/api/status"); !strings.Contains(got, "fine") {
		t.Errorf("own route: got %q", got)
	}
	if got := post(bottest.Message{Text: "ping"}); !strings.HasPrefix(got, "pong") {
		t.Errorf("ping: got %q; want pong", got)
	}
	if got := post(bottest.Message{Text: "echo hi"}); !strings.Contains(got, "may not run") {
		t.Errorf("denied echo: got %q; want a refusal", got)
	}
	stale := bottest.Message{Text: "ping", Time: time.Now().Add(-time.Hour)}
	if got := post(stale); strings.HasPrefix(got, "pong") {
		t.Errorf("an hour-old activity was answered %q; want it refused as a replay", got)
	}
	again := bottest.Message{Text: "whoami", ID: "1730000000001"}
	if first, second := post(again), post(again); first != second {
		t.Errorf("second delivery got %q; want the first reply %q", second, first)
	}
	if got := post(bottest.Message{Text: "boom"}); !strings.Contains(got, "ref") {
		t.Errorf("panicking command: got %q; want a polite reply with a ref", got)
	}
	metrics := get(t, srv.URL+"/metrics")
	for _, want := range []string{"service_bot_errors_total 1", `outhook_http_requests_total{`, `outhook_denials_total{reason="rule",webhook="team"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("host metrics lack %q", want)
		}
	}
	if !strings.Contains(logs.String(), `"webhook":"team"`) || !strings.Contains(logs.String(), "kaboom") {
		t.Errorf("host log lacks the bot's lines or the reported panic:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), token) {
		t.Error("the token reached the log")
	}
}

func TestEmbedRefusesNoToken(t *testing.T) {
	cfg := config.Config{Webhooks: []config.Webhook{{Name: "team", Path: "/webhook", SecretEnv: "TEAM_TOKEN"}}}
	if _, err := newService(cfg, zerolog.Nop(), env("")); err == nil || !strings.Contains(err.Error(), "TEAM_TOKEN") {
		t.Errorf("got %v; want an error naming TEAM_TOKEN", err)
	}
}

// TestEmbedRunShutsDown runs main's path on loopback and stops it: the
// service listens where asked and stops cleanly.
func TestEmbedRunShutsDown(t *testing.T) {
	token := bot.NewToken()
	t.Setenv("OUTHOOK_SECRET", token)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	var runErr error
	go func() { defer wg.Done(); runErr = run(ctx, addr, zerolog.Nop()) }()
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(5 * time.Second)
	for {
		r, err := bottest.Post(client, "http://"+addr+"/teams/webhook", token, bottest.Message{Text: "ping"}.JSON())
		if err == nil && strings.HasPrefix(r.Text, "pong") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no pong from the running service: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	if runErr != nil {
		t.Errorf("run: %v", runErr)
	}
}
