package cmd

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/outhook/outhook"
	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
)

// People in the agreement tests.
const (
	agreeAda   = "6b8f1b7e-3c2a-4e5d-9f10-2a3b4c5d6e7f" // may list everyone's jobs
	agreeBob   = "0c1d2e3f-4a5b-6c7d-8e9f-a0b1c2d3e4f5" // may not search the runbook
	agreeCarol = "44444444-4444-4444-4444-444444444444" // may not use the runbook at all
	agreeMal   = "33333333-3333-3333-3333-333333333333" // banned
	agreeOther = "00000000-0000-0000-0000-00000000beef" // a tenant not served
)

// agreeConfig is a configuration with rules on subcommands, aliases,
// arguments and flags; ciURL is the trigger's fake CI.
func agreeConfig(ciURL string) string {
	return `
webhooks:
  - name: ops
    path: /teams/ops
    secret_env: TEST_AGREE_TOKEN
    plugins: [help, echo, whoami, jobs, runbook, trigger]
    plugin_config:
      runbook:
        entries:
          - {keys: [vpn], title: VPN, text: "Install the client from the portal."}
      trigger:
        triggers:
          - name: deploy
            args:
              - {name: service, enum: [web, api]}
              - {name: env, enum: [staging, prod], default: staging}
            request:
              url: "` + ciURL + `/deploy/{{.service}}/{{.env}}"
              header_env: {Authorization: TEST_AGREE_CI}
    access:
      tenants: [` + bottest.DefaultTenant + `]
      default: deny
      rules:
        - {command: help, effect: allow}
        - {command: echo, effect: allow}
        - {name: no secrets, command: "echo secret*", effect: deny}
        - {command: whoami, effect: allow, teams: ["` + bottest.DefaultTeam + `"]}
        - {command: deploy, effect: allow}
        - {name: no prod from chat, command: "deploy * prod", effect: deny}
        - {command: runbook, effect: allow}
        - {name: no runbook search, command: "runbook search", effect: deny, users: [` + agreeBob + `]}
        - {name: no runbook, command: runbook, effect: deny, users: [` + agreeCarol + `]}
        - {command: "jobs --all=false", effect: allow}
        - {name: job admins, command: jobs, effect: allow, users: [` + agreeAda + `]}
        - {name: banned, command: "*", effect: deny, users: [` + agreeMal + `]}
`
}

// agreeLine is a command line, who sends it, from which tenant, and the
// decision the served webhook and policy check must both reach.
type agreeLine struct {
	user, tenant, text string
	mentions           []bot.Account
	want               string // allowed, denied or unknown
}

var grace = bot.Account{ID: "29:grace", Name: "Grace", AADObjectID: "99999999-9999-9999-9999-999999999999"}

var agreeLines = []agreeLine{
	// Issue 10 #1: rules cover a group's subcommands, by canonical path.
	{agreeCarol, "", "runbook search vpn", nil, "denied"},
	{agreeCarol, "", "RB Search vpn", nil, "denied"},
	{agreeCarol, "", "faq SEARCH vpn", nil, "denied"},
	{agreeCarol, "", "runbook vpn", nil, "denied"},
	{agreeBob, "", "runbook search vpn", nil, "denied"},
	{agreeBob, "", "rb search --help", nil, "denied"},
	{agreeBob, "", "runbook vpn", nil, "allowed"},
	{agreeAda, "", "runbook search vpn", nil, "allowed"},
	// Issue 10 #2: argument rules match the values after flag parsing.
	{agreeAda, "", "deploy web prod", nil, "denied"},
	{agreeAda, "", "deploy --confirm staging web prod", nil, "denied"},
	{agreeAda, "", "deploy web --confirm=XXXXX-XXXXX prod", nil, "denied"},
	{agreeAda, "", "deploy web -- prod", nil, "denied"},
	{agreeAda, "", `deploy "web" 'prod'`, nil, "denied"},
	{agreeAda, "", "DEPLOY Web PROD", nil, "denied"},
	{agreeAda, "", "deploy web staging", nil, "allowed"},
	{agreeAda, "", "deploy web", nil, "allowed"},
	{agreeAda, "", "deploy --confirm prod web", nil, "allowed"}, // prod is the code
	{agreeAda, "", `deploy web "prod`, nil, "denied"},           // unknown values: fail closed
	{agreeAda, "", "echo hello", nil, "allowed"},
	{agreeAda, "", "echo secret sauce", nil, "denied"},
	{agreeAda, "", `echo "Secret sauce"`, nil, "denied"},
	{agreeAda, "", "echo @Grace", []bot.Account{grace}, "allowed"},
	{agreeAda, "", "whoami", nil, "allowed"},
	{agreeBob, "", "jobs", nil, "allowed"},
	{agreeBob, "", "jobs --all", nil, "denied"},
	{agreeBob, "", "jobs -a", nil, "denied"},
	{agreeBob, "", "jobs --ALL=yes", nil, "denied"},
	{agreeAda, "", "jobs --all", nil, "allowed"},
	{agreeAda, "", "help runbook search", nil, "allowed"},
	{agreeMal, "", "help", nil, "denied"},
	{agreeAda, agreeOther, "help", nil, "denied"},
	{agreeAda, "", "deplyo web", nil, "unknown"},
}

