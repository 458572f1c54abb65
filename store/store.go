// Package store is the key-value store that outhook keeps its durable
// state in and hands to plugins: the follow-up outbox, the trigger
// plugin's used confirmation codes, subscriptions and their run claims.
//
// Three implementations share one contract (see storetest): a single
// embedded file that survives a restart with no server to run (the
// default), memory for tests, and Redis for several replicas. Namespace
// gives each plugin and webhook its own key space in one store.
package store

import (
	"context"
	"errors"
	"time"
)

// Store keeps values by key. Keys are strings of any bytes; values are
// opaque. A ttl of 0 keeps a value until it is deleted; a positive ttl
// lets it expire, after which it is absent to every method. All methods
// are safe for concurrent use.
type Store interface {
	// Get returns the value at key and whether there is one.
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	// Put sets the value at key, replacing any.
	Put(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Delete removes the value at key; a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// List returns the entries whose keys start with prefix, sorted by
	// key.
	List(ctx context.Context, prefix string) ([]Entry, error)
	// CompareAndSwap sets key to new only when its current value is old,
	// and reports whether it did. A nil old means "only if absent"; a nil
	// new deletes the key. It is atomic across every user of the store,
	// replicas included: it is how a run or a code is claimed once.
	CompareAndSwap(ctx context.Context, key string, old, new []byte, ttl time.Duration) (bool, error)
	// Close releases the store. The store is not used after.
	Close() error
}

// Entry is a key and its value, as List returns them.
type Entry struct {
	// Key is the entry's key, without the namespace of the Store it was
	// listed from.
	Key string
	// Value is the entry's value.
	Value []byte
}

// ErrClosed is returned by a store's methods after Close.
var ErrClosed = errors.New("store: closed")
