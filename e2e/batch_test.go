package e2e

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outhook/outhook/bot/bottest"
)

// TestRepliesUnderConcurrency: serve batches the writes of its replies
// (outhook.BatchWrites); many kept-alive connections posting at once each
// get their own replies, whole, and each post is answered and logged
// once.
func TestRepliesUnderConcurrency(t *testing.T) {
	tok := token()
	p := start(t, []string{"OUTHOOK_SECRET=" + tok})
	const conns, posts = 16, 25
	tr := &http.Transport{MaxIdleConnsPerHost: conns}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 15 * time.Second}
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range posts {
				text := fmt.Sprintf("echo conn-%d-post-%d", i, j)
				r, err := bottest.Post(c, p.url("/webhook"), tok, bottest.Message{Text: text}.JSON())
				if err != nil {
					errs <- err
					return
				}
				if !strings.Contains(r.Text, fmt.Sprintf("conn-%d-post-%d", i, j)) {
					errs <- fmt.Errorf("%q got %q", text, r.Text)
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
	if code := p.stop(); code != 0 {
		t.Errorf("exit %d after SIGTERM; want 0", code)
	}
	if n := len(p.logLines(`"message":"answered"`, `"command":"echo"`, `"status":200`)); n != conns*posts {
		t.Errorf("got %d answered lines; want %d", n, conns*posts)
	}
}

// TestHTTPS: serve over TLS answers on kept-alive connections, on
// connections closed after each reply (the reply and TLS's close_notify
// must leave before the socket closes) and over HTTP/2.
func TestHTTPS(t *testing.T) {
	tok := token()
	p := start(t, []string{"OUTHOOK_SECRET=" + tok}, "--tls-cert", writeFile(t, "cert.pem", string(testCert.CertPEM)),
		"--tls-key", writeFile(t, "key.pem", string(testCert.KeyPEM)))
	tests := []struct {
		name      string
		keepAlive bool
		h2        bool
	}{
		{"HTTP/1.1 kept alive", true, false},
		{"HTTP/1.1 closed after each reply", false, false},
		{"HTTP/2", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := &http.Transport{
				TLSClientConfig:   &tls.Config{RootCAs: testCert.Pool},
				DisableKeepAlives: !tt.keepAlive,
				ForceAttemptHTTP2: tt.h2,
			}
			defer tr.CloseIdleConnections()
			c := &http.Client{Transport: tr, Timeout: 15 * time.Second}
			for i := range 3 {
				r, err := bottest.Post(c, p.url("/webhook"), tok, bottest.Message{Text: "ping"}.JSON())
				if err != nil {
					t.Fatalf("post %d: %v\n%s", i, err, p.logs.String())
				}
				if !strings.HasPrefix(r.Text, "pong") {
					t.Errorf("post %d: got %q; want pong", i, r.Text)
				}
			}
			res, err := c.Get(p.url("/healthz"))
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if want := map[bool]int{false: 1, true: 2}[tt.h2]; res.ProtoMajor != want {
				t.Errorf("served over HTTP/%d; want HTTP/%d", res.ProtoMajor, want)
			}
		})
	}
}
