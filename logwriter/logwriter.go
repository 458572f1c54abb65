// Package logwriter batches log lines on their way to a slow sink such as
// stderr or a file: a request that logs a line copies it into a bounded
// buffer and goes on, and one goroutine writes what has gathered, in one
// write, at most Interval later. Writing each line with its own system
// call, as a plain *os.File does, costs more than answering a request.
//
// The bounds, all set in Options:
//   - Memory: at most Size bytes wait in the buffer, plus one batch being
//     written (and, for lines Keep selects, a reserve of another Size).
//   - Delay: a line reaches the sink about Interval after it was written,
//     sooner when the buffer fills, at once with Flush or Close.
//   - Blocking: when the sink is so slow that the buffer is full, Write
//     waits at most Wait for room, then drops the line and counts it
//     (Dropped); the next batch starts with a note of how many lines were
//     dropped. A line that Keep selects (audit events) is never dropped:
//     it may use the reserve, and when even that is full, Write waits for
//     the sink, however long it takes.
//   - Shutdown: Close writes every buffered line before it returns; lines
//     written after Close go straight to the sink.
//
// Lines are written in the order Write received them. Write never fails:
// a failed sink write counts its lines as dropped.
package logwriter

import (
	"bytes"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults for Options.
const (
	// DefaultSize is the buffer's bound in bytes: a few thousand lines.
	DefaultSize = 512 << 10
	// DefaultInterval is how long a line may wait before it is written.
	DefaultInterval = 10 * time.Millisecond
	// DefaultWait is how long Write waits for room in a full buffer before
	// it drops a line.
	DefaultWait = 10 * time.Millisecond
)

// Options bound a Writer. Zero fields take the defaults.
type Options struct {
	// Size is how many bytes may wait to be written. Optional; default
	// DefaultSize.
	Size int
	// Interval is how long a line may wait before it is written; batching
	// is what makes the writer cheap. Optional; default DefaultInterval.
	Interval time.Duration
	// Wait is the longest Write blocks on a full buffer before it drops
	// the line. Optional; default DefaultWait.
	Wait time.Duration
	// Keep selects lines that must never be dropped, such as audit
	// events; see the package documentation for what they may cost.
	// Optional; default: none (AuditLines selects outhook's audit events).
	Keep func(line []byte) bool
}

// AuditLines is a Keep function that selects outhook's audit events in the
// main JSON log: the lines with "audit":true. (In a JSON log the quotes
// inside a string value are escaped, so message text cannot fake it; a
// false match only means a line is never dropped.)
func AuditLines(line []byte) bool { return bytes.Contains(line, []byte(`"audit":true`)) }

// Writer is a batching io.Writer in front of a sink. Create it with New;
// call Close when done. It is safe for concurrent use.
type Writer struct {
	out  io.Writer
	opts Options

	mu      sync.Mutex
	buf     []byte        // lines waiting
	spare   []byte        // the other buffer, while it is not being written
	flushed chan struct{} // closed when buf is next emptied
	closed  bool

	flushMu sync.Mutex    // one batch written at a time, in order
	kick    chan struct{} // there are lines
	full    chan struct{} // there is no room: write now
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once

	dropped  atomic.Uint64
	reported uint64 // dropped as of the last note; under flushMu
}

// New returns a Writer that batches lines on their way to out, and starts
// its goroutine; Close stops it.
func New(out io.Writer, opts Options) *Writer {
	if opts.Size <= 0 {
		opts.Size = DefaultSize
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.Wait <= 0 {
		opts.Wait = DefaultWait
	}
	w := &Writer{
		out: out, opts: opts,
		flushed: make(chan struct{}),
		kick:    make(chan struct{}, 1),
		full:    make(chan struct{}, 1),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	go w.loop()
	return w
}

// Write copies one log line (or any bytes) into the buffer. It returns
// len(p) and nil, also when the line was dropped (see Dropped).
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		w.flushMu.Lock()
		defer w.flushMu.Unlock()
		w.write(p)
		return len(p), nil
	}
	var deadline *time.Timer
	keep := false
	for len(w.buf) > 0 && len(w.buf)+len(p) > w.opts.Size {
		if !keep && w.opts.Keep != nil && w.opts.Keep(p) {
			keep = true
		}
		if keep && len(w.buf)+len(p) <= 2*w.opts.Size {
			break // the reserve
		}
		flushed := w.flushed
		w.mu.Unlock()
		w.signal()
		select {
		case w.full <- struct{}{}:
		default:
		}
		if keep {
			<-flushed
		} else {
			if deadline == nil {
				deadline = time.NewTimer(w.opts.Wait)
				defer deadline.Stop()
			}
			select {
			case <-flushed:
			case <-deadline.C:
				w.dropped.Add(1)
				return len(p), nil
			}
		}
		w.mu.Lock()
		if w.closed {
			w.mu.Unlock()
			return w.Write(p)
		}
	}
	wasEmpty := len(w.buf) == 0
	w.buf = append(w.buf, p...)
	w.mu.Unlock()
	if wasEmpty {
		w.signal()
	}
	return len(p), nil
}

// signal wakes the goroutine without blocking.
func (w *Writer) signal() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// loop writes a batch at most Interval after its first line, until Close.
func (w *Writer) loop() {
	defer close(w.done)
	t := time.NewTimer(time.Hour)
	t.Stop()
	for {
		select {
		case <-w.kick:
		case <-w.stop:
			w.Flush()
			return
		}
		t.Reset(w.opts.Interval)
		select {
		case <-t.C:
		case <-w.full:
			t.Stop()
		case <-w.stop:
			t.Stop()
			w.Flush()
			return
		}
		w.Flush()
	}
}

// Flush writes every buffered line now, and returns once they are written.
func (w *Writer) Flush() {
	w.flushMu.Lock()
	defer w.flushMu.Unlock()
	w.mu.Lock()
	data := w.buf
	w.buf = w.spare[:0]
	w.spare = nil
	flushed := w.flushed
	w.flushed = make(chan struct{})
	w.mu.Unlock()
	close(flushed) // there is room again

	if n := w.dropped.Load(); n != w.reported {
		w.write(dropNote(n - w.reported))
		w.reported = n
	}
	if len(data) > 0 {
		w.write(data)
	}
	if cap(data) <= 2*w.opts.Size {
		w.mu.Lock()
		w.spare = data[:0]
		w.mu.Unlock()
	}
}

// write writes p to the sink, counting its lines as dropped on failure.
// The caller holds flushMu.
func (w *Writer) write(p []byte) {
	if _, err := w.out.Write(p); err != nil {
		w.dropped.Add(uint64(max(1, bytes.Count(p, []byte{'\n'}))))
	}
}

// dropNote is the line that tells the log's reader lines are missing.
func dropNote(n uint64) []byte {
	b := []byte(`{"level":"warn","dropped":`)
	b = strconv.AppendUint(b, n, 10)
	b = append(b, `,"time":"`...)
	b = time.Now().UTC().AppendFormat(b, time.RFC3339)
	return append(b, `","message":"log lines dropped: the log sink is too slow"}`+"\n"...)
}

// Dropped returns how many lines were dropped since New, because the
// buffer stayed full past Wait or the sink failed.
func (w *Writer) Dropped() uint64 { return w.dropped.Load() }

// Close writes every buffered line, stops the goroutine, and returns when
// both are done. Later writes go straight to the sink. It does not close
// the sink, and it is safe to call more than once.
func (w *Writer) Close() error {
	w.once.Do(func() {
		close(w.stop)
		<-w.done
		w.mu.Lock()
		w.closed = true
		w.mu.Unlock()
		w.Flush()
	})
	return nil
}
