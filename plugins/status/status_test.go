package status_test

import (
	"context"
	"flag"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/plugins"
	"github.com/outhook/outhook/plugins/status"
	"github.com/outhook/outhook/router"
)

// -update is read by bottest.Golden through the flag package.
var _ = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// endpoints starts three endpoints on 127.0.0.1: one up, one failing, one
// that hangs until the client gives up.
func endpoints(t *testing.T) (ok, fail, hang string) {
	t.Helper()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) }))
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) }))
	stuck := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(func() { up.Close(); down.Close(); stuck.Close() })
	return up.URL, down.URL, stuck.URL
}

// serve loads the status plugin with settings, as outhook serve does, and
// serves it behind a real bot with the given budget.
func serve(t *testing.T, budget time.Duration, settings map[string]any) *bottest.Server {
	t.Helper()
	set, err := plugins.Load(context.Background(), plugins.Options{
		IDs:      []string{"status"},
		Settings: map[string]map[string]any{"status": settings},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = set.Cleanup() })
	r := router.New()
	set.Install(r)
	s := bottest.NewServer(bot.Config{Handler: r, Budget: budget})
	t.Cleanup(s.Close)
	return s
}

func TestStatus(t *testing.T) {
	ok, fail, hang := endpoints(t)
	s := serve(t, 400*time.Millisecond, map[string]any{
		"timeout": "2s",
		"endpoints": []any{
			map[string]any{"name": "web", "url": ok},
			map[string]any{"name": "api", "url": fail},
			map[string]any{"name": "queue", "url": hang},
			map[string]any{"name": "teapot", "url": fail + "/tea", "expect": []any{500}},
		},
	})
	tests := []struct {
		text    string
		heading string
		rows    map[string][]string // endpoint → state, code
	}{
		{"status", "2 of 4 down", map[string][]string{
			"web": {"🟢 up", "200"}, "api": {"🔴 down", "500"}, "queue": {"🔴 down", "timed out"}, "teapot": {"🟢 up", "500"},
		}},
		{"status web", "All 1 up", map[string][]string{"web": {"🟢 up", "200"}}},
		{"STATUS Api web", "1 of 2 down", map[string][]string{"api": {"🔴 down", "500"}, "web": {"🟢 up", "200"}}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			start := time.Now()
			r, err := s.Say(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if took := time.Since(start); took > 400*time.Millisecond {
				t.Errorf("got the answer after %v; want it within the 400ms budget", took)
			}
			if r.Command != "status" {
				t.Errorf("got command %q; want status", r.Command)
			}
			c, err := r.Adaptive()
			if err != nil {
				t.Fatal(err)
			}
			texts := c.Texts()
			if len(texts) == 0 || texts[0] != tt.heading {
				t.Fatalf("got texts %q; want heading %q", texts, tt.heading)
			}
			// Table cells come row by row: name, state, code, latency.
			cells := texts[5:]
			if len(cells) != 4*len(tt.rows) {
				t.Fatalf("got cells %q; want %d rows", cells, len(tt.rows))
			}
			for i := 0; i < len(cells); i += 4 {
				want, ok := tt.rows[cells[i]]
				if !ok || cells[i+1] != want[0] || cells[i+2] != want[1] {
					t.Errorf("got row %q; want %s %q", cells[i:i+4], cells[i], want)
				}
			}
		})
	}
}

func TestStatusCommandLine(t *testing.T) {
	ok, _, _ := endpoints(t)
	s := serve(t, time.Second, map[string]any{"endpoints": []any{
		map[string]any{"name": "web", "url": ok},
		map[string]any{"name": "api", "url": ok},
	}})
	usage := "\n\nUsage: `status [<endpoint> …]`\n\nSend `help status` for details."
	tests := []struct {
		text string
		want string // the rendered reply, or its heading for a card
	}{
		{"status web,API", "All 2 up"},
		{"status web web Web", "All 1 up"},
		{"status db", "I don't check an endpoint called `db`; I check web, api." + usage},
		{"status web --all", "Unknown flag `--all`: this command takes no flags." + usage},
		{"status --help", "**status**: Check that the team's endpoints are up\n\n" +
			"Usage: `status [<endpoint> …]`\n\n" +
			"Checks web, api in parallel and answers with a card: up or down, status code, latency.\n\n" +
			"Arguments:\n\n" +
			"- `<endpoint>` (list of text): Endpoints to check, by name (any case; several with spaces or commas). Without: all.\n\n" +
			"Examples:\n\n- `status`\n- `status web`"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			r, err := s.Say(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			got := r.Text
			if c, err := r.Adaptive(); err == nil {
				got = c.Texts()[0]
			}
			if got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestStatusSettings(t *testing.T) {
	tests := []struct {
		name     string
		settings map[string]any
		want     string
	}{
		{"no endpoints", map[string]any{"timeout": "1s"}, "endpoints: list at least one"},
		{"relative URL", map[string]any{"endpoints": []any{map[string]any{"name": "a", "url": "/health"}}}, `endpoints[0].url: "/health" is not an absolute http(s) URL`},
		{"comma in name", map[string]any{"endpoints": []any{map[string]any{"name": "a,b", "url": "http://127.0.0.1/"}}}, "endpoints[0].name: give each endpoint a one-word name, without commas"},
		{"duplicate name", map[string]any{"endpoints": []any{
			map[string]any{"name": "a", "url": "http://127.0.0.1/"}, map[string]any{"name": "A", "url": "http://127.0.0.1/"},
		}}, `endpoints[1].name: "A" is used twice`},
		{"bad method", map[string]any{"endpoints": []any{map[string]any{"name": "a", "url": "http://127.0.0.1/", "method": "post"}}}, `"POST" is not GET or HEAD`},
		{"bad code", map[string]any{"endpoints": []any{map[string]any{"name": "a", "url": "http://127.0.0.1/", "expect": []any{42}}}}, "42 is not an HTTP status code"},
		{"typo", map[string]any{"endpoint": []any{}}, `unknown setting "endpoint"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := plugins.Load(context.Background(), plugins.Options{
				IDs: []string{"status"}, Settings: map[string]map[string]any{"status": tt.settings},
			})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), `plugin "status": `) {
				t.Errorf("got %v; want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestCardGolden(t *testing.T) {
	r, err := status.Card([]status.Result{
		{Endpoint: status.Endpoint{Name: "web"}, Up: true, Code: 200, Latency: 12 * time.Millisecond},
		{Endpoint: status.Endpoint{Name: "api"}, Code: 503, Latency: 1500 * time.Millisecond},
		{Endpoint: status.Endpoint{Name: "queue"}, Problem: "timed out", Latency: 2 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	bottest.GoldenReply(t, "testdata/card.golden.json", r)
	if r.Summary != "Status: 2 of 3 down" {
		t.Errorf("got summary %q; want %q", r.Summary, "Status: 2 of 3 down")
	}
}
