package middleware

import (
	"context"
	"encoding/binary"
	"hash/maphash"
	"math"
	"runtime"
	"sync"
	"time"
	"unsafe"
)

// Defaults for a MemoryStore.
const (
	// DefaultMemoryEntries is how many keys a MemoryStore holds at most
	// when it is given no size: Replay keeps an activity's id for twice
	// its window (10 minutes by default), so this covers 54 activities a
	// second, sustained, far more than people mentioning a bot can send.
	// Past that the oldest ids are forgotten before their time: a replay
	// of one of them within its window would run again.
	DefaultMemoryEntries = 32 << 10
	// DefaultMemoryReplyBytes is how many bytes of kept replies a
	// MemoryStore holds at most when it is given no size: the last twenty
	// thousand short replies, or the last 35 of Teams' largest. Teams
	// delivers a message again within seconds, not minutes.
	DefaultMemoryReplyBytes = 1 << 20
)

// MemoryStoreConfig sizes a MemoryStore.
type MemoryStoreConfig struct {
	// Entries is how many keys the store holds at most: replay claims and
	// rate-limit counters together. Each costs 48 to 56 bytes: a 40-byte
	// slot and two to four index bytes. Optional; default
	// DefaultMemoryEntries.
	Entries int
	// ReplyBytes is how many bytes of kept replies the store holds at most,
	// whatever their number and size: older replies are overwritten by
	// newer ones, and a reply over a quarter of it is not kept. Optional;
	// default DefaultMemoryReplyBytes.
	ReplyBytes int
}

// MemoryStore is a bounded in-process ReplayStore and Limiter: the default
// for one replica. It is bounded in bytes: at most Entries keys of a fixed
// size each, plus ReplyBytes of kept replies (see MemoryStoreConfig), so
// about 2.6 MiB by default, however large the replies. It starts no
// goroutine and is safe for concurrent use.
//
// Keys are not stored: each is reduced to a 128-bit hash with a per-store
// random seed, so a key costs the same whatever its length and an outsider
// cannot aim for collisions. Entries sit in fixed-size, pointer-free slots
// in a ring, in the order they were made, found through an open-addressing
// index of slot numbers; replies are copied into a ring of bytes. All
// three are reserved once, outside the Go heap where the system allows
// (see offHeap), and touched only as they fill: nothing the garbage
// collector would scan or pace itself by grows with the traffic.
//
// Entries expire with their ttl or window and are swept, oldest first, on
// every write; when the store is full the oldest entry is dropped. A kept
// reply lives as long as its entry unless newer replies have overwritten
// it in the ring (ReplyBytes), in which case a duplicate gets Replay's
// short "already received" note instead of the first reply.
type MemoryStore struct {
	mu    sync.Mutex
	now   func() time.Time
	seeds [2]maphash.Seed
	index []uint32  // open addressing, linear probing: slot+1, 0 when free
	slots []memSlot // ring, oldest at tail
	tail  int       // oldest slot
	n     int       // slots in use
	reply []byte    // ring of kept replies
	head  uint64    // total bytes ever written to reply
}

var (
	_ ReplayStore = (*MemoryStore)(nil)
	_ Limiter     = (*MemoryStore)(nil)
)

// memSlot is one key's entry: a claim with its kept reply, or a counter.
type memSlot struct {
	key     [16]byte
	expires int64  // unix nanoseconds
	rpos    uint64 // the reply's position in the ring, in bytes ever written
	rlen    uint32 // the reply's length; 0: no reply
	count   uint32 // a counter's count
}

// NewMemoryStore returns a MemoryStore holding at most max keys, and
// DefaultMemoryReplyBytes of replies; max <= 0 means
// DefaultMemoryEntries.
func NewMemoryStore(max int) *MemoryStore {
	return NewMemoryStoreWithConfig(MemoryStoreConfig{Entries: max})
}

// NewMemoryStoreWithConfig returns a MemoryStore sized by config. Its
// memory is reserved up front but only touched as it fills, and given back
// when the store is garbage collected.
func NewMemoryStoreWithConfig(config MemoryStoreConfig) *MemoryStore {
	if config.Entries <= 0 {
		config.Entries = DefaultMemoryEntries
	}
	if config.ReplyBytes <= 0 {
		config.ReplyBytes = DefaultMemoryReplyBytes
	}
	slots, freeSlots := offHeap(config.Entries * int(unsafe.Sizeof(memSlot{})))
	size := 1
	for size < 2*config.Entries {
		size <<= 1
	}
	index, freeIndex := offHeap(size * 4)
	reply, freeReply := offHeap(config.ReplyBytes)
	m := &MemoryStore{
		now:   time.Now,
		seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()},
		slots: unsafe.Slice((*memSlot)(unsafe.Pointer(unsafe.SliceData(slots))), config.Entries),
		index: unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(index))), size),
		reply: reply,
	}
	runtime.AddCleanup(m, func(struct{}) { freeSlots(); freeIndex(); freeReply() }, struct{}{})
	return m
}

