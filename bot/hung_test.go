package bot_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
)

// rawPost sends a signed activity on a new TCP connection and returns the
// reply, and how reading on after the reply ended: io.EOF when the server
// closed the connection.
func rawPost(t *testing.T, rawURL, token, text string) (bot.Reply, error) {
	t.Helper()
	req, err := bottest.NewRequest(rawURL, token, bottest.Message{Text: text}.JSON())
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(rawURL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := req.Write(conn); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the reply: %v", err)
	}
	var r bot.Reply
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("reply %q: %v", body, err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(time.Second))
	_, after := br.ReadByte()
	return r, after
}

// TestHungHandlerReleasedAndBounded: a handler that ignores its context
// gets its notice in time, its connection is closed at once (the client
// reads the whole reply, then EOF), it is counted, and past MaxHung new
// activities are refused politely until it returns.
func TestHungHandlerReleasedAndBounded(t *testing.T) {
	release := make(chan struct{})
	returned := make(chan struct{}, 4)
	logs := &bottest.LogBuffer{}
	token := bot.NewToken()
	b, err := bot.New(bot.Config{
		Secrets: []string{token}, Budget: 100 * time.Millisecond, MaxHung: 2, Logger: zerolog.New(logs),
		Handler: bot.HandlerFunc(func(c *bot.Context) error {
			if strings.Contains(c.Activity.Text, "hang") {
				<-release // ignores its context
				returned <- struct{}{}
				return c.Text("too late")
			}
			return c.Text("pong")
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	b.Mount(e, "/webhook")
	u := newLoopback(t, e) + "/webhook"
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()

	for i := 1; i <= 2; i++ {
		r, after := rawPost(t, u, token, "hang")
		if !strings.Contains(r.Text, "took longer than Teams allows and was stopped") {
			t.Errorf("got %q; want the timeout notice", r.Text)
		}
		if !errors.Is(after, io.EOF) {
			t.Errorf("after the reply: got %v; want EOF (connection released)", after)
		}
		if got := b.Hung(); got != i {
			t.Errorf("got %d hung; want %d", got, i)
		}
	}
	if err := b.Ready(); !errors.Is(err, bot.ErrNotReady) || !strings.Contains(err.Error(), "2 handlers or jobs") {
		t.Errorf("Ready: got %v; want not ready with 2 hung", err)
	}
	r, _ := rawPost(t, u, token, "ping")
	if !strings.HasPrefix(r.Text, "Sorry, I'm overloaded") {
		t.Errorf("got %q; want the polite refusal", r.Text)
	}

	close(release)
	for range 2 {
		<-returned
	}
	deadline := time.Now().Add(2 * time.Second)
	for b.Hung() != 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := b.Hung(); got != 0 {
		t.Errorf("got %d hung after they returned; want 0", got)
	}
	if err := b.Ready(); err != nil {
		t.Errorf("Ready: got %v; want nil", err)
	}
	if r, _ := rawPost(t, u, token, "ping"); r.Text != "pong" {
		t.Errorf("got %q; want pong", r.Text)
	}
	if !strings.Contains(logs.String(), `"outcome":"overloaded"`) {
		t.Errorf("logs lack the overloaded answer:\n%s", logs)
	}
}

// TestBudgetCountsFromArrival: a request whose connection opened well
// before its headers were sent has less budget left: a handler that would
// fit a budget counted from the handler misses one counted from arrival.
func TestBudgetCountsFromArrival(t *testing.T) {
	u, token := workingBot(t, 400*time.Millisecond, 200*time.Millisecond)

	if r, _ := rawPost(t, u, token, "fresh"); r.Text != "in time" {
		t.Fatalf("a fresh request: got %q; want in time", r.Text)
	}
	// Open the connection, then wait before sending: the wait is spent.
	req, _ := bottest.NewRequest(u, token, bottest.Message{Text: "slow client"}.JSON())
	pu, _ := url.Parse(u)
	conn, err := net.Dial("tcp", pu.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	time.Sleep(300 * time.Millisecond)
	if err := req.Write(conn); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatal(err)
	}
	var r bot.Reply
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Text, "took longer than Teams allows") {
		t.Errorf("got %q; want the timeout notice (the budget counts from the connection's arrival)", r.Text)
	}
}

func TestArrivedWithoutHook(t *testing.T) {
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, "http://127.0.0.1/", nil)
	if _, ok := bot.Arrived(req); ok {
		t.Error("Arrived: got a stamp without Arrivals")
	}
}

// TestKeptAliveRequestCountsFromItsOwnArrival: a request on a connection
// kept alive from an earlier one is not charged for the idle time between
// them.
func TestKeptAliveRequestCountsFromItsOwnArrival(t *testing.T) {
	u, token := workingBot(t, 400*time.Millisecond, 100*time.Millisecond)
	tr := &http.Transport{MaxIdleConnsPerHost: 1}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	for i := range 2 {
		r, err := bottest.Post(client, u, token, bottest.Message{Text: "ping"}.JSON())
		if err != nil {
			t.Fatal(err)
		}
		if r.Text != "in time" {
			t.Errorf("request %d: got %q; want in time", i+1, r.Text)
		}
		time.Sleep(500 * time.Millisecond) // idle longer than the budget
	}
}

// TestPanicOnTheTimeoutPathIsRecovered: a panic on the timer's goroutine
// (here from an Observer) is logged with a reference and the process goes
// on; the handler's own goroutine finishes normally.
func TestPanicOnTheTimeoutPathIsRecovered(t *testing.T) {
	logs := &bottest.LogBuffer{}
	token := bot.NewToken()
	done := make(chan struct{})
	b, err := bot.New(bot.Config{
		Secrets: []string{token}, Budget: 50 * time.Millisecond, Logger: zerolog.New(logs),
		Observer: bot.ObserverFuncs{OnAnswered: func(a bot.Answer) {
			if a.Outcome == bot.OutcomeTimeout {
				panic("observer bug")
			}
		}},
		Handler: bot.HandlerFunc(func(c *bot.Context) error {
			defer close(done)
			<-c.Context().Done()
			return c.Context().Err()
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	b.Mount(e, "/webhook")
	u := newLoopback(t, e) + "/webhook"
	r, err := bottest.Post(http.DefaultClient, u, token, bottest.Message{Text: "slow"}.JSON())
	if err != nil || !strings.Contains(r.Text, "took longer than Teams allows") {
		t.Errorf("got %q, %v; want the timeout notice", r.Text, err)
	}
	<-done
	waitFor(t, "the panic to be logged", func() bool { return strings.Contains(logs.String(), "observer bug") })
	if !strings.Contains(logs.String(), `"panic_ref":"p-`) {
		t.Errorf("logs lack the panic's ref:\n%s", logs)
	}
	if r, err := bottest.Post(http.DefaultClient, u, token, bottest.Message{Text: "again"}.JSON()); err != nil ||
		!strings.Contains(r.Text, "took longer") {
		t.Errorf("after the panic: got %q, %v; want the bot still serving", r.Text, err)
	}
}

// workingBot serves on loopback, with budget, a bot whose handler works
// for work and answers "in time", or gives up when its context ends. It
// returns the webhook URL and the token.
func workingBot(t *testing.T, budget, work time.Duration) (string, string) {
	t.Helper()
	token := bot.NewToken()
	b, err := bot.New(bot.Config{
		Secrets: []string{token}, Budget: budget,
		Handler: bot.HandlerFunc(func(c *bot.Context) error {
			select {
			case <-time.After(work):
				return c.Text("in time")
			case <-c.Context().Done():
				return c.Context().Err()
			}
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	b.Mount(e, "/webhook")
	return newLoopback(t, e) + "/webhook", token
}
