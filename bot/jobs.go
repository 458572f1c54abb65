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
	// PostTimeout bounds the delivery of one result. Optional; default
	// DefaultPostTimeout.
	PostTimeout time.Duration
}

// JobState is where a job is in its life.
type JobState string

// Job states.
const (
	JobQueued  JobState = "queued"  // waiting for a worker
	JobRunning JobState = "running" // working
	JobPosting JobState = "posting" // delivering its result
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
}

// Jobs runs background work with bounded concurrency and queue, a deadline
// per job, cancellation, and delivery of each result through a Poster. A
// Bot with follow-ups owns one; plugins reach it with Context.Jobs.
type Jobs struct {
	cfg    JobsConfig
	poster Poster
	logger zerolog.Logger
	slots  chan struct{}
	posts  context.Context // cancelled when shutdown gives up
	halt   context.CancelCauseFunc

	mu     sync.Mutex
	seq    int
	jobs   map[string]*job
	closed bool
	idle   chan struct{} // closed once closed and no job is left
}

type job struct {
	info   JobInfo
	spec   FollowUp
	logger zerolog.Logger
	cancel context.CancelCauseFunc
	by     string // who cancelled it
	slot   bool   // holds a worker slot
}

func newJobs(cfg JobsConfig, poster Poster, logger zerolog.Logger) *Jobs {
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
	if cfg.PostTimeout <= 0 {
		cfg.PostTimeout = DefaultPostTimeout
	}
	posts, halt := context.WithCancelCause(context.Background())
	return &Jobs{
		cfg: cfg, poster: poster, logger: logger,
		slots: make(chan struct{}, cfg.Workers),
		posts: posts, halt: halt,
		jobs: map[string]*job{}, idle: make(chan struct{}),
	}
}

