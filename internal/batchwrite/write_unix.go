//go:build unix

package batchwrite

import (
	"errors"
	"net"
	"os"
	"syscall"
)

const supported = true

// wrap batches c's writes when it is a socket whose descriptor can be
// written without waiting.
func wrap(c net.Conn, q *queue) net.Conn {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return c
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return c
	}
	w := &conn{Conn: c, q: q, raw: raw}
	w.done.L = &w.mu
	w.step = w.writeStep // one func value per connection, not one per write
	return w
}

// rawWrite is the state of one tryWrite, for writeStep. Only the
// goroutine that set c busy uses it.
type rawWrite struct {
	b   []byte
	n   int
	err error
}

// tryWrite writes what the socket takes now, without waiting: n < len(b)
// with a nil error means the peer must read before the rest fits. The
// socket's write deadline applies. Called with c busy.
func (c *conn) tryWrite(b []byte) (int, error) {
	c.rw = rawWrite{b: b}
	err := c.raw.Write(c.step)
	n := c.rw.n
	if c.rw.err != nil {
		err = c.rw.err
	}
	c.rw = rawWrite{}
	if err != nil {
		return n, c.opError(err)
	}
	return n, nil
}

// writeStep is the syscall.RawConn Write callback of tryWrite: it never
// asks to wait.
func (c *conn) writeStep(fd uintptr) bool {
	w := &c.rw
	for w.n < len(w.b) {
		m, e := syscall.Write(int(fd), w.b[w.n:])
		if m > 0 {
			w.n += m
		}
		switch {
		case e == syscall.EINTR:
			continue
		case e == syscall.EAGAIN:
			return true
		case e != nil:
			w.err = os.NewSyscallError("write", e)
			return true
		case m == 0:
			w.err = errors.New("write: no progress")
			return true
		}
	}
	return true
}
