package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"

	"github.com/outhook/outhook/store"
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
	// DefaultMaxHung is how many handlers and jobs may still run after
	// they were answered for or given up on before new activities are
	// refused.
	DefaultMaxHung = 256
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
	// Outbox keeps promised results until they are posted, so that a
	// result survives an endpoint that is down and, with a durable store,
	// a restart (call Resume at start-up); only used with FollowUps. A
	// store.Store satisfies it. Optional; default: a store.NewMemory(),
	// which survives no restart.
	Outbox Outbox
	// MaxHung bounds the handlers still running after their timeout
	// notice went out (they ignore their context) plus the jobs given up
	// on after JobsConfig.StopGrace (see Hung). Past it, new activities
	// get a polite "I'm overloaded" answer and Ready reports it, instead of
	// the process running out of descriptors, goroutines or workers.
	// Optional; default DefaultMaxHung.
	MaxHung int
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
	maxHung  int
	hung     atomic.Int64 // request handlers running after their notice
	draining atomic.Bool
	stopping atomic.Bool
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
	if b.maxHung = cfg.MaxHung; b.maxHung <= 0 {
		b.maxHung = DefaultMaxHung
	}
	if cfg.FollowUps != nil {
		ob := cfg.Outbox
		if ob == nil {
			ob = store.NewMemory()
		}
		b.jobs = newJobs(cfg.Jobs, cfg.FollowUps, ob, cfg.Logger)
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
// cuts off what is left, keeping a notice for each asker in the outbox for
// the next run to post (see Jobs.Shutdown). Call it after the HTTP server
// has stopped taking requests (and Drain before that). It returns a
// *ShutdownError when work was cut off or results were left undelivered,
// so that the binary can exit non-zero; nil at once for a bot without
// follow-ups.
func (b *Bot) Shutdown(ctx context.Context) error {
	b.stopping.Store(true)
	if b.jobs == nil {
		return nil
	}
	return b.jobs.Shutdown(ctx)
}

// Resume takes up what a previous run left in the outbox: results not yet
// posted are posted (in the background, with retries), jobs cut off by
// the restart are reported to their askers with a posted notice, and a
// post whose outcome is unknown is never repeated, only reported in the
// next reply in its channel. Call it once at start-up, before serving. It
// returns how many entries it took up; nothing without follow-ups.
func (b *Bot) Resume(ctx context.Context) (int, error) {
	if b.jobs == nil {
		return 0, nil
	}
	return b.jobs.out.resume(ctx)
}

// Drain tells the bot that the process is about to stop: Ready reports it,
// so that a load balancer sends no new traffic, while requests in flight
// are answered and Context.Go still takes jobs (they are drained by
// Shutdown, after the HTTP server stopped). A handler that misses its
// budget with no worker free is told the bot is restarting.
func (b *Bot) Drain() { b.draining.Store(true) }

// Hung returns how many handlers are still running after their timeout
// notice went out, plus the jobs given up on after their stop grace: the
// number bounded by Config.MaxHung.
func (b *Bot) Hung() int {
	n := int(b.hung.Load())
	if b.jobs != nil {
		n += b.jobs.Hung()
	}
	return n
}

// Status is the bot's state, for a readiness probe's detail and metrics.
type Status struct {
	// Hung is what Hung returns; MaxHung is its limit.
	Hung    int `json:"hung"`
	MaxHung int `json:"max_hung"`
	// Jobs is how many jobs are queued, running or posting.
	Jobs int `json:"jobs"`
	// Undelivered is how many results wait for another try or to be
	// reported.
	Undelivered int `json:"undelivered"`
	// Draining is true after Drain or Shutdown.
	Draining bool `json:"draining"`
}

// Status returns the bot's state now.
func (b *Bot) Status() Status {
	st := Status{Hung: b.Hung(), MaxHung: b.maxHung, Draining: b.draining.Load() || b.stopping.Load()}
	if b.jobs != nil {
		for _, j := range b.jobs.List() {
			switch j.State {
			case JobUndelivered, JobUnknown:
				st.Undelivered++
			case JobHung:
			default:
				st.Jobs++
			}
		}
		st.Undelivered += b.jobs.out.pending()
	}
	return st
}

// ErrNotReady is wrapped by Ready's error.
var ErrNotReady = errors.New("not ready")

// Ready returns nil when the bot takes new work, or an error that says why
// not, for a readiness probe (/readyz): draining or shutting down, or
// MaxHung handlers and jobs still running past their time.
func (b *Bot) Ready() error {
	switch {
	case b.stopping.Load():
		return fmt.Errorf("%w: shutting down", ErrNotReady)
	case b.draining.Load():
		return fmt.Errorf("%w: draining before a restart", ErrNotReady)
	}
	if n := b.Hung(); n >= b.maxHung {
		return fmt.Errorf("%w: %d handlers or jobs still running past their time (limit %d)", ErrNotReady, n, b.maxHung)
	}
	return nil
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
//
// The reply is written at the deepest point of a request, where net/http
// formats the headers with a frame of almost 3 KiB. ServeEcho keeps the
// frames above it small (reading and decoding are in accept, whose frame
// is gone by then; the line is logged before, not around, the write), so
// that the connection's goroutine fits in its first 8 KiB of stack: one
// that does not grows it on every request after each garbage collection
// shrinks it back, which cost about 2% of the CPU.
func (b *Bot) ServeEcho(ec echo.Context) error {
	var sb signedBody
	c := b.accept(ec, &sb)
	if c == nil {
		return nil // answered
	}
	defer sb.release()

	if n := b.Hung(); n >= b.maxHung {
		b.overloaded(ec, c, n)
		return nil
	}

	// The handler runs on this goroutine: no hand-off on the fast path. If
	// the budget runs out first, the timeout answer is written from the
	// timer's goroutine, with a Content-Length and a flush, so Teams has
	// its complete reply in time while the handler is still running; then
	// the connection is closed, so that a handler that ignores its context
	// holds no socket.
	c.notice.Add(1) // done when the timeout notice is written; waited for only then
	c.start(ec.Request().Context(), b.budget, b.jobs, func() { b.timeoutNotice(ec, c) })
	err := call(b.handler, c)
	if c.stopTimer() {
		b.reply(ec, c, err)
		c.release()
		return nil
	}
	c.notice.Wait()
	b.late(c, err)
	c.release()
	return nil
}

// accept reads, verifies and decodes a post into sb and a new Context. It
// returns nil when it has answered the post already (refused it).
func (b *Bot) accept(ec echo.Context, sb *signedBody) *Context {
	req := ec.Request()
	start := arrivedAt(req, time.Now())
	if !b.readRequest(ec, start, sb) {
		return nil
	}
	// Read to its end: closing it tells net/http so, which then need not
	// look for more of it before the reply.
	_ = req.Body.Close()
	// The Context and its Activity in one allocation.
	ca := new(struct {
		c Context
		a Activity
	})
	a := &ca.a
	if err := DecodeActivity(sb.data, a); err != nil {
		sb.release()
		_ = b.reject(ec, start, http.StatusBadRequest, err.Error())
		return nil
	}
	c := &ca.c
	c.Activity, c.received = a, start
	c.reqLog = b.logger.Hook((*activityFields)(a))
	c.logger = c.reqLog
	return c
}

// reply answers with what the handler made of c, which returned err.
func (b *Bot) reply(ec echo.Context, c *Context, err error) {
	r := b.result(c, err)
	var enc []byte // the handler's reply, if middleware had it encoded
	if err == nil {
		enc = c.sent
	}
	r, noted := b.withNotes(c.Activity, r)
	if noted {
		enc = nil
	}
	b.answer(ec, c, &c.reqLog, c.command, &r, enc, c.refine(outcome(err)))
}

// timeoutNotice answers for a handler that is still running when its
// budget is spent; it runs on the timer's goroutine.
func (b *Bot) timeoutNotice(ec echo.Context, c *Context) {
	defer c.notice.Done()
	defer recoverAs(c.reqLog, "timeout notice")
	r, lg, command := b.timeout(c)
	// The handler still holds this request: the client must not
	// reuse the connection.
	ec.Response().Header().Set(echo.HeaderConnection, "close")
	r, _ = b.withNotes(c.Activity, r)
	b.answer(ec, c, &lg, command, &r, nil, OutcomeTimeout)
	releaseConn(ec, lg)
}

// releaseConn closes the connection of a request whose answer is written
// and flushed while its handler still runs: the client has its complete
// reply (Content-Length) and sees the connection end at once, and the
// socket and its descriptor are freed. HTTP/2 streams cannot be hijacked;
// there the stream ends when the handler returns.
func releaseConn(ec echo.Context, lg zerolog.Logger) {
	conn, buf, err := http.NewResponseController(ec.Response().Writer).Hijack()
	if err != nil {
		lg.Debug().Err(err).Msg("cannot release the connection of a late handler")
		return
	}
	if buf != nil {
		_ = buf.Flush()
	}
	_ = conn.Close()
}

// withNotes adds to r the reports due in a's channel: results that could
// not be posted, or may have been. It reports whether there were any.
func (b *Bot) withNotes(a *Activity, r Reply) (Reply, bool) {
	if b.jobs == nil {
		return r, false
	}
	notes := b.jobs.out.takeNotes(a.Team(), a.Channel())
	if len(notes) == 0 {
		return r, false
	}
	text := strings.Join(notes, "\n\n")
	if r.Text != "" {
		r.Text += "\n\n" + text
	} else {
		r.Text = text
	}
	return r, true
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
		jb, err := c.jobs.admit(c.followUpLocked(), *c.loggerLocked(), c.received, c.cancel, true)
		if err == nil {
			c.job = jb
			jb.logger.Warn().Dur("budget", c.budget).Msg("handler missed its budget; it goes on as a job")
			return Textf("%s is taking longer than Teams waits. I'll post the result as a new message when it's "+
				"ready (job %s, ref %s).", upperFirst(what), jb.info.ID, c.Activity.ID), c.reqLog, c.command
		}
		c.cancel(ErrBudgetSpent)
		b.hung.Add(1)
		c.loggerLocked().Warn().Err(err).Dur("budget", c.budget).Msg("handler missed its budget; it cannot go on as a job, stopped")
		switch {
		case errors.Is(err, ErrShuttingDown) || b.draining.Load() || b.stopping.Load():
			return Textf("Sorry, %s took longer than Teams allows, and the bot is restarting, so it was stopped. "+
				"Try again in a minute. (ref %s)", what, c.Activity.ID), c.reqLog, c.command
		case errors.Is(err, ErrBusy):
			return Textf("Sorry, %s took longer than Teams allows, and I'm too busy to finish it in the background, "+
				"so it was stopped. Try again in a minute. (ref %s)", what, c.Activity.ID), c.reqLog, c.command
		}
		return Textf("Sorry, %s took longer than Teams allows, and I can't keep track of background work right "+
			"now, so it was stopped. Try again in a minute. (ref %s)", what, c.Activity.ID), c.reqLog, c.command
	}
	c.cancel(ErrBudgetSpent)
	b.hung.Add(1)
	c.loggerLocked().Warn().Dur("budget", c.budget).Msg("handler missed its deadline")
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
		c.jobs.done(c.job, c.ctx, r, err)
		return
	}
	b.hung.Add(-1)
	ev := c.Logger().Warn().Dur("after", time.Since(c.received))
	if err != nil {
		ev = ev.Err(err)
	}
	ev.Msg("handler finished after its deadline; result dropped")
}

