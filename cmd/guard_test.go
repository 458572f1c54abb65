package cmd

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/internal/redistest"
)

// Askers of the access tests, by AAD object id.
const (
	ada    = "6b8f1b7e-3c2a-4e5d-9f10-2a3b4c5d6e7f" // may echo prod and ping
	bob    = "0c1d2e3f-4a5b-6c7d-8e9f-a0b1c2d3e4f5" // everyone else
	mallet = "33333333-3333-3333-3333-333333333333" // denied everything
	flood  = "44444444-4444-4444-4444-444444444444" // sends too much
	carol  = "55555555-5555-5555-5555-555555555555" // stale, foreign and replayed posts
)

// guardedConfig is a configuration with access rules, a tenant allow-list,
// replay protection, rate limits and redaction, in the shape of
// outhook.example.yaml ("echo" stands for a "deploy" command).
func guardedConfig(extra string) string {
	return `
defaults: {budget: 2s}
` + extra + `
webhooks:
  - name: ops
    path: /teams/ops
    secret_env: TEST_GUARD_OPS
    plugins: [help, ping, echo, whoami]
    access:
      tenants: [` + bottest.DefaultTenant + `]
      replay_window: 2m
      rate_limit: {per_user: 7, window: 1m}
      default: deny
      rules:
        - command: help
          effect: allow
        - command: echo staging
          effect: allow
        - name: prod deployers
          command: echo prod
          effect: allow
          users: [` + ada + `]
        - command: ping
          effect: allow
          users: [` + ada + `]
        - name: left the company
          command: "*"
          effect: deny
          users: [` + mallet + `]
    audit:
      redact: {echo: ["--token"]}
  - name: dev
    path: /teams/dev
    secret_env: TEST_GUARD_DEV
    plugins: [help, whoami]
    access:
      rate_limit: {per_command: 2}
`
}

// asker returns a message from the user with AAD object id id.
func asker(id, text string) bottest.Message {
	return bottest.Message{Text: text, From: bot.Account{ID: "29:" + id, Name: "User " + id[:4], AADObjectID: id}}
}

// say posts m to path, signed with token, and returns the reply's text.
func say(t *testing.T, url, token string, m bottest.Message) string {
	t.Helper()
	r, err := bottest.Post(&http.Client{Timeout: 5 * time.Second}, url, token, m.JSON())
	if err != nil {
		t.Fatalf("posting %q: %v", m.Text, err)
	}
	return r.Text
}

// ask posts m to path, signed with token, and returns the reply as a test
// reads it: text and cards.
func ask(t *testing.T, url, token string, m bottest.Message) bottest.Reply {
	t.Helper()
	r, err := bottest.Post(&http.Client{Timeout: 5 * time.Second}, url, token, m.JSON())
	if err != nil {
		t.Fatalf("posting %q: %v", m.Text, err)
	}
	return bottest.Reply{Reply: r}
}

// auditEvent is the part of an audit event the tests look at.
type auditEvent struct {
	Audit    bool     `json:"audit"`
	Webhook  string   `json:"webhook"`
	Activity string   `json:"activity"`
	User     string   `json:"user"`
	Command  string   `json:"command"`
	Args     []string `json:"args"`
	Outcome  string   `json:"outcome"`
	Reason   string   `json:"reason"`
	Rule     *int     `json:"rule"`
	Message  string   `json:"message"`
}

// auditEvents reads the audit events in the JSON lines of text.
func auditEvents(t *testing.T, text string) []auditEvent {
	t.Helper()
	var evs []auditEvent
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		var ev auditEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		// An event of its own, or on the command's answered line when
		// audit events go to the main log.
		if (ev.Message == "command" || ev.Audit) && ev.Command != "" {
			evs = append(evs, ev)
		}
	}
	return evs
}

