package bot

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Handler answers an activity. It sets the reply through the Context (for
// example with c.Text) and returns nil, or returns an error, which the bot
// turns into a friendly reply. A *Error's Message is shown to the user.
type Handler interface {
	Handle(c *Context) error
}

// HandlerFunc adapts a function to the Handler interface.
type HandlerFunc func(c *Context) error

// Handle calls f(c).
func (f HandlerFunc) Handle(c *Context) error { return f(c) }

// Context carries one activity through a Handler: the activity, the
// deadline by which the answer is due, a logger bound to the activity, and
// the reply being built. A Context is used by one goroutine at a time: the
// handler's.
type Context struct {
	// Activity is the activity being answered. Handlers must not modify it.
	Activity *Activity

	ctx    context.Context
	logger zerolog.Logger
	// reqLog is the activity's logger as it was before the handler ran:
	// never written after, so the timer goroutine may read it freely, and
	// the request line adds the command to it exactly once.
	reqLog   zerolog.Logger
	received time.Time
	command  string
	// logCommand is a command not yet on logger: it is added when the
	// logger is first asked for (loggerLocked), so that a request whose
	// handler logs nothing builds no second logger.
	logCommand string
	line       string
	outcome    string
	reply      Reply
	replied    bool
	sent       []byte // reply as sent (ReplyJSON), nil until asked for

	// The timeout notice runs on a timer goroutine: mu guards what it
	// reads (logger, command, budget, state) against the handler's writes.
	mu      sync.Mutex
	state   int
	budget  time.Duration
	timer   *time.Timer
	parent  context.Context
	cancel  context.CancelCauseFunc
	cancels []context.CancelFunc
	jobs    *Jobs
	job     *job // set when a late handler goes on as a job
	posts   int  // follow-ups started from this activity, for their keys

	// What middleware adds to the answered line (LogWithAnswer), until
	// the line is written (logged).
	answering  bool
	logged     bool
	logObjs    [2]zerolog.LogObjectMarshaler // an audit event, and one more
	nlogObjs   int
	logOutcome string

	// notice is done once the timeout notice is written, on the timer's
	// goroutine; a handler that lost the race waits for it. Unlike a
	// channel, it costs no allocation on the usual path, where the timer
	// is stopped and it is never waited for.
	notice sync.WaitGroup
}

// NewContext returns a Context for a, for driving a Handler outside the
// HTTP path (tests, a REPL, another transport). Its deadline is ctx's.
func NewContext(ctx context.Context, a *Activity) *Context {
	return &Context{Activity: a, ctx: ctx, received: time.Now(), logger: zerolog.Nop()}
}

// Context returns the request's context; zerolog.Ctx on it gives the
// activity's logger. Without follow-ups its deadline is when the reply is
// due (see ReplyDeadline) and it is cancelled when the answer can no longer
// be used. With follow-ups it lives on until the job deadline, so that a
// result that misses the reply can still be posted; context.Cause tells
// why it ended (ErrBudgetSpent, ErrJobCancelled, ErrShuttingDown).
func (c *Context) Context() context.Context { return c.ctx }

// Deadline returns the deadline of Context(), and false if there is none.
func (c *Context) Deadline() (time.Time, bool) { return c.ctx.Deadline() }

// Received returns when the activity arrived.
func (c *Context) Received() time.Time { return c.received }

// Logger returns the logger bound to this activity: it carries the activity
// id, team, channel, user and, once known, the command.
func (c *Context) Logger() *zerolog.Logger {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.loggerLocked()
}

// loggerLocked is Logger for a caller holding c.mu.
func (c *Context) loggerLocked() *zerolog.Logger {
	if c.logCommand != "" {
		c.logger = c.logger.With().Str("command", c.logCommand).Logger()
		c.logCommand = ""
	}
	return &c.logger
}

// SetLogger replaces the activity's logger.
func (c *Context) SetLogger(l zerolog.Logger) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.logger, c.logCommand = l, ""
}

// SetCommand records which command is answering, for logs and metrics. The
// router calls it; the name also goes onto the activity's logger.
func (c *Context) SetCommand(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.command, c.logCommand = name, name
}

// Command returns the name set with SetCommand, or "".
func (c *Context) Command() string { return c.command }

// SetLine records the command line as it may be quoted in follow-ups, job
// lists and logs: with secrets redacted. The router sets it; without it
// those show the command's name only, never the message text.
func (c *Context) SetLine(line string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.line = line
}

// Reply sets the answer to r, replacing any earlier one. It returns an
// error for an empty reply, so that `return c.Reply(r)` reads naturally.
func (c *Context) Reply(r Reply) error {
	if r.IsZero() {
		return errors.New("empty reply: Teams shows an error for an empty message")
	}
	c.reply, c.replied, c.sent = r, true, nil
	return nil
}

// Text sets a text answer.
func (c *Context) Text(s string) error { return c.Reply(Text(s)) }

// Textf sets a text answer formatted as with fmt.Sprintf.
func (c *Context) Textf(format string, args ...any) error { return c.Reply(Textf(format, args...)) }

// Replied returns the answer set so far, and whether there is one.
func (c *Context) Replied() (Reply, bool) { return c.reply, c.replied }

// ReplyJSON returns the reply set so far as the bot sends it: cut to what
// Teams takes (Fit) and encoded. It is encoded once: when the bot sends
// this reply as it is, it writes these bytes, so middleware that keeps
// the reply (Replay) costs no second encoding. The bytes must not be
// modified. It reports false when there is no reply yet.
func (c *Context) ReplyJSON() ([]byte, bool) {
	if !c.replied {
		return nil, false
	}
	if c.sent == nil {
		c.sent = encodeReply(c.reply, nil)
	}
	return c.sent, true
}