// overloaded refuses an activity because n handlers still run past their
// time. It is apart from ServeEcho to keep that function's stack frame,
// which every request holds, small.
func (b *Bot) overloaded(ec echo.Context, c *Context, n int) {
	c.reqLog.Warn().Int("hung", n).Int("max_hung", b.maxHung).Msg("overloaded: too many handlers still running; refused")
	r := Textf("Sorry, I'm overloaded: too much earlier work is still "+
		"running past its time. Please try again in a few minutes. (ref %s)", c.Activity.ID)
	b.answer(ec, c, &c.reqLog, "", &r, nil, OutcomeOverloaded)
}

// answer writes r as the reply, or enc when it is r already encoded (see
// Context.ReplyJSON), and logs the request's line (logAnswer).
func (b *Bot) answer(ec echo.Context, c *Context, lg *zerolog.Logger, command string, r *Reply, enc []byte, outcome string) {
	ans := b.logAnswer(c, lg, command, outcome)
	if err := writeReply(ec, r, enc); err != nil {
		lg.Warn().Err(err).Msg("writing reply")
	}
	b.observer.Answered(ans)
}

// logAnswer logs the request's line, with what middleware added to it, and
// returns what to tell the observer once the reply is written (an
// observer's panic must not cost the reply). It runs before the reply is
// written: whoever has a reply finds its line in the log.
func (b *Bot) logAnswer(c *Context, lg *zerolog.Logger, command, outcome string) Answer {
	latency := time.Since(c.received)
	observed := outcome
	objs, logOutcome := c.takeLog()
	ev := lg.Info()
	if ev == nil && len(objs) > 0 {
		// What middleware added (an audit event) is written whatever
		// the log's level.
		info := lg.Level(zerolog.InfoLevel)
		ev = info.Info()
	}
	if logOutcome != "" && outcome != OutcomeTimeout {
		// A more specific outcome of the handler's own answer; a
		// timeout notice stays a timeout.
		outcome = logOutcome
	}
	ev = ev.Str("command", command).
		Int("status", http.StatusOK).
		Str("outcome", outcome)
	for _, o := range objs {
		ev = ev.EmbedObject(o)
	}
	ev.Dur("latency", latency).Msg("answered")
	return Answer{Command: command, Outcome: observed, Latency: latency}
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
			c.Logger().Warn().Err(e.Internal).Msg("handler error")
		}
		c.outcome = OutcomeUserError
		return Text(msg)
	}
	c.Logger().Error().Err(err).Msg("handler failed")
	c.outcome = OutcomeError
	return Textf("Sorry, something went wrong while answering. (ref %s)", c.Activity.ID)
}

