package bot

import (
	"context"
	"errors"
	"time"

	"github.com/rs/zerolog"
)

// MaxBudget is the longest budget a bot or a command may have. Teams gives
// up five seconds after it sent the post; what is left covers the network.
const MaxBudget = 4500 * time.Millisecond

// maxNoticeLead caps how early the timeout notice goes out; see noticeAt.
const maxNoticeLead = 100 * time.Millisecond

// Errors a handler's context is cancelled with; read them with
// context.Cause(c.Context()).
var (
	// ErrBudgetSpent is the cause when the reply budget ran out and the
	// handler could not go on in the background.
	ErrBudgetSpent = errors.New("reply budget spent")
	// ErrJobCancelled is the cause when someone cancelled the job (for
	// example with the jobs plugin's cancel command).
	ErrJobCancelled = errors.New("job cancelled")
	// ErrShuttingDown is the cause when the bot stopped before the job
	// finished.
	ErrShuttingDown = errors.New("bot shutting down")
)

// Request states, guarded by Context.mu.
const (
	stateRunning  = iota // the handler runs and the reply is not written
	stateAnswered        // the handler's own reply was chosen
	stateLate            // the timeout notice was chosen
)

// noticeAt returns when the timeout notice is sent for a budget counted
// from received: a tenth of the budget early, at most 100 ms, so that the
// notice is written, not merely started, by the end of the budget even
// when hundreds of requests time out at once (see BenchmarkTimeoutNotice).
func noticeAt(received time.Time, budget time.Duration) time.Time {
	lead := min(budget/10, maxNoticeLead)
	return received.Add(budget - lead)
}

// clampBudget keeps a budget within (0, MaxBudget].
func clampBudget(d time.Duration) time.Duration {
	if d > MaxBudget {
		return MaxBudget
	}
	return d
}

// start prepares c's context and timer for a handler run under budget. In
// follow-up mode (jobs != nil) the handler's context lives until the job
// deadline, detached from the HTTP request, so that a late handler can
// finish in the background; otherwise it ends with the reply budget.
func (c *Context) start(parent context.Context, budget time.Duration, jobs *Jobs, onTimeout func()) {
	c.budget = clampBudget(budget)
	c.parent = parent
	c.answering = true
	c.jobs = jobs
	if jobs != nil {
		base, cancel := context.WithCancelCause(context.WithoutCancel(parent))
		ctx, stop := context.WithDeadline(base, c.received.Add(jobs.cfg.Timeout))
		c.ctx, c.cancel = ctx, cancel
		c.cancels = append(c.cancels, stop)
	} else {
		c.ctx, c.cancel = withBudget(parent, noticeAt(c.received, c.budget))
	}
	c.ctx = c.logger.WithContext(c.ctx)
	c.timer = time.AfterFunc(time.Until(noticeAt(c.received, c.budget)), onTimeout)
}

// stopTimer claims the reply for the handler's own answer. It returns false
// when the timeout notice was chosen first.
func (c *Context) stopTimer() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != stateRunning {
		return false
	}
	if c.timer != nil && !c.timer.Stop() {
		return false // the notice is on its way and waits for mu
	}
	c.state = stateAnswered
	return true
}

// release frees the context's resources once the request is over.
func (c *Context) release() {
	for _, stop := range c.cancels {
		stop()
	}
	if c.cancel != nil {
		c.cancel(context.Canceled)
	}
}

