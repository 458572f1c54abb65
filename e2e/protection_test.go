package e2e

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
)

// Askers of the protection tests.
const (
	ada   = "6b8f1b7e-3c2a-4e5d-9f10-2a3b4c5d6e7f" // may deploy to prod, list all jobs
	bob   = "0c1d2e3f-4a5b-6c7d-8e9f-a0b1c2d3e4f5" // may not deploy to prod
	carol = "44444444-4444-4444-4444-444444444444" // may not use the runbook
)

// fakeCI records the trigger's calls; /redirect answers 307 to other,
// which records what reaches it.
type fakeCI struct {
	mu            sync.Mutex
	calls, stolen []string
	ci, other     *httptest.Server
}

func newFakeCI(t *testing.T) *fakeCI {
	f := &fakeCI{}
	f.other = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.stolen = append(f.stolen, r.URL.Path+" "+r.Header.Get("Authorization")+" "+r.Header.Get("Referer"))
		f.mu.Unlock()
	}))
	f.ci = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.calls = append(f.calls, r.URL.Path)
		f.mu.Unlock()
		if strings.HasPrefix(r.URL.Path, "/redirect") {
			http.Redirect(w, r, f.other.URL+"/steal", http.StatusTemporaryRedirect)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	t.Cleanup(f.ci.Close)
	t.Cleanup(f.other.Close)
	return f
}

func (f *fakeCI) taken() (calls, stolen []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	calls, stolen = f.calls, f.stolen
	f.calls, f.stolen = nil, nil
	return calls, stolen
}

func protectionConfig(ciURL string) string {
	return `
webhooks:
  - name: ops
    path: /ops
    secret_env: E2E_TOKEN
    plugins: [help, echo, jobs, runbook, trigger]
    plugin_config:
      runbook:
        entries:
          - {keys: [vpn], title: VPN, text: "Install the client from the portal."}
      trigger:
        secret_env: E2E_TRIGGER_KEY
        triggers:
          - name: deploy
            args:
              - {name: service, enum: [web, api]}
              - {name: env, enum: [staging, prod], default: staging}
            confirm_when: {env: [prod]}
            request:
              url: "` + ciURL + `/deploy/{{.service}}/{{.env}}"
              header_env: {Authorization: E2E_CI_AUTH}
          - name: hop
            request:
              url: "` + ciURL + `/redirect"
              header_env: {Authorization: E2E_CI_AUTH}
    access:
      default: allow
      rules:
        - {command: deploy, effect: allow}
        - {name: no prod from chat, command: "deploy * prod", effect: deny, users: [` + bob + `]}
        - {command: runbook, effect: allow}
        - {name: no runbook, command: runbook, effect: deny, users: [` + carol + `]}
        - {command: "jobs --all=false", effect: allow}
        - {name: job admins, command: jobs, effect: allow, users: [` + ada + `]}
`
}

func from(id, text string) bottest.Message {
	return bottest.Message{Text: text, From: bot.Account{ID: "29:" + id[:4], Name: "User " + id[:4], AADObjectID: id}}
}

// TestProtection runs issue 10's findings #1, #2, #3, #4 and #9 against the
// binary with a configuration file, and asks "outhook policy check" about
// the same lines: it must decide as the server did.
func TestProtection(t *testing.T) {
	ci := newFakeCI(t)
	tok := token()
	env := []string{"E2E_TOKEN=" + tok, "E2E_TRIGGER_KEY=k3y", "E2E_CI_AUTH=Bearer ci-secret-4711"}
	cfg := writeFile(t, "outhook.yaml", protectionConfig(ci.ci.URL))
	p := start(t, env, "--config", cfg)

	lines := []struct {
		finding, user, text string
		denied              bool
		ci                  []string
	}{
		{"#1 group rule covers subcommand", carol, "runbook search vpn", true, nil},
		{"#1 alias and case", carol, "FAQ Search vpn", true, nil},
		{"#1 other asker", bob, "rb search vpn", false, nil},
		{"#2 flag before the arguments", bob, "deploy --confirm staging web prod", true, nil},
		{"#2 -- and quotes", bob, `deploy "web" -- prod`, true, nil},
		{"#2 allowed", bob, "deploy web staging", false, []string{"/deploy/web/staging"}},
		{"#9 jobs --all", bob, "jobs --all", true, nil},
		{"#9 own jobs", bob, "jobs", false, nil},
	}
	for _, l := range lines {
		got := p.say("/ops", tok, from(l.user, l.text))
		denied := strings.HasPrefix(got, "Sorry, you may not run")
		if denied != l.denied {
			t.Errorf("%s: %q: got %q; want denied %v", l.finding, l.text, got, l.denied)
		}
		if calls, _ := ci.taken(); strings.Join(calls, ",") != strings.Join(l.ci, ",") {
			t.Errorf("%s: %q: got CI calls %q; want %q", l.finding, l.text, calls, l.ci)
		}
		code, out, errOut := run(t, env, "policy", "check", "--config", cfg, "--as-id", l.user, l.text)
		if checked := code == 1 && strings.HasPrefix(out, "denied: "); checked != l.denied || code > 1 {
			t.Errorf("%s: %q: policy check exit %d %q %q; want denied %v like serve", l.finding, l.text, code, out, errOut, l.denied)
		}
	}

	// #2: an empty --confirm is a usage error, never a fresh code.
	if got := p.say("/ops", tok, from(ada, "deploy web prod --confirm=")); !strings.HasPrefix(got, "Flag `--confirm` needs the code I sent you.") {
		t.Errorf("empty --confirm: got %q", got)
	}
	// #4: the code runs once, in any case of the flag, and is logged nowhere.
	ask := p.say("/ops", tok, from(ada, "deploy web prod"))
	m := regexp.MustCompile("--confirm ([A-Z2-9]{5}-[A-Z2-9]{5})").FindStringSubmatch(ask)
	if m == nil {
		t.Fatalf("got %q; want a confirmation code", ask)
	}
	if got := p.say("/ops", tok, from(ada, "deploy --CONFIRM="+m[1]+" web prod")); !strings.HasPrefix(got, "✅ `deploy web prod`") {
		t.Errorf("confirmed deploy: got %q", got)
	}
	if calls, _ := ci.taken(); len(calls) != 1 {
		t.Errorf("got CI calls %q; want one", calls)
	}
	// #3: a redirect is not followed; the credential stays home.
	if got := p.say("/ops", tok, from(ada, "hop")); !strings.Contains(got, "redirect") {
		t.Errorf("hop: got %q; want the redirect refused", got)
	}
	if _, stolen := ci.taken(); len(stolen) != 0 {
		t.Errorf("the redirect target got %q", stolen)
	}
	// #9: help answers a closed subcommand as unknown.
	if got := p.say("/ops", tok, from(carol, "help runbook search")); got != "There is no command `runbook search`. Send `help` for the list." {
		t.Errorf("help for a closed subcommand: got %q", got)
	}

	p.stop()
	logs := p.logs.String()
	for _, secret := range []string{m[1], "ci-secret-4711", tok} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds the secret %q:\n%s", secret, logs)
		}
	}
	for _, l := range p.logLines(`"no prod from chat"`) {
		if strings.Contains(l, "staging") {
			t.Errorf("a denial's log line quotes the line: %s", l)
		}
	}
}
