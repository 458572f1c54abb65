// Package storetest is the conformance suite of store.Store: every
// implementation (memory, file, Redis, or one of your own) runs the same
// tests, so plugins can rely on one behaviour whatever the configuration
// picks.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/outhook/outhook/store"
)

// TTL is the short time-to-live the suite waits out; a store must let
// values expire within about twice that.
const TTL = 150 * time.Millisecond

// Run runs the suite. newStore returns a fresh, empty store for each
// subtest (a shared backend may hand out a new key prefix instead); the
// suite closes it. It takes under a second: it waits for short ttls to
// pass.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	ctx := context.Background()
	open := func(t *testing.T) store.Store {
		t.Helper()
		s := newStore(t)
		t.Cleanup(func() { _ = s.Close() })
		return s
	}

	t.Run("get missing", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		v, ok, err := s.Get(ctx, "nothing")
		if err != nil || ok || v != nil {
			t.Fatalf("got %q %v %v; want nil false nil", v, ok, err)
		}
	})

	t.Run("put get delete", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		for _, tc := range []struct{ key, value string }{
			{"a", "1"},
			{"with/slash", "two"},
			{"unicode ✓ key", "value with \x00 bytes"},
			{"empty value", ""},
		} {
			if err := s.Put(ctx, tc.key, []byte(tc.value), 0); err != nil {
				t.Fatalf("put %q: %v", tc.key, err)
			}
			v, ok, err := s.Get(ctx, tc.key)
			if err != nil || !ok || string(v) != tc.value {
				t.Fatalf("get %q: got %q %v %v; want %q true nil", tc.key, v, ok, err, tc.value)
			}
		}
		if err := s.Put(ctx, "a", []byte("replaced"), 0); err != nil {
			t.Fatal(err)
		}
		if v, _, _ := s.Get(ctx, "a"); string(v) != "replaced" {
			t.Fatalf("after second put: got %q; want replaced", v)
		}
		if err := s.Delete(ctx, "a"); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := s.Get(ctx, "a"); ok || err != nil {
			t.Fatalf("after delete: got %v %v; want false nil", ok, err)
		}
		if err := s.Delete(ctx, "never there"); err != nil {
			t.Fatalf("delete missing: got %v; want nil", err)
		}
	})

	t.Run("values are copied", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		in := []byte("abc")
		if err := s.Put(ctx, "k", in, 0); err != nil {
			t.Fatal(err)
		}
		in[0] = 'X'
		v, _, _ := s.Get(ctx, "k")
		if string(v) != "abc" {
			t.Fatalf("after changing the put slice: got %q; want abc", v)
		}
		v[1] = 'Y'
		if v2, _, _ := s.Get(ctx, "k"); string(v2) != "abc" {
			t.Fatalf("after changing a got slice: got %q; want abc", v2)
		}
	})

	t.Run("list by prefix in key order", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		for _, k := range []string{"sub/b", "sub/a", "sub/c/1", "suba", "other", "su"} {
			if err := s.Put(ctx, k, []byte("v-"+k), 0); err != nil {
				t.Fatal(err)
			}
		}
		es, err := s.List(ctx, "sub/")
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"sub/a", "sub/b", "sub/c/1"}
		if got := keys(es); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("got %v; want %v", got, want)
		}
		for _, e := range es {
			if string(e.Value) != "v-"+e.Key {
				t.Fatalf("value of %q: got %q; want %q", e.Key, e.Value, "v-"+e.Key)
			}
		}
		all, err := s.List(ctx, "")
		if err != nil || len(all) != 6 {
			t.Fatalf("list all: got %d entries, %v; want 6 nil", len(all), err)
		}
		none, err := s.List(ctx, "zzz")
		if err != nil || len(none) != 0 {
			t.Fatalf("list nothing: got %v %v; want none", keys(none), err)
		}
	})

	t.Run("ttl expires", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		if err := s.Put(ctx, "short", []byte("v"), TTL); err != nil {
			t.Fatal(err)
		}
		if err := s.Put(ctx, "forever", []byte("v"), 0); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.Get(ctx, "short"); !ok {
			t.Fatal("short-lived value gone at once")
		}
		time.Sleep(2 * TTL)
		if _, ok, err := s.Get(ctx, "short"); ok || err != nil {
			t.Fatalf("get after ttl: got %v %v; want false nil", ok, err)
		}
		es, err := s.List(ctx, "")
		if err != nil || fmt.Sprint(keys(es)) != "[forever]" {
			t.Fatalf("list after ttl: got %v %v; want [forever]", keys(es), err)
		}
		// An expired key is absent to CompareAndSwap too.
		if ok, err := s.CompareAndSwap(ctx, "short", nil, []byte("again"), 0); !ok || err != nil {
			t.Fatalf("cas on expired key: got %v %v; want true nil", ok, err)
		}
	})

	t.Run("put without ttl clears ttl", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		if err := s.Put(ctx, "k", []byte("1"), TTL); err != nil {
			t.Fatal(err)
		}
		if err := s.Put(ctx, "k", []byte("2"), 0); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * TTL)
		if v, ok, _ := s.Get(ctx, "k"); !ok || string(v) != "2" {
			t.Fatalf("got %q %v; want 2 true", v, ok)
		}
	})

	t.Run("compare and swap", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		cases := []struct {
			name     string
			old, new []byte
			want     bool
			after    string // "" means absent
		}{
			{"create if absent", nil, []byte("1"), true, "1"},
			{"create again fails", nil, []byte("2"), false, "1"},
			{"wrong old fails", []byte("9"), []byte("2"), false, "1"},
			{"right old swaps", []byte("1"), []byte("2"), true, "2"},
			{"empty new is a value", []byte("2"), []byte{}, true, "\x00empty"},
			{"empty old matches empty", []byte{}, []byte("3"), true, "3"},
			{"nil new deletes", []byte("3"), nil, true, ""},
			{"delete absent fails", []byte("3"), nil, false, ""},
			{"nil old nil new on absent", nil, nil, true, ""},
		}
		for _, tc := range cases {
			ok, err := s.CompareAndSwap(ctx, "k", tc.old, tc.new, 0)
			if err != nil || ok != tc.want {
				t.Fatalf("%s: got %v %v; want %v nil", tc.name, ok, err, tc.want)
			}
			v, present, err := s.Get(ctx, "k")
			switch {
			case err != nil:
				t.Fatalf("%s: get: %v", tc.name, err)
			case tc.after == "" && present:
				t.Fatalf("%s: got %q; want absent", tc.name, v)
			case tc.after == "\x00empty" && (!present || len(v) != 0):
				t.Fatalf("%s: got %q %v; want empty value", tc.name, v, present)
			case tc.after != "" && tc.after != "\x00empty" && string(v) != tc.after:
				t.Fatalf("%s: got %q; want %q", tc.name, v, tc.after)
			}
		}
	})

	t.Run("compare and swap with ttl", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		if ok, err := s.CompareAndSwap(ctx, "lease", nil, []byte("a"), TTL); !ok || err != nil {
			t.Fatalf("claim: got %v %v", ok, err)
		}
		if ok, _ := s.CompareAndSwap(ctx, "lease", nil, []byte("b"), TTL); ok {
			t.Fatal("second claim within ttl succeeded")
		}
		time.Sleep(2 * TTL)
		if ok, err := s.CompareAndSwap(ctx, "lease", nil, []byte("b"), 0); !ok || err != nil {
			t.Fatalf("claim after ttl: got %v %v; want true nil", ok, err)
		}
	})

	t.Run("concurrent claims: one winner", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		const n = 32
		var wins atomic.Int32
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				ok, err := s.CompareAndSwap(ctx, "claim", nil, fmt.Appendf(nil, "%d", i), 0)
				if err != nil {
					errs <- err
				}
				if ok {
					wins.Add(1)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if w := wins.Load(); w != 1 {
			t.Fatalf("got %d winners; want 1", w)
		}
	})

	t.Run("concurrent increments lose nothing", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		const workers, each = 8, 10
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for range workers {
			wg.Go(func() {
				for range each {
					if err := increment(ctx, s, "counter"); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		v, _, err := s.Get(ctx, "counter")
		if err != nil || string(v) != fmt.Sprint(workers*each) {
			t.Fatalf("got %q %v; want %d", v, err, workers*each)
		}
	})

	t.Run("namespaces are apart", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		a, b := store.ForPlugin(s, "hook", "a"), store.ForPlugin(s, "hook", "b")
		if err := a.Put(ctx, "k", []byte("from a"), 0); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := b.Get(ctx, "k"); ok {
			t.Fatal("plugin b sees plugin a's key")
		}
		es, err := a.List(ctx, "")
		if err != nil || fmt.Sprint(keys(es)) != "[k]" {
			t.Fatalf("list in namespace: got %v %v; want [k]", keys(es), err)
		}
	})

	t.Run("closed store errors", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		if err := s.Put(ctx, "k", []byte("v"), 0); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("close: %v", err)
		}
		checks := map[string]error{}
		_, _, checks["get"] = s.Get(ctx, "k")
		checks["put"] = s.Put(ctx, "k", []byte("v"), 0)
		checks["delete"] = s.Delete(ctx, "k")
		_, checks["list"] = s.List(ctx, "")
		_, checks["cas"] = s.CompareAndSwap(ctx, "k", nil, []byte("v"), 0)
		for name, err := range checks {
			if !errors.Is(err, store.ErrClosed) {
				t.Errorf("%s after close: got %v; want store.ErrClosed", name, err)
			}
		}
	})
}

// increment adds one to the decimal counter at key with a CAS loop.
func increment(ctx context.Context, s store.Store, key string) error {
	for {
		old, ok, err := s.Get(ctx, key)
		if err != nil {
			return err
		}
		n := 0
		if ok {
			if _, err := fmt.Sscan(string(old), &n); err != nil {
				return err
			}
		} else {
			old = nil
		}
		done, err := s.CompareAndSwap(ctx, key, old, fmt.Appendf(nil, "%d", n+1), 0)
		if err != nil || done {
			return err
		}
	}
}

func keys(es []store.Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Key
	}
	return out
}
