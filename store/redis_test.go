package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/outhook/outhook/internal/redistest"
	"github.com/outhook/outhook/store"
	"github.com/outhook/outhook/store/storetest"
)

func TestRedisConformance(t *testing.T) {
	c := redistest.Client(t)
	var n atomic.Int64
	storetest.Run(t, func(*testing.T) store.Store {
		return store.NewRedis(c, fmt.Sprintf("conformance-%d:", n.Add(1)))
	})
}

func TestRedisPrefixWithGlobCharacters(t *testing.T) {
	c := redistest.Client(t)
	ctx := context.Background()
	a := store.NewRedis(c, "a*[x]:")
	b := store.NewRedis(c, "ab[x]:")
	if err := b.Put(ctx, "k", []byte("b"), 0); err != nil {
		t.Fatal(err)
	}
	if err := a.Put(ctx, "k", []byte("a"), 0); err != nil {
		t.Fatal(err)
	}
	es, err := a.List(ctx, "")
	if err != nil || len(es) != 1 || string(es[0].Value) != "a" {
		t.Fatalf("got %v %v; want only a's key", es, err)
	}
}