// TestServeGuarded drives a server configured with access rules, tenants,
// replay protection, rate limits and audit through its HTTP endpoint with
// real signatures: each hostile or unwelcome post gets its answer, the
// audit log records each command run, and the metrics count the refusals.
func TestServeGuarded(t *testing.T) {
	for _, kind := range []string{"memory", "redis"} {
		t.Run(kind, func(t *testing.T) {
			store := ""
			if kind == "redis" {
				addr := redistest.Start(t)
				t.Setenv("TEST_GUARD_REDIS", "redis://"+addr+"/0")
				store = "store: {kind: redis, redis_url_env: TEST_GUARD_REDIS, prefix: \"test-" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":\"}"
			}
			testServeGuarded(t, store)
		})
	}
}

func testServeGuarded(t *testing.T, store string) {
	opsToken, devToken := bot.NewToken(), bot.NewToken()
	t.Setenv("TEST_GUARD_OPS", opsToken)
	t.Setenv("TEST_GUARD_DEV", devToken)
	auditFile := filepath.Join(t.TempDir(), "audit.log")
	file := writeFile(t, "outhook.yaml", guardedConfig(store+"\naudit: {file: "+auditFile+"}"))
	addr, stop := startServe(t, "--config", file)
	ops, dev := "http://"+addr+"/teams/ops", "http://"+addr+"/teams/dev"

	replayed := asker(carol, "echo staging once")
	replayed.ID = strconv.FormatInt(time.Now().UnixNano(), 10) // the same id on each post
	old := asker(carol, "echo staging")
	old.Time = time.Now().Add(-10 * time.Minute)
	future := asker(carol, "echo staging")
	future.Time = time.Now().Add(10 * time.Minute)
	foreign := asker(carol, "help")
	foreign.Tenant = "00000000-0000-0000-0000-00000000dead"

	tests := []struct {
		name string
		url  string
		msg  bottest.Message
		want string // the reply, cards rendered, contains it
		not  string // the reply, cards rendered, does not contain it, if set
		// listed and unlisted are commands help's card lists and does not.
		listed, unlisted []string
	}{
		{"allowed argument for everyone", ops, asker(bob, "echo staging --token hunter2"), "staging --token hunter2", "", nil, nil},
		{"restricted argument for its users", ops, asker(ada, "echo prod now"), "prod now", "", nil, nil},
		{"restricted argument for others", ops, asker(bob, "echo prod now"), "Sorry, you may not run `echo prod now` here.", "", nil, nil},
		{"argument no rule allows", ops, asker(bob, "echo dev"), "Sorry, you may not run `echo dev` here.", "", nil, nil},
		{"default deny", ops, asker(bob, "whoami"), "Sorry, you may not run `whoami` here.", "", nil, nil},
		{"command for one user", ops, asker(ada, "ping"), "pong", "", nil, nil},
		{"command for one user, asked by another", ops, asker(bob, "ping"), "Sorry, you may not run `ping` here.", "", nil, nil},
		{"help lists what the asker may run", ops, asker(ada, "help"), "\nping:", "whoami", []string{"echo", "help", "ping"}, []string{"whoami"}},
		{"help hides what the asker may not run", ops, asker(bob, "help"), "\necho:", "ping", []string{"echo", "help"}, []string{"ping", "whoami"}},
		{"help about a command the asker may not run", ops, asker(bob, "help ping"), "There is no command `ping`.", "", nil, nil},
		{"deny wins", ops, asker(mallet, "help"), "Sorry, you may not run `help` here.", "", nil, nil},
		{"wrong tenant", ops, foreign, "Sorry, this bot does not serve your organisation.", "", nil, nil},
		{"stale", ops, old, "too old (or dated in the future)", "", nil, nil},
		{"dated in the future", ops, future, "too old (or dated in the future)", "", nil, nil},
		{"first delivery", ops, replayed, "staging once", "", nil, nil},
		{"replayed delivery gets the first reply", ops, replayed, "staging once", "", nil, nil},
		{"flooding user 1: unknown commands count", ops, asker(flood, "nonsense"), "I don't know the command", "", nil, nil},
		{"flooding user 2", ops, asker(flood, "help"), "[Adaptive Card]\nCommands\n", "", nil, nil},
		{"flooding user 3", ops, asker(flood, "help"), "[Adaptive Card]\nCommands\n", "", nil, nil},
		{"flooding user 4", ops, asker(flood, "help"), "[Adaptive Card]\nCommands\n", "", nil, nil},
		{"flooding user 5", ops, asker(flood, "help"), "[Adaptive Card]\nCommands\n", "", nil, nil},
		{"flooding user 6", ops, asker(flood, "help"), "[Adaptive Card]\nCommands\n", "", nil, nil},
		{"flooding user 7", ops, asker(flood, "help"), "[Adaptive Card]\nCommands\n", "", nil, nil},
		{"flooding user slowed", ops, asker(flood, "help"), "Slow down, please: you can send 7 messages per minute. Try again in", "", nil, nil},
		{"no rules on dev", dev, asker(mallet, "whoami"), mallet, "", nil, nil},
		{"dev command limit 2", dev, asker(bob, "whoami"), bob, "", nil, nil},
		{"dev command limit shared by users", dev, asker(ada, "whoami"), "`whoami` may run 2 times per minute for everyone together", "", nil, nil},
		{"dev help not limited with whoami", dev, asker(ada, "help"), "\nwhoami:", "", []string{"whoami"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token := opsToken
			if tt.url == dev {
				token = devToken
			}
			rep := ask(t, tt.url, token, tt.msg)
			got := rep.String()
			if !strings.Contains(got, tt.want) || (tt.not != "" && strings.Contains(got, tt.not)) {
				t.Errorf("got %q; want it to contain %q and not %q", got, tt.want, tt.not)
			}
			if tt.listed == nil && tt.unlisted == nil {
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
				if _, ok := facts[name]; ok {
					t.Errorf("got facts %v; want no %s", facts, name)
				}
				if strings.Contains(rep.Summary, name) {
					t.Errorf("got summary %q; want no %s", rep.Summary, name)
				}
			}
		})
	}

	_, metricsText := get(t, "http://"+addr+"/metrics")
	for _, want := range []string{
		`outhook_denials_total{reason="rule",webhook="ops"} 5`,
		`outhook_denials_total{reason="tenant",webhook="ops"} 1`,
		`outhook_denials_total{reason="stale",webhook="ops"} 2`,
		`outhook_denials_total{reason="replay",webhook="ops"} 1`,
		`outhook_denials_total{reason="rate_limit",webhook="ops"} 1`,
		`outhook_denials_total{reason="rate_limit",webhook="dev"} 1`,
	} {
		if !strings.Contains(metricsText, want) {
			t.Errorf("got /metrics without %q", want)
		}
	}

	if err := stop(); err != nil { // closes the audit log
		t.Fatalf("serve: %v", err)
	}
	data, err := os.ReadFile(auditFile)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "hunter2") {
		t.Error("got the redacted secret in the audit log")
	}
	evs := auditEvents(t, string(data))
	// Commands the router ran or refused, unknown ones included: everything
	// above but the posts refused before it (tenant, stale twice, the
	// replay, the flood).
	if got, want := len(evs), len(tests)-5; got != want {
		t.Errorf("got %d audit events; want %d", got, want)
	}
	var sawRedacted, sawDenied, sawLimited bool
	runs := 0
	for _, ev := range evs {
		switch {
		case ev.Command == "echo" && ev.User == bob && ev.Outcome == "ok":
			sawRedacted = strings.Join(ev.Args, " ") == "staging --token [redacted]"
			if ev.Webhook != "ops" {
				t.Errorf("got webhook %q; want ops", ev.Webhook)
			}
		case ev.Command == "echo" && ev.User == bob && ev.Outcome == "denied" && strings.Join(ev.Args, " ") == "prod now":
			sawDenied = ev.Rule != nil && *ev.Rule == -1 && strings.Contains(ev.Reason, "rule 3 (prod deployers)")
		case ev.Command == "whoami" && ev.Outcome == "limited":
			sawLimited = ev.Webhook == "dev"
		}
		if ev.Activity == replayed.ID {
			runs++
		}
	}
	if !sawRedacted || !sawDenied || !sawLimited {
		t.Errorf("got redacted %v, denied with its reason %v, limited %v in:\n%s; want all", sawRedacted, sawDenied, sawLimited, data)
	}
	if runs != 1 {
		t.Errorf("got the replayed activity run %d times; want 1", runs)
	}
}

