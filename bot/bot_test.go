package bot_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"
	"go.uber.org/goleak"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type server struct {
	url   string
	token string
	logs  *bottest.LogBuffer
}

// newServer serves h through a real Echo app on loopback with a fresh token.
func newServer(t *testing.T, h bot.Handler, tweak func(*bot.Config)) *server {
	t.Helper()
	s := &server{token: bot.NewToken(), logs: &bottest.LogBuffer{}}
	cfg := bot.Config{Secrets: []string{s.token}, Handler: h, Logger: zerolog.New(s.logs)}
	if tweak != nil {
		tweak(&cfg)
	}
	b, err := bot.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	b.Mount(e, "/webhook")
	ts := httptest.NewServer(e)
	t.Cleanup(ts.Close)
	s.url = ts.URL + "/webhook"
	return s
}

type response struct {
	status int
	ctype  string
	body   string
	reply  bot.Reply
}

func (s *server) post(t *testing.T, body []byte, auth string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, ctype: resp.Header.Get("Content-Type"), body: string(data)}
	if r.status == http.StatusOK {
		if err := json.Unmarshal(data, &r.reply); err != nil {
			t.Fatalf("reply %q: %v", data, err)
		}
	}
	return r
}

func (s *server) signed(t *testing.T, body []byte) response {
	t.Helper()
	sig, err := bot.Sign(s.token, body)
	if err != nil {
		t.Fatal(err)
	}
	return s.post(t, body, sig)
}

func readFixture(name string) ([]byte, error) { return os.ReadFile("testdata/" + name) }

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

var echoText = bot.HandlerFunc(func(c *bot.Context) error {
	return c.Textf("%s said %s", c.Activity.From.Name, c.Activity.Text)
})

func TestStatuses(t *testing.T) {
	s := newServer(t, echoText, func(c *bot.Config) { c.BodyLimit = 4096 })
	ping := fixture(t, "channel-ping.json")
	sig := func(b []byte) string { x, _ := bot.Sign(s.token, b); return x }
	otherSig, _ := bot.Sign(bot.NewToken(), ping)
	big := append(bytes.Repeat([]byte(" "), 5000), ping...)
	tests := []struct {
		name   string
		body   []byte
		auth   string
		status int
		want   string
	}{
		{"signed fixture", ping, sig(ping), 200, `Zoë Müller said <at>Bot</at> ping`},
		{"no signature", ping, "", 401, "missing HMAC signature"},
		{"other token", ping, otherSig, 401, "signature does not match"},
		{"tampered body", append(append([]byte{}, ping...), ' '), sig(ping), 401, "signature does not match"},
		{"not JSON", []byte("hello"), sig([]byte("hello")), 400, "malformed activity"},
		{"JSON string", []byte(`"{\"type\":\"message\"}"`), sig([]byte(`"{\"type\":\"message\"}"`)), 400, "malformed activity"},
		{"null", []byte(`null`), sig([]byte(`null`)), 400, "not a message activity"},
		{"other activity type", []byte(`{"type":"typing"}`), sig([]byte(`{"type":"typing"}`)), 400, "not a message activity"},
		{"wrong field type", []byte(`{"type":"message","from":7}`), sig([]byte(`{"type":"message","from":7}`)), 400, "malformed activity"},
		{"too large", big, sig(big), 413, "request body too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.post(t, tt.body, tt.auth)
			if r.status != tt.status {
				t.Fatalf("status %d (%s); want %d", r.status, r.body, tt.status)
			}
			if !strings.HasPrefix(r.ctype, "application/json") {
				t.Errorf("content type %q; want JSON", r.ctype)
			}
			got := r.body
			if r.status == 200 {
				got = r.reply.Text
				if !strings.Contains(r.body, `"type":"message"`) {
					t.Errorf("reply %s lacks type message", r.body)
				}
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("got %q; want it to contain %q", got, tt.want)
			}
		})
	}
}

func TestTooLargeWithoutContentLength(t *testing.T) {
	s := newServer(t, echoText, func(c *bot.Config) { c.BodyLimit = 1024 })
	body := bytes.Repeat([]byte("x"), 4096)
	sig, _ := bot.Sign(s.token, body)
	req, _ := http.NewRequest(http.MethodPost, s.url, io.MultiReader(bytes.NewReader(body))) // unknown length: chunked
	req.Header.Set("Authorization", sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Errorf("status %d; want 413", resp.StatusCode)
	}
}

