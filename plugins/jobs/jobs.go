// Package jobs provides the jobs and cancel commands, for background work
// started with bot.Context.Go or by commands that missed their reply
// budget: "jobs" lists the asker's own jobs in this team, "jobs --all"
// everyone's (restrict it with an access rule on "jobs --all=true"), and
// "cancel <id>" stops one. Lines are shown as the router resolved them,
// secrets redacted. By default only the person who started a job may
// cancel it; Config widens that.
package jobs

import (
	"fmt"
	"strings"
	"time"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/plugins"
	"github.com/outhook/outhook/router"
)

func init() {
	plugins.Register(plugins.Info{ID: "jobs", Summary: "List and cancel background jobs", New: New})
}

// Config configures the plugin.
type Config struct {
	// AllowCancel reports whether the sender of c may cancel job j, which
	// someone else started. Optional; default: nobody may cancel another
	// person's job.
	AllowCancel func(c *router.Context, j bot.JobInfo) bool
}

// Plugin is the jobs plugin.
type Plugin struct {
	cfg Config
}

var _ plugins.Plugin = (*Plugin)(nil)

// New returns the plugin with the default policy: askers cancel their own
// jobs only.
func New() plugins.Plugin { return NewWithConfig(Config{}) }

// NewWithConfig returns the plugin with cfg.
func NewWithConfig(cfg Config) *Plugin { return &Plugin{cfg: cfg} }

// Commands returns jobs and cancel.
func (p *Plugin) Commands() []*router.Command {
	return []*router.Command{
		{Name: "jobs", Summary: "List your background jobs running in this team; --all lists everyone's", Args: ListArgs{}, Handler: p.list},
		{Name: "cancel", Summary: "Stop a background job: cancel <id>", Usage: "<job id>", Handler: p.cancel},
	}
}

// ListArgs are the jobs command's arguments.
type ListArgs struct {
	// All lists every member's jobs, not only the asker's. Access rules
	// can match it as "jobs --all=true".
	All bool `short:"a" help:"List everyone's jobs in this team, not only yours."`
}

const off = "Background jobs are off: this bot has no follow-up webhook to post their results."

func (p *Plugin) list(c *router.Context) error {
	js := c.Jobs()
	if js == nil {
		return c.Text(off)
	}
	all := c.Parsed.(*ListArgs).All
	team := c.Activity.Team()
	now := time.Now()
	var b strings.Builder
	for _, j := range js.List() {
		if j.Team != team || !all && !sameUser(j.Asker, c.Activity.From) {
			continue
		}
		if b.Len() == 0 {
			b.WriteString("Background jobs:\n\n")
		}
		line := j.Line
		if line == "" {
			line = j.Command
		}
		fmt.Fprintf(&b, "- **%s** `%s`: %s for %s, asked by %s; %s\n",
			j.ID, code(line), j.State, round(now.Sub(j.Started)), j.Asker.Name, j.Due(now))
	}
	if b.Len() == 0 {
		if all {
			return c.Text("No background jobs are running.")
		}
		return c.Text("You have no background jobs running. Send `jobs --all` for everyone's.")
	}
	b.WriteString("\nSend `cancel <id>` to stop one of yours.")
	return c.Text(b.String())
}

func (p *Plugin) cancel(c *router.Context) error {
	js := c.Jobs()
	if js == nil {
		return c.Text(off)
	}
	if len(c.Args) != 1 {
		return bot.UserError("Usage: `cancel <job id>`; send `jobs` to see the ids.")
	}
	id := strings.TrimPrefix(c.Args[0], "#")
	j, ok := js.Lookup(id)
	if !ok || j.Team != c.Activity.Team() {
		return c.Textf("There is no job %s running here. Send `jobs` to list them.", code(id))
	}
	if !sameUser(j.Asker, c.Activity.From) && (p.cfg.AllowCancel == nil || !p.cfg.AllowCancel(c, j)) {
		return c.Textf("Only %s, who started job %s, can cancel it.", j.Asker.Name, j.ID)
	}
	if err := js.Cancel(j.ID, c.Activity.From.Name); err != nil {
		return c.Textf("Job %s has just finished.", j.ID)
	}
	return c.Textf("Cancelling job %s (`%s`).", j.ID, code(j.Line))
}

// sameUser compares accounts by AAD object id when both have one, else by
// Teams id.
func sameUser(a, b bot.Account) bool {
	if a.AADObjectID != "" && b.AADObjectID != "" {
		return strings.EqualFold(a.AADObjectID, b.AADObjectID)
	}
	return a.ID != "" && a.ID == b.ID
}

func code(s string) string { return strings.ReplaceAll(s, "`", "'") }

func round(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	return d.Round(time.Second)
}
