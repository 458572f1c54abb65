package redisstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/outhook/outhook/internal/redistest"
	"github.com/outhook/outhook/middleware/redisstore"
	"github.com/outhook/outhook/middleware/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, redisstore.New(client(t), "test:"))
}

func TestKeysExpire(t *testing.T) {
	c := client(t)
	s := redisstore.New(c, "expiry:")
	ctx := context.Background()
	if _, _, err := s.Claim(ctx, "a", time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Take(ctx, "b", time.Minute); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"expiry:a", "expiry:b"} {
		ttl, err := c.PTTL(ctx, k).Result()
		if err != nil || ttl <= 0 || ttl > time.Minute {
			t.Errorf("%s: got ttl %v %v; want 0 < ttl <= 1m", k, ttl, err)
		}
	}
}

func TestTakeRepairsCounterWithoutExpiry(t *testing.T) {
	c := client(t)
	ctx := context.Background()
	c.Set(ctx, "repair:k", 5, 0) // a counter left without a ttl
	n, reset, err := redisstore.New(c, "repair:").Take(ctx, "k", time.Minute)
	if err != nil || n != 6 || reset != time.Minute {
		t.Errorf("got %d %v %v; want 6 1m0s nil", n, reset, err)
	}
}

func TestOpen(t *testing.T) {
	addr := redistest.Start(t)
	ctx := context.Background()
	s, closer, err := redisstore.Open(ctx, "redis://"+addr+"/0", "")
	if err != nil {
		t.Fatalf("got %v; want nil", err)
	}
	defer closer.Close()
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping: got %v; want nil", err)
	}

	_, _, err = redisstore.Open(ctx, "http://user:hunter2@example.com", "")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("bad URL: got %v; want an error without the password", err)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	_, _, err = redisstore.Open(short, "redis://:hunter2@127.0.0.1:1/0", "")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("unreachable: got %v; want an error without the password", err)
	}
}

func TestUnreachableServerErrors(t *testing.T) {
	c := redisClientTo("127.0.0.1:1")
	defer c.Close()
	s := redisstore.New(c, "")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, _, err := s.Claim(ctx, "k", time.Second); err == nil {
		t.Error("Claim: got nil; want an error")
	}
	if _, _, err := s.Take(ctx, "k", time.Second); err == nil {
		t.Error("Take: got nil; want an error")
	}
}