func TestHandlerOutcomes(t *testing.T) {
	tests := []struct {
		name string
		h    bot.HandlerFunc
		want string
		log  string
	}{
		{"text", func(c *bot.Context) error { return c.Text("fine") }, "fine", ""},
		{"user error", func(c *bot.Context) error {
			return &bot.Error{Message: "no such environment", Internal: errors.New("lookup failed")}
		}, "no such environment", "lookup failed"},
		{"error", func(c *bot.Context) error { return fmt.Errorf("database down") },
			"Sorry, something went wrong while answering. (ref 1730291857353)", "database down"},
		{"panic", func(c *bot.Context) error { panic("boom") },
			"Sorry, something went wrong while answering. (ref 1730291857353)", "panic: boom"},
		{"no reply", func(c *bot.Context) error { return nil },
			"(ref 1730291857353)", "handler returned without a reply"},
		{"empty reply", func(c *bot.Context) error { return c.Reply(bot.Reply{}) },
			"(ref 1730291857353)", "empty reply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, tt.h, nil)
			r := s.signed(t, fixture(t, "channel-ping.json"))
			if r.status != 200 {
				t.Fatalf("status %d; want 200", r.status)
			}
			if !strings.Contains(r.reply.Text, tt.want) {
				t.Errorf("reply %q; want it to contain %q", r.reply.Text, tt.want)
			}
			logs := s.logs.String()
			if tt.log != "" && !(strings.Contains(logs, tt.log) && strings.Contains(logs, `"activity":"1730291857353"`)) {
				t.Errorf("logs %s; want %q with the activity id", logs, tt.log)
			}
		})
	}
}

func TestBudget(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	s := newServer(t, bot.HandlerFunc(func(c *bot.Context) error {
		select {
		case <-c.Context().Done():
			<-release
			return c.Context().Err()
		case <-release:
			return nil
		}
	}), func(c *bot.Config) { c.Budget = 50 * time.Millisecond })
	start := time.Now()
	r := s.signed(t, fixture(t, "channel-ping.json"))
	took := time.Since(start)
	if r.status != 200 || !strings.Contains(r.reply.Text, "took longer than Teams allows") {
		t.Errorf("got %d %q; want 200 with a timeout notice", r.status, r.reply.Text)
	}
	if took > time.Second {
		t.Errorf("answered after %v; want about the 50ms budget", took)
	}
}

func TestSeveralTokensAndNonASCII(t *testing.T) {
	t1, t2 := bot.NewToken(), bot.NewToken()
	s := newServer(t, echoText, func(c *bot.Config) { c.Secrets = []string{t1, t2} })
	for i, tok := range []string{t1, t2} {
		msg := bottest.Message{Text: "echo Grüße 👋 naïve — 東京", From: bot.Account{ID: "29:x", Name: "Siobhán Ó Briain"}}
		body := msg.JSON()
		sig, _ := bot.Sign(tok, body)
		r := s.post(t, body, sig)
		if r.status != 200 {
			t.Fatalf("token %d: status %d", i+1, r.status)
		}
		want := "Siobhán Ó Briain said <at>Bot</at>&nbsp;echo Grüße 👋 naïve — 東京"
		if !strings.HasPrefix(r.reply.Text, want) {
			t.Errorf("token %d: got %q; want prefix %q", i+1, r.reply.Text, want)
		}
	}
}

