//go:build unix

package batchwrite_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/outhook/outhook/internal/batchwrite"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// serve accepts on a wrapped loopback listener and runs handle for each
// connection, until the test ends.
func serve(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := batchwrite.Wrap(inner)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				handle(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	return inner.Addr().String()
}

// dialSlow connects to addr with a small receive buffer (see
// SmallReceiveBuffer), for a peer that reads slowly or not at all.
func dialSlow(t *testing.T, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{Timeout: 2 * time.Second, Control: batchwrite.SmallReceiveBuffer}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	return c
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	return c
}

// echoLines answers each line with "re: line", as an HTTP/1.1 server
// answers each request: a write per answer.
func echoLines(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		if _, err := io.WriteString(c, "re: "+line); err != nil {
			return
		}
	}
}

// Many connections exchanging many small messages at once each get all
// their answers, whole and in order.
func TestManyConnectionsGetTheirAnswersInOrder(t *testing.T) {
	addr := serve(t, echoLines)
	const conns, rounds = 32, 200
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.DialTimeout("tcp", addr, 2*time.Second)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(10 * time.Second))
			r := bufio.NewReader(c)
			for j := range rounds {
				msg := fmt.Sprintf("conn %d message %d\n", i, j)
				if _, err := io.WriteString(c, msg); err != nil {
					errs <- err
					return
				}
				got, err := r.ReadString('\n')
				if err != nil {
					errs <- fmt.Errorf("conn %d message %d: %w", i, j, err)
					return
				}
				if got != "re: "+msg {
					errs <- fmt.Errorf("got %q, want %q", got, "re: "+msg)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// A peer that does not read holds up its own connection's writes, and
// nobody else's answers: the flusher does not wait for it.
func TestSlowReaderHoldsNobodyElse(t *testing.T) {
	var sent atomic.Int64
	wrote := make(chan error, 1)
	addr := serve(t, func(c net.Conn) {
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(15 * time.Second))
		r := bufio.NewReader(c)
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		if line != "flood\n" {
			// Answer and keep the connection, as keep-alive HTTP
			// does: only the flusher can send the answer.
			_, _ = io.WriteString(c, "re: "+line)
			_, _ = io.Copy(io.Discard, r)
			return
		}
		// Small writes, as a streaming handler makes: each is left to
		// the flusher. The peer reads none of them, so the socket's
		// buffers fill and the writes stop.
		chunk := bytes.Repeat([]byte("x"), 1<<10)
		for range 16 << 10 { // 16 MiB, more than the buffers hold
			if _, err := c.Write(chunk); err != nil {
				wrote <- err
				return
			}
			sent.Add(int64(len(chunk)))
			runtime.Gosched() // the flusher writes this chunk
		}
		_, err = io.WriteString(c, "end\n")
		wrote <- err
	})

	slow := dialSlow(t, addr)
	if _, err := io.WriteString(slow, "flood\n"); err != nil {
		t.Fatal(err)
	}
	// Wait until the flood's writes are stuck.
	for last, still, deadline := int64(-1), 0, time.Now().Add(10*time.Second); still < 6; {
		if time.Now().After(deadline) {
			t.Fatal("the flood never filled the buffers")
		}
		time.Sleep(50 * time.Millisecond)
		if n := sent.Load(); n == last && n > 0 {
			still++
		} else {
			last, still = n, 0
		}
	}
	// Ping while they are: the flusher must still write the answers.
	pinged := make(chan error, 1)
	go func() {
		for i := range 5 {
			c, err := net.DialTimeout("tcp", addr, 2*time.Second)
			if err != nil {
				pinged <- err
				return
			}
			_ = c.SetDeadline(time.Now().Add(2 * time.Second))
			msg := fmt.Sprintf("ping %d\n", i)
			_, err = io.WriteString(c, msg)
			got := ""
			if err == nil {
				got, err = bufio.NewReader(c).ReadString('\n')
			}
			c.Close()
			if err != nil || got != "re: "+msg {
				pinged <- fmt.Errorf("ping %d beside a slow reader: %q, %v", i, got, err)
				return
			}
		}
		pinged <- nil
	}()
	if err := <-pinged; err != nil {
		t.Fatal(err)
	}

	// The slow reader then gets everything, in order.
	all, err := bufio.NewReaderSize(slow, 1<<20).ReadString('\n')
	if err != nil || strings.Trim(all, "x") != "end\n" || len(all) < 100_000 {
		t.Fatalf("slow reader got %d bytes ending %q, %v", len(all), all[max(0, len(all)-10):], err)
	}
	if err := <-wrote; err != nil {
		t.Fatalf("server's writes: %v", err)
	}
}

// Writes larger than MaxQueued go out in the writer's goroutine, after
// what was queued before them, and Close sends what is queued first.
func TestOrderAcrossLargeWritesAndClose(t *testing.T) {
	large := bytes.Repeat([]byte("L"), batchwrite.MaxQueued+1)
	addr := serve(t, func(c net.Conn) {
		_, _ = io.WriteString(c, "small-1|")
		_, _ = c.Write(large)
		_, _ = io.WriteString(c, "|small-2")
		_ = c.Close()
	})
	c := dial(t, addr)
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	want := "small-1|" + string(large) + "|small-2"
	if string(got) != want {
		t.Fatalf("got %d bytes (%q…), want %d", len(got), got[:min(len(got), 20)], len(want))
	}
}

// CloseWrite sends what is queued, then the end of the stream, while the
// connection still reads.
func TestCloseWriteSendsQueuedBytes(t *testing.T) {
	addr := serve(t, func(c net.Conn) {
		defer c.Close()
		_, _ = io.WriteString(c, "last words")
		cw, ok := c.(interface{ CloseWrite() error })
		if !ok {
			t.Error("wrapped TCP connection has no CloseWrite")
			return
		}
		if err := cw.CloseWrite(); err != nil {
			t.Error(err)
		}
		_, _ = io.Copy(io.Discard, c) // still reads
	})
	c := dial(t, addr)
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "last words" {
		t.Fatalf("got %q, %v", got, err)
	}
}

// ReadFrom sends what is queued before what it copies.
func TestReadFromAfterQueuedBytes(t *testing.T) {
	addr := serve(t, func(c net.Conn) {
		defer c.Close()
		_, _ = io.WriteString(c, "head|")
		if _, err := c.(io.ReaderFrom).ReadFrom(strings.NewReader("body")); err != nil {
			t.Error(err)
		}
	})
	got, err := io.ReadAll(dial(t, addr))
	if err != nil || string(got) != "head|body" {
		t.Fatalf("got %q, %v", got, err)
	}
}

// A write the peer never takes ends at the write deadline, its error
// comes back from the next Write, and no goroutine is left behind.
func TestWriteDeadlineEndsAStuckWrite(t *testing.T) {
	errc := make(chan error, 1)
	addr := serve(t, func(c net.Conn) {
		defer c.Close()
		_ = c.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
		chunk := bytes.Repeat([]byte("x"), 1000)
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if _, err := c.Write(chunk); err != nil {
				errc <- err
				return
			}
		}
		errc <- errors.New("writes to a peer that never reads never failed")
	})
	c := dial(t, addr)
	_ = c // never read
	select {
	case err := <-errc:
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("error %v, want a timeout", err)
		}
	case <-time.After(8 * time.Second):
		t.Fatal("a write to a stuck peer never ended")
	}
}

