// Package redisstore keeps outhook's replay memory and rate-limit counters
// in Redis, so that several replicas behind a load balancer share them: a
// Teams message delivered twice to two replicas still runs once, and a
// user's limit counts across all of them.
//
// Dedupe is one atomic SET NX PX per activity; a rate-limit window is one
// Lua script (INCR, then PEXPIRE on the window's first event). Keys carry a
// prefix, "outhook:" by default, and every key expires by itself.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/outhook/outhook/middleware"
)

// DefaultPrefix is prepended to every key when New is given none.
const DefaultPrefix = "outhook:"

// Store is a middleware.ReplayStore and middleware.Limiter in Redis. It is
// safe for concurrent use.
type Store struct {
	client redis.UniversalClient
	prefix string
}

var (
	_ middleware.ReplayStore = (*Store)(nil)
	_ middleware.Limiter     = (*Store)(nil)
)

// New returns a Store that uses client, prefixing keys with prefix ("" for
// DefaultPrefix). It does no I/O: call Ping to check the connection at
// start-up. The caller closes client.
func New(client redis.UniversalClient, prefix string) *Store {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return &Store{client: client, prefix: prefix}
}

// Open parses a redis:// or rediss:// URL, connects and pings, and returns
// the Store and the client to close. Errors never include the URL, which
// may hold a password.
func Open(ctx context.Context, url, prefix string) (*Store, io.Closer, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, nil, errors.New("redis: the URL does not parse (expected redis://[user:password@]host:port/db)")
	}
	c := redis.NewClient(opts)
	s := New(c, prefix)
	if err := s.Ping(ctx); err != nil {
		c.Close()
		return nil, nil, err
	}
	return s, c, nil
}

// Ping checks that Redis answers, for start-up and readiness checks.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis: ping: %w", err)
	}
	return nil
}

// Claim implements middleware.ReplayStore with SET key "" NX PX ttl and,
// when the key exists, GET for the kept reply.
func (s *Store) Claim(ctx context.Context, key string, ttl time.Duration) (bool, []byte, error) {
	k := s.prefix + key
	ok, err := s.client.SetNX(ctx, k, "", ttl).Result()
	if err != nil {
		return false, nil, fmt.Errorf("redis: claiming %q: %w", key, err)
	}
	if ok {
		return true, nil, nil
	}
	reply, err := s.client.Get(ctx, k).Bytes()
	if errors.Is(err, redis.Nil) {
		return false, nil, nil // expired in between: treat as seen, no reply
	}
	if err != nil {
		return false, nil, fmt.Errorf("redis: reading reply for %q: %w", key, err)
	}
	if len(reply) == 0 {
		reply = nil
	}
	return false, reply, nil
}

// keepWait bounds Keep when its context has no deadline.
const keepWait = time.Second

// Keep implements middleware.ReplayStore with SET key reply XX KEEPTTL.
// Without a deadline on ctx it waits at most a second.
func (s *Store) Keep(ctx context.Context, key string, reply []byte) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, keepWait)
		defer cancel()
	}
	err := s.client.SetArgs(ctx, s.prefix+key, reply, redis.SetArgs{Mode: "XX", KeepTTL: true}).Err()
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("redis: keeping reply for %q: %w", key, err)
	}
	return nil
}

// take counts an event and returns the count and the window's remaining
// milliseconds; it sets the expiry on the window's first event, and
// repairs a counter left without one.
var take = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if n == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
`)

// Take implements middleware.Limiter with a fixed window: INCR, and
// PEXPIRE on the window's first event, in one script.
func (s *Store) Take(ctx context.Context, key string, window time.Duration) (int64, time.Duration, error) {
	ms := window.Milliseconds()
	if ms < 1 {
		ms = 1
	}
	res, err := take.Run(ctx, s.client, []string{s.prefix + key}, ms).Int64Slice()
	if err != nil {
		return 0, 0, fmt.Errorf("redis: counting %q: %w", key, err)
	}
	if len(res) != 2 {
		return 0, 0, fmt.Errorf("redis: counting %q: unexpected answer %v", key, res)
	}
	return res[0], time.Duration(res[1]) * time.Millisecond, nil
}
