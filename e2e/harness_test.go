// Package e2e tests the outhook binary as users run it: each test builds
// nothing itself but starts the binary that TestMain built once, with a
// configuration file and environment of its own, posts signed activities
// over HTTP on loopback, and checks the replies, the logs and any fake
// endpoint.
package e2e

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/internal/testtls"
)

// binary is the outhook binary under test, and hangBinary outhook with
// the misbehaving test plugin of testdata/hangbot, both built once by
// TestMain.
var binary, hangBinary string

func TestMain(m *testing.M) {
	var err error
	if testCert, err = testtls.Make("outhook e2e"); err != nil {
		fmt.Fprintln(os.Stderr, "making the test certificate:", err)
		os.Exit(1)
	}
	dir, err := os.MkdirTemp("", "outhook-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary, hangBinary = filepath.Join(dir, "outhook"), filepath.Join(dir, "hangbot")
	build := exec.Command("go", "build", "-race", "-o", dir, "../cmd/outhook", "./testdata/hangbot")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building outhook:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a running outhook.
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	addr string // host:port it listens on
	logs *bottest.LogBuffer
	done chan struct{}
	err  error // of Wait, once done is closed

	// https is set when it serves TLS (--tls-cert): then url is an
	// https URL, and the health check trusts its certificate.
	https bool
}

// freePort returns a loopback address nothing listens on (just now).
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// writeFile writes content to name in the test's temporary folder and
// returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// run runs outhook with args and env to the end and returns its exit code
// and output.
func run(t *testing.T, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(append(baseEnv(), "OUTHOOK_DATA_DIR="+t.TempDir()), env...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String(), errb.String()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, out.String(), errb.String()
}

// baseEnv is the environment every outhook under test starts with: no
// OUTHOOK_ variable of the machine's leaks in.
func baseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OUTHOOK_") {
			env = append(env, kv)
		}
	}
	return env
}

// start runs "outhook serve" with args (plus --listen on a free loopback
// port unless args give one) and env, waits until /healthz answers, and
// stops it when the test ends.
func start(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	return startBinary(t, binary, env, args...)
}

// startBinary is start with another build of outhook.
func startBinary(t *testing.T, bin string, env []string, args ...string) *proc {
	t.Helper()
	addr := freePort(t)
	full := append([]string{"serve"}, args...)
	if !contains(args, "--listen") {
		full = append(full, "--listen", addr)
	}
	p := &proc{t: t, addr: addr, logs: &bottest.LogBuffer{}, done: make(chan struct{}), https: contains(args, "--tls-cert")}
	p.cmd = exec.Command(bin, full...)
	p.cmd.Dir = t.TempDir()
	p.cmd.Env = append(append(baseEnv(), "OUTHOOK_DATA_DIR="+t.TempDir()), env...)
	p.cmd.Stdout = p.logs
	p.cmd.Stderr = p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.stop() })
	p.waitHealthy()
	return p
}

func contains(args []string, flag string) bool {
	for _, a := range args {
		if a == flag || strings.HasPrefix(a, flag+"=") {
			return true
		}
	}
	return false
}

// waitHealthy waits up to 20s (a race-enabled build starts slowly on a
// busy machine) for /healthz.
func (p *proc) waitHealthy() {
	p.t.Helper()
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: testCert.Pool},
	}}
	defer client.CloseIdleConnections()
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case <-p.done:
			p.t.Fatalf("outhook exited before serving: %v\n%s", p.err, p.logs.String())
		default:
		}
		if resp, err := client.Get(p.url("/healthz")); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("outhook did not answer /healthz within 20s:\n%s", p.logs.String())
		}
		time.Sleep(30 * time.Millisecond)
	}
}

// stop sends SIGTERM and waits up to 30s; it returns the exit code.
func (p *proc) stop() int {
	select {
	case <-p.done:
	default:
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
			p.t.Errorf("outhook did not stop within 30s of SIGTERM")
		}
	}
	if ee, ok := p.err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return 0
}

// url returns the URL of path on the running outhook.
func (p *proc) url(path string) string {
	if p.https {
		return "https://" + p.addr + path
	}
	return "http://" + p.addr + path
}

// testCert is the certificate an outhook under test serves HTTPS with
// (--tls-cert): the tests' clients trust it.
// TestMain makes it.
var testCert testtls.Cert

// client is the HTTP client of the tests: bounded.
var client = &http.Client{Timeout: 15 * time.Second}

// say posts m, signed with token, to path and returns the reply's text
// (cards rendered as text).
func (p *proc) say(path, token string, m bottest.Message) string {
	p.t.Helper()
	r, err := bottest.Post(client, p.url(path), token, m.JSON())
	if err != nil {
		p.t.Fatalf("posting %q: %v", m.Text, err)
	}
	return r.Text
}

// logLines returns the JSON log lines so far that contain all of parts.
func (p *proc) logLines(parts ...string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(p.logs.String()))
	sc.Buffer(make([]byte, 1<<20), 1<<22)
lines:
	for sc.Scan() {
		for _, part := range parts {
			if !strings.Contains(sc.Text(), part) {
				continue lines
			}
		}
		out = append(out, sc.Text())
	}
	return out
}

// get returns the status and body of a GET.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	return getWith(t, client, url)
}

// token returns a fresh Teams-style security token.
func token() string { return bot.NewToken() }