// A peer that is gone makes a later write fail.
func TestWriteToAClosedPeerFails(t *testing.T) {
	errc := make(chan error, 1)
	closed := make(chan struct{})
	addr := serve(t, func(c net.Conn) {
		defer c.Close()
		<-closed
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if _, err := io.WriteString(c, "anyone?\n"); err != nil {
				errc <- err
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		errc <- errors.New("writes to a closed peer never failed")
	})
	c := dial(t, addr)
	c.(*net.TCPConn).SetLinger(0) // close with a reset
	c.Close()
	close(closed)
	if err := <-errc; err == nil || !strings.Contains(err.Error(), "write") {
		t.Fatalf("error %v, want a write error", err)
	}
}

// A net/http server on the wrapped listener serves keep-alive requests
// and closes as it did.
func TestHTTPServer(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/close" {
			w.Header().Set("Connection", "close")
		}
		_, _ = io.WriteString(w, "hello "+r.URL.Path)
	})}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(batchwrite.Wrap(inner)) }()
	defer func() {
		_ = srv.Close()
		<-done
	}()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	for _, path := range []string{"/a", "/b", "/close", "/c"} {
		res, err := client.Get("http://" + inner.Addr().String() + path)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || string(body) != "hello "+path {
			t.Fatalf("%s: %q, %v", path, body, err)
		}
	}
}

