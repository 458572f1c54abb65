package router

import "context"

// DryRunResult is what a dry run found; see DryRun.
type DryRunResult struct {
	// Reached is true when the activity went through every middleware to
	// the point where its command's handler would have run.
	Reached bool

	ctx *Context
}

// Resolution returns what the activity resolved to, or nil when it never
// reached the router (activity middleware refused it, or it was empty).
func (d *DryRunResult) Resolution() *Resolution {
	if d.ctx == nil {
		return nil
	}
	return d.ctx.res
}

// Allowed reports whether the asker may run cmd, as help would list it:
// the check access middleware set while the activity passed.
func (d *DryRunResult) Allowed(cmd *Command) bool { return d.ctx != nil && d.ctx.Allowed(cmd) }

// Get returns what middleware stored with Context.Set during the run, or
// nil.
func (d *DryRunResult) Get(key any) any {
	if d.ctx == nil {
		return nil
	}
	return d.ctx.Get(key)
}

type dryRunKey struct{}

// DryRun returns a copy of ctx that makes a router reached with it (through
// any activity middleware, its own and its commands' middleware) stop
// where the command's handler would run, without running it, and the
// result it fills in. Drive the served handler with a bot.Context built on
// the returned context: whatever refuses the activity on the way (access
// rules, tenants, rate limits) returns its error as it would when serving,
// so "outhook policy check" answers with the server's own code.
//
// Middleware with side effects beyond deciding (audit logs, counters in a
// shared store) should be built against throw-away stores for a dry run.
func DryRun(ctx context.Context) (context.Context, *DryRunResult) {
	d := &DryRunResult{}
	return context.WithValue(ctx, dryRunKey{}, d), d
}

// IsDryRun reports whether c is part of a dry run.
func IsDryRun(c *Context) bool { return dryRunOf(c.Context.Context()) != nil }

func dryRunOf(ctx context.Context) *DryRunResult {
	if ctx == nil {
		return nil
	}
	d, _ := ctx.Value(dryRunKey{}).(*DryRunResult)
	return d
}
