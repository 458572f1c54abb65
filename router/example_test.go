package router_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/router"
)

// say runs text, as if typed after the bot's mention, and prints what the
// user reads.
func say(r *router.Router, text string) {
	c := bot.NewContext(context.Background(), &bot.Activity{Type: "message", Text: "<at>Ops Bot</at>&nbsp;" + text})
	if err := r.Handle(c); err != nil {
		var be *bot.Error
		if errors.As(err, &be) {
			fmt.Println(be.Message)
			return
		}
		fmt.Println("error:", err)
		return
	}
	rep, _ := c.Replied()
	fmt.Println(rep.Text)
}

func ExampleCommand_args() {
	type DeployArgs struct {
		Service string        `arg:"" enum:"web,api" help:"What to deploy."`
		Env     string        `arg:"" optional:"" default:"staging" help:"Where."`
		Reason  string        `short:"r" required:"" help:"Why."`
		Timeout time.Duration `default:"5m" help:"Give up after this long."`
	}
	r := router.New()
	r.Add(&router.Command{
		Name:    "deploy",
		Summary: "Deploy a service",
		Args:    DeployArgs{},
		Handler: func(c *router.Context) error {
			a := c.Parsed.(*DeployArgs)
			return c.Textf("deploying %s to %s (%s, timeout %s)", a.Service, a.Env, a.Reason, a.Timeout)
		},
	})
	say(r, "deploy web prod --reason “fix #4711”")
	say(r, "Deploy API -r hotfix --timeout 90s")
	say(r, "deploy wbe")
	// Output:
	// deploying web to prod (fix #4711, timeout 5m0s)
	// deploying api to staging (hotfix, timeout 1m30s)
	// `<service>` must be one of web, api, not `wbe`; did you mean `web`?
	//
	// Usage: `deploy <service> [<env>] --reason=TEXT [--timeout=DURATION]`
	//
	// Send `help deploy` for details.
}

func ExampleCommand_subcommands() {
	r := router.New()
	r.Add(&router.Command{Name: "deploy", Subcommands: []*router.Command{
		{Name: "status", Handler: func(c *router.Context) error { return c.Text("all green") }},
		{Name: "note", Raw: true, Handler: func(c *router.Context) error { return c.Text("noted: " + c.Raw) }},
	}})
	say(r, "deploy status")
	say(r, "deploy note it's \"done\nfor today")
	say(r, "deploy stauts")
	say(r, "deplyo status")
	// Output:
	// all green
	// noted: it's "done
	// for today
	// `deploy` has no subcommand `stauts`; did you mean `deploy status`?
	//
	// Usage: `deploy <note|status> …`
	//
	// Send `help deploy` for details.
	// I don't know the command `deplyo`. Did you mean `deploy`? Send `help` to see what I can do.
}

func ExampleSplit() {
	words, _ := router.Split(`ticket #123 "C# and Go" don't C:\temp`)
	fmt.Printf("%q\n", words)
	_, err := router.Split(`deploy "staging eu`)
	fmt.Println(err)
	// Output:
	// ["ticket" "#123" "C# and Go" "don't" "C:\\temp"]
	// a " quote is not closed (it opens before "staging eu"): close it, or write \" for a literal one
}

func ExampleNormalize() {
	a := &bot.Activity{
		Text: "<at>Ops Bot</at>&nbsp;assign <at>Ana Lima</at> “the docs” &amp; tests",
		Entities: []bot.Entity{
			{Type: "mention", Text: "<at>Ops Bot</at>", Mentioned: &bot.Account{ID: "28:bot", Name: "Ops Bot"}},
			{Type: "mention", Text: "<at>Ana Lima</at>", Mentioned: &bot.Account{ID: "29:ana", Name: "Ana Lima"}},
		},
	}
	in := router.Normalize(a)
	fmt.Println(in.Text())
	fmt.Println(in.Mentions[0].Name, in.Mentions[0].ID)
	// Output:
	// assign Ana Lima "the docs" & tests
	// Ana Lima 29:ana
}

func ExampleRouter_Use() {
	r := router.New()
	r.Use(func(next router.HandlerFunc) router.HandlerFunc {
		return func(c *router.Context) error {
			c.Logger().Info().Msg("command")
			return next(c)
		}
	})
	admin := r.Group(func(next router.HandlerFunc) router.HandlerFunc {
		return func(c *router.Context) error {
			if c.Sender().AADObjectID != "aad-admin" {
				return bot.UserError("Only admins may do that.")
			}
			return next(c)
		}
	})
	admin.Add(&router.Command{Name: "restart", Handler: func(c *router.Context) error { return c.Text("restarting") }})
	say(r, "restart")
	// Output:
	// Only admins may do that.
}

// ExampleDryRun resolves a message without running its command: the
// canonical path, the values the command would receive, and the line as it
// may be logged.
func ExampleDryRun() {
	type loginArgs struct {
		User     string `arg:""`
		Password string `short:"p" secret:""`
		Verbose  bool   `short:"v"`
	}
	r := router.New()
	r.Add(&router.Command{Name: "account", Subcommands: []*router.Command{{
		Name: "login", Aliases: []string{"in"}, Args: loginArgs{},
		Handler: func(c *router.Context) error { return c.Text("logged in") },
	}}})

	ctx, result := router.DryRun(context.Background())
	a := &bot.Activity{Type: "message", Text: "Account IN -vp hunter2 ada"}
	_ = r.Handle(bot.NewContext(ctx, a))

	res := result.Resolution()
	fmt.Println(result.Reached, res.Path, res.Positionals, res.Flags["verbose"])
	fmt.Println(res.Redacted())
	// Output:
	// true account login [ada] [true]
	// account login ada --verbose=true --password=[redacted]
}
