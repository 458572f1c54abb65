package middleware

import (
	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/router"
)

// Chain wraps h with activity middleware such as Tenants, Replay and
// RateLimit. The first one given is the outermost: it sees each activity
// first.
//
//	h := middleware.Chain(r, middleware.Tenants(tenant), middleware.Replay(), middleware.RateLimit(20, time.Minute))
func Chain(h bot.Handler, mw ...func(bot.Handler) bot.Handler) bot.Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

// Skipper decides which activities skip an activity middleware; it returns
// true to skip.
type Skipper func(c *bot.Context) bool

// CommandSkipper decides which commands skip a command middleware; it
// returns true to skip.
type CommandSkipper func(c *router.Context) bool

func noSkip(*bot.Context) bool           { return false }
func noCommandSkip(*router.Context) bool { return false }

// userKey is who sent a, for limits and logs: the AAD object id, or the
// Teams user id in old payloads that lack it.
func userKey(a *bot.Activity) string {
	if a.From.AADObjectID != "" {
		return a.From.AADObjectID
	}
	return a.From.ID
}
