package store_test

import (
	"context"
	"fmt"

	"github.com/outhook/outhook/store"
)

// A run is claimed once: the first CompareAndSwap with a nil old value
// wins, every later one (another replica, a retry) loses.
func ExampleStore_compareAndSwap() {
	ctx := context.Background()
	s := store.ForPlugin(store.NewMemory(), "ops", "subscriptions")
	for _, replica := range []string{"a", "b"} {
		won, err := s.CompareAndSwap(ctx, "claim/sub1/1800000000", nil, []byte(replica), 0)
		fmt.Println(replica, won, err)
	}
	v, _, _ := s.Get(ctx, "claim/sub1/1800000000")
	fmt.Println(string(v))
	// Output:
	// a true <nil>
	// b false <nil>
	// a
}
