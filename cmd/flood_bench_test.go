package cmd

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/outhook/outhook/bot"
)

// BenchmarkUnsignedFlood measures what a flood of unsigned posts costs the
// built binary with serve's defaults: 400 connections keep sending 1 MiB
// bodies, half with a wrong signature (read and hashed to the end) and
// half with none (refused before the body is read), while a signed ping,
// each a new activity, is sent every 20 ms on a kept-alive connection. It
// reports the pings' latency and the server's peak memory (VmHWM). As in
// ../shared/bench, the server and the load each have a CPU of their own
// when taskset is there: the server is pinned to CPU 0 with GOMAXPROCS=1,
// the flood comes from a second process (this test binary again, see
// floodHelper) pinned to CPU 1, and the pings from this process, which
// does nothing else, so their latency is the server's and not that of a
// client sharing its scheduler with 400 busy goroutines.
//
//	go test -run '^$' -bench UnsignedFlood -benchtime 1x ./cmd
//
// $OUTHOOK_FLOOD_BIN runs a binary built beforehand instead, such as one
// built with -tags pprof to profile it under the flood.
func BenchmarkUnsignedFlood(b *testing.B) {
	if testing.Short() {
		b.Skip("builds and floods the binary")
	}
	bin := os.Getenv("OUTHOOK_FLOOD_BIN")
	if bin == "" {
		bin = buildOuthook(b)
	}
	for b.Loop() {
		floodOnce(b, bin, b.TempDir())
	}
}

// floodOnce runs one flood against a new outhook and reports its figures.
func floodOnce(b *testing.B, bin, dir string) {
	const (
		warm     = time.Second
		measured = 8 * time.Second
		every    = 20 * time.Millisecond
	)
	token := bot.NewToken()
	addr := freeAddr(b)
	srv, stop := startServer(b, dir, addr, append(os.Environ(), "OUTHOOK_SECRET="+token, "GOMAXPROCS=1"),
		bin, "serve", "--listen", addr, "--data-dir", b.TempDir())
	defer stop()

	flooder, floods := startFlooder(b, addr)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	var lat []time.Duration
	failed := 0
	begin := time.Now()
	var cpu0 time.Duration // the server's CPU time when the measured part began
	tick := time.NewTicker(every)
	for now := range tick.C {
		if now.Sub(begin) > warm+measured {
			break
		}
		p := newPost(b, token)
		d, err := ping(client, addr, p.body, p.sig)
		if err != nil {
			failed++
			continue
		}
		if now.Sub(begin) > warm {
			if lat == nil {
				cpu0 = procCPU(b, srv.Process.Pid)
				begin = now.Add(-warm) // measure from here
			}
			lat = append(lat, d)
		}
	}
	tick.Stop()
	hwm := procStatusKiB(b, srv.Process.Pid, "VmHWM")
	busy := float64(procCPU(b, srv.Process.Pid)-cpu0) / float64(time.Since(begin.Add(warm)))
	posts := floods()
	if len(lat) == 0 {
		b.Fatalf("no ping answered (%d failed)", failed)
	}
	slices.Sort(lat)
	ms := func(q float64) float64 {
		return float64(lat[min(len(lat)-1, int(q*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(ms(0.5), "ping-p50-ms")
	b.ReportMetric(ms(0.99), "ping-p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "ping-max-ms")
	b.ReportMetric(float64(failed), "pings-failed")
	b.ReportMetric(float64(hwm)/1024, "peak-MiB")
	b.ReportMetric(busy, "server-cpus")
	b.ReportMetric(float64(posts)/flooder.Seconds(), "flood-posts/s")
}

// floodEnv, when set to an address, makes this test binary a flooder
// (see TestMain and floodHelper) instead of running tests.
const floodEnv = "OUTHOOK_TEST_FLOOD_ADDR"

// floodConns is how many connections the flooder keeps sending on.
const floodConns = 400

// startFlooder starts the flooding process against addr, on CPU 1 when
// taskset is there. The returned func stops it and returns how many posts
// it had answered; the duration is how long it ran.
func startFlooder(b *testing.B, addr string) (*floodRun, func() int64) {
	cmd := onCPU("1", testBinary(b))
	cmd.Env = append(os.Environ(), floodEnv+"="+addr)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	run := &floodRun{start: time.Now()}
	return run, func() int64 {
		stdin.Close() // the flooder stops when its stdin closes
		err := cmd.Wait()
		run.end = time.Now()
		n, perr := strconv.ParseInt(strings.TrimSpace(out.String()), 10, 64)
		if err != nil || perr != nil {
			b.Fatalf("flooder: %v %v\n%s", err, perr, out.String())
		}
		return n
	}
}

// floodRun is when the flooder ran.
type floodRun struct{ start, end time.Time }

// Seconds is how long the flooder ran.
func (r *floodRun) Seconds() float64 { return r.end.Sub(r.start).Seconds() }

// floodHelper floods addr from floodConns connections, half with a wrong
// signature and half with none, until stdin closes, then prints how many
// posts were answered. It is the flooder process of BenchmarkUnsignedFlood.
func floodHelper(addr string) {
	ctx, stop := context.WithCancel(context.Background())
	go func() {
		io.Copy(io.Discard, os.Stdin)
		stop()
	}()
	var wg sync.WaitGroup
	var floods atomic.Int64
	body := bytes.Repeat([]byte("x"), 1<<20)
	for i := range floodConns {
		wg.Go(func() {
			for ctx.Err() == nil {
				if floodPost(addr, body, i%2 == 0) {
					floods.Add(1)
				}
			}
		})
	}
	wg.Wait()
	fmt.Println(floods.Load())
}

// floodPost sends one unsigned 1 MiB post on a new connection, with a
// wrong signature when badSig, and reads the status line. It reports
// whether an answer came.
func floodPost(addr string, body []byte, badSig bool) bool {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		time.Sleep(10 * time.Millisecond)
		return false
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	head := fmt.Sprintf("POST /webhook HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n", addr, len(body))
	if badSig {
		var sig [32]byte
		rand.Read(sig[:])
		head += "Authorization: HMAC " + base64.StdEncoding.EncodeToString(sig[:]) + "\r\n"
	}
	if _, err := conn.Write([]byte(head + "\r\n")); err != nil {
		return false
	}
	for off := 0; off < len(body); off += 64 << 10 {
		if _, err := conn.Write(body[off:min(len(body), off+64<<10)]); err != nil {
			break // refused before the end of the body
		}
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "HTTP/1.1 ")
}

// procCPU returns the CPU time process pid has used, from /proc/PID/stat.
func procCPU(b *testing.B, pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	// the fields after the command's name, which is in parentheses
	fields := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ
}

// procStatusKiB returns a "kB" field of /proc/PID/status, such as VmHWM.
func procStatusKiB(b *testing.B, pid int, field string) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	b.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}
