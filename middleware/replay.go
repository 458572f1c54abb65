package middleware

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/outhook/outhook/bot"
	"github.com/rs/zerolog"
)

// ErrStale is the internal cause of a refusal by Replay for an activity
// whose timestamp is missing or outside the window.
var ErrStale = errors.New("activity timestamp outside the replay window")

// ErrReplayStore is the internal cause when the replay store fails and
// ReplayConfig.FailClosed refuses the activity.
var ErrReplayStore = errors.New("replay store unavailable")

// DefaultReplayWindow is how far an activity's timestamp may be from now.
const DefaultReplayWindow = 5 * time.Minute

// ReplayConfig configures the Replay middleware.
type ReplayConfig struct {
	// Skipper decides which activities skip the checks. Optional; default:
	// none skip.
	Skipper Skipper
	// Window is how far an activity's timestamp may be from now, either
	// way, before it is refused. Ids are remembered for twice the window,
	// the longest time an accepted activity can come back within it.
	// Optional; default DefaultReplayWindow.
	Window time.Duration
	// Store remembers ids and replies. Optional; default a MemoryStore of
	// DefaultMemoryEntries. Use redisstore for several replicas.
	Store ReplayStore
	// KeyPrefix goes before every key this middleware gives Store, so that
	// several bots can share one store without mixing their ids, as
	// outhook does with "<webhook>:". Optional.
	KeyPrefix string
	// FailClosed refuses activities when the store fails. Optional;
	// default false: the activity runs and the error is logged, so a Redis
	// outage does not silence the bot.
	FailClosed bool
	// Now returns the current time. Optional; default time.Now.
	Now func() time.Time
}

// DefaultReplayConfig is the default Replay middleware config.
var DefaultReplayConfig = ReplayConfig{
	Skipper: noSkip,
	Window:  DefaultReplayWindow,
	Now:     time.Now,
}

// Replay returns activity middleware against stale and replayed posts,
// with an in-memory store and the default window.
func Replay() func(bot.Handler) bot.Handler { return ReplayWithConfig(DefaultReplayConfig) }

// ReplayWithConfig returns Replay middleware with config.
//
// An activity without a timestamp, or one further than Window from now,
// is refused with a note asking to send it again. An activity whose id
// (within its tenant and channel) was seen before is not run again: the
// second delivery gets the first one's reply when it is still kept (a
// reply or a user-facing error message), and otherwise, while the first
// is still running or when it failed, a short note that the message is
// already being handled.
//
// Put it after Tenants and before RateLimit, so duplicates are not counted.
func ReplayWithConfig(config ReplayConfig) func(bot.Handler) bot.Handler {
	if config.Skipper == nil {
		config.Skipper = DefaultReplayConfig.Skipper
	}
	if config.Window <= 0 {
		config.Window = DefaultReplayConfig.Window
	}
	if config.Now == nil {
		config.Now = DefaultReplayConfig.Now
	}
	if config.Store == nil {
		config.Store = NewMemoryStore(0)
	}
	ttl := 2 * config.Window
	return func(next bot.Handler) bot.Handler {
		return bot.HandlerFunc(func(c *bot.Context) error {
			if config.Skipper(c) {
				return next.Handle(c)
			}
			a := c.Activity
			if a.Timestamp.IsZero() {
				return &bot.Error{Message: "Sorry, this message has no timestamp, so I cannot tell whether it is a replay. It was not run.",
					Internal: fmt.Errorf("%w: no timestamp", ErrStale)}
			}
			if skew := config.Now().Sub(a.Timestamp); skew > config.Window || skew < -config.Window {
				return &bot.Error{
					Message:  "Sorry, this message is too old (or dated in the future) for me to act on. It was not run: please send it again.",
					Internal: fmt.Errorf("%w: timestamp %s is %s from now, window ±%s", ErrStale, a.Timestamp.Format(time.RFC3339), skew.Round(time.Second), config.Window),
				}
			}
			if a.ID == "" {
				return &bot.Error{Message: "Sorry, this message has no id, so I cannot tell whether it is a replay. It was not run.",
					Internal: fmt.Errorf("%w: no activity id", ErrStale)}
			}
			key := replayKey(config.KeyPrefix, a)
			first, kept, err := config.Store.Claim(c.Context(), key, ttl)
			if err != nil {
				if config.FailClosed {
					return &bot.Error{Message: "Sorry, I cannot check this message for replays right now, so it was not run. Please try again shortly.",
						Internal: fmt.Errorf("%w: %w", ErrReplayStore, err)}
				}
				c.Logger().Error().Err(err).Msg("replay store failed; running the activity unchecked")
				return next.Handle(c)
			}
			if !first {
				c.SetCommand("duplicate")
				if len(kept) > 0 {
					var r bot.Reply
					if json.Unmarshal(kept, &r) == nil && !r.IsZero() {
						logDuplicate(c, "answered with the first reply")
						return c.Reply(r)
					}
				}
				logDuplicate(c, "not run again")
				return c.Textf("I have already received this message (ref %s) and am not running it twice.", a.ID)
			}
			err = next.Handle(c)
			keep(c, config.Store, key, err)
			return err
		})
	}
}

// duplicateNote is what a duplicate delivery adds to its request's line.
type duplicateNote string

func (d duplicateNote) MarshalZerologObject(e *zerolog.Event) { e.Str("duplicate", string(d)) }

// logDuplicate records on the request's answered line (one line per
// request) what became of a duplicate delivery, or on a line of its own
// when there is no such line to add to.
func logDuplicate(c *bot.Context, what string) {
	if !c.LogWithAnswer(duplicateNote(what), "") {
		c.Logger().Info().Msg("duplicate delivery: " + what)
	}
}

// replayKey returns the key an activity is remembered under: its id within
// its tenant and channel. Teams does not keep the case of the tenant and
// channel ids stable between fields and payloads, so they are lower-cased:
// a replay with the ids re-cased is still the same activity.
func replayKey(prefix string, a *bot.Activity) string {
	return prefix + "replay:" + strings.ToLower(a.Tenant()) + "|" + strings.ToLower(a.Channel()) + "|" + a.ID
}

// userErrorJSON returns the reply the bot sends for err when it is meant
// for the user, encoded as sent, or nil. It is apart so that the target
// of errors.As, which escapes to the heap, is allocated only for errors.
func userErrorJSON(err error) []byte {
	var e *bot.Error
	if !errors.As(err, &e) || e.Message == "" {
		return nil
	}
	data, merr := bot.Fit(bot.Text(e.Message), bot.MaxReplySize).MarshalJSON()
	if merr != nil {
		return nil
	}
	return data
}

// keep stores the reply a first delivery got, when it has one to repeat.
func keep(c *bot.Context, s ReplayStore, key string, err error) {
	// Keep the reply as sent: cut to what Teams takes, so what is kept is
	// bounded too.
	var data []byte
	if err == nil {
		data, _ = c.ReplyJSON()
	} else {
		data = userErrorJSON(err)
	}
	if data == nil {
		return
	}
	// The request may be past its budget: keep the reply regardless (a
	// store that does I/O bounds its own wait, see ReplayStore.Keep).
	if kerr := s.Keep(context.WithoutCancel(c.Context()), key, data); kerr != nil {
		c.Logger().Warn().Err(kerr).Msg("replay store: keeping the reply failed")
	}
}
