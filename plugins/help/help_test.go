package help_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/card"
	"github.com/outhook/outhook/plugins"
	"github.com/outhook/outhook/plugins/help"
	"github.com/outhook/outhook/router"
)

var update = flag.Bool("update", false, "rewrite golden files")

type runArgs struct {
	Service string        `arg:"" enum:"web,api" help:"Service to deploy."`
	Env     string        `arg:"" optional:"" default:"staging" help:"Environment."`
	Reason  string        `short:"r" required:"" help:"Why, for the audit log."`
	Force   bool          `short:"f" help:"Skip the health check."`
	Timeout time.Duration `default:"5m" help:"Give up after this long."`
}

type deployPlugin struct{}

func (deployPlugin) Commands() []*router.Command {
	ok := func(c *router.Context) error { return c.Text("ok") }
	return []*router.Command{{
		Name: "deploy", Summary: "Deploy services", Subcommands: []*router.Command{
			{Name: "status", Summary: "Show what runs where", Handler: ok},
			{Name: "run", Aliases: []string{"start"}, Summary: "Deploy a service", Args: runArgs{},
				Examples: []string{`deploy run web prod --reason "fix #12"`}, Handler: ok},
			{Name: "secret", Hidden: true, Handler: ok},
		},
	}}
}

func newRouter() *router.Router {
	r := router.New()
	plugins.Add(r, "help", help.New())
	plugins.Add(r, "deploy", deployPlugin{})
	r.Add(&router.Command{Name: "debug", Hidden: true, Handler: func(c *router.Context) error { return c.Text("x") }})
	return r
}

func ask(t *testing.T, r *router.Router, text string) bot.Reply {
	t.Helper()
	c := bot.NewContext(context.Background(), &bot.Activity{Type: "message", Text: text})
	if err := r.Handle(c); err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	rep, ok := c.Replied()
	if !ok {
		t.Fatalf("%s: no reply", text)
	}
	return rep
}

func TestHelpGolden(t *testing.T) {
	r := newRouter()
	tests := []struct{ name, text string }{
		{"list-card", "help --card"},
		{"list-text", "help"},
		{"command-card", "help deploy run -c"},
		{"command-text", "help DEPLOY start"},
		{"group-card", "help deploy --card"},
		{"unknown", "help deplyo"},
		{"flag-help", "deploy run --help"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := ask(t, r, tt.text)
			got := "summary: " + rep.Summary + "\n" + card.Render(rep)
			golden := filepath.Join("testdata", tt.name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if got != string(want) {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestHelpHidesWhatIsNotAllowed(t *testing.T) {
	r := newRouter()
	r.Use(func(next router.HandlerFunc) router.HandlerFunc {
		return func(c *router.Context) error {
			c.SetAllowed(func(cmd *router.Command) bool { return cmd.Name != "deploy" })
			return next(c)
		}
	})
	if got := card.Render(ask(t, r, "help --card")); strings.Contains(got, "deploy") {
		t.Errorf("got %q; want no deploy", got)
	}
	if got := ask(t, r, "help deploy").Text; !strings.Contains(got, "may not run") {
		t.Errorf("got %q; want a refusal", got)
	}
}
