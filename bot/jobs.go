package bot

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Defaults for JobsConfig.
const (
	// DefaultWorkers is how many jobs run at once.
	DefaultWorkers = 4
	// DefaultQueue is how many jobs may wait for a worker.
	DefaultQueue = 16
	// DefaultJobTimeout is how long a job may take.
	DefaultJobTimeout = 10 * time.Minute
	// DefaultPostTimeout is how long delivering one result may take,
	// retries and rate-limit waits included.
	DefaultPostTimeout = 2 * time.Minute
	// DefaultStopGrace is how long a job has to return once it was asked
	// to stop (its deadline passed, or it was cancelled) before its
	// worker is given to other work and it is counted as hung.
	DefaultStopGrace = 5 * time.Second
)

// ErrBusy is wrapped by the error Context.Go returns when the job queue is
// full.
var ErrBusy = errors.New("job queue full")

// JobsConfig bounds background work: jobs started with Context.Go and
// handlers that went on after missing their reply budget.
type JobsConfig struct {
	// Workers is how many jobs run at once. Optional; default
	// DefaultWorkers.
	Workers int
	// Queue is how many accepted jobs may wait for a worker; beyond it new
	// work is refused at once with "busy, try again". Optional; default
	// DefaultQueue; negative means no queue.
	Queue int
	// Timeout is how long a job may take, counted from the arrival of the
	// activity that started it, queueing included. Optional; default
	// DefaultJobTimeout.
	Timeout time.Duration
	// StopGrace is how long a job may run on after it was asked to stop
	// (Timeout passed, or it was cancelled). A job that ignores its
	// context past it is "hung": its worker goes to other work, its asker
	// is told it is still running, and it counts against Config.MaxHung
	// until it returns. Optional; default DefaultStopGrace.
	StopGrace time.Duration
	// PostTimeout bounds one delivery of a result, the Poster's own
	// retries included. Optional; default DefaultPostTimeout.
	PostTimeout time.Duration
	// Retry is the first wait before an undelivered result is tried
	// again; it doubles up to a minute. Optional; default DefaultRetry.
	Retry time.Duration
	// GiveUp is how long an undelivered result is tried again before its
	// asker is told, in the next reply in that channel and in the job
	// list, that it could not be posted. Optional; default DefaultGiveUp.
	GiveUp time.Duration
}

// JobState is where a job is in its life.
type JobState string

// Job states.
const (
	JobQueued   JobState = "queued"   // waiting for a worker
	JobRunning  JobState = "running"  // working
	JobStopping JobState = "stopping" // past its deadline or cancelled, asked to stop
	JobHung     JobState = "hung"     // still running after it was asked to stop; its worker was freed
	JobPosting  JobState = "posting"  // delivering its result
	// JobUndelivered and JobUnknown are results, not running jobs: one
	// that could not be posted, and one whose post may or may not have
	// landed. Note says why; the next reply in the channel reports them.
	JobUndelivered JobState = "not posted"
	JobUnknown     JobState = "maybe posted"
)

// JobInfo describes a job, for listing and for access decisions.
type JobInfo struct {
	// ID is short and unique while the bot runs, for `cancel <id>`.
	ID string
	// Command and Line are the command's name and what the asker typed.
	Command, Line string
	// Asker is who started the job.
	Asker Account
	// Team and Channel are where it was asked.
	Team, Channel string
	// Activity is the id of the activity that started it.
	Activity string
	// State is where the job is.
	State JobState
	// Started is when the activity arrived; Deadline is when the job is
	// stopped if it has not finished.
	Started, Deadline time.Time
	// Note says why a result was not posted (JobUndelivered, JobUnknown).
	Note string
}

// Due says, for a listing at now, when the job stops: "stops in 4m10s",
// "overdue by 3s, stopping", "overdue by 2m, still running after it was
// asked to stop", or the Note of an undelivered result.
func (i JobInfo) Due(now time.Time) string {
	switch i.State {
	case JobUndelivered, JobUnknown:
		return i.Note
	case JobHung:
		return "overdue by " + roundDur(now.Sub(i.Deadline)) + ", still running after it was asked to stop"
	}
	if left := i.Deadline.Sub(now); left > 0 && i.State != JobStopping {
		return "stops in " + roundDur(left)
	}
	if now.Before(i.Deadline) {
		return "stopping"
	}
	return "overdue by " + roundDur(now.Sub(i.Deadline)) + ", stopping"
}