// contentTypeJSON is the content type Teams sends and expects back.
const contentTypeJSON = "application/json; charset=utf-8"

// contentTypeJSONHeader is the header value of contentTypeJSON, shared by
// every reply instead of a new slice each: net/http only reads it, and its
// full capacity makes an Add copy rather than write into it.
var contentTypeJSONHeader = []string{contentTypeJSON}[:1:1]

// replyBufs holds buffers that replies are encoded into; ResponseWriter.Write
// does not keep what it is given, so the buffer is reused once written.
var replyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// maxPooledReply is the largest buffer kept for reuse: a rare large reply
// does not pin its memory in the pool.
const maxPooledReply = 32 << 10

// putReplyBuf returns a buffer to replyBufs unless it grew too large.
func putReplyBuf(bp *[]byte) {
	if cap(*bp) <= maxPooledReply {
		*bp = (*bp)[:0]
		replyBufs.Put(bp)
	}
}

// encodeReply appends r as sent, cut to what Teams takes, to dst.
func encodeReply(r Reply, dst []byte) []byte {
	data, err := Fit(r, MaxReplySize).appendJSON(dst)
	if err != nil {
		return append(dst[:0], `{"type":"message","text":"Sorry, the reply could not be encoded."}`...)
	}
	return data
}

// writeReply writes r (or enc, when it is r encoded already) with an
// explicit Content-Length and flushes, so the
// client has the whole reply even while the handler goroutine still runs.
func writeReply(ec echo.Context, r *Reply, enc []byte) error {
	data := enc
	if data == nil {
		bp := replyBufs.Get().(*[]byte)
		defer putReplyBuf(bp)
		data = encodeReply(*r, (*bp)[:0])
		*bp = data
	}
	res := ec.Response()
	h := res.Header()
	h[echo.HeaderContentType] = contentTypeJSONHeader
	h[echo.HeaderContentLength] = lengthHeader(len(data))
	h["Date"] = dateHeader(time.Now())
	res.WriteHeader(http.StatusOK)
	if _, err := res.Write(data); err != nil {
		return err
	}
	return http.NewResponseController(res.Writer).Flush()
}

