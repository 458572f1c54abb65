// Package batchwrite wraps a listener so that the replies written by
// many connections in one turn of the Go scheduler reach the kernel
// back to back, instead of one between each request's other work.
//
// A Write on a wrapped connection copies the bytes and returns; one
// flusher goroutine, started when the first bytes are queued and gone
// when the queue is empty, first lets every other runnable goroutine run
// (runtime.Gosched), then writes what all of them queued. Under load the
// handlers of all the requests that arrived together run first and their
// replies leave together, so the peer (a client, or a proxy in front)
// is woken once for the lot rather than once a reply. That wake-up is
// most of what a small reply's write costs on loopback or a virtual
// machine. Redis writes its replies the same way, just before its event
// loop sleeps. When idle, a reply waits for one scheduler turn: a few
// microseconds. Under overload that turn can come late, after every
// runnable goroutine's; then the next writer that finds the queue older
// than maxDelay writes it itself.
//
// The flusher never waits for a peer. It writes what the socket takes
// at once; what a slow peer leaves (a slow reader, a reply larger than
// the socket buffer) is written by a goroutine of the connection's own,
// and that connection's next writes are plain, waiting writes in the
// caller's goroutine until its peer keeps up again. A Write of more than
// MaxQueued bytes, CloseWrite and ReadFrom first write what is queued.
//
// Queued bytes keep the write deadline they were written under, as they
// would have been written before any later change: net/http clears the
// deadline after each reply, and TLS sets it to now after its last
// alert. The error of queued bytes is returned by every later Write and
// by Close. Close does not wait for the peer, as closing a socket does
// not: queued bytes are still written, by their deadline (at most
// closeLinger without one), then the socket is closed.
package batchwrite

import (
	"io"
	"net"
	"os"
	"runtime"
	"sync"
	"syscall"
	"time"
)

// MaxQueued is the most a connection queues; a larger write is made in
// the caller's goroutine, after what was queued before it.
const MaxQueued = 64 << 10

// closeLinger bounds how long queued bytes without a deadline of their
// own are still written after Close, to a peer that does not read.
const closeLinger = 10 * time.Second

// Wrap returns ln with its connections' writes batched (see the package
// doc). Connections that do not expose their file descriptor (they are
// not sockets) are returned as they are, as is ln on systems where the
// non-blocking write is not implemented.
func Wrap(ln net.Listener) net.Listener {
	if !supported {
		return ln
	}
	return &listener{Listener: ln, q: new(queue)}
}

type listener struct {
	net.Listener
	q *queue
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return c, err
	}
	return wrap(c, l.q), nil
}

// maxDelay bounds how long a reply waits for the flusher. Under overload
// the flusher's turn comes only after every runnable goroutine's; a
// writer that finds the queue older than this writes it itself. A burst
// of requests arriving together (a client whose timers fire on the same
// tick) is such a case: with 2 ms, the first reply of a burst of twenty
// waited for all twenty, and the bench's paced p99 was 1.1 ms against
// 0.87 with 250 µs, at the same throughput under load (100 µs cost 5%
// of it).
const maxDelay = 250 * time.Microsecond

// queue holds the connections with bytes to write.
type queue struct {
	mu      sync.Mutex
	conns   []*conn
	spare   []*conn
	since   time.Time // when the oldest of conns was queued
	running bool
}

// add queues c, written at now. It starts the flusher, or writes the
// queue itself when the flusher is late (see maxDelay).
func (q *queue) add(c *conn, now time.Time) {
	q.mu.Lock()
	if len(q.conns) == 0 {
		q.since = now
	}
	q.conns = append(q.conns, c)
	var late []*conn
	if q.running && now.Sub(q.since) > maxDelay {
		late, q.conns = q.conns, nil
	}
	start := !q.running
	q.running = true
	q.mu.Unlock()
	if start {
		go q.run()
	}
	flush(late)
}

// run is the flusher: it yields, so that the goroutines that can run
// queue their writes, then writes them all, until nothing is queued.
func (q *queue) run() {
	for {
		runtime.Gosched()
		q.mu.Lock()
		batch := q.conns
		if len(batch) == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
		q.conns, q.spare = q.spare, nil
		q.mu.Unlock()
		flush(batch)
		q.mu.Lock()
		q.spare = batch[:0]
		q.mu.Unlock()
	}
}

// flush writes the queued bytes of conns without waiting (tryQueued).
func flush(conns []*conn) {
	for i, c := range conns {
		c.mu.Lock()
		if c.state == queued {
			c.tryQueued()
		}
		c.mu.Unlock()
		conns[i] = nil
	}
}

