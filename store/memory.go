package store

import (
	"bytes"
	"context"
	"sort"
	"strings"
	"sync"
	"time"
)

// Memory is a Store in the process's memory, for tests and for a bot that
// keeps nothing across restarts. Its zero value is not usable: call
// NewMemory.
type Memory struct {
	mu     sync.Mutex
	m      map[string]memEntry
	closed bool
	now    func() time.Time
}

type memEntry struct {
	value   []byte
	expires time.Time // zero: never
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty Memory store.
func NewMemory() *Memory { return &Memory{m: map[string]memEntry{}, now: time.Now} }

// live returns the entry at key if it has not expired. Call with mu held.
func (s *Memory) live(key string) (memEntry, bool) {
	e, ok := s.m[key]
	if ok && !e.expires.IsZero() && !s.now().Before(e.expires) {
		delete(s.m, key)
		return memEntry{}, false
	}
	return e, ok
}

func (s *Memory) set(key string, value []byte, ttl time.Duration) {
	e := memEntry{value: bytes.Clone(value)}
	if ttl > 0 {
		e.expires = s.now().Add(ttl)
	}
	s.m[key] = e
}

// Get implements Store.
func (s *Memory) Get(_ context.Context, key string) ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, false, ErrClosed
	}
	e, ok := s.live(key)
	return bytes.Clone(e.value), ok, nil
}

// Put implements Store.
func (s *Memory) Put(_ context.Context, key string, value []byte, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.set(key, value, ttl)
	return nil
}

// Delete implements Store.
func (s *Memory) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	delete(s.m, key)
	return nil
}

// List implements Store.
func (s *Memory) List(_ context.Context, prefix string) ([]Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	var out []Entry
	for k := range s.m {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		if e, ok := s.live(k); ok {
			out = append(out, Entry{Key: k, Value: bytes.Clone(e.value)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// CompareAndSwap implements Store.
func (s *Memory) CompareAndSwap(_ context.Context, key string, old, new []byte, ttl time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false, ErrClosed
	}
	e, ok := s.live(key)
	if old == nil && ok || old != nil && (!ok || !bytes.Equal(e.value, old)) {
		return false, nil
	}
	if new == nil {
		delete(s.m, key)
	} else {
		s.set(key, new, ttl)
	}
	return true, nil
}

// Close implements Store.
func (s *Memory) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}
