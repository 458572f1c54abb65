package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
)

// TestServeDefaults: the README's "run the bot" promise, through the
// binary — signed pings answered, a wrong signature refused with 401,
// one log line per request, and neither the token nor the message text
// in the log.
func TestServeDefaults(t *testing.T) {
	tok := token()
	p := start(t, []string{"OUTHOOK_SECRET=" + tok})
	if got := p.say("/webhook", tok, bottest.Message{Text: "ping"}); !strings.HasPrefix(got, "pong") {
		t.Errorf("ping: got %q; want pong", got)
	}
	if got := p.say("/webhook", tok, bottest.Message{Text: "echo private-words-4711"}); !strings.Contains(got, "private-words-4711") {
		t.Errorf("echo: got %q", got)
	}
	body := bottest.Message{Text: "ping"}.JSON()
	req, _ := http.NewRequest(http.MethodPost, p.url("/webhook"), bytes.NewReader(body))
	sig, err := bot.Sign(token(), body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", sig)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong signature: got %d; want 401", resp.StatusCode)
	}
	if code := p.stop(); code != 0 {
		t.Errorf("exit %d after SIGTERM; want 0", code)
	}
	logs := p.logs.String()
	if n := len(p.logLines(`"message":"answered"`, `"command":"ping"`)); n != 1 {
		t.Errorf("got %d request lines for the ping; want 1:\n%s", n, logs)
	}
	// One line per request: the audit event is on the answered line.
	if n := len(p.logLines(`"command":"echo"`)); n != 1 || len(p.logLines(`"command":"echo"`, `"message":"answered"`, `"audit":true`, `"status":200`)) != 1 {
		t.Errorf("got %d lines for the echo; want 1, the answered line carrying the audit event:\n%s", n, logs)
	}
	if len(p.logLines(`"status":401`)) != 1 {
		t.Errorf("the 401 is not logged once:\n%s", logs)
	}
	if strings.Contains(logs, tok) {
		t.Error("the log holds the token")
	}
	// Only the audit events record what was asked (redacted as
	// configured); the request log never holds the message text.
	for _, l := range p.logLines("private-words-4711") {
		if !strings.Contains(l, `"audit":true`) {
			t.Errorf("a log line that is not an audit event holds the message text: %s", l)
		}
	}
}

// TestRefusedRequestsLogged: a wrong callback path or method is visible
// in the log, as JSON.
func TestRefusedRequestsLogged(t *testing.T) {
	p := start(t, []string{"OUTHOOK_SECRET=" + token()})
	if status, _ := get(t, p.url("/wrong/path")); status != http.StatusNotFound {
		t.Errorf("got %d; want 404", status)
	}
	if status, _ := get(t, p.url("/webhook")); status != http.StatusMethodNotAllowed {
		t.Errorf("GET /webhook: got %d; want 405", status)
	}
	p.stop()
	if len(p.logLines(`"status":404`, `"path":"/wrong/path"`)) != 1 {
		t.Errorf("the 404 is not logged:\n%s", p.logs.String())
	}
	if len(p.logLines(`"status":405`, `"path":"/webhook"`)) != 1 {
		t.Errorf("the 405 is not logged:\n%s", p.logs.String())
	}
}

// TestRemoteAddress: with no trusted proxy, an unsigned request cannot
// forge the remote address the log shows, nor make a huge log line; with
// one configured, its X-Forwarded-For is believed.
func TestRemoteAddress(t *testing.T) {
	post := func(p *proc, headers map[string]string) {
		req, _ := http.NewRequest(http.MethodPost, p.url("/webhook"), strings.NewReader(`{}`))
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("unsigned post: got %d; want 401", resp.StatusCode)
		}
	}
	huge := strings.Repeat("9", 60<<10)
	p := start(t, []string{"OUTHOOK_SECRET=" + token()})
	post(p, map[string]string{"X-Forwarded-For": "6.6.6.6", "X-Real-IP": "7.7.7.7"})
	post(p, map[string]string{"X-Forwarded-For": huge})
	p.stop()
	if lines := p.logLines(`"status":401`, `"remote":"127.0.0.1"`); len(lines) != 2 {
		t.Errorf("got %d refusals logged with the socket's address; want 2:\n%s", len(lines), p.logs.String())
	}
	for _, l := range p.logLines() {
		if len(l) > 4<<10 {
			t.Errorf("a log line of %d bytes", len(l))
		}
	}

	cfg := writeFile(t, "outhook.yaml", "trusted_proxies: [127.0.0.1]\n")
	p = start(t, []string{"OUTHOOK_SECRET=" + token()}, "--config", cfg)
	post(p, map[string]string{"X-Forwarded-For": "6.6.6.6"})
	p.stop()
	if len(p.logLines(`"status":401`, `"remote":"6.6.6.6"`)) != 1 {
		t.Errorf("a trusted proxy's X-Forwarded-For is not logged:\n%s", p.logs.String())
	}
}

// TestMetricsListener: metrics on a listener of their own are not served
// on the public one.
func TestMetricsListener(t *testing.T) {
	maddr := freePort(t)
	cfg := writeFile(t, "outhook.yaml", fmt.Sprintf("metrics:\n  listen: %q\n", maddr))
	tok := token()
	p := start(t, []string{"OUTHOOK_SECRET=" + tok}, "--config", cfg)
	p.say("/webhook", tok, bottest.Message{Text: "ping"})
	if status, _ := get(t, p.url("/metrics")); status != http.StatusNotFound {
		t.Errorf("public /metrics: got %d; want 404", status)
	}
	status, body := get(t, "http://"+maddr+"/metrics")
	if status != http.StatusOK || !strings.Contains(body, `outhook_commands_total{`) {
		t.Errorf("metrics listener: got %d and no command count", status)
	}
}

