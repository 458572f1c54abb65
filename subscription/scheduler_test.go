package subscription_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/internal/redistest"
	"github.com/outhook/outhook/store"
	"github.com/outhook/outhook/subscription"
)

// echoFeed posts its "name" option; it fails when the option "fail" is
// set.
type echoFeed struct{ renders atomic.Int64 }

func (*echoFeed) Name() string    { return "echo" }
func (*echoFeed) Summary() string { return "says its name" }
func (*echoFeed) Options() []subscription.Option {
	return []subscription.Option{{Name: "name", Required: true}, {Name: "fail", Type: subscription.Bool}}
}
func (f *echoFeed) Render(_ context.Context, opts map[string]string) (bot.Reply, error) {
	f.renders.Add(1)
	if opts["fail"] == "true" {
		return bot.Reply{}, errors.New("the service is down")
	}
	return bot.Text("hello from " + opts["name"]), nil
}

var berlin, _ = time.LoadLocation("Europe/Berlin")

func newSub(t *testing.T, st store.Store, now time.Time, s subscription.Subscription) subscription.Subscription {
	t.Helper()
	if s.ID == "" {
		s.ID = subscription.NewID()
	}
	if s.Channel == "" {
		s.Channel = "19:ops@thread.tacv2"
	}
	if s.Feed == "" {
		s.Feed = "echo"
	}
	s, err := subscription.Create(context.Background(), st, s, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSchedulerPostsTheWeatherOnSchedule(t *testing.T) {
	ctx := context.Background()
	hook := newWebhook(t)
	svc := weatherService(t)
	st := store.NewMemory()
	clock := subscription.NewFake(time.Date(2026, 11, 27, 6, 58, 0, 0, berlin)) // a Friday
	reg := prometheus.NewRegistry()
	s, err := subscription.NewScheduler(subscription.SchedulerConfig{
		Store: st, Feeds: subscription.NewFeeds(weatherFeed(t, svc.URL)), Poster: hook.sender(t),
		Clock: clock, Registerer: reg,
	})
	if err != nil {
		t.Fatal(err)
	}
	sub := newSub(t, st, clock.Now(), subscription.Subscription{
		Feed: "weather", Options: map[string]string{"city": "Oslo", "units": "metric"},
		Schedule: subscription.Schedule{At: "07:00", On: "weekdays", TZ: "Europe/Berlin"},
	})
	if want := time.Date(2026, 11, 27, 7, 0, 0, 0, berlin); !sub.NextRun.Equal(want) {
		t.Fatalf("next run: got %v; want %v", sub.NextRun, want)
	}
	step := func(d time.Duration) {
		clock.Advance(d)
		if err := s.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
	}
	step(time.Minute) // 06:59
	if n := len(hook.Posts()); n != 0 {
		t.Fatalf("before 07:00: got %d posts; want 0", n)
	}
	step(90 * time.Second) // 07:00:30
	posts := hook.Posts()
	if len(posts) != 1 || !strings.Contains(posts[0], "Tomorrow in Oslo") || !strings.Contains(posts[0], "14°C") {
		t.Fatalf("at 07:00: got %v; want one forecast for Oslo", posts)
	}
	step(time.Minute)
	if n := len(hook.Posts()); n != 1 {
		t.Fatalf("a minute later: got %d posts; want still 1", n)
	}
	got, err := subscription.Get(ctx, st, sub.Channel, sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 30, 7, 0, 0, 0, berlin); !got.NextRun.Equal(want) || got.LastOutcome != "posted" ||
		!got.LastRun.Equal(sub.NextRun) {
		t.Errorf("after the run: got next %v, last %v %q; want next %v (Monday), last posted", got.NextRun, got.LastRun, got.LastOutcome, want)
	}
	if n := testutil.ToFloat64(testutilCounter(t, reg, "outhook_subscription_deliveries_total")); n != 1 {
		t.Errorf("deliveries metric: got %v; want 1", n)
	}
}

// testutilCounter finds a registered collector by metric name.
func testutilCounter(t *testing.T, reg *prometheus.Registry, name string) prometheus.Collector {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			var sum float64
			for _, m := range mf.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
			c := prometheus.NewCounter(prometheus.CounterOpts{Name: name})
			c.Add(sum)
			return c
		}
	}
	return prometheus.NewCounter(prometheus.CounterOpts{Name: name})
}