func roundDur(d time.Duration) string {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second).String()
	case d >= time.Second:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Millisecond).String()
}

// Jobs runs background work with bounded concurrency and queue, a deadline
// per job, cancellation, and delivery of each result through the outbox.
// A Bot with follow-ups owns one; plugins reach it with Context.Jobs.
type Jobs struct {
	cfg    JobsConfig
	logger zerolog.Logger
	slots  chan struct{}
	out    *outbox

	mu     sync.Mutex
	seq    int
	jobs   map[string]*job
	hung   int // jobs in jobs that are hung
	closed bool
	idle   chan struct{} // closed once closed and no live job is left
}

type job struct {
	info   JobInfo
	spec   FollowUp
	logger zerolog.Logger
	cancel context.CancelCauseFunc
	by     string      // who cancelled it
	slot   bool        // holds a worker slot
	key    string      // its outbox entry
	settle bool        // its outcome is decided (result, hung or dropped)
	watch  *time.Timer // frees its slot once it overstays its stop
}

func newJobs(cfg JobsConfig, poster Poster, ob Outbox, logger zerolog.Logger) *Jobs {
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.Queue == 0 {
		cfg.Queue = DefaultQueue
	} else if cfg.Queue < 0 {
		cfg.Queue = 0
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultJobTimeout
	}
	if cfg.StopGrace <= 0 {
		cfg.StopGrace = DefaultStopGrace
	}
	if cfg.PostTimeout <= 0 {
		cfg.PostTimeout = DefaultPostTimeout
	}
	if cfg.Retry <= 0 {
		cfg.Retry = DefaultRetry
	}
	if cfg.GiveUp <= 0 {
		cfg.GiveUp = DefaultGiveUp
	}
	return &Jobs{
		cfg: cfg, logger: logger,
		slots: make(chan struct{}, cfg.Workers),
		out:   newOutbox(ob, poster, logger, cfg),
		jobs:  map[string]*job{}, idle: make(chan struct{}),
	}
}

// errRestarting refuses work once Shutdown has begun.
var errRestarting = &Error{Message: "The bot is restarting; try again in a minute.", Internal: ErrShuttingDown}

// admit registers a job and records its promise in the outbox. A running
// job (a late handler) needs a free worker now; a new one needs room in
// the queue.
func (j *Jobs) admit(f FollowUp, lg zerolog.Logger, started time.Time, cancel context.CancelCauseFunc, running bool) (*job, error) {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return nil, errRestarting
	}
	jb := &job{spec: f, cancel: cancel}
	if running {
		select {
		case j.slots <- struct{}{}:
			jb.slot = true
		default:
			j.mu.Unlock()
			return nil, &Error{Message: "I'm busy with other work; try again in a minute.", Internal: ErrBusy}
		}
	} else if n := len(j.jobs) - j.hung; n >= cap(j.slots)+j.cfg.Queue {
		j.mu.Unlock()
		return nil, &Error{Message: fmt.Sprintf("I'm busy with %d jobs already; try again in a minute.", n),
			Internal: ErrBusy}
	}
	j.seq++
	id := strconv.Itoa(j.seq)
	jb.spec.Job = id
	jb.info = JobInfo{
		ID: id, Command: f.Command, Line: f.Line, Asker: f.Asker, Team: f.Team, Channel: f.Channel,
		Activity: f.Activity, State: JobQueued, Started: started, Deadline: started.Add(j.cfg.Timeout),
	}
	if running {
		jb.info.State = JobRunning
	}
	jb.logger = lg.With().Str("job", id).Logger()
	j.jobs[id] = jb
	j.mu.Unlock()

	key, err := j.out.promise(jb.spec, started)
	if err != nil {
		jb.logger.Error().Err(err).Msg("cannot record the job in the outbox; refused")
		j.mu.Lock()
		jb.settle = true
		j.mu.Unlock()
		j.finish(jb)
		return nil, &Error{Message: "I can't keep track of background work right now, so I can't promise to post " +
			"the result; try again in a minute.", Internal: err}
	}
	jb.key = key
	if running {
		j.watch(jb)
	}
	return jb, nil
}

// watch frees jb's worker if it runs on StopGrace past its deadline.
func (j *Jobs) watch(jb *job) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if jb.settle {
		return
	}
	jb.watch = time.AfterFunc(time.Until(jb.info.Deadline)+j.cfg.StopGrace, func() {
		defer recoverAs(jb.logger, "job watchdog")
		j.abandon(jb)
	})
}

