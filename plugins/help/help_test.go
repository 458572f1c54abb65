package help_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
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

// TestHelpGolden checks each answer's terminal rendering (with its text
// fallback) against testdata/<name>.golden, and the card as Teams receives
// it against testdata/<name>.golden.json.
func TestHelpGolden(t *testing.T) {
	r := newRouter()
	tests := []struct {
		name, text string
		card       bool
	}{
		{"list", "help", true},
		{"list-text", "help --text", false},
		{"command", "help deploy run", true},
		{"command-text", "help DEPLOY start -t", false},
		{"group", "help deploy", true},
		{"unknown", "help deplyo", false},
		{"flag-help", "deploy run --help", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := ask(t, r, tt.text)
			if got := len(rep.Attachments) == 1; got != tt.card {
				t.Fatalf("card = %v; want %v: %s", got, tt.card, card.Render(rep))
			}
			if tt.card && (rep.Text != "" || rep.Summary == "") {
				t.Errorf("got text %q, summary %q; want a card with a summary only", rep.Text, rep.Summary)
			}
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
			if tt.card {
				bottest.GoldenReply(t, filepath.Join("testdata", tt.name+".golden.json"), rep)
			}
		})
	}
}

// TestHelpForms checks that the ways of asking for the same help agree.
func TestHelpForms(t *testing.T) {
	r := newRouter()
	tests := []struct{ a, b string }{
		{"help", "help --card"},
		{"help", "?"},
		{"help deploy run", "help deploy run -c"},
		{"help deploy run", "help Deploy START"},
		{"help --text", "help -t"},
		{"help deploy run --text", "help deploy run -t"},
	}
	for _, tt := range tests {
		t.Run(tt.a+" = "+tt.b, func(t *testing.T) {
			a, b := ask(t, r, tt.a), ask(t, r, tt.b)
			if card.Render(a) != card.Render(b) || a.Summary != b.Summary {
				t.Errorf("got\n%s\nwant\n%s", card.Render(b), card.Render(a))
			}
		})
	}
	// The text form says what the card says.
	text := ask(t, r, "help deploy run --text").Text
	if want := router.HelpText(r.Lookup("deploy run")); text != want {
		t.Errorf("got %q; want %q", text, want)
	}
}

// TestHelpCardContent reads the cards as a test of a plugin would, with
// the test kit.
func TestHelpCardContent(t *testing.T) {
	r := newRouter()
	list := adaptive(t, ask(t, r, "help"))
	facts := list.Facts()
	for name, want := range map[string]string{
		"deploy": "Deploy services",
		"help":   "List commands, or explain one: help <command> (also ?)",
	} {
		if facts[name] != want {
			t.Errorf("fact %q = %q; want %q", name, facts[name], want)
		}
	}
	if _, ok := facts["debug"]; ok {
		t.Errorf("got the hidden command debug in %v; want it left out", facts)
	}
	if !slices.Contains(list.Texts(), "help — List commands and explain them") {
		t.Errorf("got texts %q; want the help plugin's section title", list.Texts())
	}

	run := adaptive(t, ask(t, r, "help deploy run"))
	facts = run.Facts()
	for name, want := range map[string]string{
		"<service>":          "one of web, api; required. Service to deploy.",
		"<env>":              "text; default staging. Environment.",
		"--reason=TEXT, -r":  "text; required. Why, for the audit log.",
		"--force, -f":        "Skip the health check.",
		"--timeout=DURATION": "duration; default 5m. Give up after this long.",
	} {
		if facts[name] != want {
			t.Errorf("fact %q = %q; want %q", name, facts[name], want)
		}
	}
	texts := strings.Join(run.Texts(), "\n")
	for _, want := range []string{"deploy run", "Deploy a service", "Usage", "Arguments", "Flags", "Examples", "Also: start"} {
		if !strings.Contains(texts, want) {
			t.Errorf("got texts %q; want %q", texts, want)
		}
	}
	if run.Version != card.DefaultVersion {
		t.Errorf("got version %q; want %q", run.Version, card.DefaultVersion)
	}

	group := adaptive(t, ask(t, r, "help deploy")).Facts()
	if group["deploy status"] != "Show what runs where" || group["deploy run"] == "" {
		t.Errorf("got %v; want the subcommands", group)
	}
	if _, ok := group["deploy secret"]; ok {
		t.Errorf("got the hidden subcommand in %v", group)
	}
}

