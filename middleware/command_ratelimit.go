package middleware

import (
	"fmt"
	"time"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/router"
)

// CommandRateLimitConfig configures the CommandRateLimit middleware.
type CommandRateLimitConfig struct {
	// Skipper decides which commands are not counted, for example cheap
	// ones. Optional; default: none skip.
	Skipper CommandSkipper
	// Limit is how many times each command may run per Window, all users
	// together (or per user with PerUser). Required.
	Limit int
	// Window is the period counted over. Optional; default
	// DefaultRateWindow.
	Window time.Duration
	// PerUser counts each user's runs of each command separately.
	// Optional; default false.
	PerUser bool
	// Store counts. Optional; default a MemoryStore of
	// DefaultMemoryEntries. Use redisstore for several replicas.
	Store Limiter
	// FailClosed refuses commands when the store fails. Optional; default
	// false: the command runs and the error is logged.
	FailClosed bool
}

// DefaultCommandRateLimitConfig is the default CommandRateLimit config.
var DefaultCommandRateLimitConfig = CommandRateLimitConfig{
	Skipper: noCommandSkip,
	Window:  DefaultRateWindow,
}

// CommandRateLimit returns command middleware that lets each command,
// counted by its canonical path ("runbook search", whatever alias or case
// was typed), run limit times per window, all users together, and answers the rest
// politely. Put it after Access, so denied attempts are not counted; use
// a Skipper, or several instances with Skippers, for different limits per
// command.
func CommandRateLimit(limit int, window time.Duration) router.MiddlewareFunc {
	c := DefaultCommandRateLimitConfig
	c.Limit, c.Window = limit, window
	return CommandRateLimitWithConfig(c)
}

// CommandRateLimitWithConfig returns CommandRateLimit middleware with
// config. It panics on a limit below 1, at wiring time.
func CommandRateLimitWithConfig(config CommandRateLimitConfig) router.MiddlewareFunc {
	if config.Skipper == nil {
		config.Skipper = DefaultCommandRateLimitConfig.Skipper
	}
	if config.Window <= 0 {
		config.Window = DefaultCommandRateLimitConfig.Window
	}
	if config.Store == nil {
		config.Store = NewMemoryStore(0)
	}
	if config.Limit < 1 {
		panic(fmt.Sprintf("middleware: CommandRateLimit: limit %d is below 1", config.Limit))
	}
	return func(next router.HandlerFunc) router.HandlerFunc {
		return func(c *router.Context) error {
			if config.Skipper(c) {
				return next(c)
			}
			if c.Resolution().NotFound {
				return next(c)
			}
			path := c.Resolution().Path
			key := "rate:cmd:" + path
			if config.PerUser {
				key += ":" + userKey(c.Activity)
			}
			n, reset, err := config.Store.Take(c.Context.Context(), key, config.Window)
			if err != nil {
				if config.FailClosed {
					return &bot.Error{Message: "Sorry, I cannot check rate limits right now, so this was not run. Please try again shortly.",
						Internal: fmt.Errorf("rate-limit store: %w", err)}
				}
				c.Logger().Error().Err(err).Msg("rate-limit store failed; running unchecked")
				return next(c)
			}
			if n > int64(config.Limit) {
				who := "everyone together"
				if config.PerUser {
					who = "each person"
				}
				return &bot.Error{
					Message: fmt.Sprintf("Slow down, please: `%s` may run %s per %s for %s. Try again in %s.",
						path, times(config.Limit), per(config.Window), who, human(reset)),
					Internal: fmt.Errorf("%w: command %s limit %d per %s reached", ErrRateLimited, path, config.Limit, config.Window),
				}
			}
			return next(c)
		}
	}
}