// Len returns how many keys the store holds, expired ones not yet swept
// included.
func (m *MemoryStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.n
}

// hash reduces key to 128 bits.
func (m *MemoryStore) hash(key string) (h [16]byte) {
	binary.LittleEndian.PutUint64(h[:8], maphash.String(m.seeds[0], key))
	binary.LittleEndian.PutUint64(h[8:], maphash.String(m.seeds[1], key))
	return h
}

// Claim implements ReplayStore. The reply it returns is a copy.
func (m *MemoryStore) Claim(_ context.Context, key string, ttl time.Duration) (bool, []byte, error) {
	h := m.hash(key)
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now().UnixNano()
	if s := m.live(h, now); s != nil {
		return false, m.replyOf(s), nil
	}
	m.insert(memSlot{key: h, expires: now + int64(ttl)}, now)
	return true, nil, nil
}

// Keep implements ReplayStore. It copies reply into the store's ring of
// replies; a reply over a quarter of the ring is not kept.
func (m *MemoryStore) Keep(_ context.Context, key string, reply []byte) error {
	h := m.hash(key)
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.live(h, m.now().UnixNano())
	if s == nil || len(reply) == 0 || len(reply) > len(m.reply)/4 {
		return nil
	}
	size := uint64(len(m.reply))
	if off := m.head % size; off+uint64(len(reply)) > size {
		m.head += size - off // a reply never wraps: start the ring over
	}
	copy(m.reply[m.head%size:], reply)
	s.rpos, s.rlen = m.head, uint32(len(reply))
	m.head += uint64(len(reply))
	return nil
}

// replyOf returns a copy of the reply kept in s, or nil when there is none
// or newer replies have overwritten it.
func (m *MemoryStore) replyOf(s *memSlot) []byte {
	if s.rlen == 0 || m.head-s.rpos > uint64(len(m.reply)) {
		return nil
	}
	off := s.rpos % uint64(len(m.reply))
	return append([]byte(nil), m.reply[off:off+uint64(s.rlen)]...)
}

// Take implements Limiter.
func (m *MemoryStore) Take(_ context.Context, key string, window time.Duration) (int64, time.Duration, error) {
	h := m.hash(key)
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now().UnixNano()
	s := m.live(h, now)
	if s == nil {
		s = m.insert(memSlot{key: h, expires: now + int64(window)}, now)
	}
	if s.count < math.MaxUint32 {
		s.count++
	}
	return int64(s.count), time.Duration(s.expires - now), nil
}

// live returns the unexpired slot for h, or nil.
func (m *MemoryStore) live(h [16]byte, now int64) *memSlot {
	pos, ok := m.find(h)
	if !ok {
		return nil
	}
	s := &m.slots[m.index[pos]-1]
	if now >= s.expires {
		return nil
	}
	return s
}

// home is where h's probe starts in the index.
func (m *MemoryStore) home(h *[16]byte) int {
	return int(binary.LittleEndian.Uint64(h[:8]) & uint64(len(m.index)-1))
}

// find returns the index position of h, or where it would go.
func (m *MemoryStore) find(h [16]byte) (int, bool) {
	mask := len(m.index) - 1
	for pos := m.home(&h); ; pos = (pos + 1) & mask {
		v := m.index[pos]
		if v == 0 {
			return pos, false
		}
		if m.slots[v-1].key == h {
			return pos, true
		}
	}
}

// remove frees index position pos, shifting back the entries after it
// that would no longer be found (linear probing without tombstones).
func (m *MemoryStore) remove(pos int) {
	mask := len(m.index) - 1
	for {
		m.index[pos] = 0
		next := pos
		for {
			next = (next + 1) & mask
			v := m.index[next]
			if v == 0 {
				return
			}
			k := m.home(&m.slots[v-1].key)
			// The entry at next stays if its home lies cyclically in
			// (pos, next].
			if pos <= next {
				if pos < k && k <= next {
					continue
				}
			} else if pos < k || k <= next {
				continue
			}
			m.index[pos] = v
			pos = next
			break
		}
	}
}

// insert sweeps what has expired from the oldest end, makes room, and
// adds s as the newest slot, replacing an expired entry for the same key.
func (m *MemoryStore) insert(s memSlot, now int64) *memSlot {
	for m.n > 0 && (m.n == len(m.slots) || now >= m.slots[m.tail].expires) {
		if pos, ok := m.find(m.slots[m.tail].key); ok && int(m.index[pos])-1 == m.tail {
			m.remove(pos)
		}
		m.tail = (m.tail + 1) % len(m.slots)
		m.n--
	}
	i := (m.tail + m.n) % len(m.slots)
	m.slots[i] = s
	pos, _ := m.find(s.key)
	m.index[pos] = uint32(i) + 1
	m.n++
	return &m.slots[i]
}
