package bottest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/outhook/outhook/bot"
)

// Path is where a Server mounts the bot.
const Path = "/webhook"

// DefaultHandlerWait is how long Server.Send waits, after the reply, for
// the handler to return; see Server.HandlerWait.
const DefaultHandlerWait = 10 * time.Second

// Server is a bot served over HTTP on 127.0.0.1, which tests talk to as
// Teams would: signed posts, the real Echo server, the real budget. Build
// one with NewServer and Close it when done.
type Server struct {
	// URL is the webhook's URL.
	URL string
	// Token is the security token the bot accepts (fresh for each server
	// unless Config.Secrets set one).
	Token string
	// Bot is the bot being served.
	Bot *bot.Bot
	// Echo is the Echo app, for adding routes (such as a plugin's) before
	// the first request.
	Echo *echo.Echo
	// HandlerWait bounds how long Send waits, once the reply is in, for
	// the handler to return; a handler still running then is an error,
	// since it does not honour its context. Default DefaultHandlerWait.
	HandlerWait time.Duration

	http *httptest.Server

	mu      sync.Mutex
	pending map[string]chan string // activity id → command, sent when the handler returns
}

// NewServer serves a bot built from cfg on 127.0.0.1 at Path.
// cfg.Handler is required; without cfg.Secrets the bot gets a fresh token.
// Like httptest.NewServer it panics when it cannot start: a test's wiring
// mistake. Close it when done, for example with t.Cleanup(s.Close).
//
//	s := bottest.NewServer(bot.Config{Handler: r, Budget: 100 * time.Millisecond})
//	t.Cleanup(s.Close)
//	r, err := s.Say("deploy web staging")
func NewServer(cfg bot.Config) *Server {
	if cfg.Handler == nil {
		panic("bottest: NewServer: Config.Handler is required")
	}
	s := &Server{pending: map[string]chan string{}}
	if len(cfg.Secrets) == 0 {
		cfg.Secrets = []string{bot.NewToken()}
	}
	s.Token = cfg.Secrets[0]
	inner := cfg.Handler
	cfg.Handler = bot.HandlerFunc(func(c *bot.Context) error {
		err := inner.Handle(c)
		s.done(c.Activity.ID, c.Command())
		return err
	})
	b, err := bot.New(cfg)
	if err != nil {
		panic("bottest: NewServer: " + err.Error())
	}
	s.Bot = b
	s.Echo = echo.New()
	s.Echo.HideBanner = true
	b.Mount(s.Echo, Path)
	s.http = httptest.NewUnstartedServer(s.Echo)
	new(bot.Arrivals).Install(s.http.Config)
	s.http.Start()
	s.URL = s.http.URL + Path
	return s
}

// Close stops the HTTP server, then waits up to five seconds for the
// bot's background jobs to finish and post their results.
func (s *Server) Close() {
	s.http.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.Bot.Shutdown(ctx)
}

// Client returns an HTTP client for the server, for requests built by
// hand (NewRequest).
func (s *Server) Client() *http.Client { return s.http.Client() }

// BaseURL returns the server's URL without the webhook path, for a
// plugin's own routes.
func (s *Server) BaseURL() string { return s.http.URL }

func (s *Server) done(id, command string) {
	s.mu.Lock()
	ch := s.pending[id]
	delete(s.pending, id)
	s.mu.Unlock()
	if ch != nil {
		ch <- command
	}
}

// Say sends text as Ada Lovelace in a new top-level post and returns the
// reply; see Send.
func (s *Server) Say(text string) (Reply, error) { return s.Send(Message{Text: text}) }

// Send posts m, signed with the server's token, and returns the reply,
// with the command that ran once the handler has returned. It fails when
// the bot does not answer 200, or when the handler is still running
// HandlerWait after the reply.
func (s *Server) Send(m Message) (Reply, error) {
	a := m.Activity()
	body, err := encodeActivity(a)
	if err != nil {
		return Reply{}, err
	}
	ch := make(chan string, 1)
	s.mu.Lock()
	s.pending[a.ID] = ch
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.pending, a.ID)
		s.mu.Unlock()
	}()

	start := time.Now()
	br, err := Post(s.Client(), s.URL, s.Token, body)
	if err != nil {
		return Reply{}, err
	}
	r := Reply{Reply: br, Latency: time.Since(start)}
	wait := s.HandlerWait
	if wait <= 0 {
		wait = DefaultHandlerWait
	}
	select {
	case r.Command = <-ch:
	case <-time.After(wait):
		return r, fmt.Errorf("bottest: the handler for %q still runs %v after the reply: it does not honour its context", m.Text, wait)
	}
	return r, nil
}