// Bytes written before a sooner deadline is set are not lost to it: TLS
// sends its close_notify, then sets the deadline to now so that nothing
// more is written.
func TestSoonerDeadlineSpareQueuedBytes(t *testing.T) {
	addr := serve(t, func(c net.Conn) {
		defer c.Close()
		_, _ = io.WriteString(c, "written before")
		_ = c.SetWriteDeadline(time.Now())
		time.Sleep(20 * time.Millisecond) // the flusher runs
		if _, err := io.WriteString(c, "after"); err == nil {
			t.Error("a write after the deadline passed succeeded")
		}
	})
	got, err := io.ReadAll(dial(t, addr))
	if err != nil || string(got) != "written before" {
		t.Fatalf("got %q, %v", got, err)
	}
}

// TLS over a wrapped listener, with a reply that closes the connection:
// the reply and TLS's close_notify get out before the close.
func TestHTTPSConnectionClose(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "hello over TLS")
	}))
	ts.Listener = batchwrite.Wrap(inner)
	ts.Config.WriteTimeout = 5 * time.Second
	ts.StartTLS()
	defer ts.Close()
	client := ts.Client()
	client.Timeout = 5 * time.Second
	tr := client.Transport.(*http.Transport)
	defer tr.CloseIdleConnections()
	for _, keepAlive := range []bool{true, false} {
		tr.DisableKeepAlives = !keepAlive
		for range 3 {
			res, err := client.Get(ts.URL)
			if err != nil {
				t.Fatalf("keep-alive %v: %v", keepAlive, err)
			}
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil || string(body) != "hello over TLS" {
				t.Fatalf("keep-alive %v: %q, %v", keepAlive, body, err)
			}
		}
	}
}

// Close does not wait for the peer, and loses nothing: bytes the peer
// has no room for yet are written after it, then the socket is closed.
func TestCloseLosesNoQueuedBytes(t *testing.T) {
	reply := []byte("the last reply")
	closed := make(chan time.Duration, 1)
	var filled atomic.Int64
	addr := serve(t, func(c net.Conn) {
		// Fill the buffers: a write larger than MaxQueued is the
		// caller's own, and ends at its deadline, until one writes
		// nothing.
		for n := -1; n != 0; {
			_ = c.SetWriteDeadline(time.Now().Add(50 * time.Millisecond))
			n, _ = c.Write(make([]byte, 32<<20))
			filled.Add(int64(n))
		}
		_ = c.SetWriteDeadline(time.Time{})
		if _, err := c.Write(reply); err != nil { // queued
			t.Error(err)
		}
		start := time.Now()
		if err := c.Close(); err != nil {
			t.Error(err)
		}
		closed <- time.Since(start)
	})
	c := dialSlow(t, addr)
	select {
	case took := <-closed:
		if took > 100*time.Millisecond {
			t.Errorf("Close waited %v for a peer that was not reading", took)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for a peer that was not reading")
	}
	got, err := io.ReadAll(c)
	if err != nil || int64(len(got)) != filled.Load()+int64(len(reply)) || !bytes.HasSuffix(got, reply) {
		t.Fatalf("got %d bytes, want %d ending %q: %v", len(got), filled.Load()+int64(len(reply)), reply, err)
	}
}
