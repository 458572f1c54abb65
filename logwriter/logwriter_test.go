package logwriter_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/outhook/outhook/logwriter"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// sink records what reaches it, one entry per Write call, and can be made
// slow or failing.
type sink struct {
	mu     sync.Mutex
	writes [][]byte
	delay  time.Duration
	fail   bool
	block  chan struct{} // when set, Write waits for it to close
}

func (s *sink) Write(p []byte) (int, error) {
	if s.block != nil {
		<-s.block
	}
	time.Sleep(s.delay)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return 0, errors.New("sink failed")
	}
	s.writes = append(s.writes, bytes.Clone(p))
	return len(p), nil
}

func (s *sink) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(bytes.Join(s.writes, nil))
}

func (s *sink) calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.writes)
}

func line(i int) string { return fmt.Sprintf(`{"level":"info","n":%d,"message":"answered"}`+"\n", i) }

// TestEveryLineInOrderAfterClose writes from several goroutines: after
// Close, every line is in the sink, each goroutine's in its order, in far
// fewer writes than lines.
func TestEveryLineInOrderAfterClose(t *testing.T) {
	tests := []struct {
		name    string
		writers int
		lines   int
		opts    logwriter.Options
	}{
		{"one writer", 1, 2000, logwriter.Options{}},
		{"eight writers", 8, 500, logwriter.Options{}},
		{"tiny buffer, slow wait", 4, 300, logwriter.Options{Size: 256, Wait: time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &sink{}
			w := logwriter.New(s, tt.opts)
			var wg sync.WaitGroup
			for g := range tt.writers {
				wg.Go(func() {
					for i := range tt.lines {
						w.Write([]byte(line(g*1_000_000 + i)))
					}
				})
			}
			wg.Wait()
			w.Close()
			got := strings.Split(strings.TrimSuffix(s.text(), "\n"), "\n")
			if len(got) != tt.writers*tt.lines {
				t.Fatalf("got %d lines; want %d", len(got), tt.writers*tt.lines)
			}
			next := map[int]int{}
			for _, l := range got {
				var n int
				fmt.Sscanf(l, `{"level":"info","n":%d`, &n)
				g, i := n/1_000_000, n%1_000_000
				if i != next[g] {
					t.Fatalf("writer %d: got line %d; want %d", g, i, next[g])
				}
				next[g]++
			}
			if w.Dropped() != 0 {
				t.Errorf("got %d dropped; want 0", w.Dropped())
			}
			if tt.opts.Size == 0 && s.calls() >= tt.writers*tt.lines/10 {
				t.Errorf("got %d sink writes for %d lines; want batches", s.calls(), tt.writers*tt.lines)
			}
		})
	}
}

// TestLinesArriveWithinInterval writes one line and waits: it reaches the
// sink without Flush or Close, about Interval later.
func TestLinesArriveWithinInterval(t *testing.T) {
	s := &sink{}
	w := logwriter.New(s, logwriter.Options{Interval: 5 * time.Millisecond})
	defer w.Close()
	w.Write([]byte(line(1)))
	deadline := time.Now().Add(2 * time.Second)
	for s.text() == "" && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := s.text(); got != line(1) {
		t.Errorf("got %q; want %q", got, line(1))
	}
	w.Write([]byte(line(2)))
	w.Flush()
	if got := s.text(); got != line(1)+line(2) {
		t.Errorf("after Flush: got %q; want both lines", got)
	}
}

// TestSlowSinkDropsWithinBound blocks the sink: writes return within
// about Wait, drop what does not fit and count it, and the next batch
// notes the drop. Lines Keep selects are not dropped.
func TestSlowSinkDropsWithinBound(t *testing.T) {
	s := &sink{block: make(chan struct{})}
	const wait = 5 * time.Millisecond
	w := logwriter.New(s, logwriter.Options{Size: 1024, Wait: wait, Interval: time.Millisecond, Keep: logwriter.AuditLines})
	audit := `{"level":"info","audit":true,"command":"deploy"}` + "\n"
	var slowest time.Duration
	for i := range 100 {
		start := time.Now()
		w.Write([]byte(line(i)))
		slowest = max(slowest, time.Since(start))
	}
	if slowest > 10*wait {
		t.Errorf("slowest Write took %v; want about %v at most", slowest, wait)
	}
	if w.Dropped() == 0 {
		t.Fatal("nothing dropped behind a blocked sink; want drops")
	}
	kept := make(chan struct{})
	go func() {
		defer close(kept)
		for range 40 { // over the reserve: the last ones wait for the sink
			w.Write([]byte(audit))
		}
	}()
	time.Sleep(50 * time.Millisecond)
	close(s.block) // the sink recovers
	<-kept
	w.Close()
	got := s.text()
	if n := strings.Count(got, audit); n != 40 {
		t.Errorf("got %d audit lines; want all 40", n)
	}
	if !strings.Contains(got, `"message":"log lines dropped: the log sink is too slow"`) {
		t.Errorf("no drop note in the log: %q", got)
	}
}

// TestFailingSinkCountsDrops makes every sink write fail: the lines are
// counted as dropped and Write still returns at once.
func TestFailingSinkCountsDrops(t *testing.T) {
	s := &sink{fail: true}
	w := logwriter.New(s, logwriter.Options{})
	for i := range 3 {
		w.Write([]byte(line(i)))
	}
	w.Close()
	if got := w.Dropped(); got < 3 {
		t.Errorf("got %d dropped; want at least 3", got)
	}
}

// TestWriteAfterClose goes straight to the sink.
func TestWriteAfterClose(t *testing.T) {
	s := &sink{}
	w := logwriter.New(s, logwriter.Options{})
	w.Close()
	w.Close()
	w.Write([]byte(line(7)))
	if got := s.text(); got != line(7) {
		t.Errorf("got %q; want %q", got, line(7))
	}
}

func BenchmarkWrite(b *testing.B) {
	w := logwriter.New(discard{}, logwriter.Options{})
	defer w.Close()
	p := []byte(line(1))
	b.ReportAllocs()
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		w.Write(p)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
