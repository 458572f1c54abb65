package router_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/router"
)

var update = flag.Bool("update", false, "rewrite golden files")

const botID = "28:9c1e7a2b-5d4f-4a3e-8b6c-0d1e2f3a4b5c"

// RunArgs are the typed arguments of "deploy run".
type RunArgs struct {
	Service  string          `arg:"" enum:"web,api" help:"Service to deploy."`
	Env      string          `arg:"" optional:"" default:"staging" help:"Environment."`
	Reason   string          `short:"r" required:"" help:"Why, for the audit log."`
	Force    bool            `short:"f" help:"Skip the health check."`
	Timeout  time.Duration   `default:"5m" help:"Give up after this long."`
	Replicas int             `default:"1" help:"How many instances."`
	Tags     []string        `help:"Labels for the release."`
	Notify   []router.Person `help:"People to tell."`
	Secret   string          `hidden:"" secret:""`
}

// AssignArgs take a person from a mention.
type AssignArgs struct {
	Who  router.Person `arg:"" help:"Who does it."`
	Task []string      `arg:"" help:"What to do."`
}

// CalcArgs take a number.
type CalcArgs struct {
	N int `arg:"" help:"A number."`
}

func reply(s string) router.HandlerFunc {
	return func(c *router.Context) error { return c.Text(s) }
}

func newRouter() *router.Router {
	r := router.New()
	r.Add(
		&router.Command{Name: "ping", Summary: "Answer pong", Handler: reply("pong")},
		&router.Command{Name: "echo", Aliases: []string{"say"}, Usage: "<text…>", Summary: "Repeat",
			Handler: func(c *router.Context) error {
				if len(c.Args) == 0 {
					return c.Text("(nothing)")
				}
				return c.Text(strings.Join(c.Args, "|"))
			}},
		&router.Command{Name: "deploy", Summary: "Deploy services", Subcommands: []*router.Command{
			{Name: "status", Summary: "Show what runs where", Handler: reply("all green")},
			{Name: "run", Aliases: []string{"start"}, Summary: "Deploy a service", Args: RunArgs{},
				Examples: []string{`deploy run web prod --reason "fix #12"`},
				Handler: func(c *router.Context) error {
					a := c.Parsed.(*RunArgs)
					return c.Textf("%s to %s because %q force=%v timeout=%s replicas=%d tags=%q notify=%v",
						a.Service, a.Env, a.Reason, a.Force, a.Timeout, a.Replicas, a.Tags, a.Notify)
				}},
		}},
		&router.Command{Name: "note", Raw: true, Summary: "Keep a note",
			Handler: func(c *router.Context) error { return c.Text("[" + c.Raw + "]") }},
		&router.Command{Name: "assign", Args: &AssignArgs{},
			Handler: func(c *router.Context) error {
				a := c.Parsed.(*AssignArgs)
				return c.Textf("%s (%s) gets %q", a.Who.Name, a.Who.ID, a.Task)
			}},
		&router.Command{Name: "calc", Args: CalcArgs{},
			Handler: func(c *router.Context) error { return c.Textf("%d", c.Parsed.(*CalcArgs).N) }},
		&router.Command{Name: "debug", Hidden: true, Handler: reply("debugging")},
	)
	return r
}

// activity returns what Teams sends when someone writes "@Ops Bot text"
// on the desktop client, mentions written as <at>Name</at>.
func activity(text string, mentions ...bot.Entity) *bot.Activity {
	ents := append([]bot.Entity{{Type: "mention", Text: "<at>Ops Bot</at>", Mentioned: &bot.Account{ID: botID, Name: "Ops Bot"}}}, mentions...)
	return &bot.Activity{Type: "message", ID: "1", Text: "<at>Ops Bot</at>&nbsp;" + text, Entities: ents}
}