// servedDecision classifies the webhook's reply.
func servedDecision(reply string) string {
	switch {
	case strings.HasPrefix(reply, "Sorry, you may not run"), strings.Contains(reply, "does not serve your organisation"):
		return "denied"
	case strings.HasPrefix(reply, "I don't know the command"):
		return "unknown"
	}
	return "allowed"
}

// TestPolicyCheckAgreesWithServe sends each line through the served
// webhook (signed HTTP to "outhook serve" with the configuration file) and
// through "outhook policy check" with the same file, and requires the same
// decision from both.
func TestPolicyCheckAgreesWithServe(t *testing.T) {
	ci := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusCreated) }))
	defer ci.Close()
	file := filepath.Join(t.TempDir(), "outhook.yaml")
	if err := os.WriteFile(file, []byte(agreeConfig(ci.URL)), 0o600); err != nil {
		t.Fatal(err)
	}
	token := bot.NewToken()
	t.Setenv("TEST_AGREE_TOKEN", token)
	t.Setenv("TEST_AGREE_CI", "Bearer ci-token")
	addr, _ := startServe(t, "--config", file)
	url := "http://" + addr + "/teams/ops"
	for _, l := range agreeLines {
		t.Run(l.user[:4]+" "+l.text, func(t *testing.T) {
			m := asker(l.user, l.text)
			m.Mentions = l.mentions
			if l.tenant != "" {
				m.Tenant = l.tenant
			}
			served := servedDecision(say(t, url, token, m))
			tenant := bottest.DefaultTenant
			if l.tenant != "" {
				tenant = l.tenant
			}
			line := l.text
			for _, p := range l.mentions {
				line = strings.ReplaceAll(line, "@"+p.Name, p.Name)
			}
			code, out, errOut := run(t, "", "policy", "check", "--config", file, "--as-id", l.user,
				"--team", bottest.DefaultTeam, "--channel", bottest.DefaultChannel, "--tenant", tenant, line)
			checked := "allowed"
			switch {
			case code == 0 && strings.HasPrefix(out, "allowed: "):
			case code == 1 && strings.HasPrefix(out, "denied: "):
				checked = "denied"
			case code == 1 && strings.Contains(errOut, "unknown command"):
				checked = "unknown"
			default:
				t.Fatalf("policy check: exit %d, %q %q", code, out, errOut)
			}
			if served != checked || served != l.want {
				t.Errorf("served %s, policy check %s (%s); want both %s", served, checked, strings.TrimSpace(out), l.want)
			}
		})
	}
}

// FuzzDryRunAgrees sends generated lines from generated askers through the
// served webhook (the Echo app of "outhook serve", real signatures) and
// through the dry run "policy check" uses, on the same configuration, and
// requires the same decision. Seeded with the table above.
func FuzzDryRunAgrees(f *testing.F) {
	for i, l := range agreeLines {
		f.Add(l.text, uint8(i))
	}
	f.Add("runbook search --help", uint8(1))
	f.Add("deploy web prod --confirm", uint8(2))
	f.Add("jobs --no-all", uint8(1))
	f.Add("echo '' secret", uint8(0))
	ci := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusCreated) }))
	defer ci.Close()
	file := filepath.Join(f.TempDir(), "outhook.yaml")
	if err := os.WriteFile(file, []byte(agreeConfig(ci.URL)), 0o600); err != nil {
		f.Fatal(err)
	}
	token := bot.NewToken()
	f.Setenv("TEST_AGREE_TOKEN", token)
	f.Setenv("TEST_AGREE_CI", "Bearer ci-token")
	cli := parse(f, "serve", "--config", file)
	cfg, err := cli.Serve.resolve(&cli.Globals)
	if err != nil {
		f.Fatal(err)
	}
	app, err := outhook.New(cfg, outhook.Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer app.Shutdown(context.Background())
	e := echo.New()
	app.Mount(e)
	w := cfg.Webhooks[0]
	users := []string{agreeAda, agreeBob, agreeCarol, agreeMal, "", "6B8F1B7E-3C2A-4E5D-9F10-2A3B4C5D6E7F"}
	f.Fuzz(func(t *testing.T, line string, who uint8) {
		user := users[int(who)%len(users)]
		m := bottest.Message{Text: line, From: bot.Account{ID: "29:x", Name: "X", AADObjectID: user}}
		if who&0x80 != 0 {
			m.Tenant = agreeOther
		}
		a := m.Activity()
		req, err := bottest.NewRequest("http://outhook.test/teams/ops", token, m.JSON())
		if err != nil {
			t.Skip()
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Skip() // refused before any decision: not a command
		}
		var r struct{ Text string }
		if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
			t.Fatalf("reply: %v", err)
		}
		served := servedDecision(r.Text)
		// A fresh activity id: the served one is now a replay.
		a.ID += "-dry"
		v, err := dryRun(cfg, w, a)
		if err != nil {
			t.Fatal(err)
		}
		checked := "denied"
		switch {
		case v.result.Resolution() != nil && v.result.Resolution().NotFound:
			checked = "unknown"
		case v.allowed:
			checked = "allowed"
		}
		if served == "allowed" && r.Text == "Hi! Tell me what to do, for example `help`." {
			return // an empty line: nothing to decide
		}
		if served != checked {
			t.Errorf("%q as %q: served %s (%q), dry run %s (%s)", line, user, served, r.Text, checked, v.reason)
		}
	})
}
