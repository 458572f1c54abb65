package cmd

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/outhook/outhook"
	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/logwriter"
)

// BenchmarkServeDefaults answers signed pings, each a distinct activity
// with a fresh id and timestamp as in real traffic, through exactly what
// "outhook serve" assembles with its defaults (outhook.New and App.Echo on
// a config resolved from no flags: replay protection and dedupe, a log line per
// request through the batching log writer, metrics), in process, without
// sockets. It reports the speed against a plain Echo webhook doing the
// least any correct server must (the baseline of ../shared/bench: read
// the body, HMAC, encoding/json decode, JSON reply), in ns/op and as the
// serve sub-benchmark's x-baseline metric: above 1, outhook is faster.
// Run both sub-benchmarks together (-bench ServeDefaults).
func BenchmarkServeDefaults(b *testing.B) {
	token := bot.NewToken()
	b.Setenv("OUTHOOK_SECRET", token)
	cli := parseB(b, "serve")
	c, err := cli.Serve.resolve(&cli.Globals)
	if err != nil {
		b.Fatal(err)
	}
	lw := logwriter.New(io.Discard, logwriter.Options{Keep: logwriter.AuditLines})
	defer lw.Close()
	logger := cli.Globals.Logger(lw)
	app, err := outhook.New(c, outhook.Options{Logger: &logger, Registerer: newRegistry()})
	if err != nil {
		b.Fatal(err)
	}
	defer app.Shutdown(context.Background())
	served := app.Echo()

	key, _ := bot.DecodeToken(token)
	base := echo.New()
	base.POST("/webhook", baselineHandler(key, 1<<20))

	run := func(b *testing.B, h http.Handler) {
		const batch = 8192
		reqs := make([]signedPost, batch)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if i%batch == 0 {
				b.StopTimer()
				for j := range reqs {
					reqs[j] = newPost(b, token)
				}
				b.StartTimer()
			}
			p := reqs[i%batch]
			req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(p.body))
			req.Header.Set("Content-Type", "application/json; charset=utf-8")
			req.Header.Set("Authorization", p.sig)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "pong") {
				b.Fatalf("got %d %s; want 200 and a pong", rec.Code, rec.Body)
			}
		}
	}
	var baselineNs float64 // per op, from the baseline's last round
	b.Run("baseline", func(b *testing.B) {
		run(b, base)
		baselineNs = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	b.Run("serve", func(b *testing.B) {
		run(b, served)
		if ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N); baselineNs > 0 && ns > 0 {
			b.ReportMetric(baselineNs/ns, "x-baseline")
		}
	})
}

// signedPost is a body and its Authorization header.
type signedPost struct {
	body []byte
	sig  string
}

// benchPayload is ../shared/bench's realistic 1.7 KB activity, "<at>Bot</at> ping".
var benchPayload = sync.OnceValues(func() ([]byte, error) {
	return os.ReadFile(filepath.Join("..", "bot", "testdata", "bench-payload.json"))
})

// benchID makes the activity ids of newPost distinct.
var benchID atomic.Int64

// newPost returns a signed "ping" from a new activity: the bench's payload
// with its own id and the current time, as ../shared/bench's ring makes them.
func newPost(b *testing.B, token string) signedPost {
	tpl, err := benchPayload()
	if err != nil {
		b.Fatal(err)
	}
	body, sig := signedActivity(tpl, token)
	if sig == "" {
		b.Fatal("cannot sign with the token")
	}
	return signedPost{body: body, sig: sig}
}

// signedActivity returns the payload tpl with a new id and the current
// time, and its Authorization header for token ("" if token is bad).
func signedActivity(tpl []byte, token string) (body []byte, sig string) {
	id := strconv.FormatInt(time.Now().UnixNano()/1000+benchID.Add(1), 10)
	body = bytes.Replace(tpl, []byte(`"id":"1730291857353"`), []byte(`"id":"`+id+`"`), 1)
	body = bytes.Replace(body, []byte(`"timestamp":"2024-10-30T12:37:37.3533542Z"`),
		[]byte(`"timestamp":"`+time.Now().UTC().Format("2006-01-02T15:04:05.0000000Z")+`"`), 1)
	sig, _ = bot.Sign(token, body)
	return body, sig
}

// parseB parses args like parse, for a benchmark.
func parseB(b *testing.B, args ...string) *CLI {
	t := &testing.T{}
	cli := parse(t, args...)
	if t.Failed() {
		b.Fatalf("parsing %q failed", args)
	}
	return cli
}

