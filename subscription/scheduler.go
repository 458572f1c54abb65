package subscription

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/store"
)

// SchedulerConfig configures a Scheduler.
type SchedulerConfig struct {
	// Store holds the subscriptions and the run claims; replicas that
	// share it share the work. Required.
	Store store.Store
	// Feeds are the feeds subscriptions name. Required.
	Feeds *Feeds
	// Poster posts the runs of subscriptions without a Target: the
	// webhook's follow-up sender. Optional; without it such runs fail.
	Poster bot.Poster
	// PosterFor returns the poster for a subscription's Target URL.
	// Optional; without it runs of subscriptions with a Target fail.
	PosterFor func(target string) (bot.Poster, error)
	// Clock tells the time. Optional; default Real.
	Clock Clock
	// Interval is how often the scheduler looks for due runs. Optional;
	// default 30s.
	Interval time.Duration
	// Grace is how late a run may start and still count as on time;
	// later, it was missed (the server was down) and the subscription's
	// Missed policy applies. Optional; default 5m, at least 2×Interval.
	Grace time.Duration
	// RenderTimeout bounds a feed's Render. Optional; default 30s.
	RenderTimeout time.Duration
	// Workers is how many runs go at once. Optional; default 4.
	Workers int
	// Logger logs each run. Optional; default: no logging.
	Logger zerolog.Logger
	// Registerer receives the metrics (runs, deliveries, failures).
	// Optional; default: none registered.
	Registerer prometheus.Registerer
}