// SetBudget sets how long this activity's reply may take, counted from its
// arrival, replacing the bot's budget: shorter for a command that should
// answer fast, longer (up to MaxBudget) for one that needs it. The router
// calls it for commands with a Budget; middleware may too. Call it before
// the handler reads Context(): without follow-ups, the context's deadline
// moves with the budget, and a context taken earlier keeps the old one.
// It does nothing once the reply is decided, or outside the HTTP path.
func (c *Context) SetBudget(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timer == nil || c.state != stateRunning {
		return
	}
	if !c.timer.Stop() {
		return // the notice is already on its way
	}
	oldAt := noticeAt(c.received, c.budget)
	c.budget = clampBudget(d)
	at := noticeAt(c.received, c.budget)
	if c.jobs == nil {
		ctx, cancel := withBudget(c.parent, at)
		old := c.cancel
		// A context taken earlier keeps its deadline: it ends then, as a
		// context.WithDeadline would, or with the request.
		t := time.AfterFunc(time.Until(oldAt), func() { old(ErrBudgetSpent) })
		c.ctx, c.cancel = c.loggerLocked().WithContext(ctx), cancel
		c.cancels = append(c.cancels, func() { t.Stop(); old(context.Canceled) })
	}
	c.timer.Reset(time.Until(at))
}

// Budget returns the reply budget in force for this activity.
func (c *Context) Budget() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.budget
}

// ReplyDeadline returns when outhook answers with a timeout notice if the
// handler has not answered yet. Without follow-ups it equals the context's
// deadline; with follow-ups the context lives on until the job deadline, so
// that a late result can still be posted.
func (c *Context) ReplyDeadline() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.budget <= 0 {
		d, _ := c.ctx.Deadline()
		return d
	}
	return noticeAt(c.received, c.budget)
}

// budgetCtx is a handler's context without follow-ups. It has no timer of
// its own: the reply timer (Context.timer) cancels it with ErrBudgetSpent
// when it sends the timeout notice, at the deadline it reports. One timer
// per request instead of two, and the cause is always ErrBudgetSpent.
// Embedding the context.WithCancelCause context keeps it a cancelCtx to the
// context package: contexts derived from it need no goroutine.
type budgetCtx struct {
	context.Context
	at time.Time
}

// withBudget returns a context of parent that reports at as its deadline
// (or parent's, if earlier) and the function that cancels it.
func withBudget(parent context.Context, at time.Time) (context.Context, context.CancelCauseFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	return &budgetCtx{Context: ctx, at: at}, cancel
}

// Deadline returns when the reply is due, or parent's deadline if earlier.
func (b *budgetCtx) Deadline() (time.Time, bool) {
	if d, ok := b.Context.Deadline(); ok && d.Before(b.at) {
		return d, true
	}
	return b.at, true
}

// Err returns context.DeadlineExceeded once the budget is spent, as a
// context past its deadline does; otherwise the embedded context's Err.
func (b *budgetCtx) Err() error {
	err := b.Context.Err()
	if err != nil && errors.Is(context.Cause(b.Context), ErrBudgetSpent) {
		return context.DeadlineExceeded
	}
	return err
}

// LogWithAnswer adds o's fields to the one line logged when this activity
// is answered ("message":"answered"), so that middleware records what it
// knows on the request's line instead of writing a line of its own:
// middleware.Audit does so when audit events go to the main log. A
// non-empty outcome replaces the line's own outcome with a more specific
// one, such as "denied" for a user error, except on the line of a timeout
// notice, which stays "timeout". o is written when the line is,
// after the handler returns, so it must not change after the call.
//
// It reports false, and adds nothing, when there will be no such line to
// add to, or it holds two additions already: the line is already written (a handler that outlives its
// budget is answered with the timeout notice before it returns), or the
// Context is not answering an HTTP post (NewContext). Log a line of your
// own then.
func (c *Context) LogWithAnswer(o zerolog.LogObjectMarshaler, outcome string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.answering || c.logged || c.nlogObjs == len(c.logObjs) {
		return false
	}
	c.logObjs[c.nlogObjs] = o
	c.nlogObjs++
	if outcome != "" {
		c.logOutcome = outcome
	}
	return true
}

// takeLog closes the answered line to LogWithAnswer and returns what was
// added to it.
func (c *Context) takeLog() ([]zerolog.LogObjectMarshaler, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.logged = true
	return c.logObjs[:c.nlogObjs], c.logOutcome
}
