package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/outhook/outhook/store"
	"github.com/outhook/outhook/store/storetest"
)

func TestFileConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		f, err := store.OpenFile(filepath.Join(t.TempDir(), "data", "outhook.db"))
		if err != nil {
			t.Fatal(err)
		}
		return f
	})
}

func TestFileSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "outhook.db")
	f, err := store.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Put(ctx, "kept", []byte("yes"), 0); err != nil {
		t.Fatal(err)
	}
	if err := f.Put(ctx, "brief", []byte("no"), storetest.TTL); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]os.FileMode{dir: 0o700, path: 0o600} {
		st, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != want {
			t.Errorf("mode of %s: got %o; want %o", name, got, want)
		}
	}
	time.Sleep(2 * storetest.TTL)
	f, err = store.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, ok, err := f.Get(ctx, "kept"); !ok || err != nil || string(v) != "yes" {
		t.Fatalf("after reopen: got %q %v %v; want yes true nil", v, ok, err)
	}
	if _, ok, _ := f.Get(ctx, "brief"); ok {
		t.Fatal("expired value came back after reopen")
	}
	if err := f.Sweep(); err != nil {
		t.Fatal(err)
	}
	es, err := f.List(ctx, "")
	if err != nil || len(es) != 1 {
		t.Fatalf("after sweep: got %d entries %v; want 1", len(es), err)
	}
}

func TestFileLockedByAnother(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outhook.db")
	f, err := store.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	start := time.Now()
	if g, err := store.OpenFile(path); err == nil {
		g.Close()
		t.Fatal("second open of a held file succeeded")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("second open took %v; want about 1s", d)
	}
}
