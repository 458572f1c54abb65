package bot_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/store"
)

// waitFor polls cond for up to two seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 2s for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestHungJobFreesItsWorker: a job that ignores its context keeps its
// worker only until its deadline plus StopGrace; then the next job runs,
// the asker is told it is still running, and it counts as hung until it
// returns. A job that waited for a worker until its deadline is told it
// never started.
func TestHungJobFreesItsWorker(t *testing.T) {
	box := newOutbox()
	release := make(chan struct{})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	defer free()
	s := newFollowUpServer(t, func(c *bot.Context) error {
		switch {
		case strings.Contains(c.Activity.Text, "stuck"):
			return c.Go("ok", func(context.Context) (bot.Reply, error) {
				<-release // ignores its context
				return bot.Text("too late"), nil
			})
		case strings.Contains(c.Activity.Text, "queued"):
			return c.Go("ok", func(context.Context) (bot.Reply, error) { return bot.Text("ran"), nil })
		}
		return c.Text("pong")
	}, func(c *bot.Config) {
		c.FollowUps = box
		c.Jobs = bot.JobsConfig{Workers: 1, Timeout: 150 * time.Millisecond, StopGrace: 150 * time.Millisecond}
	})
	s.say(t, "stuck")
	s.say(t, "queued")
	got := box.wait(t, 2)
	texts := []string{got[0].Reply.Text, got[1].Reply.Text}
	if strings.Contains(texts[0], "job 2") { // both are due at about the same time
		texts[0], texts[1] = texts[1], texts[0]
	}
	if !strings.HasPrefix(texts[0], "`stuck` (job 1) did not finish within 150ms; it was asked to stop but is still running") {
		t.Errorf("first post %q; want job 1 still running after it was asked to stop", texts[0])
	}
	if !strings.HasPrefix(texts[1], "`queued` (job 2) never started: no worker was free within 150ms") {
		t.Errorf("second post %q; want job 2 never started", texts[1])
	}
	if n := s.bot.Hung(); n != 1 {
		t.Errorf("got %d hung; want 1", n)
	}
	list := s.bot.Jobs().List()
	if len(list) != 1 || list[0].State != bot.JobHung ||
		!strings.Contains(list[0].Due(time.Now()), "still running after it was asked to stop") {
		t.Errorf("got %+v; want job 1 listed as hung", list)
	}
	// The worker is free: a new job runs.
	s.say(t, "queued again")
	if got := box.wait(t, 1); got[len(got)-1].Reply.Text != "ran" {
		t.Errorf("got %q; want the new job to run", got[len(got)-1].Reply.Text)
	}
	free()
	waitFor(t, "the hung job to return", func() bool { return s.bot.Hung() == 0 })
	if n := box.count(); n != 3 {
		t.Errorf("got %d posts; want 3 (the hung job's result is dropped)", n)
	}
}

func TestJobInfoDue(t *testing.T) {
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		info bot.JobInfo
		want string
	}{
		{bot.JobInfo{State: bot.JobRunning, Deadline: now.Add(90 * time.Second)}, "stops in 1m30s"},
		{bot.JobInfo{State: bot.JobRunning, Deadline: now}, "overdue by 0s, stopping"},
		{bot.JobInfo{State: bot.JobStopping, Deadline: now.Add(-3 * time.Second)}, "overdue by 3s, stopping"},
		{bot.JobInfo{State: bot.JobStopping, Deadline: now.Add(time.Minute)}, "stopping"},
		{bot.JobInfo{State: bot.JobHung, Deadline: now.Add(-2 * time.Minute)},
			"overdue by 2m0s, still running after it was asked to stop"},
		{bot.JobInfo{State: bot.JobUndelivered, Note: "the webhook kept failing"}, "the webhook kept failing"},
	}
	for _, tt := range tests {
		if got := tt.info.Due(now); got != tt.want {
			t.Errorf("%s: got %q; want %q", tt.info.State, got, tt.want)
		}
	}
}

