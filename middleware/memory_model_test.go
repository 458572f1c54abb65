package middleware_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/outhook/outhook/middleware"
)

// model is the MemoryStore's contract written plainly: entries in the
// order they were made, each expiring at its time, the oldest dropped
// first when full or expired.
type model struct {
	max     int
	order   []string // keys by creation, oldest first; may hold stale duplicates
	expires map[string]time.Time
	created map[string]int // creation number of the live entry, to tell stale order rows
	count   map[string]int64
	reply   map[string]string
	made    int
	seq     []int       // creation number of each order row
	rowExp  []time.Time // expiry of each order row
}

func newModel(max int) *model {
	return &model{max: max, expires: map[string]time.Time{}, created: map[string]int{},
		count: map[string]int64{}, reply: map[string]string{}}
}

func (m *model) live(k string, now time.Time) bool {
	e, ok := m.expires[k]
	return ok && now.Before(e)
}

func (m *model) insert(k string, now time.Time, ttl time.Duration) {
	// Sweep from the oldest end, as the store does: while full or expired.
	for len(m.order) > 0 {
		old, seq := m.order[0], m.seq[0]
		stale := m.created[old] != seq
		if len(m.order) < m.max && now.Before(m.rowExp[0]) {
			break
		}
		m.order, m.seq, m.rowExp = m.order[1:], m.seq[1:], m.rowExp[1:]
		if !stale {
			delete(m.expires, old)
			delete(m.created, old)
			delete(m.count, old)
			delete(m.reply, old)
		}
	}
	m.made++
	delete(m.count, k)
	delete(m.reply, k)
	m.expires[k] = now.Add(ttl)
	m.created[k] = m.made
	m.order = append(m.order, k)
	m.seq = append(m.seq, m.made)
	m.rowExp = append(m.rowExp, now.Add(ttl))
}

// TestMemoryStoreAgreesWithModel runs random claims, keeps and takes, on a
// small store with a fake clock, against the model: every answer agrees.
func TestMemoryStoreAgreesWithModel(t *testing.T) {
	for seed := range uint64(20) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			const max = 37
			s := middleware.NewMemoryStoreWithConfig(middleware.MemoryStoreConfig{Entries: max, ReplyBytes: 1 << 20})
			now := time.Unix(1_700_000_000, 0)
			middleware.SetClock(s, func() time.Time { return now })
			m := newModel(max)
			ctx := context.Background()
			for step := range 20_000 {
				k := fmt.Sprint("k", rng.IntN(120))
				ttl := time.Duration(1+rng.IntN(50)) * time.Millisecond
				now = now.Add(time.Duration(rng.IntN(3)) * time.Millisecond)
				switch op := rng.IntN(3); op {
				case 0:
					first, reply, _ := s.Claim(ctx, k, ttl)
					wantFirst := !m.live(k, now)
					if wantFirst {
						m.insert(k, now, ttl)
					}
					if first != wantFirst || string(reply) != m.reply[k] && !wantFirst {
						t.Fatalf("step %d: Claim(%s) = %v %q; want %v %q", step, k, first, reply, wantFirst, m.reply[k])
					}
				case 1:
					r := fmt.Sprint("reply ", step)
					s.Keep(ctx, k, []byte(r))
					if m.live(k, now) {
						m.reply[k] = r
					}
				case 2:
					n, _, _ := s.Take(ctx, k, ttl)
					if !m.live(k, now) {
						m.insert(k, now, ttl)
					}
					m.count[k]++
					if n != m.count[k] {
						t.Fatalf("step %d: Take(%s) = %d; want %d", step, k, n, m.count[k])
					}
				}
				if s.Len() > max {
					t.Fatalf("step %d: %d entries; want at most %d", step, s.Len(), max)
				}
			}
		})
	}
}