// TestServeAuditToMainLog checks that audit events go to the main log,
// marked, whatever the log level, when no audit file is set.
func TestServeAuditToMainLog(t *testing.T) {
	token := bot.NewToken()
	t.Setenv("OUTHOOK_SECRET", token)
	var logs bottest.LogBuffer
	addr, stop := startServeLogs(t, &logs, "--log-level", "error")
	say(t, "http://"+addr+"/webhook", token, asker(bob, "ping"))
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	evs := auditEvents(t, logs.String())
	if len(evs) != 1 || !evs[0].Audit || evs[0].Command != "ping" || evs[0].Webhook != "default" || evs[0].Outcome != "ok" {
		t.Errorf("got %+v in:\n%s; want one audit event for ping", evs, logs.String())
	}

	t.Run("off", func(t *testing.T) {
		var logs bottest.LogBuffer
		addr, stop := startServeLogs(t, &logs, "--audit-log", "off")
		say(t, "http://"+addr+"/webhook", token, asker(bob, "ping"))
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		if evs := auditEvents(t, logs.String()); len(evs) != 0 {
			t.Errorf("got %+v; want no audit event", evs)
		}
	})
}

// badRules is a configuration whose rules name a command its webhook does
// not serve, and misspell an effect.
const badRules = "testdata/access/unknown.yaml"

