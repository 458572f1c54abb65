package cmd

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/outhook/outhook"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/config"
	"github.com/outhook/outhook/plugins"
)

// Two webhooks enable the runbook plugin with different settings: each
// team gets its own answers, and a webhook that does not enable it has
// none.
func TestServePluginSettingsPerWebhook(t *testing.T) {
	tokenA, tokenB := bot.NewToken(), bot.NewToken()
	t.Setenv("TEST_PLUGIN_TOKEN_A", tokenA)
	t.Setenv("TEST_PLUGIN_TOKEN_B", tokenB)
	file := writeFile(t, "outhook.yaml", `
webhooks:
  - name: ops
    path: /teams/ops
    secret_env: TEST_PLUGIN_TOKEN_A
    plugins: [help, runbook]
    plugin_config:
      runbook:
        entries:
          - {keys: [oncall], title: On-call, facts: [{name: This week, value: Ada}]}
  - name: dev
    path: /teams/dev
    secret_env: TEST_PLUGIN_TOKEN_B
    plugins: [help, runbook]
    plugin_config:
      runbook:
        command: faq
        aliases: []
        entries:
          - {keys: [oncall], text: "Dev has no on-call: ask in #dev."}
`)
	addr, _ := startServe(t, "--config", file)
	client := &http.Client{Timeout: 5 * time.Second}
	tests := []struct{ path, token, text, want string }{
		{"/teams/ops", tokenA, "runbook oncall", "This week"},
		{"/teams/dev", tokenB, "faq oncall", "Dev has no on-call"},
		{"/teams/dev", tokenB, "runbook oncall", "I don't know the command"},
	}
	for _, tt := range tests {
		r, err := bottest.Post(client, "http://"+addr+tt.path, tt.token, bottest.Message{Text: tt.text}.JSON())
		if err != nil {
			t.Fatal(err)
		}
		body, _ := r.MarshalJSON()
		if !strings.Contains(string(body), tt.want) {
			t.Errorf("%s %q: got %s; want %q", tt.path, tt.text, body, tt.want)
		}
	}
}

func TestConfigCheckPluginSettings(t *testing.T) {
	file := writeFile(t, "c.yaml", `
webhooks:
  - name: ops
    path: /ops
    secret_env: X
    plugins: [status, trigger]
    plugin_config:
      status:
        endpoints: [{name: web, url: "https://example.com/health", methd: GET}]
      trigger:
        triggers: [{name: deploy, request: {url: "https://ci.example.com/{{.nope}}"}}]
  - name: dev
    path: /dev
    secret_env: X
    plugins: [ping]
    plugin_config:
      pong: {}
`)
	t.Setenv("X", bot.NewToken())
	code, out, _ := run(t, "", "config", "check", file)
	for _, want := range []string{
		`webhook "ops": plugin "status": unknown setting "endpoints[0].methd"`,
		`webhook "dev": settings for plugins that are not enabled: pong (enabled: ping)`,
	} {
		if code != 1 || !strings.Contains(out, want) {
			t.Errorf("got exit %d and\n%s\nwant 1 and %q", code, out, want)
		}
	}
}

// The configuration examples in docs/workflow-plugins.md load as written.
func TestWorkflowPluginDocs(t *testing.T) {
	doc, err := os.ReadFile("../docs/workflow-plugins.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllSubmatch(doc, -1)
	if len(blocks) != 3 {
		t.Fatalf("got %d yaml blocks; want 3", len(blocks))
	}
	env := func(string) (string, bool) { return "Bearer x", true }
	for i, b := range blocks {
		file := writeFile(t, fmt.Sprintf("doc%d.yaml", i), "webhooks:\n  - name: x\n    path: /x\n    secret_env: X\n"+string(b[1]))
		f, err := config.Load(file)
		if err == nil {
			err = f.Validate(outhook.Catalog())
		}
		if err != nil {
			t.Fatalf("block %d: %v", i, err)
		}
		w := f.Config.Webhooks[0]
		set, err := plugins.Load(context.Background(), plugins.Options{IDs: w.Plugins, Settings: w.PluginConfig, LookupEnv: env})
		if err != nil {
			t.Fatalf("block %d: %v", i, err)
		}
		set.Cleanup()
	}
}