// TestHelpTooBigForACard checks that help answers in text when the card
// would not fit in a Teams message, and that the text is cut to fit.
func TestHelpTooBigForACard(t *testing.T) {
	r := newRouter()
	summary := strings.Repeat("A long summary of what this command does. ", 4)
	for i := range 300 {
		r.Add(&router.Command{Name: fmt.Sprintf("cmd%03d", i), Summary: summary, Handler: func(c *router.Context) error { return nil }})
	}
	rep := ask(t, r, "help")
	if len(rep.Attachments) != 0 || !strings.HasPrefix(rep.Text, "Commands:") {
		t.Fatalf("got %d attachments, text %.80q; want the text list", len(rep.Attachments), rep.Text)
	}
	fitted := bot.Fit(rep, bot.MaxReplySize)
	if !strings.Contains(fitted.Text, "**cmd000**") || !strings.Contains(fitted.Text, "Cut here") {
		t.Errorf("got %.200q…; want the list, cut with a note", fitted.Text)
	}
	// One command still gets its card.
	if rep := ask(t, r, "help cmd299"); len(rep.Attachments) != 1 {
		t.Errorf("got %d attachments; want the card", len(rep.Attachments))
	}
}

// TestHelpSummary checks the list's text fallback, which notifications
// show.
func TestHelpSummary(t *testing.T) {
	r := router.New()
	plugins.Add(r, "help", help.New())
	for i := range 100 {
		r.Add(&router.Command{Name: fmt.Sprintf("command%02d", i), Handler: func(c *router.Context) error { return nil }})
	}
	got := ask(t, r, "help").Summary
	if n := utf8.RuneCountInString(got); n > 350 {
		t.Errorf("summary has %d runes; want at most 350: %q", n, got)
	}
	if !strings.HasPrefix(got, "Commands: help, command00, command01,") || !strings.Contains(got, " more. Send help <command> for details.") {
		t.Errorf("got %q; want the first names and how many more", got)
	}
}

func adaptive(t *testing.T, r bot.Reply) bottest.AdaptiveCard {
	t.Helper()
	c, err := bottest.Reply{Reply: r}.Adaptive()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestHelpHidesWhatIsNotAllowed(t *testing.T) {
	r := newRouter()
	r.Use(func(next router.HandlerFunc) router.HandlerFunc {
		return func(c *router.Context) error {
			c.SetAllowed(func(cmd *router.Command) bool { return cmd.Name != "deploy" })
			return next(c)
		}
	})
	rep := ask(t, r, "help")
	c := adaptive(t, rep)
	if _, ok := c.Facts()["help"]; !ok {
		t.Errorf("got facts %v; want help listed", c.Facts())
	}
	if got := card.Render(rep) + rep.Summary; strings.Contains(got, "deploy") {
		t.Errorf("got %q; want no deploy in the card or its summary", got)
	}
	if got := ask(t, r, "help --text").Text; strings.Contains(got, "deploy") || !strings.Contains(got, "**help**") {
		t.Errorf("got %q; want help and no deploy", got)
	}
	// Issue 10 #9: a closed command is answered as unknown, and never
	// suggested.
	if got := ask(t, r, "help deploy").Text; got != "There is no command `deploy`. Send `help` for the list." {
		t.Errorf("got %q; want the answer for an unknown command", got)
	}
	if got := ask(t, r, "help deplyo").Text; strings.Contains(got, "deploy") {
		t.Errorf("got %q; want no suggestion of deploy", got)
	}
	if got := ask(t, r, "deplyo").Text; strings.Contains(got, "`deploy`") {
		t.Errorf("got %q; want no suggestion of deploy", got)
	}
}