// baselineHandler is ../shared/bench's baseline: bounded body read, HMAC
// verification, encoding/json decode into a small struct, JSON reply.
func baselineHandler(key []byte, maxBody int64) echo.HandlerFunc {
	type activity struct {
		Type string `json:"type"`
		ID   string `json:"id"`
		Text string `json:"text"`
		From struct {
			ID          string `json:"id"`
			Name        string `json:"name"`
			AADObjectID string `json:"aadObjectId"`
		} `json:"from"`
		Conversation struct {
			ID string `json:"id"`
		} `json:"conversation"`
	}
	type reply struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	fail := func(c echo.Context, status int, msg string) error {
		return c.JSON(status, map[string]string{"error": msg})
	}
	return func(c echo.Context) error {
		req := c.Request()
		body, err := io.ReadAll(io.LimitReader(req.Body, maxBody+1))
		if err != nil {
			return fail(c, http.StatusBadRequest, "cannot read body")
		}
		if int64(len(body)) > maxBody {
			return fail(c, http.StatusRequestEntityTooLarge, "body too large")
		}
		sig, ok := strings.CutPrefix(req.Header.Get(echo.HeaderAuthorization), "HMAC ")
		if !ok {
			return fail(c, http.StatusUnauthorized, "missing signature")
		}
		got, err := base64.StdEncoding.DecodeString(sig)
		if err != nil {
			return fail(c, http.StatusUnauthorized, "bad signature")
		}
		mac := hmac.New(sha256.New, key)
		mac.Write(body)
		if !hmac.Equal(got, mac.Sum(nil)) {
			return fail(c, http.StatusUnauthorized, "bad signature")
		}
		var act activity
		if err := json.Unmarshal(body, &act); err != nil || act.Type != "message" {
			return fail(c, http.StatusBadRequest, fmt.Sprintf("not a message activity: %v", err))
		}
		return c.JSON(http.StatusOK, reply{Type: "message", Text: "pong"})
	}
}

// buildOuthook builds the outhook binary into a temporary folder and
// returns its path, for the benchmarks that run it as users do.
func buildOuthook(b *testing.B) string {
	bin := filepath.Join(b.TempDir(), "outhook")
	if out, err := exec.Command("go", "build", "-o", bin, "./outhook").CombinedOutput(); err != nil {
		b.Fatalf("building outhook: %v\n%s", err, out)
	}
	return bin
}

// onCPU returns a command that runs args pinned to cpu ("0", "1") when
// taskset is there, as ../shared/bench pins its servers and its client.
func onCPU(cpu string, args ...string) *exec.Cmd {
	if path, err := exec.LookPath("taskset"); err == nil {
		args = append([]string{path, "-c", cpu}, args...)
	}
	return exec.Command(args[0], args[1:]...)
}

// testBinary returns this test binary's path, to run it again as a helper
// process (a flooder, the baseline, a client: see TestMain).
func testBinary(b *testing.B) string {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	return exe
}

// startServer starts the server of args on CPU 0 (see onCPU) with env,
// its output going to a file of dir as it would in production (a pipe to
// this process would make the server wait for the test to read it), and
// waits up to 20 s for it to listen on addr. The returned func stops it:
// an interrupt, then a kill after 15 s.
func startServer(b *testing.B, dir, addr string, env []string, args ...string) (*exec.Cmd, func()) {
	logs, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		b.Fatal(err)
	}
	defer logs.Close() // the server has its own copy
	srv := onCPU("0", args...)
	srv.Env = env
	srv.Stdout, srv.Stderr = logs, logs
	if err := srv.Start(); err != nil {
		b.Fatal(err)
	}
	stop := func() {
		srv.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { srv.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			srv.Process.Kill()
			<-done
		}
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return srv, stop
		}
		if time.Now().After(deadline) {
			stop()
			out, _ := os.ReadFile(logs.Name())
			b.Fatalf("%s did not listen on %s in 20s:\n%s", args, addr, out)
		}
	}
}

// ping posts the signed activity body (sig its Authorization header) to
// the webhook at addr and returns how long the answer took; it is an error
// unless the answer is 200 with "pong" in it.
func ping(client *http.Client, addr string, body []byte, sig string) (time.Duration, error) {
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/webhook", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", sig)
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	t0 := time.Now()
	res, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	reply, err := io.ReadAll(res.Body)
	res.Body.Close()
	d := time.Since(t0)
	if err != nil {
		return 0, err
	}
	if res.StatusCode != http.StatusOK || !strings.Contains(string(reply), "pong") {
		return 0, fmt.Errorf("%d %s", res.StatusCode, reply)
	}
	return d, nil
}

// freeAddr returns a free loopback address.
func freeAddr(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
