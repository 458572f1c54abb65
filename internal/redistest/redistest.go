// Package redistest starts a real redis-server on 127.0.0.1 for tests of
// code that shares state through Redis.
package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Start returns the address of a Redis server for t: $OUTHOOK_TEST_REDIS
// when set, else a redis-server of its own on a free 127.0.0.1 port,
// stopped when t ends. Without a redis-server binary it skips t, or fails
// it when $CI is set (CI installs one: .ci/redis.sh). It fails t when the
// binary does not come up within 5s.
func Start(t testing.TB) (addr string) {
	t.Helper()
	if addr := os.Getenv("OUTHOOK_TEST_REDIS"); addr != "" {
		return addr
	}
	addr, _ = Own(t)
	return addr
}

// Own starts a redis-server of t's own, whatever $OUTHOOK_TEST_REDIS says,
// for tests that stop it (kill) to see Redis go down; it is also stopped
// when t ends. It skips or fails as Start does.
func Own(t testing.TB) (addr string, kill func()) {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("redistest: no redis-server binary on CI: install it (.ci/redis.sh)")
		}
		t.Skip("redistest: no redis-server binary and no OUTHOOK_TEST_REDIS: install redis-server (.ci/redis.sh)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", t.TempDir(), "--loglevel", "warning")
	if err := cmd.Start(); err != nil {
		t.Fatalf("redistest: starting redis-server: %v", err)
	}
	var once sync.Once
	kill = func() {
		once.Do(func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		})
	}
	t.Cleanup(kill)
	addr = fmt.Sprintf("127.0.0.1:%d", port)
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err = c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return addr, kill
		}
		if time.Now().After(deadline) {
			t.Fatalf("redistest: redis-server on %s did not answer within 5s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Client returns a client of a server from Start, closed when t ends.
func Client(t testing.TB) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: Start(t)})
	t.Cleanup(func() { c.Close() })
	return c
}