func TestLogsNeverHoldSecrets(t *testing.T) {
	s := newServer(t, bot.HandlerFunc(func(c *bot.Context) error {
		c.SetCommand("ping")
		c.Logger().Info().Msg("working")
		zerolog.Ctx(c.Context()).Info().Msg("via the context")
		return c.Text("pong")
	}), nil)
	msg := bottest.Message{Text: "ping secret-words-typed-by-user", ID: "1764330000777"}
	body := msg.JSON()
	sig, _ := bot.Sign(s.token, body)
	s.post(t, body, sig)
	s.post(t, body, "HMAC "+strings.Repeat("A", 43)+"=")
	logs := s.logs.String()
	for _, secret := range []string{s.token, strings.TrimPrefix(sig, "HMAC "), "secret-words-typed-by-user"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q:\n%s", secret, logs)
		}
	}
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, `"message":"answered"`) && strings.Count(line, `"command":`) != 1 {
			t.Errorf("request line names the command %d times: %s", strings.Count(line, `"command":`), line)
		}
		if strings.Contains(line, `"message":"working"`) && strings.Count(line, `"command":"ping"`) != 1 {
			t.Errorf("the handler's line names the command %d times: %s", strings.Count(line, `"command":"ping"`), line)
		}
		// Every line about the activity, the bot's and the handler's,
		// names it, its team, channel and user, once.
		if strings.Contains(line, `"message":"answered"`) && strings.Contains(line, `"status":200`) ||
			strings.Contains(line, `"message":"working"`) || strings.Contains(line, `"message":"via the context"`) {
			for _, f := range []string{`"activity":"1764330000777"`, `"team":"` + bottest.DefaultTeam + `"`,
				`"channel":"` + bottest.DefaultChannel + `"`, `"user":"`} {
				if n := strings.Count(line, f); n != 1 {
					t.Errorf("%s %d times in %s", f, n, line)
				}
			}
		}
	}
	for _, want := range []string{`"command":"ping"`, `"status":200`, `"team":"` + bottest.DefaultTeam, `"status":401`, `"latency"`, `"message":"working"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s:\n%s", want, logs)
		}
	}
}

func TestConcurrentRequests(t *testing.T) {
	s := newServer(t, bot.HandlerFunc(func(c *bot.Context) error {
		return c.Text("hi " + c.Activity.ID)
	}), nil)
	const n = 300
	var wg sync.WaitGroup
	errs := make(chan error, n)
	client := &http.Client{Timeout: 10 * time.Second}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			body := bottest.Message{Text: "hello", ID: fmt.Sprint(1000 + i)}.JSON()
			r, err := bottest.Post(client, s.url, s.token, body)
			if err != nil {
				errs <- err
				return
			}
			if want := fmt.Sprintf("hi %d", 1000+i); r.Text != want {
				errs <- fmt.Errorf("got %q; want %q", r.Text, want)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	client.CloseIdleConnections()
}

func TestNewErrors(t *testing.T) {
	if _, err := bot.New(bot.Config{Secrets: []string{bot.NewToken()}}); err == nil {
		t.Error("New without handler succeeded")
	}
	if _, err := bot.New(bot.Config{Handler: echoText}); err == nil || !strings.Contains(err.Error(), "no security token") {
		t.Errorf("New without secrets: %v", err)
	}
}

// TestReplyJSONIsWhatIsSent: ReplyJSON gives the reply as it is written,
// and a reply set after it replaces what it gave.
func TestReplyJSONIsWhatIsSent(t *testing.T) {
	var first, last []byte
	s := newServer(t, bot.HandlerFunc(func(c *bot.Context) error {
		if _, ok := c.ReplyJSON(); ok {
			t.Error("ReplyJSON before any reply reported true")
		}
		c.Text("first")
		first, _ = c.ReplyJSON()
		c.Text("second")
		last, _ = c.ReplyJSON()
		return nil
	}), nil)
	body := bottest.Message{Text: "hi"}.JSON()
	sig, _ := bot.Sign(s.token, body)
	got := s.post(t, body, sig)
	if !strings.Contains(string(first), `"first"`) {
		t.Errorf("ReplyJSON after the first reply: %s", first)
	}
	if got.reply.Text != "second" || string(last) != strings.TrimSpace(got.body) {
		t.Errorf("sent %s; ReplyJSON gave %s; want the second reply, the same bytes", got.body, last)
	}
}

// TestReplyHeaders: every reply carries one exact Content-Length and a
// current Date, whatever its size and however many replies share them.
func TestReplyHeaders(t *testing.T) {
	s := newServer(t, bot.HandlerFunc(func(c *bot.Context) error {
		text := strings.TrimSpace(c.Activity.Text)
		n, err := strconv.Atoi(text[strings.LastIndexAny(text, "; ")+1:])
		if err != nil {
			return fmt.Errorf("text %q: %w", text, err)
		}
		return c.Text(strings.Repeat("x", n))
	}), nil)
	for _, n := range []int{1, 100, 100, 3000, 5000, 5000, 20000} {
		body := bottest.Message{Text: strconv.Itoa(n)}.JSON()
		req, _ := bottest.NewRequest(s.url, s.token, body)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if got := resp.Header.Values("Content-Length"); len(got) != 1 || got[0] != strconv.Itoa(len(data)) {
			t.Errorf("%d: Content-Length %q for a %d-byte body", n, got, len(data))
		}
		date, err := http.ParseTime(resp.Header.Get("Date"))
		if err != nil || time.Since(date) > 2*time.Second || time.Until(date) > time.Second {
			t.Errorf("%d: Date %q (%v); want now", n, resp.Header.Get("Date"), err)
		}
		var r bot.Reply
		if err := json.Unmarshal(data, &r); err != nil || len(r.Text) != n {
			t.Errorf("%d: reply of %d characters (%v)", n, len(r.Text), err)
		}
	}
}
