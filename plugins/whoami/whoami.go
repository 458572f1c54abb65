// Package whoami provides the whoami command, which shows who is asking and
// from where: the ids operators need for access rules.
package whoami

import (
	"fmt"
	"strings"

	"github.com/outhook/outhook/plugins"
	"github.com/outhook/outhook/router"
)

func init() {
	plugins.Register(plugins.Info{ID: "whoami", Summary: "Show who is asking, from which team and channel", New: New})
}

// Plugin is the whoami plugin.
type Plugin struct{}

// New returns the whoami plugin.
func New() plugins.Plugin { return Plugin{} }

// Commands returns the whoami command.
func (Plugin) Commands() []*router.Command {
	return []*router.Command{{
		Name:    "whoami",
		Summary: "Show your name, AAD object id, team and channel",
		Handler: func(c *router.Context) error {
			a := c.Activity
			var b strings.Builder
			line := func(k, v string) {
				if v == "" {
					v = "(unknown)"
				}
				fmt.Fprintf(&b, "**%s**: %s\n\n", k, v)
			}
			line("Name", a.From.Name)
			line("AAD object id", a.From.AADObjectID)
			line("Teams user id", a.From.ID)
			line("Team", a.Team())
			line("Channel", a.Channel())
			line("Tenant", a.Tenant())
			return c.Text(strings.TrimSpace(b.String()))
		},
	}}
}
