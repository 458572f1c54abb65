package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"strconv"
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
	// arrival, at most MaxBudget. When it is spent the bot answers with a
	// timeout notice and cancels the handler's context, unless follow-ups
	// let the handler finish in the background. A command may set its own
	// (Context.SetBudget). Optional; default DefaultBudget.
	Budget time.Duration
	// FollowUps posts results that arrive after the reply, usually an
	// incoming webhook (package bot/incoming). With it, Context.Go runs
	// background jobs, and a handler that misses its budget goes on as a
	// job whose result is posted when ready. Optional; default: none, a
	// late handler is cancelled and Context.Go is refused.
	FollowUps Poster
	// Jobs bounds background work; only used with FollowUps. Optional;
	// zero fields take defaults.
	Jobs JobsConfig
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
	jobs     *Jobs
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
	if b.budget > MaxBudget {
		return nil, fmt.Errorf("bot: Config.Budget %v is over %v: Teams gives up at 5s", b.budget, MaxBudget)
	}
	if cfg.FollowUps != nil {
		b.jobs = newJobs(cfg.Jobs, cfg.FollowUps, cfg.Logger)
	}
	if b.observer = cfg.Observer; b.observer == nil {
		b.observer = ObserverFuncs{}
	}
	return b, nil
}

// Jobs returns the bot's background jobs, or nil without follow-ups.
func (b *Bot) Jobs() *Jobs { return b.jobs }

// Shutdown stops taking background work and waits until running jobs have
// finished and their results are posted, or until ctx is done; then it
// logs and cancels what is left (see Jobs.Shutdown). Call it after the
// HTTP server has stopped taking requests. It returns nil at once for a
// bot without follow-ups.
func (b *Bot) Shutdown(ctx context.Context) error {
	if b.jobs == nil {
		return nil
	}
	return b.jobs.Shutdown(ctx)
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

	sb := b.readRequest(ec, start)
	if sb == nil {
		return nil // answered
	}
	defer sb.release()
	body := sb.data
	a := new(Activity)
	if err := DecodeActivity(body, a); err != nil {
		return b.reject(ec, start, http.StatusBadRequest, err.Error())
	}

	c := &Context{Activity: a, received: start}
	c.reqLog = b.logger.With().
		Str("activity", a.ID).
		Str("team", a.Team()).
		Str("channel", a.Channel()).
		Str("user", userID(a)).
		Logger()
	c.logger = c.reqLog

	// The handler runs on this goroutine: no hand-off on the fast path. If
	// the budget runs out first, the timeout answer is written from the
	// timer's goroutine, with a Content-Length and a flush, so Teams has
	// its complete reply in time while the handler is still running.
	timedOut := make(chan struct{})
	c.start(req.Context(), b.budget, b.jobs, func() {
		defer close(timedOut)
		r, lg, command := b.timeout(c)
		// The handler still holds this connection: a request sent on it
		// next would wait behind the handler, so the client must not
		// reuse it.
		ec.Response().Header().Set(echo.HeaderConnection, "close")
		b.answer(ec, lg, command, c.received, r, OutcomeTimeout)
	})
	err := call(b.handler, c)
	if c.stopTimer() {
		r := b.result(c, err)
		b.answer(ec, c.reqLog, c.command, c.received, r, c.refine(outcome(err)))
		c.release()
		return nil
	}
	<-timedOut
	b.late(c, err)
	c.release()
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

// timeout decides, on the timer's goroutine, what happens to a handler
// that missed its budget: with follow-ups it goes on as a job if a worker
// is free; otherwise its context is cancelled. It returns the notice to
// send, with the logger and command to log it under.
func (b *Bot) timeout(c *Context) (Reply, zerolog.Logger, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.state = stateLate
	what := "that"
	if c.command != "" {
		what = "`" + escapeTicks(c.command) + "`"
	}
	if c.jobs != nil {
		jb, err := c.jobs.admit(c.followUpLocked(), c.logger, c.received, c.cancel, true)
		if err == nil {
			c.job = jb
			jb.logger.Warn().Dur("budget", c.budget).Msg("handler missed its budget; it goes on as a job")
			return Textf("%s is taking longer than Teams waits. I'll post the result as a new message when it's "+
				"ready (job %s, ref %s).", upperFirst(what), jb.info.ID, c.Activity.ID), c.reqLog, c.command
		}
		c.cancel(ErrBudgetSpent)
		c.logger.Warn().Err(err).Dur("budget", c.budget).Msg("handler missed its budget; no worker free, stopped")
		return Textf("Sorry, %s took longer than Teams allows, and I'm too busy to finish it in the background, "+
			"so it was stopped. Try again in a minute. (ref %s)", what, c.Activity.ID), c.reqLog, c.command
	}
	c.cancel(ErrBudgetSpent)
	c.logger.Warn().Dur("budget", c.budget).Msg("handler missed its deadline")
	return Textf("Sorry, %s took longer than Teams allows and was stopped. (ref %s)", what, c.Activity.ID),
		c.reqLog, c.command
}

// late handles the result of a handler that finished after its timeout
// notice was sent: posted as a follow-up if it went on as a job, else
// dropped with a log line.
func (b *Bot) late(c *Context, err error) {
	if c.job != nil {
		r, replied := c.Replied()
		if err == nil && !replied {
			err = errors.New("handler returned without a reply")
		}
		if r, ok := c.jobs.outcome(c.job, c.ctx, r, err); ok {
			c.jobs.deliver(c.job, r)
		}
		c.jobs.finish(c.job)
		return
	}
	ev := c.logger.Warn().Dur("after", time.Since(c.received))
	if err != nil {
		ev = ev.Err(err)
	}
	ev.Msg("handler finished after its deadline; result dropped")
}

// answer writes r as the reply and logs the request line.
func (b *Bot) answer(ec echo.Context, lg zerolog.Logger, command string, received time.Time, r Reply, outcome string) {
	if err := writeReply(ec, r); err != nil {
		lg.Warn().Err(err).Msg("writing reply")
	}
	lg.Info().
		Str("command", command).
		Int("status", http.StatusOK).
		Str("outcome", outcome).
		Dur("latency", time.Since(received)).
		Msg("answered")
	b.observer.Answered(Answer{Command: command, Outcome: outcome, Latency: time.Since(received)})
}

func upperFirst(s string) string {
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		return string(s[0]-'a'+'A') + s[1:]
	}
	return s
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

// contentTypeJSON is the content type Teams sends and expects back.
const contentTypeJSON = "application/json; charset=utf-8"

// writeReply writes r with an explicit Content-Length and flushes, so the
// client has the whole reply even while the handler goroutine still runs.
func writeReply(ec echo.Context, r Reply) error {
	data, err := Fit(r, MaxReplySize).MarshalJSON()
	if err != nil {
		data = []byte(`{"type":"message","text":"Sorry, the reply could not be encoded."}`)
	}
	res := ec.Response()
	res.Header().Set(echo.HeaderContentType, contentTypeJSON)
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