// Scheduler runs subscriptions when they are due. Several schedulers,
// one per replica, may share a store: each run is claimed once.
type Scheduler struct {
	cfg     SchedulerConfig
	replica string
	m       *metrics

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// claimTTL is how long a run's claim is kept: longer than any downtime
// after which the run could be attempted again.
const claimTTL = 8 * 24 * time.Hour

// NewScheduler checks cfg and returns a Scheduler; Start starts it.
func NewScheduler(cfg SchedulerConfig) (*Scheduler, error) {
	if cfg.Store == nil || cfg.Feeds == nil {
		return nil, errors.New("subscription: a scheduler needs a Store and Feeds")
	}
	if cfg.Clock == nil {
		cfg.Clock = Real
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 30 * time.Second
	}
	if cfg.Grace <= 0 {
		cfg.Grace = 5 * time.Minute
	}
	cfg.Grace = max(cfg.Grace, 2*cfg.Interval)
	if cfg.RenderTimeout <= 0 {
		cfg.RenderTimeout = 30 * time.Second
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, fmt.Errorf("subscription: metrics: %w", err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	return &Scheduler{cfg: cfg, replica: hex.EncodeToString(b), m: m}, nil
}

// Start runs the scheduler in the background: at once (to catch up on
// runs missed while it was down), then every Interval. Stop stops it.
// Starting a started scheduler does nothing.
func (s *Scheduler) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.done = cancel, make(chan struct{})
	go s.loop(ctx, s.done)
}

func (s *Scheduler) loop(ctx context.Context, done chan struct{}) {
	defer close(done)
	for {
		if err := s.RunDue(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Warn().Err(err).Msg("subscriptions: looking for due runs")
		}
		select {
		case <-ctx.Done():
			return
		case <-s.cfg.Clock.After(s.cfg.Interval):
		}
	}
}

// Stop stops the scheduler and waits for the runs under way, which are
// cancelled. It is safe to call more than once, or without Start.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	cancel, done := s.cancel, s.done
	s.cancel, s.done = nil, nil
	s.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// RunDue runs every subscription that is due now, and returns when they
// are done. The background loop calls it; tests on a Fake clock call it
// too.
func (s *Scheduler) RunDue(ctx context.Context) error {
	now := s.cfg.Clock.Now()
	subs, err := List(ctx, s.cfg.Store, "")
	if err != nil {
		s.m.failures.WithLabelValues("store").Inc()
		return err
	}
	sem := make(chan struct{}, s.cfg.Workers)
	var wg sync.WaitGroup
	for _, sub := range subs {
		if sub.Paused || sub.NextRun.IsZero() || sub.NextRun.After(now) {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			s.run(ctx, sub, now)
		})
	}
	wg.Wait()
	return nil
}

// claim is what a run's claim key holds.
type claim struct {
	Replica string    `json:"replica"`
	At      time.Time `json:"at"`
}

var errStale = errors.New("changed meanwhile")

func (s *Scheduler) run(ctx context.Context, sub Subscription, now time.Time) {
	log := s.cfg.Logger.With().Str("subscription", sub.ID).Str("channel", sub.Channel).Str("feed", sub.Feed).Logger()
	scheduled := sub.NextRun
	next, err := sub.Schedule.Next(now)
	if err != nil {
		log.Warn().Err(err).Msg("subscriptions: bad schedule")
		s.m.failures.WithLabelValues("store").Inc()
		return
	}
	if now.Sub(scheduled) > s.cfg.Grace && sub.Missed != MissedOnce {
		outcome := fmt.Sprintf("skipped: the run of %s was missed while outhook was down", scheduled.Format(time.RFC3339))
		if s.advance(ctx, sub, scheduled, next, outcome, false) {
			s.m.runs.WithLabelValues("skipped").Inc()
			log.Info().Time("scheduled", scheduled).Msg("subscriptions: missed run skipped")
		}
		return
	}
	claimKey := fmt.Sprintf("claim/%s/%s/%d", sub.Channel, sub.ID, scheduled.Unix())
	mine, _ := json.Marshal(claim{Replica: s.replica, At: now})
	won, err := s.cfg.Store.CompareAndSwap(ctx, claimKey, nil, mine, claimTTL)
	if err != nil {
		s.m.failures.WithLabelValues("store").Inc()
		log.Warn().Err(err).Msg("subscriptions: claiming a run")
		return
	}
	if !won {
		s.recover(ctx, sub, claimKey, scheduled, next, now)
		return
	}
	outcome, result := s.deliver(ctx, sub, scheduled)
	s.m.runs.WithLabelValues(result).Inc()
	ev := log.Info()
	if result != "posted" {
		ev = log.Warn()
	}
	ev.Time("scheduled", scheduled).Str("outcome", outcome).Msg("subscriptions: run")
	// Record the outcome even when the scheduler is stopping.
	s.advance(context.WithoutCancel(ctx), sub, scheduled, next, outcome, true)
}

// deliver renders and posts one run; it returns the outcome for people
// and the result label for metrics.
func (s *Scheduler) deliver(ctx context.Context, sub Subscription, scheduled time.Time) (outcome, result string) {
	feed, ok := s.cfg.Feeds.Lookup(sub.Feed)
	if !ok {
		s.m.failures.WithLabelValues("feed").Inc()
		return fmt.Sprintf("failed: there is no feed %q any more", sub.Feed), "failed"
	}
	poster, err := s.poster(sub)
	if err != nil {
		s.m.failures.WithLabelValues("post").Inc()
		return "failed: " + err.Error(), "failed"
	}
	rctx, cancel := context.WithTimeout(ctx, s.cfg.RenderTimeout)
	reply, err := feed.Render(rctx, sub.Options)
	cancel()
	if err == nil && reply.IsZero() {
		err = errors.New("it rendered nothing")
	}
	if err != nil {
		s.m.failures.WithLabelValues("feed").Inc()
		return "failed: " + clip(err.Error()), "failed"
	}
	f := &bot.FollowUp{
		Key:     sub.ID + "@" + scheduled.UTC().Format(time.RFC3339),
		Team:    sub.Team,
		Channel: sub.Channel,
		Command: "subscribe",
		Reply:   reply,
	}
	if err := poster.Post(ctx, f); err != nil {
		s.m.failures.WithLabelValues("post").Inc()
		return "failed: posting: " + clip(err.Error()), "failed"
	}
	s.m.deliveries.Inc()
	return "posted", "posted"
}

func (s *Scheduler) poster(sub Subscription) (bot.Poster, error) {
	if sub.Target == "" {
		if s.cfg.Poster == nil {
			return nil, errors.New("this webhook has no follow-up URL to post to")
		}
		return s.cfg.Poster, nil
	}
	if s.cfg.PosterFor == nil {
		return nil, errors.New("this server cannot post to a channel's own URL")
	}
	p, err := s.cfg.PosterFor(sub.Target)
	if err != nil {
		return nil, errors.New("the channel's URL is not usable") // the error may quote it
	}
	return p, nil
}

// recover handles a run claimed by another replica: when that claim is
// older than a run can take, the replica stopped before recording the
// outcome, and the run counts as done (at most once) with an unknown
// outcome.
func (s *Scheduler) recover(ctx context.Context, sub Subscription, claimKey string, scheduled, next, now time.Time) {
	raw, ok, err := s.cfg.Store.Get(ctx, claimKey)
	if err != nil || !ok {
		return
	}
	var c claim
	if json.Unmarshal(raw, &c) != nil || now.Sub(c.At) < s.cfg.RenderTimeout+s.cfg.Grace {
		return
	}
	s.advance(ctx, sub, scheduled, next, "unknown: the replica running it stopped", true)
}

// advance records a run's outcome and the next run, unless another
// replica did so first.
func (s *Scheduler) advance(ctx context.Context, sub Subscription, scheduled, next time.Time, outcome string, ran bool) bool {
	_, err := Update(ctx, s.cfg.Store, sub.Channel, sub.ID, func(cur *Subscription) error {
		if !cur.NextRun.Equal(scheduled) {
			return errStale
		}
		cur.NextRun = next
		if ran {
			cur.LastRun = scheduled
		}
		cur.LastOutcome = outcome
		return nil
	})
	switch {
	case err == nil:
		return true
	case errors.Is(err, errStale), errors.Is(err, ErrNotFound):
		return false
	default:
		s.m.failures.WithLabelValues("store").Inc()
		s.cfg.Logger.Warn().Err(err).Str("subscription", sub.ID).Msg("subscriptions: recording a run")
		return false
	}
}

func clip(s string) string {
	const n = 200
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
