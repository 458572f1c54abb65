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
	w := &conn{Conn: c, q: q}
	w.done.L = &w.mu
	w.raw = raw
	return w
}

// tryWrite writes what the socket takes now, without waiting: n < len(b)
// with a nil error means the peer must read before the rest fits. The
// connection's write deadline applies.
func (c *conn) tryWrite(b []byte) (n int, err error) {
	var werr error
	rerr := c.raw.Write(func(fd uintptr) bool {
		for n < len(b) {
			m, e := syscall.Write(int(fd), b[n:])
			if m > 0 {
				n += m
			}
			switch {
			case e == syscall.EINTR:
				continue
			case e == syscall.EAGAIN:
				return true
			case e != nil:
				werr = os.NewSyscallError("write", e)
				return true
			case m == 0:
				werr = errors.New("write: no progress")
				return true
			}
		}
		return true
	})
	if werr == nil {
		werr = rerr
	}
	if werr != nil {
		return n, c.opError(werr)
	}
	return n, nil
}
