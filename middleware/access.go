package middleware

import (
	"strings"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/middleware/access"
	"github.com/outhook/outhook/router"
)

// DeniedError is the internal cause of a refusal by Access. It carries the
// decision, whose reason names the rule; the asker reads only
// AccessConfig.Message.
type DeniedError struct {
	// Decision is the policy's decision.
	Decision access.Decision
}

// Error returns the decision's reason.
func (e *DeniedError) Error() string { return "access denied: " + e.Decision.Reason }

// AccessConfig configures the Access middleware.
type AccessConfig struct {
	// Skipper decides which commands skip the check. Optional; default:
	// none skip.
	Skipper CommandSkipper
	// Policy decides. Required; compile it with access.Compile against the
	// router's commands (CommandNames).
	Policy *access.Policy
	// Message returns what a denied asker reads. Optional; default: "Sorry,
	// you may not run `deploy prod` here." without the rule, which only
	// the logs and "outhook policy check" show.
	Message func(c *router.Context, d access.Decision) string
}

// DefaultAccessConfig is the default Access middleware config.
var DefaultAccessConfig = AccessConfig{
	Skipper: noCommandSkip,
	Message: func(c *router.Context, _ access.Decision) string {
		line := c.Resolution().Redacted()
		if len(line) > 80 {
			line = line[:77] + "..."
		}
		return "Sorry, you may not run `" + strings.ReplaceAll(line, "`", "'") + "` here."
	},
}

// Access returns command middleware that runs a command only when p allows
// it to the asker (AAD object id), where they asked (team, channel,
// tenant), deciding on the router's Resolution: the command's canonical
// path and the values it will receive. It also makes
// router.Context.Allowed answer from p, so help, did-you-mean and usage
// list only what the asker may run. Put it after Audit, so denials are
// audited, and before CommandRateLimit. It panics on a nil policy.
func Access(p *access.Policy) router.MiddlewareFunc {
	c := DefaultAccessConfig
	c.Policy = p
	return AccessWithConfig(c)
}

// AccessWithConfig returns Access middleware with config. It panics on a
// nil policy, at wiring time.
func AccessWithConfig(config AccessConfig) router.MiddlewareFunc {
	if config.Skipper == nil {
		config.Skipper = DefaultAccessConfig.Skipper
	}
	if config.Message == nil {
		config.Message = DefaultAccessConfig.Message
	}
	if config.Policy == nil {
		panic("middleware: Access: Policy is required (compile one with access.Compile)")
	}
	p := config.Policy
	return func(next router.HandlerFunc) router.HandlerFunc {
		return func(c *router.Context) error {
			user, where := c.Activity.From.AADObjectID, access.WhereOf(c.Activity)
			c.SetAllowed(func(cmd *router.Command) bool { return p.MayRun(user, where, cmd.Path()) })
			if config.Skipper(c) {
				return next(c)
			}
			d := p.Decide(user, where, c.Resolution())
			c.Set(decisionKey{}, d)
			if !d.Allowed {
				return &bot.Error{Message: config.Message(c, d), Internal: &DeniedError{Decision: d}}
			}
			return next(c)
		}
	}
}

// CommandNames returns the canonical paths of r's commands, subcommands
// included ("runbook", "runbook search"), and a "path --flag" entry for
// each of their flags, for access.Compile and Redact.Validate.
func CommandNames(r *router.Router) []string {
	var names []string
	var walk func(cmds []*router.Command)
	walk = func(cmds []*router.Command) {
		for _, cmd := range cmds {
			names = append(names, cmd.Path())
			for _, p := range cmd.Params() {
				if !p.Positional {
					names = append(names, cmd.Path()+" --"+p.Name)
				}
			}
			walk(cmd.Subcommands)
		}
	}
	walk(r.Commands())
	return names
}

type decisionKey struct{}

// DecisionOf returns the decision Access made for an activity, read from
// its router.Context or from a router.DryRunResult, and whether Access
// decided at all.
func DecisionOf(v interface{ Get(key any) any }) (access.Decision, bool) {
	d, ok := v.Get(decisionKey{}).(access.Decision)
	return d, ok
}
