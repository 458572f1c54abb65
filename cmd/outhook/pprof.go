//go:build pprof

package main

// Built with "-tags pprof", outhook serves net/http/pprof on its own
// loopback listener ($OUTHOOK_PPROF, default 127.0.0.1:6060), so the
// shipped binary can be profiled under load:
//
//	go build -tags pprof -o /tmp/outhook-prof ./cmd/outhook
//	../shared/bench/bench.sh --no-baseline -r 1 -d 30 -- /tmp/outhook-prof serve &
//	go tool pprof -top -seconds 12 http://127.0.0.1:6060/debug/pprof/profile
//
// The default build has no such listener.

import (
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime"
	"strconv"
)

func init() {
	addr := os.Getenv("OUTHOOK_PPROF")
	if addr == "" {
		addr = "127.0.0.1:6060"
	}
	// $OUTHOOK_MEMPROFILERATE samples one allocation per that many bytes
	// (runtime.MemProfileRate) for /debug/pprof/allocs and heap.
	if r, err := strconv.Atoi(os.Getenv("OUTHOOK_MEMPROFILERATE")); err == nil && r > 0 {
		runtime.MemProfileRate = r
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		os.Stderr.WriteString("outhook: pprof listener: " + err.Error() + "\n")
		return
	}
	go http.Serve(ln, mux) //nolint:errcheck // ends with the process
}
