// Package echo provides the echo command, which repeats its arguments: a
// quick check of how the bot reads what was typed.
package echo

import (
	"strings"

	"github.com/outhook/outhook/plugins"
	"github.com/outhook/outhook/router"
)

func init() {
	plugins.Register(plugins.Info{ID: "echo", Summary: "Repeat what was typed", New: New})
}

// Plugin is the echo plugin.
type Plugin struct{}

// New returns the echo plugin.
func New() plugins.Plugin { return Plugin{} }

// Commands returns the echo command.
func (Plugin) Commands() []*router.Command {
	return []*router.Command{{
		Name:    "echo",
		Aliases: []string{"say"},
		Summary: "Repeat the arguments, joined by one space",
		Usage:   "<text…>",
		Description: "Shows how the bot read the message: quotes group words, " +
			"curly quotes count as straight ones, and mentions become names.",
		Examples: []string{`echo "two words" and #42`},
		Handler: func(c *router.Context) error {
			if len(c.Args) == 0 {
				return c.Text("Usage: `echo <text…>`")
			}
			return c.Text(strings.Join(c.Args, " "))
		},
	}}
}
