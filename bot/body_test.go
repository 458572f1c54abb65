package bot_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
)

// countingBody is a request body that counts the bytes read from it.
type countingBody struct {
	r    io.Reader
	read int
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += n
	return n, err
}

func (c *countingBody) Close() error { return nil }

// TestSignatureCheckedBeforeTheBody posts 800 KB bodies through the Echo
// app: one without a well-formed signature is refused before a byte of
// its body is read; a well-formed wrong one is read once and refused; a
// good one (signed with the second of two tokens) is answered.
func TestSignatureCheckedBeforeTheBody(t *testing.T) {
	tok1, tok2 := bot.NewToken(), bot.NewToken()
	e := okEcho(t, bot.Config{Secrets: []string{tok1, tok2}})
	msg := bottest.Message{Text: strings.Repeat("x", 400_000)}.JSON()
	good, _ := bot.Sign(tok2, msg)
	wrong, _ := bot.Sign(bot.NewToken(), msg)
	tests := []struct {
		name, auth string
		status     int
		read       bool
	}{
		{"no header", "", http.StatusUnauthorized, false},
		{"other scheme", "Bearer abc", http.StatusUnauthorized, false},
		{"not a digest", "HMAC c2hvcnQ=", http.StatusUnauthorized, false},
		{"wrong key", wrong, http.StatusUnauthorized, true},
		{"second token", good, http.StatusOK, true},
	}
	for _, declared := range []bool{false, true} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/declared=%v", tt.name, declared), func(t *testing.T) {
				body := &countingBody{r: bytes.NewReader(msg)}
				req := httptest.NewRequest(http.MethodPost, "/webhook", body)
				if declared {
					req.ContentLength = int64(len(msg))
				}
				req.Header.Set("Authorization", tt.auth)
				rec := httptest.NewRecorder()
				e.ServeHTTP(rec, req)
				if rec.Code != tt.status {
					t.Errorf("got %d; want %d", rec.Code, tt.status)
				}
				if got := body.read == len(msg); got != tt.read || (!tt.read && body.read != 0) {
					t.Errorf("read %d of %d body bytes; want all read: %v", body.read, len(msg), tt.read)
				}
			})
		}
	}
}

// TestLargeBodiesReuseNoData posts large signed bodies of different sizes
// in turn, their length declared, so that their buffers come from the same
// pools: each is answered from its own text, never from bytes of another.
func TestLargeBodiesReuseNoData(t *testing.T) {
	tok := bot.NewToken()
	b, err := bot.New(bot.Config{Secrets: []string{tok},
		Handler: bot.HandlerFunc(func(c *bot.Context) error {
			text := strings.TrimSpace(c.Activity.Text)
			marker := text[len(text)-9:]
			return c.Textf("%d %s", strings.Count(text, marker[:1]), marker)
		})})
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	b.Mount(e, "/webhook")
	for i, n := range []int{450_000, 100_000, 250_000, 40_000, 450_000, 70_000} {
		letter := string("KLMNPQ"[i])
		text := strings.Repeat(letter, n) + letter + fmt.Sprintf("#%07d", i)
		msg := bottest.Message{Text: text}.JSON()
		sig, _ := bot.Sign(tok, msg)
		req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(msg))
		req.Header.Set("Authorization", sig)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		want := fmt.Sprintf("%d %s#%07d", n+1, letter, i)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("post %d (%d bytes): got %d %s; want 200 and %q", i, len(msg), rec.Code, rec.Body, want)
		}
	}
}

// TestOversizeBodyGetsIts413 sends bodies over the limit on a raw
// connection, writing every byte before reading: the sender reads a 413,
// not a connection reset.
func TestOversizeBodyGetsIts413(t *testing.T) {
	tok := bot.NewToken()
	e := okEcho(t, bot.Config{Secrets: []string{tok}, BodyLimit: 64 << 10})
	srv := httptest.NewServer(e)
	defer srv.Close()
	tests := []struct {
		name          string
		size          int
		contentLength bool
	}{
		{"declared", 3 << 20, true},
		{"chunked", 3 << 20, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(10 * time.Second))
			body := bytes.Repeat([]byte("x"), tt.size)
			w := bufio.NewWriter(conn)
			fmt.Fprintf(w, "POST /webhook HTTP/1.1\r\nHost: test\r\nAuthorization: HMAC %s\r\nContent-Type: application/json\r\n",
				strings.Repeat("A", 43)+"=")
			if tt.contentLength {
				fmt.Fprintf(w, "Content-Length: %d\r\n\r\n", len(body))
				w.Write(body)
			} else {
				fmt.Fprintf(w, "Transfer-Encoding: chunked\r\n\r\n")
				for c := range slices.Chunk(body, 16<<10) {
					fmt.Fprintf(w, "%x\r\n%s\r\n", len(c), c)
				}
				fmt.Fprintf(w, "0\r\n\r\n")
			}
			if err := w.Flush(); err != nil {
				t.Fatalf("sending the body: %v; want it read and discarded", err)
			}
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("reading the answer: %v; want a 413", err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("got %d; want 413", res.StatusCode)
			}
		})
	}
}

// TestUnsignedLargeBodyClosesAtOnce posts a large body without a
// signature on a raw connection, as a flood would: the 401 comes before
// the body is read, and the connection is closed at once, not after the
// half second net/http lingers when it leaves a body unread, so a flood of
// such posts holds no goroutine. The sender, still sending, sees its
// connection end at once, and reads the 401.
func TestUnsignedLargeBodyClosesAtOnce(t *testing.T) {
	const size = 64 << 20 // more than loopback buffers take in
	e := okEcho(t, bot.Config{Secrets: []string{bot.NewToken()}, BodyLimit: size})
	srv := httptest.NewServer(e)
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "POST /webhook HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", size)
	start := time.Now()
	sent := make(chan time.Duration, 1)
	go func() {
		conn.Write(make([]byte, size)) // fails once the server closes
		sent <- time.Since(start)
	}()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v; want a 401", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized || !res.Close {
		t.Errorf("got %d, close %v; want 401 and the connection closed", res.StatusCode, res.Close)
	}
	if d := <-sent; d > 300*time.Millisecond {
		t.Errorf("the sender could send for %v; want the connection closed at once (net/http lingers 500ms)", d)
	}
}

// TestWrongSignatureKeepsTheConnection: a large body with a well-formed
// but wrong signature is read (to hash it) before its 401, so its
// connection stays open for the next post.
func TestWrongSignatureKeepsTheConnection(t *testing.T) {
	e := okEcho(t, bot.Config{Secrets: []string{bot.NewToken()}})
	srv := httptest.NewServer(e)
	defer srv.Close()
	body := bottest.Message{Text: strings.Repeat("x", 300_000)}.JSON()
	wrong, _ := bot.Sign(bot.NewToken(), body)
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/webhook", bytes.NewReader(body))
	req.Header.Set("Authorization", wrong)
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized || res.Close {
		t.Errorf("got %d, close %v; want 401 on a connection kept open", res.StatusCode, res.Close)
	}
}

// okEcho returns an Echo app serving a bot that answers "ok" to every
// post, configured by cfg (Handler is set here).
func okEcho(t *testing.T, cfg bot.Config) *echo.Echo {
	t.Helper()
	cfg.Handler = bot.HandlerFunc(func(c *bot.Context) error { return c.Text("ok") })
	b, err := bot.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	b.Mount(e, "/webhook")
	return e
}
