// Package ping provides the ping command, which answers "pong" with the time
// the bot took: the quickest way to see that a bot is alive and verified.
package ping

import (
	"time"

	"github.com/outhook/outhook/plugins"
	"github.com/outhook/outhook/router"
)

func init() {
	plugins.Register(plugins.Info{ID: "ping", Summary: "Check that the bot answers", New: New})
}

// Plugin is the ping plugin.
type Plugin struct{}

// New returns the ping plugin.
func New() plugins.Plugin { return Plugin{} }

// Commands returns the ping command.
func (Plugin) Commands() []*router.Command {
	return []*router.Command{{
		Name:    "ping",
		Summary: "Answer pong, with the time the bot took",
		Handler: func(c *router.Context) error {
			took := time.Since(c.Received())
			return c.Textf("pong (%s)", took.Round(time.Microsecond))
		},
	}}
}
