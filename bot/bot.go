package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"strconv"
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
	if err := ReadBody(buf, req.Body, b.limit); err != nil {
		if errors.Is(err, ErrTooLarge) {
			return b.reject(ec, start, http.StatusRequestEntityTooLarge, err.Error())
		}
		return b.reject(ec, start, http.StatusBadRequest, "cannot read request body")
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

	// The handler runs on this goroutine: no hand-off on the fast path. If
	// the budget runs out first, the timeout answer is written from the
	// AfterFunc goroutine, with a Content-Length and a flush, so Teams has
	// its complete reply in time while the handler is still running.
	timedOut := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(timedOut)
		b.answer(ec, c, b.timeoutReply(c), "timeout")
	})
	err := call(b.handler, c)
	if stop() {
		b.answer(ec, c, b.result(c, err), outcome(err))
		return nil
	}
	<-timedOut
	b.late(c, err)
	return nil
}

// call runs h, turning a panic into an error.
func call(h Handler, c *Context) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return h.Handle(c)
}

func outcome(err error) string {
	if err != nil {
		return "error"
	}
	return "ok"
}

// timeoutReply is the answer sent when the budget is spent.
func (b *Bot) timeoutReply(c *Context) Reply {
	c.logger.Warn().Dur("budget", b.budget).Msg("handler missed its deadline")
	return Textf("Sorry, that took longer than Teams allows and was stopped. (ref %s)", c.Activity.ID)
}

// late records the result of a handler that finished after its timeout
// answer was sent.
func (b *Bot) late(c *Context, err error) {
	ev := c.logger.Warn().Dur("after", time.Since(c.received))
	if err != nil {
		ev = ev.Err(err)
	}
	ev.Msg("handler finished after its deadline; result dropped")
}

// answer writes r as the reply and logs the request line.
func (b *Bot) answer(ec echo.Context, c *Context, r Reply, outcome string) {
	if err := writeReply(ec, r); err != nil {
		c.logger.Warn().Err(err).Msg("writing reply")
	}
	c.logger.Info().
		Str("command", c.command).
		Int("status", http.StatusOK).
		Str("outcome", outcome).
		Dur("latency", time.Since(c.received)).
		Msg("answered")
	b.answered(c, outcome)
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

// writeReply writes r with an explicit Content-Length and flushes, so the
// client has the whole reply even while the handler goroutine still runs.
func writeReply(ec echo.Context, r Reply) error {
	data, err := Fit(r, MaxReplySize).MarshalJSON()
	if err != nil {
		data = []byte(`{"type":"message","text":"Sorry, the reply could not be encoded."}`)
	}
	res := ec.Response()
	res.Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSONCharsetUTF8)
	res.Header().Set(echo.HeaderContentLength, strconv.Itoa(len(data)))
	res.WriteHeader(http.StatusOK)
	if _, err := res.Write(data); err != nil {
		return err
	}
	return http.NewResponseController(res.Writer).Flush()
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