// TestRunningPastDeadlineIsListedAsStopping: jobs never shows "stops in 0s".
func TestRunningPastDeadlineIsListedAsStopping(t *testing.T) {
	box := newOutbox()
	release := make(chan struct{})
	defer close(release)
	s := newFollowUpServer(t, func(c *bot.Context) error {
		return c.Go("ok", func(context.Context) (bot.Reply, error) {
			<-release
			return bot.Reply{}, nil
		})
	}, func(c *bot.Config) {
		c.FollowUps = box
		c.Jobs = bot.JobsConfig{Timeout: 20 * time.Millisecond, StopGrace: time.Hour}
	})
	s.say(t, "work")
	time.Sleep(40 * time.Millisecond)
	list := s.bot.Jobs().List()
	if len(list) != 1 || list[0].State != bot.JobStopping || !strings.HasPrefix(list[0].Due(time.Now()), "overdue by") {
		t.Errorf("got %+v; want the job stopping and overdue", list)
	}
}

// TestPanickingPosterIsRecovered: a Poster that panics does not end the
// process; the panic is logged with a reference and, since the post may
// have gone out, the result is reported rather than posted again.
func TestPanickingPosterIsRecovered(t *testing.T) {
	var calls sync.WaitGroup
	calls.Add(1)
	var n int
	var mu sync.Mutex
	poster := bot.PosterFunc(func(context.Context, *bot.FollowUp) error {
		mu.Lock()
		n++
		mu.Unlock()
		defer calls.Done()
		panic("poster bug")
	})
	// The job finishes only once its "ok" is out: otherwise that very
	// reply could carry the note, and the one this test reads would not.
	replied := make(chan struct{})
	s := newFollowUpServer(t, func(c *bot.Context) error {
		if strings.Contains(c.Activity.Text, "work") {
			return c.Go("ok", func(context.Context) (bot.Reply, error) { <-replied; return bot.Text("result"), nil })
		}
		return c.Text("pong")
	}, func(c *bot.Config) { c.FollowUps = poster })
	s.say(t, "work")
	close(replied)
	calls.Wait()
	waitFor(t, "the report", func() bool {
		l := s.bot.Jobs().List()
		return len(l) == 1 && l[0].State == bot.JobUnknown
	})
	r := s.say(t, "ping")
	if !strings.Contains(r.Text, "may or may not have been posted") {
		t.Errorf("got %q; want the note", r.Text)
	}
	logs := s.logs.String()
	if !strings.Contains(logs, "poster bug") || !strings.Contains(logs, `"panic_ref":"p-`) {
		t.Errorf("logs lack the recovered panic with its ref:\n%s", logs)
	}
	mu.Lock()
	defer mu.Unlock()
	if n != 1 {
		t.Errorf("poster called %d times; want 1", n)
	}
}

