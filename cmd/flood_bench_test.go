package cmd

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
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
// reports the pings' latency and the server's peak memory (VmHWM). The
// server is pinned to one CPU with GOMAXPROCS=1 when taskset is there, as
// in ../shared/bench; the flood and the pings run in this process.
//
//	go test -run '^$' -bench UnsignedFlood -benchtime 1x ./cmd
func BenchmarkUnsignedFlood(b *testing.B) {
	if testing.Short() {
		b.Skip("builds and floods the binary")
	}
	dir := b.TempDir()
	bin := filepath.Join(dir, "outhook")
	build := exec.Command("go", "build", "-o", bin, "./outhook")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("building outhook: %v\n%s", err, out)
	}
	for b.Loop() {
		floodOnce(b, bin, dir)
	}
}

// floodOnce runs one flood against a new outhook and reports its figures.
func floodOnce(b *testing.B, bin, dir string) {
	const (
		conns    = 400
		bodySize = 1 << 20
		warm     = time.Second
		measured = 8 * time.Second
		every    = 20 * time.Millisecond
	)
	token := bot.NewToken()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	args := []string{bin, "serve", "--listen", addr, "--data-dir", b.TempDir()}
	if path, err := exec.LookPath("taskset"); err == nil {
		args = append([]string{path, "-c", "0"}, args...)
	}
	logs, err := os.Create(filepath.Join(dir, "flood.log"))
	if err != nil {
		b.Fatal(err)
	}
	defer logs.Close()
	srv := exec.Command(args[0], args[1:]...)
	srv.Env = append(os.Environ(), "OUTHOOK_SECRET="+token, "GOMAXPROCS=1")
	srv.Stdout, srv.Stderr = logs, logs
	if err := srv.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		srv.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { srv.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			srv.Process.Kill()
			<-done
		}
	}()
	waitUp(b, "http://"+addr+"/healthz")

	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var floods atomic.Int64
	body := bytes.Repeat([]byte("x"), bodySize)
	for i := range conns {
		wg.Go(func() {
			for ctx.Err() == nil {
				if floodPost(addr, body, i%2 == 0) {
					floods.Add(1)
				}
			}
		})
	}

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	var lat []time.Duration
	failed := 0
	begin := time.Now()
	tick := time.NewTicker(every)
	for now := range tick.C {
		if now.Sub(begin) > warm+measured {
			break
		}
		p := newPost(b, token)
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/webhook", bytes.NewReader(p.body))
		req.Header.Set("Authorization", p.sig)
		req.Header.Set("Content-Type", "application/json")
		t0 := time.Now()
		res, err := client.Do(req)
		d := time.Since(t0)
		if err != nil {
			failed++
			continue
		}
		var buf bytes.Buffer
		buf.ReadFrom(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(buf.String(), "pong") {
			failed++
			continue
		}
		if now.Sub(begin) > warm {
			lat = append(lat, d)
		}
	}
	tick.Stop()
	hwm := procStatusKiB(b, srv.Process.Pid, "VmHWM")
	stop()
	wg.Wait()
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
	b.ReportMetric(float64(floods.Load())/(warm+measured).Seconds(), "flood-posts/s")
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

// waitUp waits up to 20 s for url to answer 200.
func waitUp(b *testing.B, url string) {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(url); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Fatalf("%s did not answer in 20s", url)
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
