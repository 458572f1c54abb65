package middleware

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// DefaultMemoryEntries is how many keys a MemoryStore holds at most when
// NewMemoryStore is given no size.
const DefaultMemoryEntries = 100_000

// MemoryStore is a bounded in-process ReplayStore and Limiter: the default
// for one replica. Entries expire with their ttl or window; when the store
// is full, the entry closest to expiry is dropped first. Expired entries
// are swept on every write, so it starts no goroutine and never grows past
// its size. It is safe for concurrent use.
type MemoryStore struct {
	mu   sync.Mutex
	max  int
	now  func() time.Time
	keys map[string]*memEntry
	heap memHeap
}

var (
	_ ReplayStore = (*MemoryStore)(nil)
	_ Limiter     = (*MemoryStore)(nil)
)

type memEntry struct {
	key     string
	expires time.Time
	count   int64
	reply   []byte
	index   int
}

// NewMemoryStore returns a MemoryStore holding at most max keys; max <= 0
// means DefaultMemoryEntries.
func NewMemoryStore(max int) *MemoryStore {
	if max <= 0 {
		max = DefaultMemoryEntries
	}
	return &MemoryStore{max: max, now: time.Now, keys: map[string]*memEntry{}}
}

// Len returns how many keys the store holds, expired ones not yet swept
// included.
func (m *MemoryStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.keys)
}

// Claim implements ReplayStore.
func (m *MemoryStore) Claim(_ context.Context, key string, ttl time.Duration) (bool, []byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if e := m.live(key, now); e != nil {
		return false, e.reply, nil
	}
	m.insert(&memEntry{key: key, expires: now.Add(ttl)}, now)
	return true, nil, nil
}

// Keep implements ReplayStore.
func (m *MemoryStore) Keep(_ context.Context, key string, reply []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e := m.live(key, m.now()); e != nil {
		e.reply = append([]byte(nil), reply...)
	}
	return nil
}

// Take implements Limiter.
func (m *MemoryStore) Take(_ context.Context, key string, window time.Duration) (int64, time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	e := m.live(key, now)
	if e == nil {
		e = &memEntry{key: key, expires: now.Add(window)}
		m.insert(e, now)
	}
	e.count++
	return e.count, e.expires.Sub(now), nil
}

// live returns the unexpired entry for key, or nil.
func (m *MemoryStore) live(key string, now time.Time) *memEntry {
	e := m.keys[key]
	if e == nil || !now.Before(e.expires) {
		return nil
	}
	return e
}

// insert adds e, replacing an expired entry for the same key, after
// sweeping what has expired and making room.
func (m *MemoryStore) insert(e *memEntry, now time.Time) {
	if old := m.keys[e.key]; old != nil {
		heap.Remove(&m.heap, old.index)
		delete(m.keys, old.key)
	}
	for len(m.heap) > 0 && (!now.Before(m.heap[0].expires) || len(m.heap) >= m.max) {
		old := heap.Pop(&m.heap).(*memEntry)
		delete(m.keys, old.key)
	}
	m.keys[e.key] = e
	heap.Push(&m.heap, e)
}

// memHeap orders entries by expiry, soonest first.
type memHeap []*memEntry

func (h memHeap) Len() int           { return len(h) }
func (h memHeap) Less(i, j int) bool { return h[i].expires.Before(h[j].expires) }
func (h memHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *memHeap) Push(x any) {
	e := x.(*memEntry)
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *memHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}