// start queues fn as a new job and returns its id.
func (j *Jobs) start(f FollowUp, lg zerolog.Logger, started time.Time, fn JobFunc) (string, error) {
	base, cancel := context.WithCancelCause(context.Background())
	jb, err := j.admit(f, lg, started, cancel, false)
	if err != nil {
		cancel(err)
		return "", err
	}
	ctx, stop := context.WithDeadline(base, jb.info.Deadline)
	ctx = jb.logger.WithContext(ctx)
	jb.logger.Info().Msg("job accepted")
	go func() {
		defer stop()
		defer func() {
			if p := recover(); p != nil {
				jb.logger.Error().Str("panic_ref", panicRef()).Str("panic", fmt.Sprint(p)).Str("stack", stack()).
					Msg("panic recovered in a job's goroutine; the bot goes on")
				j.finish(jb)
			}
		}()
		select {
		case j.slots <- struct{}{}:
			j.mu.Lock()
			jb.slot = true
			jb.info.State = JobRunning
			j.mu.Unlock()
		case <-ctx.Done():
			if j.claim(jb) {
				if r, ok := j.outcome(jb, ctx, Reply{}, ctx.Err(), true); ok {
					j.deliver(jb, r)
				}
				j.finish(jb)
			}
			return
		}
		j.watch(jb)
		r, err := callJob(fn, ctx)
		j.done(jb, ctx, r, err)
	}()
	return jb.info.ID, nil
}

// done files what a job returned: its result is delivered, unless the job
// was given up on meanwhile (hung or dropped), when it is only logged.
func (j *Jobs) done(jb *job, ctx context.Context, r Reply, err error) {
	if !j.claim(jb) {
		j.returned(jb, err)
		return
	}
	if r, ok := j.outcome(jb, ctx, r, err, false); ok {
		j.deliver(jb, r)
	} else {
		j.out.remove(jb.key)
	}
	j.finish(jb)
}

// claim decides jb's outcome for the caller; false if it already is.
func (j *Jobs) claim(jb *job) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if jb.settle {
		return false
	}
	jb.settle = true
	if jb.watch != nil {
		jb.watch.Stop()
	}
	return true
}

// abandon gives up on a job still running StopGrace after it was asked to
// stop: its worker goes to other work, its asker is told, and it counts
// as hung until it returns.
func (j *Jobs) abandon(jb *job) {
	j.mu.Lock()
	if jb.settle {
		j.mu.Unlock()
		return
	}
	jb.settle = true
	if jb.slot {
		<-j.slots
		jb.slot = false
	}
	jb.info.State = JobHung
	j.hung++
	j.mu.Unlock()
	jb.logger.Error().Dur("grace", j.cfg.StopGrace).Msg("job still running after it was asked to stop; worker freed, counted as hung")
	r := Textf("%s (job %s) did not finish within %s; it was asked to stop but is still running, so its "+
		"result will not be posted. (ref %s)", upperFirst(quoteLine(jb.spec)), jb.info.ID, j.cfg.Timeout, jb.info.Activity)
	if jb.info.Deadline.After(time.Now()) { // cancelled, not late
		r = Textf("%s (job %s) was cancelled, but it is still running after it was asked to stop, so its "+
			"result will not be posted. (ref %s)", upperFirst(quoteLine(jb.spec)), jb.info.ID, jb.info.Activity)
	}
	j.out.deliver(jb.key, jb.spec, jb.info.Started, r, jb.logger)
	j.checkIdle()
}

// returned is told that a job given up on has returned at last.
func (j *Jobs) returned(jb *job, err error) {
	ev := jb.logger.Warn()
	if err != nil {
		ev = ev.Err(err)
	}
	ev.Msg("a job given up on has returned; its result is dropped")
	j.mu.Lock()
	if jb.info.State == JobHung {
		j.hung--
	}
	delete(j.jobs, jb.info.ID)
	j.mu.Unlock()
	j.checkIdle()
}

// Hung returns how many jobs are still running after they were asked to
// stop and given up on.
func (j *Jobs) Hung() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.hung
}

// callJob runs fn, turning a panic into an error.
func callJob(fn JobFunc, ctx context.Context) (r Reply, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return fn(ctx)
}

