// Plugin shows a custom plugin in a few lines, built into the standard
// outhook binary: "@Bot roll 3" rolls three dice.
//
//	go run ./examples/plugin chat
package main

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/cmd"
	"github.com/outhook/outhook/plugins"
	_ "github.com/outhook/outhook/plugins/standard"
	"github.com/outhook/outhook/router"
)

// dice is the plugin: a set of commands.
type dice struct{}

func (dice) Commands() []*router.Command {
	return []*router.Command{{
		Name:    "roll",
		Summary: "Roll dice: roll [count]",
		Usage:   "[count]",
		Handler: func(c *router.Context) error {
			n := 1
			if len(c.Args) > 0 {
				var err error
				if n, err = strconv.Atoi(c.Args[0]); err != nil || n < 1 || n > 20 {
					return bot.UserError("count must be a number from 1 to 20")
				}
			}
			rolls := make([]string, n)
			for i := range rolls {
				rolls[i] = strconv.Itoa(1 + rand.IntN(6))
			}
			return c.Text(fmt.Sprintf("🎲 %s", strings.Join(rolls, " ")))
		},
	}}
}

func init() {
	plugins.Register(plugins.Info{ID: "dice", Summary: "Roll dice", New: func() plugins.Plugin { return dice{} }})
}

func main() { cmd.Main() }
