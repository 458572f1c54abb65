// Plugin shows a custom plugin in a few lines, built into the standard
// outhook binary: "@Bot roll 3 --sides 20" rolls three twenty-sided dice.
//
//	go run ./examples/plugin chat
package main

import (
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/outhook/outhook/cmd"
	"github.com/outhook/outhook/plugins"
	_ "github.com/outhook/outhook/plugins/standard"
	"github.com/outhook/outhook/router"
)

// rollArgs declares what roll takes; the router parses, validates and
// explains it in help.
type rollArgs struct {
	Count int `arg:"" optional:"" default:"1" min:"1" max:"20" help:"How many dice."`
	Sides int `short:"s" default:"6" min:"2" max:"100" help:"Sides of each die."`
}

// dice is the plugin: a set of commands.
type dice struct{}

func (dice) Commands() []*router.Command {
	return []*router.Command{{
		Name:     "roll",
		Summary:  "Roll dice",
		Examples: []string{"roll", "roll 3 --sides 20"},
		Args:     rollArgs{},
		Handler: func(c *router.Context) error {
			a := router.Args[rollArgs](c)
			rolls := make([]string, a.Count)
			for i := range rolls {
				rolls[i] = strconv.Itoa(1 + rand.IntN(a.Sides))
			}
			return c.Text("🎲 " + strings.Join(rolls, " "))
		},
	}}
}

func init() {
	plugins.Register(plugins.Info{ID: "dice", Summary: "Roll dice", New: func() plugins.Plugin { return dice{} }})
}

func main() { cmd.Main() }
