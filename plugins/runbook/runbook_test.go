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

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

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
	tests := []struct {
		text string
		want []string // in the rendered reply
	}{
		{"runbook", []string{"Ask me about:", "- `oncall`: On-call rota", "- `vpn`: VPN", "- `deploy`\n"}},
		{"runbook oncall", []string{"[Adaptive Card]", "On-call rota", "This week: Ada", "→ PagerDuty <https://example.pagerduty.com/schedules>"}},
		{"RB Rota", []string{"This week: Ada"}},
		{"faq vpn", []string{"**VPN**\n\nInstall the client"}},
		{"runbook deploy", []string{"Deployments run from CI"}},
		{"runbook how do I reset my password", []string{"**Reset a password**"}},
		{"runbook deployment", []string{"Deployments run from CI"}},
		{"runbook search vpn", []string{"Several entries match `vpn`:", "- `runbook vpn`: VPN", "- `runbook password`: Reset a password"}},
		{"runbook kubernetes", []string{"Nothing in the runbook matches `kubernetes`. Send `runbook` for the list."}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, err := bottest.Run(context.Background(), r, bottest.Message{Text: tt.text})
			if err != nil {
				t.Fatal(err)
			}
			if got.Command != "runbook" {
				t.Errorf("got command %q; want runbook", got.Command)
			}
			for _, w := range tt.want {
				if !strings.Contains(got.String(), w) {
					t.Errorf("got\n%s\nwant it to contain %q", got, w)
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