// admit registers a job. A running job (a late handler) needs a free
// worker now; a new one needs room in the queue.
func (j *Jobs) admit(f FollowUp, lg zerolog.Logger, started time.Time, cancel context.CancelCauseFunc, running bool) (*job, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return nil, &Error{Message: "I'm restarting and can't take new work; try again in a minute.", Internal: ErrShuttingDown}
	}
	jb := &job{spec: f, cancel: cancel}
	if running {
		select {
		case j.slots <- struct{}{}:
			jb.slot = true
		default:
			return nil, &Error{Message: "I'm busy with other work; try again in a minute.", Internal: ErrBusy}
		}
	} else if len(j.jobs) >= cap(j.slots)+j.cfg.Queue {
		return nil, &Error{Message: fmt.Sprintf("I'm busy with %d jobs already; try again in a minute.", len(j.jobs)),
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
	return jb, nil
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
		defer j.finish(jb)
		select {
		case j.slots <- struct{}{}:
			j.mu.Lock()
			jb.slot = true
			jb.info.State = JobRunning
			j.mu.Unlock()
		case <-ctx.Done():
			if r, ok := j.outcome(jb, ctx, Reply{}, ctx.Err()); ok {
				j.deliver(jb, r)
			}
			return
		}
		r, err := callJob(fn, ctx)
		if r, ok := j.outcome(jb, ctx, r, err); ok {
			j.deliver(jb, r)
		}
	}()
	return jb.info.ID, nil
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
// when there is nothing to post.
func (j *Jobs) outcome(jb *job, ctx context.Context, r Reply, err error) (Reply, bool) {
	if err == nil {
		if r.IsZero() {
			jb.logger.Info().Msg("job finished with nothing to post")
			return Reply{}, false
		}
		return r, true
	}
	what := "`" + escapeTicks(jb.info.Line) + "`"
	if jb.info.Line == "" {
		what = "Your request"
	}
	if ctx.Err() != nil {
		cause := context.Cause(ctx)
		switch {
		case errors.Is(cause, ErrJobCancelled):
			j.mu.Lock()
			by := jb.by
			j.mu.Unlock()
			jb.logger.Info().Str("by", by).Msg("job cancelled")
			if by != "" {
				return Textf("%s (job %s) was cancelled by %s.", what, jb.info.ID, by), true
			}
			return Textf("%s (job %s) was cancelled.", what, jb.info.ID), true
		case errors.Is(cause, ErrShuttingDown):
			jb.logger.Warn().Err(err).Msg("job stopped by shutdown; nothing posted")
			return Reply{}, false
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			jb.logger.Warn().Err(err).Dur("timeout", j.cfg.Timeout).Msg("job missed its deadline")
			return Textf("%s (job %s) did not finish within %s and was stopped. (ref %s)",
				what, jb.info.ID, j.cfg.Timeout, jb.info.Activity), true
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

// deliver posts r as jb's follow-up, or logs it whole when that fails.
func (j *Jobs) deliver(jb *job, r Reply) {
	j.mu.Lock()
	jb.info.State = JobPosting
	j.mu.Unlock()
	f := jb.spec
	f.Reply = r
	ctx, cancel := context.WithTimeout(j.posts, j.cfg.PostTimeout)
	defer cancel()
	start := time.Now()
	if err := j.poster.Post(ctx, &f); err != nil {
		// Neither the line nor the result: they may hold what the asker
		// or the command would not have logged.
		jb.logger.Error().Err(err).
			Str("asker", f.Asker.Name).Str("command", f.Command).Str("key", f.Key).
			Msg("follow-up not delivered; result dropped")
		return
	}
	jb.logger.Info().Str("key", f.Key).Dur("latency", time.Since(start)).Msg("follow-up posted")
}

// finish forgets jb and frees its worker.
func (j *Jobs) finish(jb *job) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if jb.slot {
		<-j.slots
		jb.slot = false
	}
	delete(j.jobs, jb.info.ID)
	if j.closed && len(j.jobs) == 0 {
		select {
		case <-j.idle:
		default:
			close(j.idle)
		}
	}
}

// List returns the jobs queued, running or posting, oldest first.
func (j *Jobs) List() []JobInfo {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]JobInfo, 0, len(j.jobs))
	for _, jb := range j.jobs {
		out = append(out, jb.info)
	}
	sort.Slice(out, func(a, b int) bool {
		x, _ := strconv.Atoi(out[a].ID)
		y, _ := strconv.Atoi(out[b].ID)
		return x < y
	})
	return out
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
// decision (see plugins/jobs).
func (j *Jobs) Cancel(id, by string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	jb, ok := j.jobs[id]
	if !ok {
		return fmt.Errorf("job %q: %w", id, ErrNoJob)
	}
	if jb.by == "" {
		jb.by = by
	}
	jb.cancel(ErrJobCancelled)
	return nil
}

// Shutdown stops taking work and waits for jobs and their posts to finish
// until ctx is done. Then it logs every job it drops, cancels them and
// their posts (undelivered results are logged whole), waits up to a second
// for them to unwind, and returns an error saying how many were dropped.
func (j *Jobs) Shutdown(ctx context.Context) error {
	j.mu.Lock()
	j.closed = true
	if len(j.jobs) == 0 {
		select {
		case <-j.idle:
		default:
			close(j.idle)
		}
	}
	j.mu.Unlock()
	select {
	case <-j.idle:
		return nil
	case <-ctx.Done():
	}
	j.mu.Lock()
	n := len(j.jobs)
	for _, jb := range j.jobs {
		jb.logger.Error().Str("state", string(jb.info.State)).Str("asker", jb.info.Asker.Name).
			Str("command", jb.info.Command).Time("started", jb.info.Started).
			Msg("dropping job at shutdown")
		jb.cancel(ErrShuttingDown)
	}
	j.mu.Unlock()
	j.halt(ErrShuttingDown)
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case <-j.idle:
	case <-t.C:
	}
	if n == 0 {
		return nil
	}
	return fmt.Errorf("shutdown: %d job(s) dropped: %w", n, ctx.Err())
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