// The states of a connection's writing.
const (
	idle   = iota // nothing queued, nothing being written
	queued        // bytes in buf, the connection in the queue
	busy          // a goroutine writes; other writers wait
)

type conn struct {
	net.Conn
	raw  syscall.RawConn
	step func(fd uintptr) bool // writeStep
	rw   rawWrite              // tryWrite's state
	q    *queue

	mu     sync.Mutex
	done   sync.Cond // signalled when state leaves busy
	state  uint8
	buf    *[]byte   // the queued bytes, while queued
	qdl    time.Time // the write deadline the queued bytes were written under
	wdl    time.Time // the write deadline last set
	sockdl time.Time // the write deadline on the socket
	qw     bool      // queued bytes are being written: the socket has their deadline
	bg     bool      // by a goroutine of the connection's own
	slow   bool      // the peer did not take the last queued bytes at once
	shut   bool      // Close was called
	err    error     // the error of queued bytes
}

var bufs = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

func putBuf(b *[]byte) {
	if cap(*b) <= MaxQueued {
		*b = (*b)[:0]
		bufs.Put(b)
	}
}

func (c *conn) opError(err error) error {
	return &net.OpError{Op: "write", Net: c.LocalAddr().Network(), Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
}

// setSock puts deadline t on the socket. Called with c.mu held.
func (c *conn) setSock(t time.Time) {
	if !t.Equal(c.sockdl) {
		c.sockdl = t
		_ = c.Conn.SetWriteDeadline(t)
	}
}

// Write queues p and returns. It writes p itself, waiting for the peer
// as a plain Write, when p is larger than MaxQueued (after what is
// queued) or the peer has been slow.
func (c *conn) Write(p []byte) (int, error) {
	c.mu.Lock()
	for c.state == busy {
		c.done.Wait()
	}
	switch {
	case c.shut:
		c.mu.Unlock()
		return 0, c.opError(net.ErrClosed)
	case c.err != nil:
		err := c.err
		c.mu.Unlock()
		return 0, err
	case len(p) == 0:
		c.mu.Unlock()
		return 0, nil
	}
	now := time.Now()
	if !c.wdl.IsZero() && !now.Before(c.wdl) {
		c.mu.Unlock()
		return 0, c.opError(os.ErrDeadlineExceeded)
	}
	if c.slow || len(p) > MaxQueued || c.state == queued && len(*c.buf)+len(p) > MaxQueued {
		return c.writeNow(p)
	}
	start := c.state == idle
	if start {
		c.buf = bufs.Get().(*[]byte)
		c.state = queued
	}
	*c.buf = append(*c.buf, p...)
	c.qdl = c.wdl
	c.mu.Unlock()
	if start {
		c.q.add(c, now)
	}
	return len(p), nil
}

// writeNow writes what is queued, then p, in the caller's goroutine; the
// caller gets p's error, as from a plain Write. It is called with c.mu
// held and c not busy, and unlocks it.
func (c *conn) writeNow(p []byte) (int, error) {
	if err := c.flushLocked(); err != nil {
		c.mu.Unlock()
		return 0, err
	}
	c.state = busy
	slow := c.slow
	c.mu.Unlock()
	n, err := 0, error(nil)
	if slow {
		// The peer was slow: see whether it keeps up again.
		n, err = c.tryWrite(p)
		slow = err == nil && n < len(p)
	}
	if err == nil && n < len(p) {
		var m int
		m, err = c.Conn.Write(p[n:])
		n += m
	}
	c.mu.Lock()
	c.slow = slow
	c.state = idle
	c.done.Broadcast()
	c.mu.Unlock()
	return n, err
}

// tryQueued writes the queued bytes without waiting, and leaves what the
// peer does not take to a goroutine of the connection's own. It is
// called with c.mu held and c queued, and returns with c.mu held.
func (c *conn) tryQueued() {
	b, dl := c.buf, c.qdl
	c.buf = nil
	c.state, c.qw = busy, true
	c.mu.Unlock()
	n, err := c.tryWrite(*b) // the socket has a deadline no sooner than dl
	c.mu.Lock()
	if err == nil && n < len(*b) {
		c.bg, c.slow = true, true
		c.setSock(dl)
		go c.finish(b, n)
		return
	}
	putBuf(b)
	c.endQueued(err)
}

// finish writes the rest of b, waiting for the peer, and closes the
// socket if Close was called meanwhile.
func (c *conn) finish(b *[]byte, from int) {
	_, err := c.Conn.Write((*b)[from:])
	putBuf(b)
	c.mu.Lock()
	c.bg = false
	c.endQueued(err)
	shut := c.shut
	c.mu.Unlock()
	if shut {
		_ = c.Conn.Close()
	}
}

// endQueued ends a write of queued bytes: it records its error (their
// writer was told they were written), gives the socket the deadline last
// set, and wakes the writers waiting. Called with c.mu held.
func (c *conn) endQueued(err error) {
	if err != nil && c.err == nil {
		c.err = err
	}
	c.qw = false
	c.setSock(c.wdl)
	c.state = idle
	c.done.Broadcast()
}

// flushLocked waits for a write in progress, then writes what is queued
// in the caller's goroutine, waiting for the peer. It is called with
// c.mu held and returns with it held and c idle.
func (c *conn) flushLocked() error {
	for c.state == busy {
		c.done.Wait()
	}
	if c.state == queued {
		c.writeQueued()
	}
	return c.err
}

// writeQueued writes the queued bytes in the caller's goroutine, waiting
// for the peer, under their deadline. It is called with c.mu held and c
// queued, and returns with c.mu held and c idle.
func (c *conn) writeQueued() {
	b := c.buf
	c.buf = nil
	c.state, c.qw = busy, true
	c.setSock(c.qdl)
	c.mu.Unlock()
	_, err := c.Conn.Write(*b)
	putBuf(b)
	c.mu.Lock()
	c.endQueued(err)
}

// SetWriteDeadline sets the deadline of the writes to come. Bytes queued
// before keep theirs: if the new one is sooner, they are written first;
// if they are being written, the new one is set when they are.
func (c *conn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state == queued && sooner(t, c.qdl) {
		c.writeQueued() // its error comes with the next Write
	}
	c.wdl = t
	if c.qw {
		return nil
	}
	c.sockdl = t
	return c.Conn.SetWriteDeadline(t)
}

// SetDeadline sets the read and write deadlines (see SetWriteDeadline).
func (c *conn) SetDeadline(t time.Time) error {
	if err := c.Conn.SetReadDeadline(t); err != nil {
		return err
	}
	return c.SetWriteDeadline(t)
}

// sooner reports whether deadline t comes before deadline than; the zero
// time is never.
func sooner(t, than time.Time) bool {
	return !t.IsZero() && (than.IsZero() || t.Before(than))
}

// Close closes the connection without waiting for the peer, as closing a
// socket does: what is queued is written first, and what the peer does
// not take at once is left to a goroutine of the connection's own, which
// closes the socket after it, by the bytes' deadline or closeLinger,
// whichever comes first. Reading ends at once. A plain write in progress
// in another goroutine fails, as with a plain Close.
func (c *conn) Close() error {
	c.mu.Lock()
	if c.shut {
		c.mu.Unlock()
		return c.opError(net.ErrClosed)
	}
	c.shut = true
	for c.state == busy && c.qw && !c.bg {
		c.done.Wait() // queued bytes being written: they were written before Close
	}
	if c.state == queued {
		c.tryQueued()
	}
	if c.bg {
		if d := time.Now().Add(closeLinger); sooner(d, c.sockdl) {
			c.setSock(d)
		}
		c.mu.Unlock()
		if cr, ok := c.Conn.(interface{ CloseRead() error }); ok {
			_ = cr.CloseRead()
		}
		return nil
	}
	err := c.err
	c.mu.Unlock()
	if cerr := c.Conn.Close(); cerr != nil {
		return cerr
	}
	return err
}

// CloseWrite writes what is queued, then shuts down the writing side
// when the connection can (TCP can).
func (c *conn) CloseWrite() error {
	c.mu.Lock()
	err := c.flushLocked()
	c.mu.Unlock()
	if err != nil {
		return err
	}
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// ReadFrom writes what is queued, then copies from r, with the
// connection's own ReadFrom (sendfile, splice) when it has one.
func (c *conn) ReadFrom(r io.Reader) (int64, error) {
	c.mu.Lock()
	if err := c.flushLocked(); err != nil {
		c.mu.Unlock()
		return 0, err
	}
	c.state = busy
	c.mu.Unlock()
	var n int64
	var err error
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(r)
	} else {
		n, err = io.Copy(c.Conn, r)
	}
	c.mu.Lock()
	c.state = idle
	c.done.Broadcast()
	c.mu.Unlock()
	return n, err
}
