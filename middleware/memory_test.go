package middleware_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/outhook/outhook/middleware"
	"github.com/outhook/outhook/middleware/storetest"
)

func TestMemoryStoreConformance(t *testing.T) {
	storetest.Run(t, middleware.NewMemoryStore(1000))
}

func TestMemoryStoreIsBounded(t *testing.T) {
	m := middleware.NewMemoryStore(100)
	now := time.Unix(1_700_000_000, 0)
	middleware.SetClock(m, func() time.Time { return now })
	ctx := context.Background()
	for i := range 1000 {
		// Later keys expire later, so the oldest go first when full.
		now = now.Add(time.Millisecond)
		if _, _, err := m.Claim(ctx, fmt.Sprint("k", i), time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, _, err := m.Take(ctx, fmt.Sprint("r", i), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if n := m.Len(); n != 100 {
		t.Errorf("got %d keys; want 100", n)
	}
	if first, _, _ := m.Claim(ctx, "r999", time.Minute); first {
		t.Error("the newest key was evicted; want the oldest evicted")
	}
	if first, _, _ := m.Claim(ctx, "k0", time.Minute); !first {
		t.Error("the oldest key is still there; want it evicted")
	}
}

func TestMemoryStoreSweepsExpired(t *testing.T) {
	m := middleware.NewMemoryStore(0)
	now := time.Unix(1_700_000_000, 0)
	middleware.SetClock(m, func() time.Time { return now })
	ctx := context.Background()
	for i := range 500 {
		m.Claim(ctx, fmt.Sprint("k", i), time.Second)
	}
	now = now.Add(2 * time.Second)
	m.Take(ctx, "fresh", time.Second)
	if n := m.Len(); n != 1 {
		t.Errorf("got %d keys after expiry; want 1", n)
	}
	n, reset, _ := m.Take(ctx, "fresh", time.Second)
	if n != 2 || reset != time.Second {
		t.Errorf("got %d %v; want 2 1s", n, reset)
	}
}

func BenchmarkMemoryStore(b *testing.B) {
	ctx := context.Background()
	b.Run("Claim", func(b *testing.B) {
		m := middleware.NewMemoryStore(10_000)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			m.Claim(ctx, fmt.Sprint("k", i), time.Minute)
		}
	})
	b.Run("Take", func(b *testing.B) {
		m := middleware.NewMemoryStore(10_000)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			m.Take(ctx, "user", time.Minute)
		}
	})
}
