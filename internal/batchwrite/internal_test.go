//go:build unix

package batchwrite

import (
	"errors"
	"net"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// Queued bytes keep the deadline they were written under when a later
// one is set, as net/http clears it after each reply: their write to a
// peer that never reads ends by that deadline instead of hanging, and
// the error comes with the next Write.
func TestQueuedBytesKeepTheirDeadline(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := Wrap(inner)
	defer ln.Close()
	d := net.Dialer{Timeout: 2 * time.Second, Control: smallReceiveBuffer}
	peer, err := d.Dial("tcp", inner.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close() // never reads
	nc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	c := nc.(*conn)
	defer c.Close()

	// Queue bytes under a deadline, then clear it, until the peer's
	// buffers are full and a goroutine of the connection's own waits to
	// write them.
	var deadline time.Time
	chunk := make([]byte, 32<<10)
	for stuck := time.Now().Add(5 * time.Second); ; {
		if time.Now().After(stuck) {
			t.Fatal("the buffers never filled")
		}
		deadline = time.Now().Add(300 * time.Millisecond)
		_ = c.SetWriteDeadline(deadline)
		if _, err := c.Write(chunk); err != nil {
			t.Fatalf("queueing: %v", err)
		}
		_ = c.SetWriteDeadline(time.Time{})
		time.Sleep(time.Millisecond) // the flusher runs
		c.mu.Lock()
		bg := c.bg
		c.mu.Unlock()
		if bg {
			break
		}
	}
	done := make(chan error, 1)
	go func() {
		_, err := c.Write([]byte("waits for the queued bytes"))
		done <- err
	}()
	select {
	case err := <-done:
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("error %v, want a timeout", err)
		}
		if late := time.Since(deadline); late > time.Second {
			t.Errorf("the write ended %v after its deadline", late)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the write of queued bytes outlived their deadline")
	}
}

// smallReceiveBuffer is a net.Dialer Control that sets a small receive
// buffer before connecting, so that the window is small from the start
// and a peer that does not read fills the buffers quickly.
func smallReceiveBuffer(_, _ string, rc syscall.RawConn) error {
	var serr error
	err := rc.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 16<<10)
	})
	return errors.Join(err, serr)
}

// A reply does not wait for a flusher that gets no turn: the next writer
// that finds the queue older than maxDelay writes it itself.
func TestLateFlusherIsNotWaitedFor(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)) // the flusher runs only when this goroutine yields
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := Wrap(inner)
	defer ln.Close()
	var conns [2]*conn
	for i := range conns {
		peer, err := net.Dial("tcp", inner.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer peer.Close()
		nc, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		conns[i] = nc.(*conn)
		defer nc.Close()
	}
	state := func(c *conn) uint8 {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.state
	}

	if _, err := conns[0].Write([]byte("first")); err != nil {
		t.Fatal(err)
	}
	for start := time.Now(); time.Since(start) <= 2*maxDelay; {
		// busy, as every goroutine is under overload: no yield
	}
	if s := state(conns[0]); s != queued {
		t.Skipf("the flusher ran meanwhile (state %d): cannot tell", s)
	}
	if _, err := conns[1].Write([]byte("second")); err != nil {
		t.Fatal(err)
	}
	for i, c := range conns {
		if s := state(c); s != idle {
			t.Errorf("connection %d: state %d after a late write; want written (idle)", i, s)
		}
	}
}
