package middleware

import (
	"errors"
	"fmt"
	"time"

	"github.com/outhook/outhook/bot"
)

// ErrRateLimited is the internal cause of a refusal by RateLimit or
// CommandRateLimit.
var ErrRateLimited = errors.New("rate limited")

// DefaultRateWindow is the window rate limits count over by default.
const DefaultRateWindow = time.Minute

// RateLimitConfig configures the RateLimit middleware.
type RateLimitConfig struct {
	// Skipper decides which activities are not counted. Optional; default:
	// none skip.
	Skipper Skipper
	// Limit is how many activities one key may send per Window. Required.
	Limit int
	// Window is the period counted over. Optional; default
	// DefaultRateWindow.
	Window time.Duration
	// Key says whose activity it is. Optional; default: the sender's AAD
	// object id (the Teams user id in payloads without one).
	Key func(c *bot.Context) string
	// Store counts. Optional; default a MemoryStore of
	// DefaultMemoryEntries. Use redisstore for several replicas.
	Store Limiter
	// FailClosed refuses activities when the store fails. Optional;
	// default false: the activity runs and the error is logged.
	FailClosed bool
}

// DefaultRateLimitConfig is the default RateLimit middleware config.
var DefaultRateLimitConfig = RateLimitConfig{
	Skipper: noSkip,
	Window:  DefaultRateWindow,
	Key:     func(c *bot.Context) string { return userKey(c.Activity) },
}

// RateLimit returns activity middleware that lets each user send limit
// messages per window and answers the rest politely, with when to try
// again. It counts every message, known command or not, so put it after
// Replay (duplicates are not counted) and before the router.
func RateLimit(limit int, window time.Duration) func(bot.Handler) bot.Handler {
	c := DefaultRateLimitConfig
	c.Limit, c.Window = limit, window
	return RateLimitWithConfig(c)
}

// RateLimitWithConfig returns RateLimit middleware with config. It panics
// on a limit below 1, at wiring time.
func RateLimitWithConfig(config RateLimitConfig) func(bot.Handler) bot.Handler {
	if config.Skipper == nil {
		config.Skipper = DefaultRateLimitConfig.Skipper
	}
	if config.Window <= 0 {
		config.Window = DefaultRateLimitConfig.Window
	}
	if config.Key == nil {
		config.Key = DefaultRateLimitConfig.Key
	}
	if config.Store == nil {
		config.Store = NewMemoryStore(0)
	}
	if config.Limit < 1 {
		panic(fmt.Sprintf("middleware: RateLimit: limit %d is below 1", config.Limit))
	}
	return func(next bot.Handler) bot.Handler {
		return bot.HandlerFunc(func(c *bot.Context) error {
			if config.Skipper(c) {
				return next.Handle(c)
			}
			key := "rate:user:" + config.Key(c)
			n, reset, err := config.Store.Take(c.Context(), key, config.Window)
			if err != nil {
				if config.FailClosed {
					return &bot.Error{Message: "Sorry, I cannot check rate limits right now, so this was not run. Please try again shortly.",
						Internal: fmt.Errorf("rate-limit store: %w", err)}
				}
				c.Logger().Error().Err(err).Msg("rate-limit store failed; running unchecked")
				return next.Handle(c)
			}
			if n > int64(config.Limit) {
				return &bot.Error{
					Message:  fmt.Sprintf("Slow down, please: you can send %d messages per %s. Try again in %s.", config.Limit, per(config.Window), human(reset)),
					Internal: fmt.Errorf("%w: user limit %d per %s reached", ErrRateLimited, config.Limit, config.Window),
				}
			}
			return next.Handle(c)
		})
	}
}

// per names a window for a reply: "minute", "5 minutes", "30s".
func per(d time.Duration) string {
	if s := human(d); s != "a minute" {
		return s
	}
	return "minute"
}

// times is "1 time" or "n times".
func times(n int) string {
	if n == 1 {
		return "1 time"
	}
	return fmt.Sprintf("%d times", n)
}

// human rounds d up to whole seconds (minutes when even) for a reply.
func human(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	if s < 1 {
		s = 1
	}
	if s%60 == 0 {
		if s == 60 {
			return "a minute"
		}
		return fmt.Sprintf("%d minutes", s/60)
	}
	return fmt.Sprintf("%ds", s)
}
