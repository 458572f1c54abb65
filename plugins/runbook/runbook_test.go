package runbook_test

import (
	"context"
	"flag"
	"strings"
	"testing"

	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/plugins"
	_ "github.com/outhook/outhook/plugins/runbook"
	"github.com/outhook/outhook/router"
)

// -update is read by bottest.Golden through the flag package.
var _ = flag.Bool("update", false, "rewrite the golden files in testdata")

var settings = map[string]any{
	"entries": []any{
		map[string]any{
			"keys":  []any{"oncall", "rota"},
			"title": "On-call rota",
			"facts": []any{map[string]any{"name": "This week", "value": "Ada"}, map[string]any{"name": "Next week", "value": "Grace"}},
			"links": []any{map[string]any{"title": "PagerDuty", "url": "https://example.pagerduty.com/schedules"}},
		},
		map[string]any{"keys": []any{"vpn"}, "title": "VPN", "text": "Install the client from the IT portal, then sign in."},
		map[string]any{"keys": []any{"password"}, "title": "Reset a password", "text": "Use the self-service portal; the VPN needs the new one after an hour."},
		map[string]any{"keys": []any{"deploy"}, "text": "Deployments run from CI: see the deployment checklist."},
	},
}

func load(t *testing.T, s map[string]any) (*router.Router, error) {
	t.Helper()
	set, err := plugins.Load(context.Background(), plugins.Options{
		IDs: []string{"runbook"}, Settings: map[string]map[string]any{"runbook": s},
	})
	if err != nil {
		return nil, err
	}
	r := router.New()
	set.Install(r)
	return r, nil
}

func TestRunbook(t *testing.T) {
	r, err := load(t, settings)
	if err != nil {
		t.Fatal(err)
	}
	usage := func(line, cmd string) string {
		return "\n\nUsage: `" + line + "`\n\nSend `help " + cmd + "` for details."
	}
	tests := []struct {
		text    string
		command string
		want    []string // in the rendered reply
	}{
		{"runbook", "runbook", []string{"Ask me about:", "- `oncall`: On-call rota", "- `vpn`: VPN", "- `deploy`\n", "or `runbook search <words>` for every match."}},
		{"runbook oncall", "runbook", []string{"[Adaptive Card]", "On-call rota", "This week: Ada", "→ PagerDuty <https://example.pagerduty.com/schedules>"}},
		{"RB Rota", "runbook", []string{"This week: Ada"}},
		{"faq vpn", "runbook", []string{"**VPN**\n\nInstall the client"}},
		{"runbook deploy", "runbook", []string{"Deployments run from CI"}},
		{"runbook how do I reset my password", "runbook", []string{"**Reset a password**"}},
		{"runbook how do I reset my password?", "runbook", []string{"**Reset a password**"}},
		{"runbook deployment", "runbook", []string{"Deployments run from CI"}},
		{"runbook kubernetes", "runbook", []string{"Nothing in the runbook matches `kubernetes`. Send `runbook` for the list."}},
		{"runbook search vpn", "runbook search", []string{"Several entries match `vpn`:", "- `runbook vpn`: VPN", "- `runbook password`: Reset a password"}},
		{"RB Search VPN, please", "runbook search", []string{"Several entries match `VPN, please`:"}},
		{"runbook search oncall", "runbook search", []string{"This week: Ada"}},
		{"runbook -- --deploy", "runbook", []string{"Deployments run from CI"}},
		{"runbook search", "runbook search", []string{"Missing argument `<words>`." + usage("runbook search <words> …", "runbook search")}},
		{"runbook vpn --now", "runbook", []string{"Unknown flag `--now`: this command takes no flags." + usage("runbook [<topic> …]", "runbook")}},
		{"runbook --help", "runbook", []string{"Usage: `runbook [<topic> …]`", "Also: `rb`, `faq`", "A keyword, or a few words to search for.", "- `runbook search`: List every entry", "- `runbook oncall`"}},
		{"runbook search -h", "runbook search", []string{"Usage: `runbook search <words> …`", "Words to look for in titles"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, err := bottest.Run(context.Background(), r, bottest.Message{Text: tt.text})
			text := got.String()
			if err != nil {
				// Usage errors are returned; the user reads their message.
				if text = bottest.UserText(got, err); text == "" {
					t.Fatal(err)
				}
			}
			if got.Command != tt.command {
				t.Errorf("got command %q; want %q", got.Command, tt.command)
			}
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("got\n%s\nwant it to contain %q", text, w)
				}
			}
		})
	}
	got, err := bottest.Run(context.Background(), r, bottest.Message{Text: "runbook oncall"})
	if err != nil {
		t.Fatal(err)
	}
	bottest.GoldenReply(t, "testdata/oncall.golden.json", got.Reply)
}

func TestRunbookSettings(t *testing.T) {
	entry := func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name    string
		entries []any
		want    string
	}{
		{"no entries", nil, "entries: list at least one entry"},
		{"no keys", []any{entry("text", "x")}, "entries[0].keys: give the entry at least one keyword"},
		{"two words", []any{entry("keys", []any{"on call"}, "text", "x")}, `entries[0].keys: "on call" is not one word`},
		{"duplicate", []any{entry("keys", []any{"a"}, "text", "x"), entry("keys", []any{"A"}, "text", "y")}, `entries[1].keys: "A" is already a keyword of entries[0]`},
		{"reserved keyword", []any{entry("keys", []any{"Search"}, "text", "x")}, `entries[0].keys: "Search" is the search subcommand; choose another keyword`},
		{"empty answer", []any{entry("keys", []any{"a"})}, "entries[0]: give the entry a text, facts or links"},
		{"card without title", []any{entry("keys", []any{"a"}, "links", []any{entry("title", "x", "url", "https://x.example")})}, "entries[0]: title: an entry with facts or links needs a title"},
		{"link Teams would reject", []any{entry("keys", []any{"a"}, "title", "t", "links", []any{entry("title", "x", "url", "javascript:alert(1)")})}, "entries[0]: "},
		{"typo", []any{entry("key", []any{"a"})}, `unknown setting "entries[0].key"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := map[string]any{"entries": tt.entries}
			if tt.entries == nil {
				s = map[string]any{"command": "rb2"}
			}
			_, err := load(t, s)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v; want an error containing %q", err, tt.want)
			}
		})
	}
}
