package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a Store in Redis, for several replicas that share their state:
// a value's ttl is Redis's own, and CompareAndSwap is one Lua script, so
// it is atomic across replicas. Create it with NewRedis.
type Redis struct {
	c      redis.UniversalClient
	prefix string
	closed atomic.Bool
}

var _ Store = (*Redis)(nil)

// NewRedis returns a Store that keeps its keys in c under prefix (such as
// "outhook:store:"). It does not own c: Close leaves it open.
func NewRedis(c redis.UniversalClient, prefix string) *Redis {
	return &Redis{c: c, prefix: prefix}
}

// casScript sets KEYS[1] to ARGV[4] when its value is ARGV[2]. ARGV[1] is
// "1" when there is an old value to compare ("0": only if absent), ARGV[3]
// "1" when there is a new value ("0": delete), ARGV[5] the ttl in ms.
var casScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if ARGV[1] == '0' then
  if cur then return 0 end
elseif (not cur) or cur ~= ARGV[2] then
  return 0
end
if ARGV[3] == '0' then
  redis.call('DEL', KEYS[1])
elseif tonumber(ARGV[5]) > 0 then
  redis.call('SET', KEYS[1], ARGV[4], 'PX', ARGV[5])
else
  redis.call('SET', KEYS[1], ARGV[4])
end
return 1
`)

func (r *Redis) check() error {
	if r.closed.Load() {
		return ErrClosed
	}
	return nil
}

// Get implements Store.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := r.check(); err != nil {
		return nil, false, err
	}
	v, err := r.c.Get(ctx, r.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("store: redis get: %w", err)
	}
	return v, true, nil
}

// Put implements Store.
func (r *Redis) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := r.check(); err != nil {
		return err
	}
	if err := r.c.Set(ctx, r.prefix+key, value, max(ttl, 0)).Err(); err != nil {
		return fmt.Errorf("store: redis put: %w", err)
	}
	return nil
}

// Delete implements Store.
func (r *Redis) Delete(ctx context.Context, key string) error {
	if err := r.check(); err != nil {
		return err
	}
	if err := r.c.Del(ctx, r.prefix+key).Err(); err != nil {
		return fmt.Errorf("store: redis delete: %w", err)
	}
	return nil
}

// globEscape escapes the characters SCAN's MATCH treats specially.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '*', '?', '[', ']', '\\', '^', '-':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// List implements Store. It scans the keyspace (on every master of a
// cluster), so keep lists to small prefixes of a shared server.
func (r *Redis) List(ctx context.Context, prefix string) ([]Entry, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	match := globEscape(r.prefix+prefix) + "*"
	var keys []string
	scan := func(ctx context.Context, c redis.UniversalClient) error {
		it := c.Scan(ctx, 0, match, 200).Iterator()
		for it.Next(ctx) {
			keys = append(keys, it.Val())
		}
		return it.Err()
	}
	var err error
	if cc, ok := r.c.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return scan(ctx, c) })
	} else {
		err = scan(ctx, r.c)
	}
	if err != nil {
		return nil, fmt.Errorf("store: redis list: %w", err)
	}
	sort.Strings(keys)
	keys = compactStrings(keys)
	out := make([]Entry, 0, len(keys))
	for _, k := range keys {
		// One GET per key, not MGET: on a cluster the keys lie in
		// different slots.
		v, err := r.c.Get(ctx, k).Bytes()
		if errors.Is(err, redis.Nil) {
			continue // expired or deleted since the scan
		}
		if err != nil {
			return nil, fmt.Errorf("store: redis list: %w", err)
		}
		out = append(out, Entry{Key: strings.TrimPrefix(k, r.prefix), Value: v})
	}
	return out, nil
}

func compactStrings(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// CompareAndSwap implements Store.
func (r *Redis) CompareAndSwap(ctx context.Context, key string, old, new []byte, ttl time.Duration) (bool, error) {
	if err := r.check(); err != nil {
		return false, err
	}
	flag := func(b []byte) string {
		if b == nil {
			return "0"
		}
		return "1"
	}
	n, err := casScript.Run(ctx, r.c, []string{r.prefix + key},
		flag(old), old, flag(new), new, ttl.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("store: redis compare and swap: %w", err)
	}
	return n == 1, nil
}

// Close makes the store refuse further use. It leaves the client open:
// the caller owns it.
func (r *Redis) Close() error {
	r.closed.Store(true)
	return nil
}