func TestAccessRulesChecked(t *testing.T) {
	t.Run("config check", func(t *testing.T) {
		t.Setenv("OPS_TOKEN", bot.NewToken())
		code, out, errs := run(t, "", "config", "check", badRules)
		out = strings.ReplaceAll(out, mustAbs(t, "testdata")+string(filepath.Separator), "testdata/")
		errs = strings.ReplaceAll(errs, mustAbs(t, "testdata")+string(filepath.Separator), "testdata/")
		if code != 1 || !strings.Contains(errs, badRules+": 3 problem(s)") {
			t.Errorf("got exit %d, stderr %q; want 1 and the count", code, errs)
		}
		golden := "testdata/access/unknown.golden"
		if *update {
			os.WriteFile(golden, []byte(out), 0o644)
		}
		want, _ := os.ReadFile(golden)
		if out != string(want) {
			t.Errorf("got:\n%s\nwant:\n%s", out, want)
		}
	})
	t.Run("start-up refuses", func(t *testing.T) {
		t.Setenv("OPS_TOKEN", bot.NewToken())
		want, _ := os.ReadFile("testdata/access/unknown.golden")
		cli := parse(t, "serve", "--listen", "127.0.0.1:0", "--config", badRules)
		err := cli.Serve.run(context.Background(), &cli.Globals, nil)
		if err == nil || strings.ReplaceAll(err.Error(), mustAbs(t, "testdata")+string(filepath.Separator), "testdata/")+"\n" != string(want) {
			t.Errorf("got %v; want:\n%s", err, want)
		}
	})
	t.Run("flags change the commands", func(t *testing.T) {
		// The rules name echo: with --plugins help,ping it is unknown.
		t.Setenv("OPS_TOKEN", bot.NewToken())
		file := writeFile(t, "x.yaml", `
webhooks:
  - name: ops
    path: /ops
    secret_env: OPS_TOKEN
    access:
      default: allow
      rules: [{command: echo prod, effect: deny}]
`)
		cli := parse(t, "serve", "--listen", "127.0.0.1:0", "--config", file, "--plugins", "help,ping")
		err := cli.Serve.run(context.Background(), &cli.Globals, nil)
		if err == nil || !strings.Contains(err.Error(), `x.yaml:8:25: rule 1: command "echo prod": unknown command "echo" (known: help, ping)`) {
			t.Errorf("got %v; want the unknown command located", err)
		}
	})
}

