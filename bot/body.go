package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
)

// ErrTooLarge is returned by ReadBody for a body over its limit.
var ErrTooLarge = errors.New("request body too large")

// ReadBody reads all of r into buf, refusing more than limit bytes with
// ErrTooLarge. Reading the body once, bounded, and verifying those exact
// bytes is what makes HMAC verification sound.
func ReadBody(buf *bytes.Buffer, r io.Reader, limit int64) error {
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return fmt.Errorf("reading request body: %w", err)
	}
	if n > limit {
		return ErrTooLarge
	}
	return nil
}

// Bounds on what reading request bodies may cost. An unsigned or badly
// signed request must not cost more than a signed one: the signature's
// presence and form are checked before the body is read, the body is
// hashed with every token while it is read, and its buffer comes from a
// pool of small buffers.
const (
	// pooledBody is the capacity of the pooled body buffers. Teams posts
	// about 2 KB, a few tens of KB at most.
	pooledBody = 32 << 10
	// largeBodies bounds the bytes all requests together may hold in
	// bodies larger than pooledBody. A request that would go over it
	// still reads and hashes its body, without keeping it: when it turns
	// out to be signed, it is answered 503, to be sent again.
	largeBodies = 8 << 20
	// largeReaders is how many requests may read bodies larger than
	// pooledBody at once, and largeWait how long another waits for its
	// turn before it is answered 503. Reading and hashing a large body
	// keeps a core busy: a flood of them must not make the usual small
	// posts wait behind it.
	largeReaders = 4
	largeWait    = 2 * time.Second
	// drainBytes and drainTime bound how much of an oversize body is read
	// and discarded after the 413, so that the sender sees its answer
	// instead of a connection reset.
	drainBytes = 4 << 20
	drainTime  = 2 * time.Second
	// httpDiscards is how much of an unread body net/http reads past
	// after the handler, to keep the connection (maxPostHandlerReadBytes).
	httpDiscards = 256 << 10
)

// errBodiesBusy is returned for a signed body that could not be kept because
// too many large bodies were being read at once.
var errBodiesBusy = errors.New("too many large request bodies at once")

// largeInFlight is the bytes held by bodies over pooledBody.
var largeInFlight atomic.Int64

// largeTurns holds a token per request reading a body over pooledBody.
var largeTurns = make(chan struct{}, largeReaders)

