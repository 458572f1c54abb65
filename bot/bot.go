package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"
)

// Defaults for Config.
const (
	// DefaultBodyLimit is the largest request body accepted. Teams posts
	// about 2 KB.
	DefaultBodyLimit = 1 << 20
	// DefaultBudget is how long a handler may take. Teams gives up after
	// five seconds counted from when it sent the post; the second left over
	// covers the network and any proxy in between.
	DefaultBudget = 4 * time.Second
)

// Config configures a Bot.
type Config struct {
	// Secrets are the security tokens Teams issued, base64 as shown.
	// A post signed with any of them is accepted. Required.
	Secrets []string
	// Handler answers verified activities. Required.
	Handler Handler
	// Logger receives one line per request and handler errors. Optional;
	// default: no logging.
	Logger zerolog.Logger
	// BodyLimit is the largest body accepted, in bytes; larger posts get
	// 413. Optional; default DefaultBodyLimit.
	BodyLimit int64
	// Budget is how long the handler has, counted from the request's
	// arrival. When it is spent the bot answers with a timeout notice and
	// cancels the handler's context. Optional; default DefaultBudget.
	Budget time.Duration
	// Observer is told about rejections and answers, for metrics.
	// Optional; default: none.
	Observer Observer
}

// Bot is an outgoing-webhook endpoint: it verifies, decodes and answers
// Teams posts. Create one with New and mount it with Mount, or use
// ServeEcho as an echo.HandlerFunc. It is safe for concurrent use.
type Bot struct {
	verifier *Verifier
	handler  Handler
	logger   zerolog.Logger
	limit    int64
	budget   time.Duration
	observer Observer
}

// New returns a Bot for cfg. It fails when a required field is missing or a
// secret is not a valid token.
func New(cfg Config) (*Bot, error) {
	if cfg.Handler == nil {
		return nil, errors.New("bot: Config.Handler is required")
	}
	v, err := NewVerifier(cfg.Secrets...)
	if err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	b := &Bot{verifier: v, handler: cfg.Handler, logger: cfg.Logger, limit: cfg.BodyLimit, budget: cfg.Budget}
	if b.limit <= 0 {
		b.limit = DefaultBodyLimit
	}
	if b.budget <= 0 {
		b.budget = DefaultBudget
	}
	if b.observer = cfg.Observer; b.observer == nil {
		b.observer = ObserverFuncs{}
	}
	return b, nil
}

// Routes is what Mount registers on: *echo.Echo and *echo.Group both
// satisfy it.
type Routes interface {
	POST(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
}

// Mount registers the bot's webhook at path on r, for example
// b.Mount(e, "/webhook") or b.Mount(e.Group("/teams"), "/ops").
func (b *Bot) Mount(r Routes, path string) {
	r.POST(path, b.ServeEcho)
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// errorBody is the JSON body of a rejected request.
type errorBody struct {
	Error string `json:"error"`
}

// ServeEcho handles one Teams post. It never returns an error to Echo: every
// outcome is answered here, with 200 and a message for anything that
// passed verification.
func (b *Bot) ServeEcho(ec echo.Context) error {
	start := time.Now()
	req := ec.Request()

	if req.ContentLength > b.limit {
		return b.reject(ec, start, http.StatusRequestEntityTooLarge, "request body too large")
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= 64<<10 {
			bufPool.Put(buf)
		}
	}()
	n, err := buf.ReadFrom(io.LimitReader(req.Body, b.limit+1))
	if err != nil {
		return b.reject(ec, start, http.StatusBadRequest, "cannot read request body")
	}
	if n > b.limit {
		return b.reject(ec, start, http.StatusRequestEntityTooLarge, "request body too large")
	}
	body := buf.Bytes()
	if err := b.verifier.Verify(body, req.Header.Get(echo.HeaderAuthorization)); err != nil {
		return b.reject(ec, start, http.StatusUnauthorized, err.Error())
	}
	a := new(Activity)
	if err := DecodeActivity(body, a); err != nil {
		return b.reject(ec, start, http.StatusBadRequest, err.Error())
	}

	ctx, cancel := context.WithDeadline(req.Context(), start.Add(b.budget))
	defer cancel()
	c := &Context{Activity: a, ctx: ctx, received: start}
	c.logger = b.logger.With().
		Str("activity", a.ID).
		Str("team", a.Team()).
		Str("channel", a.Channel()).
		Str("user", userID(a)).
		Logger()

	reply := b.run(c)
	status := http.StatusOK
	if err := writeReply(ec, reply); err != nil {
		c.logger.Warn().Err(err).Msg("writing reply")
	}
	c.logger.Info().
		Str("command", c.command).
		Int("status", status).
		Dur("latency", time.Since(start)).
		Msg("answered")
	b.answered(c)
	return nil
}

// run calls the handler under the budget and returns what to answer.
func (b *Bot) run(c *Context) Reply {
	done := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("panic: %v\n%s", p, debug.Stack())
			}
		}()
		done <- b.handler.Handle(c)
	}()
	select {
	case err := <-done:
		return b.result(c, err)
	case <-c.ctx.Done():
		c.logger.Warn().Dur("budget", b.budget).Msg("handler missed its deadline")
		c.outcome = OutcomeTimeout
		return Textf("Sorry, that took longer than Teams allows and was stopped. (ref %s)", c.Activity.ID)
	}
}

// result turns what a handler returned into the reply.
func (b *Bot) result(c *Context, err error) Reply {
	if err == nil {
		if r, ok := c.Replied(); ok {
			return r
		}
		err = errors.New("handler returned without a reply")
	}
	if msg, ok := userMessage(err); ok {
		var e *Error
		if errors.As(err, &e) && e.Internal != nil {
			c.logger.Warn().Err(e.Internal).Msg("handler error")
		}
		c.outcome = OutcomeUserError
		return Text(msg)
	}
	c.logger.Error().Err(err).Msg("handler failed")
	c.outcome = OutcomeError
	return Textf("Sorry, something went wrong while answering. (ref %s)", c.Activity.ID)
}

func writeReply(ec echo.Context, r Reply) error {
	data, err := r.MarshalJSON()
	if err != nil {
		data = []byte(`{"type":"message","text":"Sorry, the reply could not be encoded."}`)
	}
	return ec.Blob(http.StatusOK, echo.MIMEApplicationJSONCharsetUTF8, data)
}

func (b *Bot) reject(ec echo.Context, start time.Time, status int, reason string) error {
	b.logger.Warn().
		Int("status", status).
		Str("reason", reason).
		Str("remote", ec.RealIP()).
		Dur("latency", time.Since(start)).
		Msg("rejected")
	b.observer.Rejected(Rejection{Status: status, Reason: rejectReason(status)})
	return ec.JSON(status, errorBody{Error: reason})
}

func userID(a *Activity) string {
	if a.From.AADObjectID != "" {
		return a.From.AADObjectID
	}
	return a.From.ID
}