// outcome turns what a job returned into the follow-up to post, and false
// when there is nothing to post. queued is true for a job cut off before
// it started.
func (j *Jobs) outcome(jb *job, ctx context.Context, r Reply, err error, queued bool) (Reply, bool) {
	if err == nil {
		if r.IsZero() {
			jb.logger.Info().Msg("job finished with nothing to post")
			return Reply{}, false
		}
		return r, true
	}
	what := quoteLine(jb.spec)
	if ctx.Err() != nil {
		cause := context.Cause(ctx)
		switch {
		case errors.Is(cause, ErrJobCancelled):
			j.mu.Lock()
			by := jb.by
			j.mu.Unlock()
			jb.logger.Info().Str("by", by).Msg("job cancelled")
			if by != "" {
				return Textf("%s (job %s) was cancelled by %s.", upperFirst(what), jb.info.ID, by), true
			}
			return Textf("%s (job %s) was cancelled.", upperFirst(what), jb.info.ID), true
		case errors.Is(cause, ErrShuttingDown):
			jb.logger.Warn().Err(err).Msg("job stopped by shutdown; its asker is told after the restart")
			if queued {
				return Textf("%s (job %s) never started: the bot restarted first. Please run it again. (ref %s)",
					upperFirst(what), jb.info.ID, jb.info.Activity), true
			}
			return Textf("%s (job %s) was stopped before it finished: the bot restarted. Please run it again. (ref %s)",
				upperFirst(what), jb.info.ID, jb.info.Activity), true
		case errors.Is(ctx.Err(), context.DeadlineExceeded) && queued:
			jb.logger.Warn().Dur("timeout", j.cfg.Timeout).Msg("job never started: no worker was free before its deadline")
			return Textf("%s (job %s) never started: no worker was free within %s, so it was dropped. (ref %s)",
				upperFirst(what), jb.info.ID, j.cfg.Timeout, jb.info.Activity), true
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			jb.logger.Warn().Err(err).Dur("timeout", j.cfg.Timeout).Msg("job missed its deadline")
			return Textf("%s (job %s) did not finish within %s and was stopped. (ref %s)",
				upperFirst(what), jb.info.ID, j.cfg.Timeout, jb.info.Activity), true
		}
	}
	if msg, ok := userMessage(err); ok {
		var e *Error
		if errors.As(err, &e) && e.Internal != nil {
			jb.logger.Warn().Err(e.Internal).Msg("job error")
		}
		return Text(msg), true
	}
	jb.logger.Error().Err(err).Msg("job failed")
	return Textf("Sorry, %s (job %s) failed. (ref %s)", what, jb.info.ID, jb.info.Activity), true
}

// deliver posts r as jb's result through the outbox.
func (j *Jobs) deliver(jb *job, r Reply) {
	j.mu.Lock()
	jb.info.State = JobPosting
	j.mu.Unlock()
	j.out.deliver(jb.key, jb.spec, jb.info.Started, r, jb.logger)
}

// finish forgets jb and frees its worker.
func (j *Jobs) finish(jb *job) {
	j.mu.Lock()
	if jb.slot {
		<-j.slots
		jb.slot = false
	}
	if jb.watch != nil {
		jb.watch.Stop()
	}
	delete(j.jobs, jb.info.ID)
	j.mu.Unlock()
	j.checkIdle()
}

// checkIdle closes idle once shutdown began and only hung jobs are left.
func (j *Jobs) checkIdle() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed && len(j.jobs) == j.hung {
		select {
		case <-j.idle:
		default:
			close(j.idle)
		}
	}
}

// List returns the jobs queued, running, stopping, hung or posting, oldest
// first, then the results that could not be posted and are waiting to be
// reported.
func (j *Jobs) List() []JobInfo {
	j.mu.Lock()
	out := make([]JobInfo, 0, len(j.jobs))
	now := time.Now()
	for _, jb := range j.jobs {
		info := jb.info
		if info.State == JobRunning && (!now.Before(info.Deadline) || jb.by != "") {
			info.State = JobStopping
		}
		out = append(out, info)
	}
	j.mu.Unlock()
	sort.Slice(out, func(a, b int) bool {
		x, _ := strconv.Atoi(out[a].ID)
		y, _ := strconv.Atoi(out[b].ID)
		return x < y
	})
	return append(out, j.out.undelivered("")...)
}

// Lookup returns the job with the given id.
func (j *Jobs) Lookup(id string) (JobInfo, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	jb, ok := j.jobs[id]
	if !ok {
		return JobInfo{}, false
	}
	return jb.info, true
}