// TestServeReplicas runs two servers sharing one Redis, as two replicas
// behind a load balancer: a message delivered to both runs once, and a
// user's limit counts across them.
func TestServeReplicas(t *testing.T) {
	addr := redistest.Start(t)
	token := bot.NewToken()
	t.Setenv("OUTHOOK_SECRET", token)
	t.Setenv("TEST_REPLICA_REDIS", "redis://"+addr)
	file := writeFile(t, "outhook.yaml", `
store: {kind: redis, redis_url_env: TEST_REPLICA_REDIS, prefix: "replicas-`+strconv.FormatInt(time.Now().UnixNano(), 36)+`:"}
webhooks:
  - name: ops
    path: /ops
    plugins: [echo]
    access:
      rate_limit: {per_user: 3}
`)
	var logsA, logsB bottest.LogBuffer
	a, _ := startServeLogs(t, &logsA, "--config", file)
	b, _ := startServeLogs(t, &logsB, "--config", file)
	urlA, urlB := "http://"+a+"/ops", "http://"+b+"/ops"

	m := asker(carol, "echo once")
	m.ID = strconv.FormatInt(time.Now().UnixNano(), 10) // the same id on each post
	if got := say(t, urlA, token, m); got != "once" {
		t.Errorf("got %q from replica A; want once", got)
	}
	if got := say(t, urlB, token, m); got != "once" {
		t.Errorf("got %q from replica B for the same message; want the first reply, once", got)
	}
	// carol has sent 2 (the duplicate was not counted): 1 more on B, then slowed on A.
	if got := say(t, urlB, token, asker(carol, "echo two")); got != "two" {
		t.Errorf("got %q; want two", got)
	}
	say(t, urlA, token, asker(carol, "echo three"))
	if got := say(t, urlA, token, asker(carol, "echo four")); !strings.Contains(got, "Slow down, please: you can send 3 messages per minute.") {
		t.Errorf("got %q; want slowed across replicas", got)
	}
	runs := strings.Count(logsA.String()+logsB.String(), `"args":["once"]`)
	if runs != 1 {
		t.Errorf("got echo once run %d times across the replicas; want 1", runs)
	}
}

// TestServeRedisDown checks that the server refuses to start without its
// store, never showing the URL's password, and that /readyz fails while
// the store does not answer, while commands still run.
func TestServeRedisDown(t *testing.T) {
	token := bot.NewToken()
	t.Setenv("OUTHOOK_SECRET", token)
	file := writeFile(t, "outhook.yaml", "store: {kind: redis, redis_url_env: TEST_DOWN_REDIS}\n")

	t.Run("start-up", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		free := ln.Addr().String()
		ln.Close()
		tests := []struct{ name, url, want string }{
			{"unset", "", "store: the Redis URL (from $TEST_DOWN_REDIS): no secret found"},
			{"garbage", "http://user:s3cret-pass@x", "store: redis: the URL does not parse"},
			{"nobody listening", "redis://user:s3cret-pass@" + free + "/0", "store: redis: ping:"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Setenv("TEST_DOWN_REDIS", tt.url)
				cli := parse(t, "serve", "--listen", "127.0.0.1:0", "--config", file)
				err := cli.Serve.run(context.Background(), &cli.Globals, nil)
				if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "s3cret") {
					t.Errorf("got %v; want %q, without the password", err, tt.want)
				}
			})
		}
	})

	t.Run("readyz", func(t *testing.T) {
		addr, kill := redistest.Own(t)
		t.Setenv("TEST_DOWN_REDIS", "redis://"+addr)
		srv, _ := startServe(t, "--config", file)
		base := "http://" + srv
		if status, body := get(t, base+"/readyz"); status != 200 {
			t.Fatalf("got %d %q with Redis up; want 200", status, body)
		}
		kill()
		waitStatus(t, base+"/readyz", http.StatusServiceUnavailable)
		// Commands still run: the checks fail open.
		if got := say(t, base+"/webhook", token, asker(bob, "ping")); !strings.HasPrefix(got, "pong") {
			t.Errorf("got %q with Redis down; want pong (fail open)", got)
		}
		if status, _ := get(t, base+"/healthz"); status != 200 {
			t.Errorf("got /healthz %d; want 200: the process is alive", status)
		}
	})
}

// waitStatus polls url until it answers status, for up to 3 seconds.
func waitStatus(t *testing.T, url string, status int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		got, body := get(t, url)
		if got == status {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %s %d %q; want %d within 3s", url, got, body, status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