// TestOutboxSurvivesRestart: a result kept in the outbox by a shutdown
// (the endpoint was down), a job cut off by the shutdown, and a post in
// flight when the process died are taken up by a new Bot on the same
// store: the first two are posted once, the third is reported, not
// posted again.
func TestOutboxSurvivesRestart(t *testing.T) {
	st := store.NewMemory()
	down := newOutbox()
	down.fail = errors.New("connection refused")
	release := make(chan struct{})
	defer close(release)
	s := newFollowUpServer(t, func(c *bot.Context) error {
		if strings.Contains(c.Activity.Text, "hang") {
			return c.Go("ok", func(ctx context.Context) (bot.Reply, error) {
				<-ctx.Done()
				return bot.Reply{}, ctx.Err()
			})
		}
		return c.Go("ok", func(context.Context) (bot.Reply, error) { return bot.Text("the result"), nil })
	}, func(c *bot.Config) {
		c.FollowUps = down
		c.Outbox = st
		c.Jobs = bot.JobsConfig{Retry: time.Hour}
	})
	s.say(t, "deploy prod")
	waitFor(t, "the result to wait for a retry", func() bool { return s.bot.Status().Undelivered == 1 })
	s.say(t, "hang")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := s.bot.Shutdown(ctx)
	var se *bot.ShutdownError
	if !errors.As(err, &se) || se.Dropped != 1 || se.Undelivered != 1 {
		t.Fatalf("shutdown: got %v; want 1 job dropped and 1 result left", err)
	}
	// A post in flight when a process died, left by an earlier run.
	if err := st.Put(context.Background(), "outbox/0000000000000001-00000001",
		[]byte(`{"state":"sending","followUp":{"Key":"a#1","Activity":"a","Job":"7","Team":"T","Channel":"C",`+
			`"Asker":{"id":"29:x","name":"Grace Hopper"},"Line":"rollback"},"asked":"2026-12-06T10:02:00Z"}`), 0); err != nil {
		t.Fatal(err)
	}

	up := newOutbox()
	s2 := newFollowUpServer(t, func(c *bot.Context) error { return c.Text("pong") },
		func(c *bot.Config) { c.FollowUps = up; c.Outbox = st })
	n, err := s2.bot.Resume(context.Background())
	if err != nil || n != 3 {
		t.Fatalf("Resume: got %d, %v; want 3 entries", n, err)
	}
	got := up.wait(t, 2)
	texts := map[string]bool{}
	for _, f := range got {
		texts[f.Reply.Text] = true
	}
	if !texts["the result"] {
		t.Errorf("posted %v; want the result", texts)
	}
	found := false
	for text := range texts {
		found = found || strings.HasPrefix(text, "`hang` (job 2) was stopped before it finished: the bot restarted")
	}
	if !found {
		t.Errorf("posted %v; want the cut-off job's notice", texts)
	}
	list := s2.bot.Jobs().List()
	if len(list) != 1 || list[0].State != bot.JobUnknown || list[0].Line != "rollback" {
		t.Errorf("got %+v; want the in-flight post listed as maybe posted", list)
	}
	time.Sleep(20 * time.Millisecond)
	if n := up.count(); n != 2 {
		t.Errorf("got %d posts; want exactly 2", n)
	}
	left, _ := st.List(context.Background(), "outbox/")
	if len(left) != 1 {
		t.Errorf("outbox holds %d entries; want 1 (the report, until shown)", len(left))
	}
}

// TestDrain: after Drain the bot is not ready, yet still answers and
// takes jobs; a late handler with no worker free is told the bot is
// restarting.
func TestDrain(t *testing.T) {
	box := newOutbox()
	release := make(chan struct{})
	defer close(release)
	s := newFollowUpServer(t, func(c *bot.Context) error {
		if strings.Contains(c.Activity.Text, "slow") {
			<-release
			return c.Text("slow")
		}
		return c.Go("ok", func(ctx context.Context) (bot.Reply, error) {
			select {
			case <-release:
			case <-ctx.Done():
			}
			return bot.Reply{}, nil
		})
	}, func(c *bot.Config) { c.FollowUps = box; c.Jobs = bot.JobsConfig{Workers: 1} })
	s.bot.Drain()
	if err := s.bot.Ready(); !errors.Is(err, bot.ErrNotReady) {
		t.Errorf("Ready after Drain: got %v; want not ready", err)
	}
	if r := s.say(t, "work"); r.Text != "ok (job 1)" {
		t.Errorf("got %q; want the job taken during the drain", r.Text)
	}
	waitFor(t, "job 1 to run", func() bool {
		l := s.bot.Jobs().List()
		return len(l) == 1 && l[0].State == bot.JobRunning
	})
	if r := s.say(t, "slow"); !strings.Contains(r.Text, "the bot is restarting") || strings.Contains(r.Text, "busy") {
		t.Errorf("got %q; want a note that the bot is restarting", r.Text)
	}
}