// TestTwoReplicasPostEachRunOnce runs two schedulers, each with its own
// sender, on one store and steps a fake clock through two hours of
// 15-minute subscriptions: each run is posted exactly once.
func TestTwoReplicasPostEachRunOnce(t *testing.T) {
	stores := map[string]func(t *testing.T) store.Store{
		"memory": func(*testing.T) store.Store { return store.NewMemory() },
		"redis": func(t *testing.T) store.Store {
			return store.NewRedis(redistest.Client(t), fmt.Sprintf("replicas-%d:", time.Now().UnixNano()))
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st := open(t)
			hook := newWebhook(t)
			feed := &echoFeed{}
			clock := subscription.NewFake(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC))
			reg := prometheus.NewRegistry()
			var replicas []*subscription.Scheduler
			for range 2 {
				s, err := subscription.NewScheduler(subscription.SchedulerConfig{
					Store: st, Feeds: subscription.NewFeeds(feed), Poster: hook.sender(t), Clock: clock, Registerer: reg,
				})
				if err != nil {
					t.Fatal(err)
				}
				replicas = append(replicas, s)
			}
			const subs, steps = 5, 8
			for i := range subs {
				newSub(t, st, clock.Now(), subscription.Subscription{
					Options: map[string]string{"name": fmt.Sprintf("sub-%d", i)}, Schedule: subscription.Schedule{Every: "15m"},
				})
			}
			for range steps {
				clock.Advance(15 * time.Minute)
				var wg sync.WaitGroup
				for _, s := range replicas {
					wg.Go(func() {
						if err := s.RunDue(ctx); err != nil {
							t.Error(err)
						}
					})
				}
				wg.Wait()
			}
			count := map[string]int{}
			for _, p := range hook.Posts() {
				for i := range subs {
					if strings.Contains(p, fmt.Sprintf("hello from sub-%d", i)) {
						count[fmt.Sprintf("sub-%d", i)]++
					}
				}
			}
			for i := range subs {
				if n := count[fmt.Sprintf("sub-%d", i)]; n != steps {
					t.Errorf("sub-%d: posted %d times; want %d", i, n, steps)
				}
			}
			if n := len(hook.Posts()); n != subs*steps {
				t.Errorf("got %d posts; want %d", n, subs*steps)
			}
			if n := feed.renders.Load(); n != subs*steps {
				t.Errorf("got %d renders; want %d (a lost claim must not render)", n, subs*steps)
			}
		})
	}
}

func TestMissedRuns(t *testing.T) {
	tests := []struct {
		missed    subscription.Missed
		wantPosts int
		outcome   string
	}{
		{subscription.MissedSkip, 0, "skipped: the run of 2026-11-27T09:00:00Z was missed"},
		{"", 0, "skipped"},
		{subscription.MissedOnce, 1, "posted"},
	}
	for _, tt := range tests {
		t.Run(string(tt.missed), func(t *testing.T) {
			ctx := context.Background()
			st := store.NewMemory()
			hook := newWebhook(t)
			clock := subscription.NewFake(time.Date(2026, 11, 27, 8, 30, 0, 0, time.UTC))
			sub := newSub(t, st, clock.Now(), subscription.Subscription{
				Options: map[string]string{"name": "x"}, Schedule: subscription.Schedule{Every: "1h"}, Missed: tt.missed,
			})
			// The server is down from 08:30 to 13:10: four runs missed.
			clock.Set(time.Date(2026, 11, 27, 13, 10, 0, 0, time.UTC))
			s, err := subscription.NewScheduler(subscription.SchedulerConfig{
				Store: st, Feeds: subscription.NewFeeds(&echoFeed{}), Poster: hook.sender(t), Clock: clock,
			})
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if err := s.RunDue(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if n := len(hook.Posts()); n != tt.wantPosts {
				t.Errorf("got %d posts; want %d", n, tt.wantPosts)
			}
			got, _ := subscription.Get(ctx, st, sub.Channel, sub.ID)
			if !strings.HasPrefix(got.LastOutcome, tt.outcome) {
				t.Errorf("outcome: got %q; want %q…", got.LastOutcome, tt.outcome)
			}
			if want := time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC); !got.NextRun.Equal(want) {
				t.Errorf("next run: got %v; want %v", got.NextRun, want)
			}
		})
	}
}

