package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/outhook/outhook/store"
)

// Outbox keeps promised results until they are delivered: a result (a late
// handler's, a Context.Go job's, a failure notice) is written to it before
// the asker is told "I'll post it" and removed once posted. A store.Store
// satisfies it; give each webhook its own namespace (store.Namespace) when
// several bots share one store.
type Outbox interface {
	// Put sets the value at key, replacing any; a ttl of 0 keeps it.
	Put(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Delete removes the value at key; a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// List returns the entries whose keys start with prefix, by key.
	List(ctx context.Context, prefix string) ([]store.Entry, error)
}

var _ Outbox = store.Store(nil)

// Defaults for the outbox, in JobsConfig.
const (
	// DefaultGiveUp is how long an undelivered result is tried again
	// before its asker is told it could not be posted.
	DefaultGiveUp = 10 * time.Minute
	// DefaultRetry is the first wait before an undelivered result is tried
	// again; it doubles up to a minute.
	DefaultRetry = 5 * time.Second
	// outboxPrefix is where entries live in the Outbox.
	outboxPrefix = "outbox/"
	// storeTimeout bounds one outbox write.
	storeTimeout = 2 * time.Second
)

// Entry states.
const (
	entryPromised = "promised" // the work runs; no result yet
	entryPending  = "pending"  // the result waits for delivery
	entrySending  = "sending"  // a post is in flight
	entryUnknown  = "unknown"  // a post went out with no clear answer
	entryFailed   = "failed"   // not delivered in time
)

// entry is one promised result, as kept in the Outbox.
type entry struct {
	State    string    `json:"state"`
	FollowUp FollowUp  `json:"followUp"`
	Asked    time.Time `json:"asked"`
	Ready    time.Time `json:"ready,omitzero"`
	Attempts int       `json:"attempts,omitempty"`
	Next     time.Time `json:"next,omitzero"`
	// Reason says why it was not delivered, in words for the asker.
	Reason string `json:"reason,omitempty"`
}

// outbox delivers promised results through a Poster, keeping each in the
// Outbox until it is posted, retrying with backoff while the endpoint is
// down, and reporting what could not be delivered.
type outbox struct {
	store   Outbox
	poster  Poster
	logger  zerolog.Logger
	post    time.Duration // one delivery, the Poster's own retries included
	giveUp  time.Duration
	retry   time.Duration
	boot    string
	seq     atomic.Int64
	resumed atomic.Bool
	posts   context.Context // cancelled when shutdown gives up
	halt    context.CancelCauseFunc

	mu      sync.Mutex
	notes   map[string][]note // by team and channel: what the next reply there tells
	retries map[string]*entry // by key: waiting for another try
	courier bool              // the retry goroutine runs
	kept    int               // results left pending because posting stopped
	wake    chan struct{}
	wg      sync.WaitGroup
}

// note is an undelivered result to report.
type note struct {
	key string
	e   *entry
}

func newOutbox(s Outbox, poster Poster, logger zerolog.Logger, cfg JobsConfig) *outbox {
	posts, halt := context.WithCancelCause(context.Background())
	return &outbox{
		store: s, poster: poster, logger: logger,
		post: cfg.PostTimeout, giveUp: cfg.GiveUp, retry: cfg.Retry,
		boot:  fmt.Sprintf("%016x", time.Now().UnixNano()),
		posts: posts, halt: halt,
		notes: map[string][]note{}, retries: map[string]*entry{}, wake: make(chan struct{}, 1),
	}
}

// newKey returns a key no other entry has, in order of creation.
func (o *outbox) newKey() string {
	return fmt.Sprintf("%s%s-%08d", outboxPrefix, o.boot, o.seq.Add(1))
}

func (o *outbox) put(key string, e *entry) error {
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encoding outbox entry: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	if err := o.store.Put(ctx, key, data, 0); err != nil {
		return fmt.Errorf("writing outbox entry: %w", err)
	}
	return nil
}

func (o *outbox) remove(key string) {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	if err := o.store.Delete(ctx, key); err != nil {
		o.logger.Error().Err(err).Str("outbox", key).Msg("removing a delivered result from the outbox")
	}
}

// promise records that f's result will be posted, before the asker is told
// so. It returns the entry's key.
func (o *outbox) promise(f FollowUp, asked time.Time) (string, error) {
	key := o.newKey()
	return key, o.put(key, &entry{State: entryPromised, FollowUp: f, Asked: asked})
}

// keep stores r as f's result, to be posted after a restart: the bot is
// stopping and posts no more.
func (o *outbox) keep(key string, f FollowUp, asked time.Time, r Reply) error {
	f.Reply = r
	return o.put(key, &entry{State: entryPending, FollowUp: f, Asked: asked, Ready: time.Now()})
}

// deliver posts r as f's result, keeping it in the outbox until it is
// posted; it returns once the first delivery is over (posted, or left to
// the retries, or reported).
func (o *outbox) deliver(key string, f FollowUp, asked time.Time, r Reply, lg zerolog.Logger) {
	f.Reply = r
	o.send(key, &entry{State: entryPending, FollowUp: f, Asked: asked, Ready: time.Now()}, lg)
}

// send makes one delivery of e and files the outcome.
func (o *outbox) send(key string, e *entry, lg zerolog.Logger) {
	if o.posts.Err() != nil {
		e.State = entryPending
		o.file(key, e, lg)
		return
	}
	e.State = entrySending
	e.Attempts++
	if err := o.put(key, e); err != nil {
		// Without a record of the try, a restart could post it twice:
		// post anyway (the promise is older than the store's trouble) and
		// say so in the log.
		lg.Error().Err(err).Msg("outbox: cannot record the post about to go out")
	}
	start := time.Now()
	err := o.call(e, lg)
	switch {
	case err == nil || errors.Is(err, ErrPosted):
		o.remove(key)
		lg.Info().Str("key", e.FollowUp.Key).Dur("latency", time.Since(start)).Msg("follow-up posted")
	case errors.Is(err, ErrMaybePosted):
		e.State = entryUnknown
		e.Reason = "the follow-up webhook gave no clear answer, so it may or may not have been posted; " +
			"I did not post it again"
		lg.Error().Err(err).Str("key", e.FollowUp.Key).Msg("follow-up may have been posted; not posted again, asker told")
		o.file(key, e, lg)
	case o.posts.Err() != nil:
		e.State = entryPending
		lg.Warn().Err(err).Str("key", e.FollowUp.Key).Msg("follow-up not posted before shutdown; kept in the outbox")
		o.file(key, e, lg)
	case time.Since(e.Ready) >= o.giveUp:
		e.State = entryFailed
		e.Reason = "the follow-up webhook kept failing for " + o.giveUp.String()
		lg.Error().Err(err).Str("key", e.FollowUp.Key).Int("attempts", e.Attempts).
			Msg("follow-up not delivered; asker told on the next reply")
		o.file(key, e, lg)
	default:
		e.State = entryPending
		e.Next = time.Now().Add(o.backoff(e.Attempts))
		lg.Warn().Err(err).Str("key", e.FollowUp.Key).Time("next", e.Next).Msg("follow-up not delivered; will try again")
		o.file(key, e, lg)
	}
}

// call runs the Poster, turning a panic into an uncertain outcome: the
// Poster may have posted before it panicked.
func (o *outbox) call(e *entry, lg zerolog.Logger) (err error) {
	defer func() {
		if p := recover(); p != nil {
			ref := panicRef()
			lg.Error().Str("panic_ref", ref).Str("panic", fmt.Sprint(p)).Str("stack", stack()).
				Msg("the follow-up poster panicked; recovered")
			err = fmt.Errorf("poster panicked (ref %s): %w", ref, ErrMaybePosted)
		}
	}()
	ctx, cancel := context.WithTimeout(o.posts, o.post)
	defer cancel()
	f := e.FollowUp
	return o.poster.Post(ctx, &f)
}

// backoff is the wait before try attempts+1.
func (o *outbox) backoff(attempts int) time.Duration {
	d := o.retry
	for i := 1; i < attempts && d < time.Minute; i++ {
		d *= 2
	}
	return min(d, max(time.Minute, o.retry))
}

// file stores e after a try and queues what comes next: another try, or a
// note for the asker.
func (o *outbox) file(key string, e *entry, lg zerolog.Logger) {
	if err := o.put(key, e); err != nil {
		lg.Error().Err(err).Msg("outbox: cannot record an undelivered result")
	}
	switch e.State {
	case entryUnknown, entryFailed:
		o.addNote(key, e)
	case entryPending:
		if o.posts.Err() == nil {
			o.schedule(key, e)
			return
		}
		o.mu.Lock()
		o.kept++
		o.mu.Unlock()
	}
}

func channelKey(team, channel string) string { return team + "\x00" + channel }

func (o *outbox) addNote(key string, e *entry) {
	o.mu.Lock()
	defer o.mu.Unlock()
	ck := channelKey(e.FollowUp.Team, e.FollowUp.Channel)
	for _, n := range o.notes[ck] {
		if n.key == key {
			return
		}
	}
	o.notes[ck] = append(o.notes[ck], note{key: key, e: e})
}

// takeNotes returns, once, the reports due in a channel, and removes them
// from the outbox: the next reply there carries them.
func (o *outbox) takeNotes(team, channel string) []string {
	o.mu.Lock()
	ns := o.notes[channelKey(team, channel)]
	delete(o.notes, channelKey(team, channel))
	o.mu.Unlock()
	out := make([]string, 0, len(ns))
	for _, n := range ns {
		out = append(out, n.e.text())
		o.remove(n.key)
	}
	return out
}

// text is the note about an undelivered result.
func (e *entry) text() string {
	what := "your request"
	if e.FollowUp.Line != "" {
		what = "`" + escapeTicks(e.FollowUp.Line) + "`"
	} else if e.FollowUp.Command != "" {
		what = "`" + escapeTicks(e.FollowUp.Command) + "`"
	}
	job := ""
	if e.FollowUp.Job != "" {
		job = " (job " + e.FollowUp.Job + ")"
	}
	return fmt.Sprintf("Note: I could not post the result of %s%s that %s asked for at %s: %s. (ref %s)",
		what, job, e.FollowUp.Asker.Name, e.Asked.UTC().Format("15:04 UTC"), e.Reason, e.FollowUp.Activity)
}

// undelivered lists the results waiting to be reported in team, as jobs.
func (o *outbox) undelivered(team string) []JobInfo {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []JobInfo
	for _, ns := range o.notes {
		for _, n := range ns {
			f := n.e.FollowUp
			if team != "" && f.Team != team {
				continue
			}
			state := JobUndelivered
			if n.e.State == entryUnknown {
				state = JobUnknown
			}
			out = append(out, JobInfo{ID: f.Job, Command: f.Command, Line: f.Line, Asker: f.Asker, Team: f.Team,
				Channel: f.Channel, Activity: f.Activity, State: state, Started: n.e.Asked, Note: n.e.Reason})
		}
	}
	return out
}

// schedule queues e for another try and makes sure the courier runs.
func (o *outbox) schedule(key string, e *entry) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.retries[key] = e
	if !o.courier {
		o.courier = true
		o.wg.Add(1)
		go o.run()
		return
	}
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// run is the courier: it tries undelivered results again when they are
// due, and stops when none is left or the bot stops.
func (o *outbox) run() {
	defer o.wg.Done()
	defer func() {
		if p := recover(); p != nil {
			o.logger.Error().Str("panic_ref", panicRef()).Str("panic", fmt.Sprint(p)).Str("stack", stack()).
				Msg("outbox courier panicked; recovered")
			o.mu.Lock()
			o.courier = false
			o.mu.Unlock()
		}
	}()
	for {
		o.mu.Lock()
		if len(o.retries) == 0 || o.posts.Err() != nil {
			o.courier = false
			o.mu.Unlock()
			return
		}
		var next time.Time
		for _, e := range o.retries {
			if next.IsZero() || e.Next.Before(next) {
				next = e.Next
			}
		}
		o.mu.Unlock()
		t := time.NewTimer(time.Until(next))
		select {
		case <-t.C:
		case <-o.wake:
			t.Stop()
			continue
		case <-o.posts.Done():
			t.Stop()
			continue
		}
		o.mu.Lock()
		now := time.Now()
		due := map[string]*entry{}
		for k, e := range o.retries {
			if !e.Next.After(now) {
				due[k] = e
				delete(o.retries, k)
			}
		}
		o.mu.Unlock()
		for k, e := range due {
			o.send(k, e, o.logger.With().Str("job", e.FollowUp.Job).Str("activity", e.FollowUp.Activity).Logger())
		}
	}
}

// pending counts results not delivered yet: waiting for a retry, or kept
// for the next run.
func (o *outbox) pending() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.retries) + o.kept
}

