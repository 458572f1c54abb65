package middleware

import (
	"context"
	"time"
)

// ReplayStore remembers which activities were seen, and their replies, for
// Replay. MemoryStore is the in-process default; redisstore.Store shares
// the memory between replicas.
type ReplayStore interface {
	// Claim records key for ttl unless it is already recorded, atomically.
	// It returns true when this call recorded it; otherwise it returns the
	// reply stored for the key with Keep, or nil when there is none yet.
	Claim(ctx context.Context, key string, ttl time.Duration) (first bool, reply []byte, err error)
	// Keep stores reply for a key recorded with Claim, for the rest of the
	// key's ttl. It does nothing when the key has expired. Replay calls it
	// with a context that is not cancelled with the request, so that a
	// reply is kept even past the budget: a store that does I/O bounds
	// its own wait when ctx has no deadline (redisstore: one second).
	Keep(ctx context.Context, key string, reply []byte) error
}

// Limiter counts events in fixed windows, for RateLimit and
// CommandRateLimit. MemoryStore is the in-process default;
// redisstore.Store shares the counts between replicas.
type Limiter interface {
	// Take counts one event for key in the current window and returns how
	// many the window holds with this one and how long until it ends. A
	// window starts with the first event for key and lasts window.
	Take(ctx context.Context, key string, window time.Duration) (count int64, reset time.Duration, err error)
}

// LimiterFunc adapts a function to the Limiter interface.
type LimiterFunc func(ctx context.Context, key string, window time.Duration) (int64, time.Duration, error)

// Take calls f.
func (f LimiterFunc) Take(ctx context.Context, key string, window time.Duration) (int64, time.Duration, error) {
	return f(ctx, key, window)
}
