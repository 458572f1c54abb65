package store

import (
	"context"
	"strings"
	"time"
)

// Namespace returns a view of s whose keys all live under ns: a key k is
// kept as ns+"/"+k, and List strips the namespace again. Namespaces nest.
// Closing the view does not close s.
func Namespace(s Store, ns string) Store {
	if n, ok := s.(*namespaced); ok {
		return &namespaced{s: n.s, prefix: n.prefix + ns + "/"}
	}
	return &namespaced{s: s, prefix: ns + "/"}
}

// ForPlugin returns the key space of plugin id serving webhook: the one
// place that spells how plugins' namespaces are named.
func ForPlugin(s Store, webhook, id string) Store {
	return Namespace(s, "plugin/"+webhook+"/"+id)
}

type namespaced struct {
	s      Store
	prefix string
}

func (n *namespaced) Get(ctx context.Context, key string) ([]byte, bool, error) {
	return n.s.Get(ctx, n.prefix+key)
}

func (n *namespaced) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return n.s.Put(ctx, n.prefix+key, value, ttl)
}

func (n *namespaced) Delete(ctx context.Context, key string) error {
	return n.s.Delete(ctx, n.prefix+key)
}

func (n *namespaced) List(ctx context.Context, prefix string) ([]Entry, error) {
	es, err := n.s.List(ctx, n.prefix+prefix)
	for i := range es {
		es[i].Key = strings.TrimPrefix(es[i].Key, n.prefix)
	}
	return es, err
}

func (n *namespaced) CompareAndSwap(ctx context.Context, key string, old, new []byte, ttl time.Duration) (bool, error) {
	return n.s.CompareAndSwap(ctx, n.prefix+key, old, new, ttl)
}

// Close does nothing: the view does not own the store.
func (n *namespaced) Close() error { return nil }
