package middleware_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"
	"go.uber.org/goleak"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/middleware"
	"github.com/outhook/outhook/middleware/access"
	"github.com/outhook/outhook/plugins"
	echoplugin "github.com/outhook/outhook/plugins/echo"
	"github.com/outhook/outhook/plugins/help"
	"github.com/outhook/outhook/plugins/ping"
	"github.com/outhook/outhook/router"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	admin   = "aaaaaaaa-0000-0000-0000-000000000001"
	someone = "bbbbbbbb-0000-0000-0000-000000000002"
	flooder = "ffffffff-0000-0000-0000-00000000000f"
	foreign = "99999999-9999-9999-9999-999999999999"
)

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// events decodes the JSON lines written so far.
func (s *syncBuffer) events(t *testing.T) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(s.b.Bytes()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

// fixture is a bot with every access and abuse middleware, served through
// a real Echo app on loopback.
type fixture struct {
	url, token string
	runs       map[string]*atomic.Int64 // executions by command
	audit      *syncBuffer
	logs       *syncBuffer
	release    chan struct{} // unblocks "slow"
}

func newFixture(t *testing.T, store interface {
	middleware.ReplayStore
	middleware.Limiter
}) *fixture {
	t.Helper()
	f := &fixture{token: bot.NewToken(), runs: map[string]*atomic.Int64{}, audit: &syncBuffer{}, logs: &syncBuffer{},
		release: make(chan struct{})}
	r := router.New()
	plugins.Add(r, "ping", ping.New())
	plugins.Add(r, "help", help.New())
	plugins.Add(r, "echo", echoplugin.New())
	counted := func(name string, h router.HandlerFunc) *router.Command {
		f.runs[name] = new(atomic.Int64)
		return &router.Command{Name: name, Summary: name + " things", Handler: func(c *router.Context) error {
			f.runs[name].Add(1)
			return h(c)
		}}
	}
	r.Add(
		counted("deploy", func(c *router.Context) error { return c.Textf("deploying %s", strings.Join(c.Args, " ")) }),
		counted("vault", func(c *router.Context) error { return c.Text("stored") }),
		counted("slow", func(c *router.Context) error {
			select {
			case <-f.release:
			case <-c.Context.Context().Done():
			}
			return c.Text("slow done")
		}),
	)
	policy, err := access.Compile(access.Rules{
		Default: "allow",
		Rules: []access.Rule{
			{Command: "deploy staging", Effect: "allow"},
			{Name: "prod deployers", Command: "deploy prod", Effect: "allow", Users: []string{admin}},
			{Command: "vault", Effect: "allow", Users: []string{admin}},
		},
	}, middleware.CommandNames(r))
	if err != nil {
		t.Fatal(err)
	}
	r.Use(
		middleware.AuditWithConfig(middleware.AuditConfig{
			Logger: zerolog.New(f.audit),
			Redact: middleware.Redact{"vault": {"2"}, "*": {"--token"}},
		}),
		middleware.Access(policy),
		middleware.CommandRateLimitWithConfig(middleware.CommandRateLimitConfig{
			Limit: 2, Window: time.Minute, Store: store,
			Skipper: func(c *router.Context) bool { return c.Command.Name != "deploy" },
		}),
	)
	h := middleware.Chain(r,
		middleware.Tenants(bottest.DefaultTenant),
		middleware.ReplayWithConfig(middleware.ReplayConfig{Window: 5 * time.Minute, Store: store}),
		middleware.RateLimitWithConfig(middleware.RateLimitConfig{Limit: 3, Window: time.Minute, Store: store,
			Skipper: func(c *bot.Context) bool { return c.Activity.From.AADObjectID != flooder }}),
	)
	b, err := bot.New(bot.Config{Secrets: []string{f.token}, Handler: h, Logger: zerolog.New(f.logs), Budget: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	b.Mount(e, "/webhook")
	srv := httptest.NewServer(e)
	t.Cleanup(func() {
		select {
		case <-f.release:
		default:
			close(f.release)
		}
		srv.Close()
	})
	f.url = srv.URL + "/webhook"
	return f
}

func from(id string) bot.Account {
	return bot.Account{ID: "29:" + id, Name: "User " + id[:4], AADObjectID: id}
}

// post signs and posts body and returns the reply text, or the HTTP error.
func (f *fixture) post(t *testing.T, body []byte) string {
	t.Helper()
	r, err := bottest.Post(http.DefaultClient, f.url, f.token, body)
	if err != nil {
		return "error: " + err.Error()
	}
	return r.Text
}

// TestHostileInputs walks one bot through what an attacker, a confused
// client or a flood sends, in order (the rows share the bot's memory), and
// checks each answer and whether the command ran.
func TestHostileInputs(t *testing.T) {
	f := newFixture(t, middleware.NewMemoryStore(1000))
	staging := bottest.Message{Text: "deploy staging", From: from(someone)}.JSON()
	badSig := func() string {
		req, _ := bottest.NewRequest(f.url, bot.NewToken(), staging)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err.Error()
		}
		resp.Body.Close()
		return resp.Status
	}
	now := time.Now()
	noTenant := bottest.Message{Text: "deploy staging", From: from(someone)}.Activity()
	noTenant.ChannelData.Tenant.ID, noTenant.Conversation.TenantID = "", ""
	noTenantJSON, _ := json.Marshal(noTenant)
	noTime := bottest.Message{Text: "deploy staging", From: from(someone)}.Activity()
	noTime.Timestamp = time.Time{}
	noTimeJSON, _ := json.Marshal(noTime)

	tests := []struct {
		name    string
		send    func() string
		want    string
		command string
		runs    int64 // executions of command after the row
	}{
		{"first delivery runs", func() string { return f.post(t, staging) }, "deploying staging", "deploy", 1},
		{"replayed delivery answers the same, runs nothing", func() string { return f.post(t, staging) }, "deploying staging", "deploy", 1},
		{"replayed again", func() string { return f.post(t, staging) }, "deploying staging", "deploy", 1},
		{"bad signature", badSig, "401 Unauthorized", "deploy", 1},
		{"stale by 10 minutes", func() string {
			return f.post(t, bottest.Message{Text: "deploy staging", From: from(someone), Time: now.Add(-10 * time.Minute)}.JSON())
		}, "too old", "deploy", 1},
		{"dated 10 minutes ahead", func() string {
			return f.post(t, bottest.Message{Text: "deploy staging", From: from(someone), Time: now.Add(10 * time.Minute)}.JSON())
		}, "dated in the future", "deploy", 1},
		{"just inside the window", func() string {
			return f.post(t, bottest.Message{Text: "deploy staging", From: from(admin), Time: now.Add(-4 * time.Minute)}.JSON())
		}, "deploying staging", "deploy", 2},
		{"no timestamp", func() string { return f.post(t, noTimeJSON) }, "no timestamp", "deploy", 2},
		{"wrong tenant", func() string {
			return f.post(t, bottest.Message{Text: "deploy staging", From: from(someone), Tenant: foreign}.JSON())
		}, "does not serve your organisation", "deploy", 2},
		{"no tenant", func() string { return f.post(t, noTenantJSON) }, "does not serve your organisation", "deploy", 2},
		{"prod by someone is denied", func() string {
			return f.post(t, bottest.Message{Text: "deploy prod", From: from(someone)}.JSON())
		}, "Sorry, you may not run `deploy prod` here.", "deploy", 2},
		{"prod spelt differently is still denied", func() string {
			return f.post(t, bottest.Message{Text: "DEPLOY Prod", From: from(someone)}.JSON())
		}, "you may not run", "deploy", 2},
		{"bare deploy is closed", func() string {
			return f.post(t, bottest.Message{Text: "deploy", From: from(someone)}.JSON())
		}, "you may not run", "deploy", 2},
		{"command limit reached for deploy", func() string {
			return f.post(t, bottest.Message{Text: "deploy prod", From: from(admin)}.JSON())
		}, "Slow down, please: `deploy` may run 2 times per minute for everyone together. Try again in", "deploy", 2},
		{"vault secret", func() string {
			return f.post(t, bottest.Message{Text: "vault put s3cr3t --token t0k3n", From: from(admin)}.JSON())
		}, "stored", "vault", 1},
		{"flooder 1", func() string { return f.post(t, bottest.Message{Text: "echo 1", From: from(flooder)}.JSON()) }, "1", "", 0},
		{"flooder 2", func() string { return f.post(t, bottest.Message{Text: "echo 2", From: from(flooder)}.JSON()) }, "2", "", 0},
		{"flooder 3", func() string { return f.post(t, bottest.Message{Text: "nonsense", From: from(flooder)}.JSON()) }, "I don't know", "", 0},
		{"flooder 4 slowed down", func() string {
			return f.post(t, bottest.Message{Text: "echo 4", From: from(flooder)}.JSON())
		}, "Slow down, please: you can send 3 messages per minute. Try again in", "", 0},
		{"the command limit holds for everyone", func() string {
			return f.post(t, bottest.Message{Text: "deploy staging", From: from(someone)}.JSON())
		}, "Slow down, please: `deploy`", "deploy", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.send()
			if !strings.Contains(got, tt.want) {
				t.Errorf("got %q; want it to contain %q", got, tt.want)
			}
			if tt.command != "" {
				if n := f.runs[tt.command].Load(); n != tt.runs {
					t.Errorf("%s ran %d times; want %d", tt.command, n, tt.runs)
				}
			}
		})
	}

	// One audit event per command that reached the router: runs, denials
	// and limits, never the refused, stale or replayed posts.
	var got []string
	for _, ev := range f.audit.events(t) {
		got = append(got, ev["command"].(string)+":"+ev["outcome"].(string))
		if ev["command"] == "vault" {
			args, _ := json.Marshal(ev["args"])
			if want := `["put","[redacted]","--token","[redacted]"]`; string(args) != want {
				t.Errorf("vault args: got %s; want %s", args, want)
			}
		}
		for _, k := range []string{"activity", "user", "team", "channel", "tenant", "latency"} {
			if _, ok := ev[k]; !ok {
				t.Errorf("event %v lacks %q", ev, k)
			}
		}
	}
	want := []string{"deploy:ok", "deploy:ok", "deploy:denied", "deploy:denied", "deploy:denied", "deploy:limited", "vault:ok", "echo:ok", "echo:ok", "unknown:ok", "deploy:limited"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("audit events: got %v; want %v", got, want)
	}
	logs := f.logs.String()
	for _, secret := range []string{"s3cr3t", "t0k3n", f.token} {
		if strings.Contains(f.audit.String(), secret) || strings.Contains(logs, secret) {
			t.Errorf("logs contain the secret %q", secret)
		}
	}
	if !strings.Contains(logs, `rule 2 (prod deployers)`) && !strings.Contains(logs, "restricted by rule 1, rule 2 (prod deployers)") {
		t.Errorf("bot logs do not explain the denial: %s", logs)
	}
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestDuplicateWhileRunning delivers one message twice at once: the second
// delivery is told the first is being handled, and later ones get the
// first's reply.
func TestDuplicateWhileRunning(t *testing.T) {
	f := newFixture(t, middleware.NewMemoryStore(100))
	body := bottest.Message{Text: "slow", From: from(someone)}.JSON()
	first := make(chan string, 1)
	go func() { first <- f.post(t, body) }()
	deadline := time.Now().Add(2 * time.Second)
	for f.runs["slow"].Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got, want := f.post(t, body), "I have already received this message"; !strings.Contains(got, want) {
		t.Errorf("second delivery: got %q; want %q", got, want)
	}
	close(f.release)
	if got := <-first; got != "slow done" {
		t.Errorf("first delivery: got %q; want %q", got, "slow done")
	}
	if got := f.post(t, body); got != "slow done" {
		t.Errorf("third delivery: got %q; want the first reply", got)
	}
	if n := f.runs["slow"].Load(); n != 1 {
		t.Errorf("slow ran %d times; want 1", n)
	}
}

// TestHelpListsOnlyWhatTheAskerMayRun asks for help as two people: the
// card lists what each may run and leaves out the rest, and help about a
// command the asker may not run is refused.
func TestHelpListsOnlyWhatTheAskerMayRun(t *testing.T) {
	f := newFixture(t, middleware.NewMemoryStore(100))
	tests := []struct {
		user, text       string
		listed, unlisted []string // commands in the list card, and not anywhere in it
		want             []string // in the reply, cards rendered
	}{
		{admin, "help", []string{"deploy", "vault", "ping", "help"}, nil, nil},
		{someone, "help", []string{"deploy", "ping", "help"}, []string{"vault"}, nil},
		{someone, "help vault", nil, nil, []string{"There is no command `vault`."}},
		{admin, "help vault", nil, nil, []string{"[Adaptive Card]\nvault\n=====\nvault things", "Usage\n```\nvault\n```"}},
	}
	for _, tt := range tests {
		t.Run(tt.user[:4]+" "+tt.text, func(t *testing.T) {
			r, err := bottest.Post(http.DefaultClient, f.url, f.token, bottest.Message{Text: tt.text, From: from(tt.user)}.JSON())
			if err != nil {
				t.Fatal(err)
			}
			rep := bottest.Reply{Reply: r}
			got := rep.String()
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("got %q; want it to contain %q", got, w)
				}
			}
			if tt.listed == nil {
				return
			}
			c, err := rep.Adaptive()
			if err != nil {
				t.Fatal(err)
			}
			facts := c.Facts()
			for _, name := range tt.listed {
				if facts[name] == "" {
					t.Errorf("got facts %v; want %s listed", facts, name)
				}
			}
			for _, name := range tt.unlisted {
				if _, ok := facts[name]; ok || strings.Contains(got, name) || strings.Contains(r.Summary, name) {
					t.Errorf("got %q (summary %q); want no %q", got, r.Summary, name)
				}
			}
		})
	}
}
