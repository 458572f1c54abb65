package deploy_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// runOuthook runs the binary to completion with exactly env and returns its
// exit code and its output, standard output then standard error.
func runOuthook(t *testing.T, env []string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, outhookBin, args...)
	cmd.Env = append([]string{}, env...)
	cmd.Dir = t.TempDir() // the image's WORKDIR: a relative data directory lands here
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, stdout.String() + stderr.String()
	case errors.As(err, &exit) && ctx.Err() == nil:
		return exit.ExitCode(), stdout.String() + stderr.String()
	}
	t.Fatalf("outhook %s: %v", strings.Join(args, " "), err)
	return 0, ""
}

// server is a running "outhook serve".
type server struct {
	cmd     *exec.Cmd
	done    chan error
	stopped bool // stop has seen it exit
	mu      sync.Mutex
	log     bytes.Buffer      // all it wrote to standard error
	addr    map[string]string // log message (+ " " + webhook) → address
}

// startOuthook starts the binary with exactly env and waits until it logs
// that it serves each of webhooks (and its metrics, if metrics).
func startOuthook(t *testing.T, env []string, webhooks []string, metrics bool, args ...string) *server {
	t.Helper()
	s := &server{cmd: exec.Command(outhookBin, args...), done: make(chan error, 1), addr: map[string]string{}}
	s.cmd.Dir = t.TempDir()
	s.cmd.Env = append([]string{}, env...)
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	s.cmd.Stdout = io.Discard
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	var once sync.Once
	want := len(webhooks)
	if metrics {
		want++
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var line struct{ Message, Addr, Webhook string }
			_ = json.Unmarshal(sc.Bytes(), &line)
			s.mu.Lock()
			s.log.Write(sc.Bytes())
			s.log.WriteByte('\n')
			switch line.Message {
			case "serving outgoing webhook":
				s.addr[line.Message+" "+line.Webhook] = line.Addr
			case "serving metrics":
				s.addr[line.Message] = line.Addr
			}
			if len(s.addr) == want {
				once.Do(func() { close(ready) })
			}
			s.mu.Unlock()
		}
		s.done <- s.cmd.Wait()
	}()
	t.Cleanup(func() {
		if !s.stopped {
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	})
	select {
	case <-ready:
	case err := <-s.done:
		s.done <- err
		t.Fatalf("outhook serve exited (%v) before serving:\n%s", err, s.logText())
	case <-time.After(10 * time.Second):
		t.Fatalf("outhook serve did not serve within 10s:\n%s", s.logText())
	}
	return s
}

// webhookAddr returns the address a webhook is served on.
func (s *server) webhookAddr(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr["serving outgoing webhook "+name]
}

// metricsAddr returns the address of the metrics' own listener.
func (s *server) metricsAddr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr["serving metrics"]
}

func (s *server) logText() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

// stop sends SIGTERM and requires a clean exit within 10s.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.done:
		s.stopped = true
		if err != nil {
			t.Errorf("outhook serve after SIGTERM: %v; want exit 0\n%s", err, s.logText())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("outhook serve still running 10s after SIGTERM:\n%s", s.logText())
	}
}