func TestRunFailures(t *testing.T) {
	ctx := context.Background()
	clock := subscription.NewFake(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC))
	downHook := newWebhook(t)
	downHook.Close() // posting fails
	tests := []struct {
		name    string
		sub     subscription.Subscription
		poster  bot.Poster
		outcome string
	}{
		{"feed fails", subscription.Subscription{Options: map[string]string{"name": "x", "fail": "true"}}, newWebhook(t).sender(t), "failed: the service is down"},
		{"no poster", subscription.Subscription{Options: map[string]string{"name": "x"}}, nil, "failed: this webhook has no follow-up URL"},
		{"target without PosterFor", subscription.Subscription{Options: map[string]string{"name": "x"}, Target: "https://example.com/secret"}, newWebhook(t).sender(t), "failed: this server cannot post"},
		{"post fails", subscription.Subscription{Options: map[string]string{"name": "x"}}, downHook.sender(t), "failed: posting"},
		{"feed gone", subscription.Subscription{Feed: "gone"}, newWebhook(t).sender(t), `failed: there is no feed "gone"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := store.NewMemory()
			tt.sub.Schedule = subscription.Schedule{Every: "15m"}
			sub := newSub(t, st, clock.Now(), tt.sub)
			reg := prometheus.NewRegistry()
			s, err := subscription.NewScheduler(subscription.SchedulerConfig{
				Store: st, Feeds: subscription.NewFeeds(&echoFeed{}), Poster: tt.poster, Clock: subscription.NewFake(sub.NextRun), Registerer: reg,
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.RunDue(ctx); err != nil {
				t.Fatal(err)
			}
			got, _ := subscription.Get(ctx, st, sub.Channel, sub.ID)
			if !strings.HasPrefix(got.LastOutcome, tt.outcome) {
				t.Errorf("got %q; want %q…", got.LastOutcome, tt.outcome)
			}
			if strings.Contains(got.LastOutcome, "secret") {
				t.Errorf("the outcome quotes the target: %q", got.LastOutcome)
			}
			if n := testutil.ToFloat64(testutilCounter(t, reg, "outhook_subscription_failures_total")); n != 1 {
				t.Errorf("failures metric: got %v; want 1", n)
			}
		})
	}
}

func TestTargetPostsThroughPosterFor(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	hook := newWebhook(t)
	clock := subscription.NewFake(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC))
	sub := newSub(t, st, clock.Now(), subscription.Subscription{
		Options: map[string]string{"name": "t"}, Schedule: subscription.Schedule{Every: "15m"}, Target: hook.URL + "/channel",
	})
	var asked string
	s, err := subscription.NewScheduler(subscription.SchedulerConfig{
		Store: st, Feeds: subscription.NewFeeds(&echoFeed{}), Clock: clock,
		PosterFor: func(target string) (bot.Poster, error) { asked = target; return hook.sender(t), nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	clock.Set(sub.NextRun)
	if err := s.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	if asked != sub.Target || len(hook.Posts()) != 1 {
		t.Errorf("got target %q and %d posts; want the subscription's target and 1 post", asked, len(hook.Posts()))
	}
}

// TestRunOfAStoppedReplica: a claim left by a replica that stopped before
// recording the outcome counts as done once it is old enough.
func TestRunOfAStoppedReplica(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	hook := newWebhook(t)
	clock := subscription.NewFake(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC))
	sub := newSub(t, st, clock.Now(), subscription.Subscription{Options: map[string]string{"name": "x"}, Schedule: subscription.Schedule{Every: "15m"}, Missed: subscription.MissedOnce})
	claim := fmt.Sprintf("claim/%s/%s/%d", sub.Channel, sub.ID, sub.NextRun.Unix())
	if err := st.Put(ctx, claim, fmt.Appendf(nil, `{"replica":"gone","at":%q}`, sub.NextRun.Format(time.RFC3339)), 0); err != nil {
		t.Fatal(err)
	}
	s, _ := subscription.NewScheduler(subscription.SchedulerConfig{Store: st, Feeds: subscription.NewFeeds(&echoFeed{}), Poster: hook.sender(t), Clock: clock})
	clock.Set(sub.NextRun.Add(time.Minute))
	s.RunDue(ctx)
	if got, _ := subscription.Get(ctx, st, sub.Channel, sub.ID); !got.NextRun.Equal(sub.NextRun) {
		t.Fatalf("a fresh claim: got next run %v; want it left for its replica", got.NextRun)
	}
	clock.Set(sub.NextRun.Add(time.Hour))
	s.RunDue(ctx)
	got, _ := subscription.Get(ctx, st, sub.Channel, sub.ID)
	if got.LastOutcome != "unknown: the replica running it stopped" || len(hook.Posts()) != 0 {
		t.Errorf("an old claim: got %q and %d posts; want unknown and none", got.LastOutcome, len(hook.Posts()))
	}
}

func TestSchedulerLoopStartsAndStops(t *testing.T) {
	st := store.NewMemory()
	hook := newWebhook(t)
	clock := subscription.NewFake(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC))
	newSub(t, st, clock.Now(), subscription.Subscription{Options: map[string]string{"name": "loop"}, Schedule: subscription.Schedule{Every: "5m"}})
	s, err := subscription.NewScheduler(subscription.SchedulerConfig{
		Store: st, Feeds: subscription.NewFeeds(&echoFeed{}), Poster: hook.sender(t), Clock: clock, Interval: time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	s.Start() // no second loop
	defer s.Stop()
	for i := range 5 {
		waitFor(t, func() bool { return clock.Waiters() > 0 })
		clock.Advance(time.Minute)
		if i == 4 {
			waitFor(t, func() bool { return len(hook.Posts()) == 1 })
		}
	}
	s.Stop()
	s.Stop()
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestFileStoreKeepsSubscriptions: subscriptions and their state survive
// closing and reopening the file store, as across a restart.
func TestFileStoreKeepsSubscriptions(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "data", "outhook.db")
	clock := subscription.NewFake(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC))
	f, err := store.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sub := newSub(t, store.ForPlugin(f, "default", "subscriptions"), clock.Now(), subscription.Subscription{
		Options: map[string]string{"name": "kept"}, Schedule: subscription.Schedule{At: "09:00"},
	})
	f.Close()

	f, err = store.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st := store.ForPlugin(f, "default", "subscriptions")
	subs, err := subscription.List(ctx, st, "")
	if err != nil || len(subs) != 1 || subs[0].ID != sub.ID || !subs[0].NextRun.Equal(sub.NextRun) {
		t.Fatalf("after reopening: got %+v %v; want the subscription", subs, err)
	}
	hook := newWebhook(t)
	s, _ := subscription.NewScheduler(subscription.SchedulerConfig{Store: st, Feeds: subscription.NewFeeds(&echoFeed{}), Poster: hook.sender(t), Clock: clock})
	clock.Set(sub.NextRun)
	if err := s.RunDue(ctx); err != nil || len(hook.Posts()) != 1 {
		t.Fatalf("got %d posts %v; want 1", len(hook.Posts()), err)
	}
}