// stop halts posting and waits for the courier.
func (o *outbox) stop() {
	o.halt(ErrShuttingDown)
	o.wg.Wait()
}

// resume takes up what a previous run left in the outbox: results not
// delivered yet are posted (in the background); work cut off by a restart
// is reported to its asker with a posted notice; a post whose outcome is
// unknown is never repeated, only reported. It returns how many entries it
// found.
func (o *outbox) resume(ctx context.Context) (int, error) {
	if !o.resumed.CompareAndSwap(false, true) {
		return 0, errors.New("outbox: Resume was called already")
	}
	es, err := o.store.List(ctx, outboxPrefix)
	if err != nil {
		o.resumed.Store(false)
		return 0, fmt.Errorf("reading the outbox: %w", err)
	}
	n := 0
	for _, se := range es {
		if strings.HasPrefix(se.Key, outboxPrefix+o.boot) {
			continue // ours, from this run
		}
		e := new(entry)
		if err := json.Unmarshal(se.Value, e); err != nil {
			o.logger.Error().Err(err).Str("outbox", se.Key).Msg("unreadable outbox entry; removed")
			o.remove(se.Key)
			continue
		}
		n++
		lg := o.logger.With().Str("job", e.FollowUp.Job).Str("activity", e.FollowUp.Activity).Logger()
		switch e.State {
		case entryPromised:
			e.FollowUp.Reply = Textf("%s (job %s) was stopped before it finished: the bot restarted. "+
				"Please run it again. (ref %s)", upperFirst(quoteLine(e.FollowUp)), e.FollowUp.Job, e.FollowUp.Activity)
			e.State, e.Ready, e.Next = entryPending, time.Now(), time.Now()
			lg.Warn().Msg("outbox: a job was cut off by a restart; telling its asker")
			o.file(se.Key, e, lg)
		case entrySending:
			e.State = entryUnknown
			e.Reason = "the bot stopped while posting it, so it may or may not have been posted; I did not post it again"
			lg.Warn().Msg("outbox: a post was in flight at a restart; not posted again, asker told")
			o.file(se.Key, e, lg)
		case entryPending:
			e.Next = time.Now()
			e.Ready = time.Now() // a fresh period to deliver it
			o.file(se.Key, e, lg)
		case entryUnknown, entryFailed:
			o.addNote(se.Key, e)
		default:
			o.logger.Error().Str("outbox", se.Key).Str("state", e.State).Msg("outbox entry in an unknown state; removed")
			o.remove(se.Key)
		}
	}
	return n, nil
}

// quoteLine names f's request as the asker typed it.
func quoteLine(f FollowUp) string {
	if f.Line == "" {
		return "your request"
	}
	return "`" + escapeTicks(f.Line) + "`"
}
