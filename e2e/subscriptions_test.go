package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/outhook/outhook/bot/bottest"
)

// subscriptionsConfig: webhook "ops" with the subscriptions plugin, an
// HTTP feed on a fake weather service, a follow-up URL and the
// configuration page at pageURL.
func subscriptionsConfig(weather, pageURL string) string {
	return `
store:
  kind: file
webhooks:
  - name: ops
    path: /teams/ops
    secret_env: E2E_OPS_TOKEN
    followup:
      url_env: E2E_OPS_FOLLOWUP_URL
    plugins: [help, subscriptions]
    plugin_config:
      subscriptions:
        page_url: ` + pageURL + `
        page_secret_env: E2E_PAGE_KEY
        feeds:
          - name: weather
            summary: tomorrow's forecast
            url: "` + weather + `/forecast?city={{.city}}"
            template: "It is {{.Data.tomorrow.sky}} in {{.Data.city}}."
            timeout: 2s
            options: [{name: city, required: true}]
`
}

// TestSubscriptionsSurviveARestart runs the binary twice on one data
// directory: a subscription made through signed HTTP is listed by chat,
// by "outhook subscriptions list" while the server is down, and by chat
// again after the restart. The configuration link of "configure" opens
// the page once.
//
// A scheduled post needs the wall clock to reach the schedule (at least
// 5 minutes apart) and the binary has no clock hook: posting is proven
// at package level (plugins/subscriptions: TestSubscribeAndPost,
// TestMetricsOfAServedApp) on a fake clock.
func TestSubscriptionsSurviveARestart(t *testing.T) {
	weather := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"city": r.URL.Query().Get("city"), "tomorrow": map[string]any{"sky": "sunny"}})
	}))
	t.Cleanup(weather.Close)
	incoming := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) }))
	t.Cleanup(incoming.Close)

	addr := freePort(t)
	cfg := writeFile(t, "outhook.yaml", subscriptionsConfig(weather.URL, "http://"+addr+"/teams/ops/subscriptions"))
	dataDir := t.TempDir()
	const followUpSecret = "sig-3c9e1f" // the follow-up URL's path is its secret
	tok := token()
	env := []string{
		"E2E_OPS_TOKEN=" + tok,
		"E2E_OPS_FOLLOWUP_URL=" + incoming.URL + "/workflows/" + followUpSecret,
		"E2E_PAGE_KEY=" + strings.Repeat("k", 40),
		"OUTHOOK_DATA_DIR=" + dataDir,
	}
	const path = "/teams/ops"

	p := startAt(t, addr, env, "--config", cfg)
	reply := p.say(path, tok, bottest.Message{Text: "subscribe weather --opt city=Oslo --every 5m"})
	m := regexp.MustCompile("as `([a-z0-9]{8})`").FindStringSubmatch(reply)
	if m == nil || !strings.Contains(reply, "every 5m") {
		t.Fatalf("subscribe: got %q; want an id and the schedule", reply)
	}
	id := m[1]
	if got := p.say(path, tok, bottest.Message{Text: "subscriptions"}); !strings.Contains(got, id) || !strings.Contains(got, "city=Oslo") {
		t.Fatalf("subscriptions: got %q; want %s with its options", got, id)
	}

	// configure: a link to the page, served by the binary, that works once.
	reply = p.say(path, tok, bottest.Message{Text: "configure"})
	lm := regexp.MustCompile(`\]\((http://[^)\s]+/subscriptions/open\?t=[^)\s]+)\)`).FindStringSubmatch(reply)
	if lm == nil {
		t.Fatalf("configure: got %q; want a link to the page", reply)
	}
	jar := &http.Client{Timeout: client.Timeout, Jar: newJar(t)}
	status, body := getWith(t, jar, lm[1])
	if status != http.StatusOK || !strings.Contains(body, "Subscriptions (1)") || !strings.Contains(body, id) || !strings.Contains(body, "<form") {
		t.Fatalf("opening the link: got %d\n%s", status, body)
	}
	status, body = get(t, lm[1])
	if status != http.StatusGone || !strings.Contains(body, "used already") || strings.Contains(body, id) {
		t.Errorf("opening the link again: got %d\n%s; want 410 and no data", status, body)
	}
	if code := p.stop(); code != 0 {
		t.Fatalf("stop: exit code %d\n%s", code, p.logs.String())
	}

	// While the server is down, the CLI reads the same data file.
	code, out, errOut := run(t, nil, "subscriptions", "list", "--data-dir", dataDir, "--webhook", "ops")
	if code != 0 || !strings.Contains(out, id) || !strings.Contains(out, "weather") || !strings.Contains(out, "every 5m") {
		t.Fatalf("subscriptions list: code %d, out %q, stderr %q", code, out, errOut)
	}

	p = startAt(t, addr, env, "--config", cfg)
	if got := p.say(path, tok, bottest.Message{Text: "subscriptions"}); !strings.Contains(got, id) || !strings.Contains(got, "city=Oslo") {
		t.Errorf("subscriptions after the restart: got %q; want %s still there", got, id)
	}
	// The scheduler's metrics are the binary's, labelled with the webhook.
	if status, body := get(t, p.url("/metrics")); status != http.StatusOK || !strings.Contains(body, `outhook_subscription_deliveries_total{webhook="ops"} 0`) {
		t.Errorf("/metrics: got %d; want outhook_subscription_deliveries_total for ops", status)
	}
	for name, secret := range map[string]string{"token": tok, "follow-up URL": followUpSecret, "page key": strings.Repeat("k", 40)} {
		if strings.Contains(p.logs.String(), secret) {
			t.Errorf("the logs hold the %s", name)
		}
	}
}

// newJar returns a cookie jar, as a browser keeps the page's session.
func newJar(t *testing.T) http.CookieJar {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return jar
}

// getWith returns the status and body of a GET through c.
func getWith(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// startAt is start listening on addr, for a configuration that names its
// own address (the page's URL).
func startAt(t *testing.T, addr string, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, addr: addr, logs: &bottest.LogBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(binary, append([]string{"serve", "--listen", addr}, args...)...)
	p.cmd.Dir = t.TempDir()
	p.cmd.Env = append(baseEnv(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.stop() })
	p.waitHealthy()
	return p
}
