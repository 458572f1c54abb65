// Hangbot is outhook with a test plugin whose commands misbehave on
// purpose, for the end-to-end tests of what outhook promises when plugins
// hang, ignore their context, run late or panic.
package main

import (
	"context"
	"time"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/cmd"
	"github.com/outhook/outhook/plugins"
	_ "github.com/outhook/outhook/plugins/standard"
	"github.com/outhook/outhook/router"
)

type waitArgs struct {
	For time.Duration `arg:"" help:"How long."`
}

type hang struct{}

func (hang) Commands() []*router.Command {
	return []*router.Command{
		{Name: "hang", Summary: "Sleep, ignoring the deadline", Args: waitArgs{}, Handler: func(c *router.Context) error {
			a := router.Args[waitArgs](c)
			time.Sleep(a.For)
			return c.Textf("woke after %s", a.For)
		}},
		{Name: "slow", Summary: "Take a while, honouring the deadline", Args: waitArgs{}, Handler: func(c *router.Context) error {
			a := router.Args[waitArgs](c)
			select {
			case <-time.After(a.For):
				return c.Textf("slow result after %s", a.For)
			case <-c.Done():
				return context.Cause(c)
			}
		}},
		{Name: "bg", Summary: "Work in the background with c.Go", Args: waitArgs{}, Handler: func(c *router.Context) error {
			a := router.Args[waitArgs](c)
			return c.Go("On it.", func(ctx context.Context) (bot.Reply, error) {
				select {
				case <-time.After(a.For):
					return bot.Textf("background result after %s", a.For), nil
				case <-ctx.Done():
					return bot.Reply{}, context.Cause(ctx)
				}
			})
		}},
		{Name: "bgpanic", Summary: "Panic inside a c.Go job", Handler: func(c *router.Context) error {
			return c.Go("On it.", func(context.Context) (bot.Reply, error) { panic("job exploded") })
		}},
		{Name: "crash", Summary: "Panic in a goroutine of the plugin's own (ends the process: use c.Go)", Handler: func(c *router.Context) error {
			go func() { panic("plugin goroutine exploded") }()
			time.Sleep(time.Second)
			return c.Text("unreachable")
		}},
	}
}

func init() {
	plugins.Register(plugins.Info{ID: "hang", Summary: "Misbehaving commands for tests", Explicit: true,
		New: func() plugins.Plugin { return hang{} }})
}

func main() { cmd.Main() }
