// Package help provides the help command, generated from the commands
// registered on the router: it is never written by hand.
package help

import (
	"fmt"
	"strings"

	"github.com/outhook/outhook/plugins"
	"github.com/outhook/outhook/router"
)

func init() {
	plugins.Register(plugins.Info{ID: "help", Summary: "List commands and explain them", New: New})
}

// Plugin is the help plugin.
type Plugin struct{}

// New returns the help plugin.
func New() plugins.Plugin { return Plugin{} }

// Commands returns the help command.
func (Plugin) Commands() []*router.Command {
	return []*router.Command{{
		Name:    "help",
		Aliases: []string{"?"},
		Summary: "List commands, or explain one: help <command>",
		Usage:   "[command]",
		Handler: handle,
	}}
}

func handle(c *router.Context) error {
	r := c.Router()
	if len(c.Args) > 0 {
		cmd := r.Lookup(c.Args[0])
		if cmd != nil && !c.Allowed(cmd) {
			return c.Textf("You may not run `%s` here. Send `help` for what you may run.", cmd.Name)
		}
		if cmd == nil {
			return c.Textf("There is no command `%s`. Send `help` for the list.", strings.ReplaceAll(c.Args[0], "`", "'"))
		}
		var b strings.Builder
		fmt.Fprintf(&b, "**%s**", cmd.Name)
		if cmd.Usage != "" {
			fmt.Fprintf(&b, " `%s %s`", cmd.Name, cmd.Usage)
		}
		if cmd.Summary != "" {
			fmt.Fprintf(&b, ": %s", cmd.Summary)
		}
		if len(cmd.Aliases) > 0 {
			fmt.Fprintf(&b, "\n\nAlso: %s", strings.Join(cmd.Aliases, ", "))
		}
		return c.Text(b.String())
	}
	var b strings.Builder
	b.WriteString("Commands:\n\n")
	for _, cmd := range r.Commands() {
		if cmd.Hidden || !c.Allowed(cmd) {
			continue
		}
		fmt.Fprintf(&b, "- **%s**", cmd.Name)
		if cmd.Summary != "" {
			fmt.Fprintf(&b, ": %s", cmd.Summary)
		}
		b.WriteString("\n")
	}
	b.WriteString("\nSend `help <command>` for details.")
	return c.Text(b.String())
}