// answer runs a through r and returns what the user reads.
func answer(t *testing.T, r *router.Router, a *bot.Activity) string {
	t.Helper()
	c := bot.NewContext(context.Background(), a)
	err := r.Handle(c)
	if err != nil {
		var be *bot.Error
		if !errors.As(err, &be) {
			t.Fatalf("got error %v without a message for the user", err)
		}
		return "ERROR " + be.Message
	}
	rep, ok := c.Replied()
	if !ok {
		t.Fatal("no reply")
	}
	return rep.Text
}

var ana = bot.Entity{Type: "mention", Text: "<at>Ana Lima</at>", Mentioned: &bot.Account{ID: "29:ana", Name: "Ana Lima"}}

func TestRouter(t *testing.T) {
	usageRun := "Usage: `deploy run <service> [<env>] --reason=TEXT [flags]`\n\nSend `help deploy run` for details."
	tests := []struct {
		name, text string
		mentions   []bot.Entity
		want       string
	}{
		{"command", "ping", nil, "pong"},
		{"any case (phones capitalise)", "Ping", nil, "pong"},
		{"alias", "say a b", nil, "a|b"},
		{"empty", "", nil, "Hi! Tell me what to do, for example `help`."},
		{"did you mean", "pnig", nil, "I don't know the command `pnig`. Did you mean `ping`? Send `help` to see what I can do."},
		{"did you mean by prefix", "depl", nil, "I don't know the command `depl`. Did you mean `deploy`? Send `help` to see what I can do."},
		{"unknown, nothing close", "xyzzy", nil, "I don't know the command `xyzzy`. Send `help` to see what I can do."},
		{"hidden runs", "debug", nil, "debugging"},
		{"hidden is not suggested", "debgu", nil, "I don't know the command `debgu`. Send `help` to see what I can do."},
		{"subcommand", "deploy status", nil, "all green"},
		{"subcommand any case", "DEPLOY Status", nil, "all green"},
		{"group alone lists its subcommands", "deploy", nil, "**deploy**: Deploy services\n\nUsage: `deploy <run|status> …`\n\nSubcommands:\n\n- `deploy run`: Deploy a service\n- `deploy status`: Show what runs where"},
		{"unknown subcommand", "deploy stauts", nil, "ERROR `deploy` has no subcommand `stauts`; did you mean `deploy status`?\n\nUsage: `deploy <run|status> …`\n\nSend `help deploy` for details."},
		{"typed, defaults", "deploy run web --reason fix", nil, `web to staging because "fix" force=false timeout=5m0s replicas=1 tags=[] notify=[]`},
		{"typed, everything", `deploy start api prod -fr "fix #12" --timeout=90s --replicas 3 --tags a,b --tags c --notify <at>Ana Lima</at>`, []bot.Entity{ana},
			`api to prod because "fix #12" force=true timeout=1m30s replicas=3 tags=["a" "b" "c"] notify=[Ana Lima]`},
		{"flags any case, enum any case, dash from a phone", "Deploy Run WEB —Reason fix --no-force", nil, `web to staging because "fix" force=false timeout=5m0s replicas=1 tags=[] notify=[]`},
		{"-- ends flags", "deploy run web -r x -- --prod", nil, `web to --prod because "x" force=false timeout=5m0s replicas=1 tags=[] notify=[]`},
		{"missing flag", "deploy run web", nil, "ERROR Missing flag `--reason`.\n\n" + usageRun},
		{"missing argument", "deploy run --reason x", nil, "ERROR Missing argument `<service>`.\n\n" + usageRun},
		{"enum", "deploy run wbe -r x", nil, "ERROR `<service>` must be one of web, api, not `wbe`; did you mean `web`?\n\n" + usageRun},
		{"int", "deploy run web -r x --replicas many", nil, "ERROR `--replicas` must be a whole number, not `many`.\n\n" + usageRun},
		{"duration", "deploy run web -r x --timeout 5", nil, "ERROR `--timeout` must be a duration such as 90s, 5m or 1h30m, not `5`.\n\n" + usageRun},
		{"unknown flag", "deploy run web -r x --froce", nil, "ERROR Unknown flag `--froce`; did you mean `--force`?\n\n" + usageRun},
		{"flag without value", "deploy run web --reason", nil, "ERROR Flag `--reason` needs a value (TEXT).\n\n" + usageRun},
		{"too many", "deploy run web prod extra -r x", nil, "ERROR Unexpected argument `extra`.\n\n" + usageRun},
		{"unbalanced quote", `deploy run web -r "fix it`, nil, "ERROR A \" quote is not closed (it opens before \"fix it\"): close it, or write \\\" for a literal one.\n\n" + usageRun},
		{"--help", "deploy run --help", nil, "**deploy run**: Deploy a service"},
		{"person", `assign <at>Ana Lima</at> write the docs`, []bot.Entity{ana}, `Ana Lima (29:ana) gets ["write" "the" "docs"]`},
		{"person typed, not mentioned", `assign ana docs`, nil, "ERROR `<who>` must be a mention: @mention the person instead of typing `ana`.\n\nUsage: `assign <who> <task> …`\n\nSend `help assign` for details."},
		{"mention as text", `echo hi <at>Ana Lima</at>`, []bot.Entity{ana}, "hi|Ana Lima"},
		{"negative number", "calc -5", nil, "-5"},
		{"no args expected", "ping now", nil, "pong"},
		{"raw keeps lines, quotes and code", "note don't \"forget\nline two\n```\ncode  here\n```", nil, "[don't \"forget\nline two\n```\ncode  here\n```]"},
	}
	r := newRouter()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := answer(t, r, activity(tt.text, tt.mentions...))
			if strings.HasPrefix(tt.name, "--help") {
				if !strings.HasPrefix(got, tt.want) {
					t.Errorf("got %q; want it to start with %q", got, tt.want)
				}
				return
			}
			if got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

func TestRouterFixtures(t *testing.T) {
	tests := []struct{ file, want string }{
		{"channel-ping.json", "pong"},
		{"docs-example.json", "I don't know the command `Hello`. Send `help` to see what I can do."},
		{"thread-deploy.json", "ERROR Unexpected argument `Ana Lima`.\n\nUsage: `deploy run <service> [<env>] --reason=TEXT [flags]`\n\nSend `help deploy run` for details."},
	}
	r := newRouter()
	r.Add(&router.Command{Name: "d", Hidden: true, Handler: reply("")})
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			a := load(t, tt.file)
			if tt.file == "thread-deploy.json" {
				// "deploy web …" is not "deploy run web …": route it.
				a = load(t, tt.file)
				a.Attachments = nil
				a.Text = strings.Replace(a.Text, "deploy web", "deploy run web", 1)
			}
			if got := answer(t, r, a); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

func load(t testing.TB, name string) *bot.Activity {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	a := new(bot.Activity)
	if err := bot.DecodeActivity(data, a); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestContextAccessors(t *testing.T) {
	type DeployArgs struct {
		Service string        `arg:""`
		Env     string        `arg:""`
		Reason  string        `short:"r"`
		CC      router.Person `arg:"" optional:""`
	}
	var got *router.Context
	r := router.New()
	r.Add(&router.Command{Name: "deploy", Args: DeployArgs{}, Handler: func(c *router.Context) error {
		got = c
		return c.Text("ok")
	}})
	a := load(t, "thread-deploy.json")
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := r.Handle(bot.NewContext(ctx, a)); err != nil {
		t.Fatal(err)
	}
	args := got.Parsed.(*DeployArgs)
	checks := []struct{ name, got, want string }{
		{"service", args.Service, "web"},
		{"env", args.Env, "staging eu"},
		{"reason", args.Reason, "fix #4711 & rollback"},
		{"cc", args.CC.Name + " " + args.CC.ID, "Ana Lima 29:1Ana-LimaXq0bDRvq0v7Pi3Uq1J2kXqR8n6aYl2XwKc3e9HfLZm1u8Hx7pQ4vE0bJ5tW9yR2sN6gD3kA1fC"},
		{"sender", got.Sender().Name + " " + got.Sender().AADObjectID, "O'Brien, Siobhán 6b8f1b7e-3c2a-4e5d-9f10-2a3b4c5d6e7f"},
		{"team", got.Team(), "19:b1e3c2f0a9d84c6fa7e5d3c2b1a09f8e@thread.tacv2"},
		{"channel", got.Channel(), "19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2"},
		{"thread", got.Thread(), "1764330000123"},
		{"tenant", got.Tenant(), "72f988bf-86f1-41af-91ab-2d7cd011db47"},
		{"locale", got.Locale(), "pt-PT"},
		{"platform", got.Platform(), "iOS"},
		{"mentions", fmt.Sprint(got.Mentions()), "[Ana Lima]"},
		{"args", strings.Join(got.Args, "|"), "web|staging eu|--reason|fix #4711 & rollback|Ana Lima"},
		{"raw", got.Raw, `web "staging eu" --reason "fix #4711 & rollback" Ana Lima`},
		{"command", got.Context.Command(), "deploy"},
		{"usage", got.Usage(), "deploy <service> <env> [<cc>] [--reason=TEXT]"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q; want %q", c.name, c.got, c.want)
		}
	}
	if _, ok := got.Deadline(); !ok {
		t.Error("got no deadline; want the request's")
	}
}

func TestMiddlewareOrder(t *testing.T) {
	var trace []string
	mw := func(name string) router.MiddlewareFunc {
		return func(next router.HandlerFunc) router.HandlerFunc {
			return func(c *router.Context) error {
				trace = append(trace, name+">")
				err := next(c)
				trace = append(trace, "<"+name)
				return err
			}
		}
	}
	r := router.New()
	r.Use(mw("global"))
	g := r.Group(mw("group"))
	g.Add(&router.Command{Name: "deploy", Middleware: []router.MiddlewareFunc{mw("parent")}, Subcommands: []*router.Command{
		{Name: "run", Middleware: []router.MiddlewareFunc{mw("cmd")}, Handler: func(c *router.Context) error {
			trace = append(trace, "handler")
			return c.Text("ok")
		}},
	}})
	r.Use(mw("late")) // added after the commands, still applies
	if got := answer(t, r, activity("deploy run")); got != "ok" {
		t.Fatalf("got %q; want ok", got)
	}
	want := "global> late> group> parent> cmd> handler <cmd <parent <group <late <global"
	if got := strings.Join(trace, " "); got != want {
		t.Errorf("got %s; want %s", got, want)
	}
}

func TestMiddlewareDeniesBeforeParsing(t *testing.T) {
	deny := func(next router.HandlerFunc) router.HandlerFunc {
		return func(c *router.Context) error {
			if c.Sender().ID != "29:admin" {
				return bot.UserError("Only admins may deploy.")
			}
			return next(c)
		}
	}
	var sawArgs any
	peek := func(next router.HandlerFunc) router.HandlerFunc {
		return func(c *router.Context) error {
			if err := c.ParseArgs(); err != nil {
				return err
			}
			sawArgs = c.Parsed
			return next(c)
		}
	}
	r := router.New()
	r.Add(&router.Command{Name: "deploy", Args: CalcArgs{}, Middleware: []router.MiddlewareFunc{deny, peek}, Handler: reply("deployed")})
	if got := answer(t, r, activity("deploy not-a-number")); got != "ERROR Only admins may deploy." {
		t.Errorf("got %q; want the access rule's answer", got)
	}
	a := activity("deploy 7")
	a.From.ID = "29:admin"
	if got := answer(t, r, a); got != "deployed" {
		t.Errorf("got %q; want deployed", got)
	}
	if n := sawArgs.(*CalcArgs).N; n != 7 {
		t.Errorf("middleware got N=%d; want 7", n)
	}
}

func TestLookup(t *testing.T) {
	r := newRouter()
	tests := []struct{ path, want string }{
		{"ping", "ping"}, {"SAY", "echo"}, {"deploy run", "deploy run"}, {"deploy  START", "deploy run"},
		{"deploy nope", ""}, {"", ""}, {"nope", ""},
	}
	for _, tt := range tests {
		got := ""
		if c := r.Lookup(tt.path); c != nil {
			got = c.Path()
		}
		if got != tt.want {
			t.Errorf("Lookup(%q): got %q; want %q", tt.path, got, tt.want)
		}
	}
	var names []string
	for _, c := range r.Commands() {
		names = append(names, c.Name)
	}
	if got, want := strings.Join(names, " "), "assign calc debug deploy echo note ping"; got != want {
		t.Errorf("Commands: got %s; want %s", got, want)
	}
}

func TestAddPanics(t *testing.T) {
	h := reply("x")
	tests := []struct {
		name string
		cmds []*router.Command
	}{
		{"empty name", []*router.Command{{Handler: h}}},
		{"no handler", []*router.Command{{Name: "a"}}},
		{"space in name", []*router.Command{{Name: "a b", Handler: h}}},
		{"duplicate", []*router.Command{{Name: "a", Handler: h}, {Name: "A", Handler: h}}},
		{"duplicate alias", []*router.Command{{Name: "a", Handler: h}, {Name: "b", Aliases: []string{"a"}, Handler: h}}},
		{"duplicate subcommand", []*router.Command{{Name: "g", Subcommands: []*router.Command{{Name: "x", Handler: h}, {Name: "x", Handler: h}}}}},
		{"args not a struct", []*router.Command{{Name: "a", Args: 3, Handler: h}}},
		{"unsupported type", []*router.Command{{Name: "a", Args: struct{ M map[string]int }{}, Handler: h}}},
		{"bad default", []*router.Command{{Name: "a", Args: struct {
			N int `default:"x"`
		}{}, Handler: h}}},
		{"default not in enum", []*router.Command{{Name: "a", Args: struct {
			E string `enum:"a,b" default:"c"`
		}{}, Handler: h}}},
		{"argument after list", []*router.Command{{Name: "a", Args: struct {
			L []string `arg:""`
			X string   `arg:""`
		}{}, Handler: h}}},
		{"raw and args", []*router.Command{{Name: "a", Raw: true, Args: CalcArgs{}, Handler: h}}},
		{"help flag", []*router.Command{{Name: "a", Args: struct{ Help bool }{}, Handler: h}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				p := recover()
				if p == nil {
					t.Fatal("got no panic; want one")
				}
				if s := fmt.Sprint(p); !strings.HasPrefix(s, "router: ") {
					t.Errorf("got panic %q; want it prefixed router:", s)
				}
			}()
			router.New().Add(tt.cmds...)
		})
	}
}

func TestHelpTextGolden(t *testing.T) {
	r := newRouter()
	for _, path := range []string{"deploy", "deploy run", "assign", "echo", "note"} {
		t.Run(path, func(t *testing.T) {
			got := router.HelpText(r.Lookup(path))
			golden := filepath.Join("testdata", "help", strings.ReplaceAll(path, " ", "_")+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestWithNormalizer(t *testing.T) {
	n := router.NormalizerFunc(func(a *bot.Activity) router.Input {
		var in router.Input
		in.Line = "assign " + in.AddMention(router.Person{Name: "Zoë", ID: "29:z"}) + " " + a.Text
		return in
	})
	r := router.New(router.WithNormalizer(n))
	r.Add(&router.Command{Name: "assign", Args: AssignArgs{}, Handler: func(c *router.Context) error {
		a := c.Parsed.(*AssignArgs)
		return c.Textf("%s %s", a.Who.ID, a.Task)
	}})
	if got := answer(t, r, &bot.Activity{Text: "tests"}); got != "29:z [tests]" {
		t.Errorf("got %q; want %q", got, "29:z [tests]")
	}
}
