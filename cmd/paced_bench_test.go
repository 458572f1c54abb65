package cmd

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/outhook/outhook/bot"
)

// BenchmarkPacedLatency measures latency at a moderate rate, as the paced
// run of ../shared/bench does, but from Go clients whose connections keep
// their own time: 20 connections, each pausing 10 ms after every answer
// (about 1,900 posts a second), every post a new signed activity. wrk's
// pacing timers fire on the same tick for many connections, so its paced
// run sends bursts; this one does not. It runs the built outhook with
// serve's defaults and the bench's baseline (baselineHandler, in a second
// process: this test binary again, see baselineHelper), each pinned to
// CPU 0 with GOMAXPROCS=1 when taskset is there, one after the other and
// twice each, and reports both's percentiles in microseconds.
//
//	go test -run '^$' -bench PacedLatency -benchtime 1x ./cmd
func BenchmarkPacedLatency(b *testing.B) {
	if testing.Short() {
		b.Skip("builds and runs the binary")
	}
	bin := buildOuthook(b)
	exe := testBinary(b)
	token := bot.NewToken()
	for b.Loop() {
		var lat = map[string][]time.Duration{}
		for range 2 {
			for _, server := range []string{"baseline", "outhook"} {
				addr := freeAddr(b)
				var args []string
				env := append(os.Environ(), "OUTHOOK_SECRET="+token, "GOMAXPROCS=1")
				if server == "outhook" {
					args = []string{bin, "serve", "--listen", addr, "--data-dir", b.TempDir(), "--log-level", "info"}
				} else {
					args = []string{exe}
					env = append(env, baselineEnv+"="+addr)
				}
				lat[server] = append(lat[server], pacedRun(b, args, env, addr, token)...)
			}
		}
		for _, server := range []string{"baseline", "outhook"} {
			l := lat[server]
			slices.Sort(l)
			for _, q := range []struct {
				name string
				q    float64
			}{{"p50", 0.5}, {"p99", 0.99}, {"p99.9", 0.999}} {
				b.ReportMetric(float64(l[int(q.q*float64(len(l)-1))].Microseconds()), server+"-"+q.name+"-µs")
			}
		}
	}
}

// baselineEnv, when set to an address, makes this test binary serve the
// baseline there (see TestMain and baselineHelper) instead of running tests.
const baselineEnv = "OUTHOOK_TEST_BASELINE_ADDR"

// baselineHelper serves baselineHandler on addr, with the key of
// $OUTHOOK_SECRET, until the process is interrupted or killed.
func baselineHelper(addr string) {
	key, err := bot.DecodeToken(os.Getenv("OUTHOOK_SECRET"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.POST("/webhook", baselineHandler(key, 1<<20))
	fmt.Fprintln(os.Stderr, e.Start(addr))
}

// pacedClientEnv, when set to an address, makes this test binary the
// paced client of BenchmarkPacedLatency (see TestMain and pacedClient), in
// a process of its own that the benchmark pins to CPU 1.
const pacedClientEnv = "OUTHOOK_TEST_PACED_CLIENT"

// pacedClient posts to addr from 20 connections, each pausing 10 ms after
// every answer, for 20 s after 2 s of warm-up, and prints the latencies in
// microseconds, one a line. It exits with 1 if a post fails.
func pacedClient(addr string) {
	const (
		conns = 20
		pause = 10 * time.Millisecond
		warm  = 2 * time.Second
		run   = 20 * time.Second
	)
	token := os.Getenv("OUTHOOK_SECRET")
	tpl, err := benchPayload()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var mu sync.Mutex
	var lat []time.Duration
	var failed []string
	start := time.Now()
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			defer client.CloseIdleConnections()
			var mine []time.Duration
			for time.Since(start) < warm+run {
				body, sig := signedActivity(tpl, token)
				d, err := ping(client, addr, body, sig)
				if err != nil {
					mu.Lock()
					failed = append(failed, err.Error())
					mu.Unlock()
					return
				}
				if time.Since(start) > warm {
					mine = append(mine, d)
				}
				time.Sleep(pause)
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(failed) > 0 {
		fmt.Fprintf(os.Stderr, "%d connections failed, first: %s\n", len(failed), failed[0])
		os.Exit(1)
	}
	w := bufio.NewWriter(os.Stdout)
	for _, d := range lat {
		fmt.Fprintln(w, d.Microseconds())
	}
	w.Flush()
}

// pacedRun starts the server of args, pinned to CPU 0 when taskset is
// there, runs the paced client against it (pacedClient), stops it and
// returns the latencies.
func pacedRun(b *testing.B, args, env []string, addr, token string) []time.Duration {
	_, stop := startServer(b, b.TempDir(), addr, env, args...)
	defer stop()
	cl := onCPU("1", testBinary(b))
	cl.Env = append(os.Environ(), pacedClientEnv+"="+addr, "OUTHOOK_SECRET="+token)
	out, err := cl.Output()
	if err != nil {
		b.Fatalf("paced client against %s: %v\n%s", args, err, out)
	}
	var lat []time.Duration
	for _, f := range strings.Fields(string(out)) {
		us, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			b.Fatalf("paced client: %q", f)
		}
		lat = append(lat, time.Duration(us)*time.Microsecond)
	}
	if len(lat) == 0 {
		b.Fatalf("paced client against %s measured nothing", args)
	}
	return lat
}
