package cmd

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
)

// findingsConfig serves the trigger, echo and runbook plugins with rules,
// audit redaction and a per-command rate limit.
func findingsConfig(ciURL string, perCommand int) string {
	return `
webhooks:
  - name: ops
    path: /teams/ops
    secret_env: TEST_FIND_TOKEN
    plugins: [help, echo, runbook, trigger]
    plugin_config:
      runbook:
        entries:
          - {keys: [vpn], title: VPN, text: "Install the client from the portal."}
      trigger:
        secret_env: TEST_FIND_KEY
        triggers:
          - name: deploy
            args:
              - {name: service, enum: [web, api]}
              - {name: env, enum: [staging, prod], default: staging}
            confirm_when: {env: [prod]}
            request:
              url: "` + ciURL + `/deploy/{{.service}}/{{.env}}"
              header_env: {Authorization: TEST_FIND_CI}
    access:
      default: allow
      rate_limit: {per_command: ` + strconv.Itoa(perCommand) + `}
      rules:
        - {command: deploy, effect: allow}
        - {name: no prod for bob, command: "deploy * prod", effect: deny, users: [` + agreeBob + `]}
    audit:
      redact: {echo: ["--token"]}
`
}

// TestLogsCarryNoSecrets: confirmation codes, flag values declared secret
// (in any case) and message text reach neither the server log nor the
// audit log; a denial's reason names the rule, not the line (issue 10 #4).
func TestLogsCarryNoSecrets(t *testing.T) {
	var mu sync.Mutex
	var ciCalls []string
	ci := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ciCalls = append(ciCalls, r.URL.Path)
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	}))
	defer ci.Close()
	dir := t.TempDir()
	file, auditFile := filepath.Join(dir, "outhook.yaml"), filepath.Join(dir, "audit.log")
	if err := os.WriteFile(file, []byte(findingsConfig(ci.URL, 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	token := bot.NewToken()
	t.Setenv("TEST_FIND_TOKEN", token)
	t.Setenv("TEST_FIND_KEY", "c2VjcmV0LWtleQ==")
	t.Setenv("TEST_FIND_CI", "Bearer ci-token")
	var logs bottest.LogBuffer
	addr, stop := startServeLogs(t, &logs, "--config", file, "--audit-log", auditFile)
	url := "http://" + addr + "/teams/ops"

	ask := say(t, url, token, asker(agreeAda, "deploy web prod"))
	m := regexp.MustCompile("--confirm ([A-Z2-9]{5}-[A-Z2-9]{5})").FindStringSubmatch(ask)
	if m == nil {
		t.Fatalf("got %q; want a confirmation code", ask)
	}
	code := m[1]
	if got := say(t, url, token, asker(agreeAda, "deploy --CONFIRM "+code+" web prod")); !strings.HasPrefix(got, "✅ `deploy web prod`") {
		t.Errorf("got %q; want the deploy run", got)
	}
	if got := say(t, url, token, asker(agreeBob, "deploy --confirm=ABCDE-FGHJK api prod")); !strings.HasPrefix(got, "Sorry, you may not run `deploy api prod --confirm=[redacted]`") {
		t.Errorf("got %q; want a denial quoting the redacted line", got)
	}
	say(t, url, token, asker(agreeAda, "echo the private words --TOKEN hunter2"))
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	audit, err := os.ReadFile(auditFile)
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"server log": logs.String(), "audit log": string(audit)} {
		for _, secret := range []string{code, strings.ReplaceAll(code, "-", ""), "ABCDE-FGHJK", "hunter2", token} {
			if strings.Contains(text, secret) {
				t.Errorf("%s holds the secret %q:\n%s", name, secret, text)
			}
		}
	}
	if strings.Contains(logs.String(), "private words") {
		t.Errorf("server log holds message text:\n%s", logs.String())
	}
	if !strings.Contains(string(audit), `"reason":"rule 2 (no prod for bob) denies \"deploy * prod\" to users `+agreeBob+`"`) {
		t.Errorf("audit log lacks the denial naming its rule:\n%s", audit)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(ciCalls) != 1 || ciCalls[0] != "/deploy/web/prod" {
		t.Errorf("got CI calls %q; want one for web prod", ciCalls)
	}
}

// TestCommandRateLimitByPath: the per-command limit counts a command by its
// canonical path, whatever alias or case is typed, and a subcommand apart
// from its group (issue 10 #1).
func TestCommandRateLimitByPath(t *testing.T) {
	file := filepath.Join(t.TempDir(), "outhook.yaml")
	if err := os.WriteFile(file, []byte(findingsConfig("http://127.0.0.1:1", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	token := bot.NewToken()
	t.Setenv("TEST_FIND_TOKEN", token)
	t.Setenv("TEST_FIND_KEY", "k")
	t.Setenv("TEST_FIND_CI", "Bearer ci-token")
	addr, _ := startServe(t, "--config", file)
	url := "http://" + addr + "/teams/ops"
	steps := []struct {
		text    string
		limited bool
	}{
		{"runbook search vpn", false},
		{"RB Search vpn", true},
		{"faq SEARCH portal", true},
		{"runbook vpn", false},
		{"faq vpn", true},
	}
	for _, st := range steps {
		got := say(t, url, token, asker(agreeAda, st.text))
		if limited := strings.HasPrefix(got, "Slow down"); limited != st.limited {
			t.Errorf("%s: got %q; want limited %v", st.text, got, st.limited)
		}
	}
}