// brokenConfigs are configurations "config check" must refuse, each with
// what both it and serve must say.
var brokenConfigs = []struct {
	name, yaml, want string
}{
	{"budget over the limit", "webhooks:\n  - {name: a, path: /a, secret_env: E2E_TOKEN, budget: 4.8s}\n", "budget 4.8s is over 4.5s"},
	{"token variable unset", "webhooks:\n  - {name: a, path: /a, secret_env: E2E_UNSET}\n", "no security token in $E2E_UNSET"},
	{"token file missing", "webhooks:\n  - {name: a, path: /a, secret_file: /nonexistent/token}\n", "/nonexistent/token"},
	{"follow-up URL unset", "webhooks:\n  - {name: a, path: /a, secret_env: E2E_TOKEN, followup: {url_env: E2E_NO_URL}}\n", "$E2E_NO_URL"},
	{"audit file unwritable", "audit: {file: /nonexistent/dir/audit.log}\nwebhooks:\n  - {name: a, path: /a, secret_env: E2E_TOKEN}\n", "audit log"},
	{"TLS pair missing", "tls: {cert: /nonexistent/c.pem, key: /nonexistent/k.pem}\nwebhooks:\n  - {name: a, path: /a, secret_env: E2E_TOKEN}\n", "tls"},
	{"rule names an unknown command", "webhooks:\n  - name: a\n    path: /a\n    secret_env: E2E_TOKEN\n    access: {default: allow, rules: [{command: deploy, effect: deny}]}\n", `unknown command "deploy"`},
	{"plugin setting misspelt", "webhooks:\n  - name: a\n    path: /a\n    secret_env: E2E_TOKEN\n    plugins: [status]\n    plugin_config: {status: {endpoints: [{name: w, url: \"https://example.com\", methd: GET}]}}\n", `unknown setting "endpoints[0].methd"`},
	{"setting misspelt", "listn: \":8080\"\nwebhooks:\n  - {name: a, path: /a, secret_env: E2E_TOKEN}\n", `unknown setting "listn": did you mean "listen"?`},
	{"token not a Teams token", "webhooks:\n  - {name: a, path: /a, secret_env: E2E_SHORT}\n", "decodes to 3 bytes"},
}

// TestConfigCheckAgreesWithServe: what config check refuses, serve
// refuses with the same words; what it passes, serve starts.
func TestConfigCheckAgreesWithServe(t *testing.T) {
	env := []string{"E2E_TOKEN=" + token(), "E2E_SHORT=YWJj"}
	for _, tt := range brokenConfigs {
		t.Run(tt.name, func(t *testing.T) {
			cfg := writeFile(t, "outhook.yaml", tt.yaml)
			code, out, errOut := run(t, env, "config", "check", cfg)
			if code != 1 || !strings.Contains(out+errOut, tt.want) {
				t.Errorf("config check: exit %d, output %q; want 1 and %q", code, out+errOut, tt.want)
			}
			code, out, errOut = run(t, env, "serve", "--config", cfg, "--listen", freePort(t))
			if code != 1 || !strings.Contains(out+errOut, tt.want) {
				t.Errorf("serve: exit %d, output %q; want 1 and %q", code, out+errOut, tt.want)
			}
		})
	}
	t.Run("valid", func(t *testing.T) {
		cfg := writeFile(t, "outhook.yaml", "webhooks:\n  - {name: a, path: /a, secret_env: E2E_TOKEN}\n")
		if code, out, errOut := run(t, env, "config", "check", cfg); code != 0 {
			t.Fatalf("config check: exit %d: %s%s", code, out, errOut)
		}
		p := start(t, env, "--config", cfg)
		if code := p.stop(); code != 0 {
			t.Errorf("serve exited %d", code)
		}
	})
}

// TestChatRunsConfig: chat runs a configuration's webhook with its rules,
// as the asker --as-id names.
func TestChatRunsConfig(t *testing.T) {
	const boss = "11111111-1111-1111-1111-111111111111"
	cfg := writeFile(t, "outhook.yaml", `
webhooks:
  - name: ops
    path: /ops
    secret_env: NOT_READ_BY_CHAT
    plugins: [help, ping, echo]
    access:
      default: allow
      rules:
        - {command: echo, effect: allow, users: [`+boss+`]}
`)
	chat := func(args ...string) string {
		cmd := exec.Command(binary, append([]string{"chat", "--config", cfg}, args...)...)
		cmd.Env = baseEnv()
		cmd.Stdin = strings.NewReader("echo hello there\nexit\n")
		done := make(chan struct{})
		var out []byte
		var err error
		go func() { out, err = cmd.CombinedOutput(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
			t.Fatal("chat did not end within 30s")
		}
		if err != nil {
			t.Fatalf("chat: %v\n%s", err, out)
		}
		return string(out)
	}
	if out := chat("--as-id", "22222222-2222-2222-2222-222222222222"); !strings.Contains(out, "may not run") {
		t.Errorf("someone else: got %q; want the denial", out)
	}
	if out := chat("--as-id", boss); !strings.Contains(out, "hello there") || strings.Contains(out, "may not run") {
		t.Errorf("the allowed user: got %q; want the echo", out)
	}
}
