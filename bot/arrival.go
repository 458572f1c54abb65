package bot

import (
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Arrivals stamps when each request arrived on its connection, so that the
// reply budget counts from there rather than from when the handler ran:
// accepting the connection, the TLS handshake and reading the headers are
// inside the budget, as they are inside Teams' five seconds. Install it on
// the http.Server that serves the bot, before it starts:
//
//	srv := &http.Server{Handler: e}
//	new(bot.Arrivals).Install(srv)
//
// A new connection's first request counts from when it was accepted; a
// later request on a kept-alive connection counts from when its headers
// were read (net/http reports no earlier moment). HTTP/2 streams share a
// connection, so their requests count from when the handler ran, as they
// do without Arrivals. Its zero value is ready to use; one Arrivals may
// serve several servers.
type Arrivals struct {
	conns sync.Map // net.Conn → *arrival
}

// arrival holds a connection's current request's arrival, in Unix
// nanoseconds; 0 while the connection is idle.
type arrival struct{ at atomic.Int64 }

type arrivalKey struct{}

// Install sets srv's ConnContext and ConnState hooks, calling any already
// set after its own.
func (a *Arrivals) Install(srv *http.Server) {
	cc, cs := srv.ConnContext, srv.ConnState
	srv.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		ctx = a.ConnContext(ctx, c)
		if cc != nil {
			ctx = cc(ctx, c)
		}
		return ctx
	}
	srv.ConnState = func(c net.Conn, s http.ConnState) {
		a.ConnState(c, s)
		if cs != nil {
			cs(c, s)
		}
	}
}

// ConnContext is an http.Server ConnContext hook: it stamps the
// connection's arrival on its context. Install sets it.
func (a *Arrivals) ConnContext(ctx context.Context, c net.Conn) context.Context {
	ar := new(arrival)
	ar.at.Store(time.Now().UnixNano())
	a.conns.Store(c, ar)
	return context.WithValue(ctx, arrivalKey{}, ar)
}

// ConnState is an http.Server ConnState hook: it restamps a kept-alive
// connection when its next request comes, and forgets closed ones.
// Install sets it.
func (a *Arrivals) ConnState(c net.Conn, s http.ConnState) {
	switch s {
	case http.StateIdle:
		if v, ok := a.conns.Load(c); ok {
			v.(*arrival).at.Store(0)
		}
	case http.StateActive:
		if v, ok := a.conns.Load(c); ok {
			v.(*arrival).at.CompareAndSwap(0, time.Now().UnixNano())
		}
	case http.StateHijacked, http.StateClosed:
		a.conns.Delete(c)
	}
}

// Arrived returns when r arrived, as stamped by Arrivals, and false when
// it was not (no Arrivals installed, or HTTP/2).
func Arrived(r *http.Request) (time.Time, bool) {
	if r.ProtoMajor != 1 {
		return time.Time{}, false
	}
	ar, ok := r.Context().Value(arrivalKey{}).(*arrival)
	if !ok {
		return time.Time{}, false
	}
	ns := ar.at.Load()
	if ns == 0 {
		return time.Time{}, false
	}
	return time.Unix(0, ns), true
}

// arrivedAt is when the budget of r counts from: its stamped arrival, or
// now.
func arrivedAt(r *http.Request, now time.Time) time.Time {
	if t, ok := Arrived(r); ok && t.Before(now) {
		return t
	}
	return now
}