// ErrNoJob is returned by Cancel for an id that is not running.
var ErrNoJob = errors.New("no such job")

// Cancel stops the job with the given id; by names who cancelled it, for
// the note posted in its place. Whether by may cancel it is the caller's
// decision (see plugins/jobs). A job that ignores the cancellation is
// given up on after StopGrace.
func (j *Jobs) Cancel(id, by string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	jb, ok := j.jobs[id]
	if !ok || jb.settle {
		return fmt.Errorf("job %q: %w", id, ErrNoJob)
	}
	if jb.by == "" {
		jb.by = by
	}
	jb.cancel(ErrJobCancelled)
	if jb.slot && jb.watch != nil {
		jb.watch.Reset(j.cfg.StopGrace)
	}
	return nil
}

// ShutdownError is what Shutdown returns when work was cut off: the binary
// should exit non-zero. The askers of the jobs it counts are told after the
// restart (their notices wait in the outbox), or were told already.
type ShutdownError struct {
	// Dropped is how many jobs were cut off, running or queued.
	Dropped int
	// Hung is how many of those were still running after they were asked
	// to stop, some for a while.
	Hung int
	// Undelivered is how many results were left in the outbox, to be
	// posted by the next run (Bot.Resume).
	Undelivered int
	// Err is why waiting ended, usually the context's error.
	Err error
}

// Error describes what was cut off.
func (e *ShutdownError) Error() string {
	msg := fmt.Sprintf("shutdown: %d job(s) dropped", e.Dropped)
	if e.Hung > 0 {
		msg += fmt.Sprintf(" (%d hung)", e.Hung)
	}
	if e.Undelivered > 0 {
		msg += fmt.Sprintf(", %d result(s) left in the outbox", e.Undelivered)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *ShutdownError) Unwrap() error { return e.Err }

// Shutdown stops taking work and waits for jobs and their posts to finish
// until ctx is done (hung jobs are not waited for). Then every job left is
// cut off: its notice ("stopped before it finished: the bot restarted",
// or "never started") is kept in the outbox for the next run to post, and
// it is cancelled. Results still waiting for a retry stay in the outbox.
// It returns a *ShutdownError when anything was cut off or left, nil when
// all was delivered; a second call returns nil.
func (j *Jobs) Shutdown(ctx context.Context) error {
	j.mu.Lock()
	again := j.closed
	j.closed = true
	j.mu.Unlock()
	if again {
		return nil
	}
	j.checkIdle()
	select {
	case <-j.idle:
	case <-ctx.Done():
	}
	j.mu.Lock()
	var cut []*job
	hung := j.hung
	for _, jb := range j.jobs {
		if jb.info.State == JobHung {
			continue
		}
		if !jb.settle {
			jb.settle = true
			if jb.watch != nil {
				jb.watch.Stop()
			}
			cut = append(cut, jb)
		}
		jb.cancel(ErrShuttingDown)
	}
	j.mu.Unlock()
	j.out.stop()
	for _, jb := range cut {
		queued := jb.info.State == JobQueued
		jb.logger.Error().Str("state", string(jb.info.State)).Time("started", jb.info.Started).
			Msg("job cut off at shutdown; its asker is told after the restart")
		what := upperFirst(quoteLine(jb.spec))
		r := Textf("%s (job %s) was stopped before it finished: the bot restarted. Please run it again. (ref %s)",
			what, jb.info.ID, jb.info.Activity)
		if queued {
			r = Textf("%s (job %s) never started: the bot restarted first. Please run it again. (ref %s)",
				what, jb.info.ID, jb.info.Activity)
		}
		if err := j.out.keep(jb.key, jb.spec, jb.info.Started, r); err != nil {
			jb.logger.Error().Err(err).Msg("cannot record the cut-off job in the outbox; its asker will not be told")
		}
		j.finish(jb)
	}
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case <-j.idle:
	case <-t.C:
	}
	left := j.out.pending()
	if len(cut) == 0 && hung == 0 && left == 0 {
		return nil
	}
	err := ctx.Err()
	if len(cut) == 0 {
		err = nil
	}
	return &ShutdownError{Dropped: len(cut) + hung, Hung: hung, Undelivered: left, Err: err}
}

// escapeTicks makes s safe inside a markdown code span.
func escapeTicks(s string) string {
	out := []byte(s)
	for i, b := range out {
		if b == '`' {
			out[i] = '\''
		}
	}
	return string(out)
}
