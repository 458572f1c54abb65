// Package storetest checks that a middleware.ReplayStore and
// middleware.Limiter behave as the middleware expects. Every
// implementation runs the same suite: the in-memory default and Redis
// alike, and any store of your own.
package storetest

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/outhook/outhook/middleware"
)

// Store is what the suite exercises.
type Store interface {
	middleware.ReplayStore
	middleware.Limiter
}

// Run runs the suite against s. Keys are prefixed with a per-run name so
// that a shared backend can be reused. It takes about half a second: it
// waits for short ttls to pass.
func Run(t *testing.T, s Store) {
	ctx := context.Background()
	ns := fmt.Sprintf("storetest-%d:", time.Now().UnixNano())
	const ttl = 300 * time.Millisecond

	t.Run("claim once", func(t *testing.T) {
		k := ns + "claim"
		first, reply, err := s.Claim(ctx, k, ttl)
		if err != nil || !first || reply != nil {
			t.Fatalf("first claim: got %v %q %v; want true nil nil", first, reply, err)
		}
		first, reply, err = s.Claim(ctx, k, ttl)
		if err != nil || first || reply != nil {
			t.Fatalf("second claim before Keep: got %v %q %v; want false nil nil", first, reply, err)
		}
		if err := s.Keep(ctx, k, []byte(`{"type":"message","text":"done"}`)); err != nil {
			t.Fatalf("Keep: got %v; want nil", err)
		}
		first, reply, err = s.Claim(ctx, k, ttl)
		if err != nil || first || !bytes.Equal(reply, []byte(`{"type":"message","text":"done"}`)) {
			t.Fatalf("claim after Keep: got %v %q %v; want false and the kept reply", first, reply, err)
		}
	})

	t.Run("claim expires", func(t *testing.T) {
		k := ns + "expire"
		if first, _, err := s.Claim(ctx, k, 100*time.Millisecond); !first || err != nil {
			t.Fatalf("got %v %v; want a first claim", first, err)
		}
		time.Sleep(150 * time.Millisecond)
		if first, _, err := s.Claim(ctx, k, ttl); !first || err != nil {
			t.Fatalf("after the ttl: got %v %v; want a first claim again", first, err)
		}
	})

	t.Run("keep without claim stores nothing", func(t *testing.T) {
		k := ns + "unclaimed"
		if err := s.Keep(ctx, k, []byte("x")); err != nil {
			t.Fatalf("Keep: got %v; want nil", err)
		}
		if first, reply, err := s.Claim(ctx, k, ttl); !first || reply != nil || err != nil {
			t.Fatalf("got %v %q %v; want a first claim with no reply", first, reply, err)
		}
	})

	t.Run("concurrent claims: exactly one wins", func(t *testing.T) {
		k := ns + "race"
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 16 {
			wg.Go(func() {
				first, _, err := s.Claim(ctx, k, ttl)
				if err != nil {
					t.Error(err)
				}
				if first {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if wins != 1 {
			t.Errorf("got %d winners; want 1", wins)
		}
	})

	t.Run("take counts in a window", func(t *testing.T) {
		k := ns + "take"
		for i := int64(1); i <= 3; i++ {
			n, reset, err := s.Take(ctx, k, ttl)
			if err != nil || n != i || reset <= 0 || reset > ttl {
				t.Fatalf("take %d: got %d %v %v; want %d, 0 < reset <= %v", i, n, reset, err, i, ttl)
			}
		}
		if n, _, _ := s.Take(ctx, ns+"take-other", ttl); n != 1 {
			t.Errorf("other key: got %d; want 1", n)
		}
		time.Sleep(ttl + 50*time.Millisecond)
		if n, _, err := s.Take(ctx, k, ttl); n != 1 || err != nil {
			t.Errorf("after the window: got %d %v; want 1", n, err)
		}
	})

	t.Run("concurrent takes all count", func(t *testing.T) {
		k := ns + "take-race"
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				if _, _, err := s.Take(ctx, k, time.Second); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n, _, _ := s.Take(ctx, k, time.Second); n != 21 {
			t.Errorf("got %d; want 21", n)
		}
	})
}