// largeTurn waits for a turn to read a large body; false when ctx ends or
// largeWait passes first.
func largeTurn(ctx context.Context) bool {
	select {
	case largeTurns <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(largeWait)
	defer t.Stop()
	select {
	case largeTurns <- struct{}{}:
		return true
	case <-ctx.Done():
	case <-t.C:
	}
	return false
}

var bodyPool = sync.Pool{New: func() any { b := make([]byte, 0, pooledBody); return &b }}

// largePools hold the buffers of declared bodies over pooledBody, by
// power-of-two capacity: largePools[i] those of pooledBody<<(i+1) bytes.
// With at most largeReaders of them in use, a flood of large bodies reuses
// a few buffers instead of making the collector chase a new one per post.
var largePools [12]sync.Pool

// largeClass returns the pool for a body of n > pooledBody bytes and the
// capacity of its buffers; -1 when n is too large to pool.
func largeClass(n int64) (int, int64) {
	i := bits.Len64(uint64(n-1)) - bits.Len64(pooledBody)
	if i < 0 || i >= len(largePools) {
		return -1, n
	}
	return i, pooledBody << (i + 1)
}

// signedBody is a request body read and verified by readSigned.
type signedBody struct {
	data     []byte
	pooled   *[]byte // from bodyPool
	large    *[]byte // from largePools[class]
	class    int
	reserved int64 // bytes counted in largeInFlight
	turn     bool  // holds a token of largeTurns
	unread   bool  // refused for its header, before a byte was read
}

// release returns the body's memory; data must not be used after.
func (s *signedBody) release() {
	if s.pooled != nil {
		*s.pooled = (*s.pooled)[:0]
		bodyPool.Put(s.pooled)
		s.pooled = nil
	}
	if s.large != nil {
		*s.large = (*s.large)[:0]
		largePools[s.class].Put(s.large)
		s.large = nil
	}
	if s.reserved > 0 {
		largeInFlight.Add(-s.reserved)
		s.reserved = 0
	}
	if s.turn {
		<-largeTurns
		s.turn = false
	}
	s.data = nil
}

// readSigned checks the request's signature header, then reads at most
// limit bytes of r while hashing them with every token, and puts the
// verified body in sb. size is the body's declared length, or -1. It fails with
// ErrNoSignature or ErrBadSignature (the header is checked before any
// byte is read), ErrTooLarge, errBodiesBusy, or a read error. Call
// sb.release, also after an error.
//
// A body over pooledBody is read only with one of the largeReaders turns,
// taken before any of it is read when its size is declared (so that
// requests waiting for a turn hold no buffer), in chunks of pooledBody,
// yielding the processor after each: a flood of large bodies, signed or
// not, delays a small post by a few chunks' hashing, not by whole bodies.
func (v *Verifier) readSigned(sb *signedBody, ctx context.Context, r io.Reader, authorization string, size, limit int64) error {
	want, err := parseSignature(authorization)
	if err != nil {
		sb.unread = true
		return err
	}
	s := v.start()
	defer s.release()
	var buf []byte
	hashOnly := false // the body is hashed and dropped, not kept
	if size > pooledBody && size <= limit {
		if !largeTurn(ctx) {
			return errBodiesBusy
		}
		sb.turn = true
		// The whole body at once: net/http gives no more than declared.
		class, capacity := largeClass(size)
		if largeInFlight.Add(capacity) > largeBodies {
			largeInFlight.Add(-capacity)
			hashOnly = true
		} else {
			sb.reserved = capacity
			if class < 0 {
				buf = make([]byte, 0, capacity)
			} else {
				if p, ok := largePools[class].Get().(*[]byte); ok {
					sb.large = p
				} else {
					b := make([]byte, 0, capacity)
					sb.large = &b
				}
				sb.class, buf = class, (*sb.large)[:0]
			}
		}
	}
	if buf == nil {
		sb.pooled = bodyPool.Get().(*[]byte)
		buf = (*sb.pooled)[:0]
	}
	var total int64
	for {
		if len(buf) == cap(buf) {
			if !sb.turn {
				if !largeTurn(ctx) {
					return errBodiesBusy
				}
				sb.turn = true
			}
			switch {
			case hashOnly:
				buf = buf[:0]
			default:
				size := min(2*int64(cap(buf)), limit+1)
				if size <= int64(cap(buf)) {
					size = int64(cap(buf)) + 512 // only to see that the limit is passed
				}
				if largeInFlight.Add(size-sb.reserved) > largeBodies {
					largeInFlight.Add(sb.reserved - size)
					hashOnly = true
					buf = buf[:0]
					continue
				}
				sb.reserved = size
				grown := make([]byte, len(buf), size)
				copy(grown, buf)
				buf = grown
			}
		}
		n, err := r.Read(buf[len(buf):min(cap(buf), len(buf)+pooledBody)])
		s.Write(buf[len(buf) : len(buf)+n])
		buf = buf[:len(buf)+n]
		total += int64(n)
		if total > limit {
			return ErrTooLarge
		}
		if err == io.EOF || (size > pooledBody && total == size && err == nil) {
			break // all of it
		}
		if err != nil {
			return fmt.Errorf("reading request body: %w", err)
		}
		if sb.turn {
			runtime.Gosched()
		}
	}
	if err := s.check(&want); err != nil {
		return err
	}
	if hashOnly {
		return errBodiesBusy
	}
	sb.data = buf
	return nil
}

// drain reads and discards what is left of an oversize body, bounded in
// bytes and time, after its 413 has been written and flushed, so that
// the connection is not closed on unread data (which resets it, and may
// lose the 413 on its way to the sender).
func drain(ec echo.Context) {
	rc := http.NewResponseController(ec.Response().Writer)
	rc.SetReadDeadline(time.Now().Add(drainTime))
	io.CopyN(io.Discard, ec.Request().Body, drainBytes)
}

// readRequest reads and verifies the body of a post, or answers it: 413
// for a body over the limit (drained, see drain), 401 for a missing or
// wrong signature, 503 for errBodiesBusy, 400 when it cannot be read. It
// reads into sb and reports false when it answered. Call sb.release
// after it returned true.
func (b *Bot) readRequest(ec echo.Context, start time.Time, sb *signedBody) bool {
	req := ec.Request()
	tooLarge := func(reason string) bool {
		// Full duplex: the body may still be read after the answer.
		rc := http.NewResponseController(ec.Response().Writer)
		rc.EnableFullDuplex()
		ec.Response().Header().Set(echo.HeaderConnection, "close")
		b.reject(ec, start, http.StatusRequestEntityTooLarge, reason)
		rc.Flush()
		drain(ec)
		return false
	}
	if req.ContentLength > b.limit {
		return tooLarge(ErrTooLarge.Error())
	}
	err := b.verifier.readSigned(sb, req.Context(), req.Body, req.Header.Get(echo.HeaderAuthorization), req.ContentLength, b.limit)
	switch {
	case err == nil:
		return true
	case errors.Is(err, ErrTooLarge):
		sb.release()
		return tooLarge(err.Error())
	case errors.Is(err, ErrNoSignature), errors.Is(err, ErrBadSignature):
		sb.release()
		if sb.unread && req.ContentLength > httpDiscards {
			// Refused before its body was read, and too large for
			// net/http to read past: it would close the connection
			// after lingering half a second with a goroutine per post.
			// Answer, then close at once: a flood of such posts holds
			// nothing.
			ec.Response().Header().Set(echo.HeaderConnection, "close")
			b.reject(ec, start, http.StatusUnauthorized, err.Error())
			releaseConn(ec, b.logger)
			return false
		}
		b.reject(ec, start, http.StatusUnauthorized, err.Error())
	case errors.Is(err, errBodiesBusy):
		sb.release()
		b.reject(ec, start, http.StatusServiceUnavailable, err.Error())
	default:
		sb.release()
		b.reject(ec, start, http.StatusBadRequest, "cannot read request body")
	}
	return false
}