// lengths holds the Content-Length header values of replies up to
// len(lengths) bytes, each made once: a reply's header costs no
// allocation. net/http only reads them.
var lengths [4096]atomic.Pointer[[]string]

// lengthHeader returns the Content-Length header value for n bytes.
func lengthHeader(n int) []string {
	if n >= len(lengths) {
		return []string{strconv.Itoa(n)} // rare: not kept
	}
	if v := lengths[n].Load(); v != nil {
		return *v
	}
	return newLengthHeader(n)
}

// newLengthHeader makes and keeps the Content-Length header value for n
// bytes, n < len(lengths).
//
//go:noinline
func newLengthHeader(n int) []string {
	v := []string{strconv.Itoa(n)}
	lengths[n].Store(&v)
	return v
}

// dateHeaderValue is the Date header of one second.
type dateHeaderValue struct {
	sec int64
	h   []string
}

// date is the Date header of the latest second a reply was sent in.
var date atomic.Pointer[dateHeaderValue]

// dateHeader returns the Date header value for now, formatted once a
// second rather than by net/http for every reply: that saves the
// formatting, and the stack it needs at the deepest point of a request,
// which otherwise grew every connection's stack past its first 8 KiB.
func dateHeader(now time.Time) []string {
	if d := date.Load(); d != nil && d.sec == now.Unix() {
		return d.h
	}
	return newDateHeader(now)
}

// newDateHeader formats the Date header of now's second and keeps it for
// dateHeader. Apart, and not inlined, so that the formatting's stack is
// not part of every reply's.
//
//go:noinline
func newDateHeader(now time.Time) []string {
	d := &dateHeaderValue{sec: now.Unix(), h: []string{now.UTC().Format(http.TimeFormat)}}
	date.Store(d)
	return d.h
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

// activityFields puts the activity's id, team, channel and user on each
// line logged about it. It is a hook rather than fields of the logger's
// context (Logger.With): those would cost every request a 500-byte copy,
// while a hook writes the fields only into the lines that are logged.
type activityFields Activity

// Run implements zerolog.Hook.
func (h *activityFields) Run(e *zerolog.Event, _ zerolog.Level, _ string) {
	a := (*Activity)(h)
	e.Str("activity", a.ID).Str("team", a.Team()).Str("channel", a.Channel()).Str("user", userID(a))
}

// userID is who sent a: the AAD object id when there is one.
func userID(a *Activity) string {
	if a.From.AADObjectID != "" {
		return a.From.AADObjectID
	}
	return a.From.ID
}
