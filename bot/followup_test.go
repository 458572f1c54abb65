package bot_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
)

// outbox is a Poster that records follow-ups, standing in for an incoming
// webhook (package incoming tests the real one against a local receiver).
type outbox struct {
	mu    sync.Mutex
	got   []*bot.FollowUp
	fail  error
	delay time.Duration
	added chan struct{}
}

func newOutbox() *outbox { return &outbox{added: make(chan struct{}, 1000)} }

func (o *outbox) Post(ctx context.Context, f *bot.FollowUp) error {
	if o.delay > 0 {
		select {
		case <-time.After(o.delay):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if o.fail != nil {
		return o.fail
	}
	o.mu.Lock()
	o.got = append(o.got, f)
	o.mu.Unlock()
	o.added <- struct{}{}
	return nil
}

// wait returns the first n follow-ups, failing after a second.
func (o *outbox) wait(t *testing.T, n int) []*bot.FollowUp {
	t.Helper()
	deadline := time.After(2 * time.Second)
	for i := 0; i < n; i++ {
		select {
		case <-o.added:
		case <-deadline:
			t.Fatalf("got %d follow-ups; want %d", i, n)
		}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]*bot.FollowUp(nil), o.got...)
}

func (o *outbox) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.got)
}

// botServer serves a bot with follow-ups through Echo on loopback and
// shuts the bot's jobs down at the end.
type botServer struct {
	*server
	bot *bot.Bot
}

func newFollowUpServer(t *testing.T, h bot.HandlerFunc, tweak func(*bot.Config)) *botServer {
	t.Helper()
	s := &server{token: bot.NewToken(), logs: &bottest.LogBuffer{}}
	cfg := bot.Config{Secrets: []string{s.token}, Handler: h, Logger: zerolog.New(s.logs), Budget: 100 * time.Millisecond}
	if tweak != nil {
		tweak(&cfg)
	}
	b, err := bot.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	b.Mount(e, "/webhook")
	ts := newLoopback(t, e)
	s.url = ts + "/webhook"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := b.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return &botServer{server: s, bot: b}
}

func (s *botServer) say(t *testing.T, text string) bot.Reply {
	t.Helper()
	r, err := bottest.Post(http.DefaultClient, s.url, s.token, bottest.Message{Text: text}.JSON())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestLateHandlerIsPostedOnce(t *testing.T) {
	box := newOutbox()
	s := newFollowUpServer(t, func(c *bot.Context) error {
		c.SetCommand("report")
		time.Sleep(250 * time.Millisecond)
		if err := c.Context().Err(); err != nil {
			return fmt.Errorf("context ended early: %w", err)
		}
		return c.Text("the report")
	}, func(c *bot.Config) { c.FollowUps = box })
	r := s.say(t, "report  weekly &   more")
	if want := "`report` is taking longer than Teams waits. I'll post the result"; !strings.HasPrefix(r.Text, want) {
		t.Errorf("got %q; want prefix %q", r.Text, want)
	}
	got := box.wait(t, 1)
	f := got[0]
	if f.Reply.Text != "the report" || f.Command != "report" || f.Line != "report weekly & more" ||
		f.Asker.Name != "Ada Lovelace" || f.Job != "1" || !strings.HasSuffix(f.Key, "#1") {
		t.Errorf("got %+v; want the report for Ada's `report weekly & more` (job 1)", f)
	}
	time.Sleep(50 * time.Millisecond)
	if n := box.count(); n != 1 {
		t.Errorf("got %d posts; want exactly 1", n)
	}
}

func TestGoAnswersAtOnceAndPostsLater(t *testing.T) {
	box := newOutbox()
	// The job cannot finish before the test has the ack: an ack that
	// waited for the job would never come (the request would time out).
	release := make(chan struct{})
	s := newFollowUpServer(t, func(c *bot.Context) error {
		c.SetCommand("deploy")
		return c.Go("Deploying.", func(ctx context.Context) (bot.Reply, error) {
			if _, ok := ctx.Deadline(); !ok {
				return bot.Reply{}, errors.New("job has no deadline")
			}
			select {
			case <-release:
			case <-ctx.Done():
				return bot.Reply{}, ctx.Err()
			}
			return bot.Text("deployed"), nil
		})
	}, func(c *bot.Config) { c.FollowUps = box })
	r := s.say(t, "deploy prod")
	close(release)
	if r.Text != "Deploying. (job 1)" {
		t.Errorf("got %q; want %q", r.Text, "Deploying. (job 1)")
	}
	got := box.wait(t, 1)
	if got[0].Reply.Text != "deployed" || got[0].Line != "deploy prod" {
		t.Errorf("got %+v; want deployed for `deploy prod`", got[0])
	}
}

func TestJobOutcomes(t *testing.T) {
	block := func(ctx context.Context) (bot.Reply, error) {
		<-ctx.Done()
		return bot.Reply{}, ctx.Err()
	}
	tests := []struct {
		name string
		fn   bot.JobFunc
		cfg  bot.JobsConfig
		act  func(*bot.Bot)
		want string
		log  string
	}{
		{"user error", func(context.Context) (bot.Reply, error) { return bot.Reply{}, bot.UserError("no such env") },
			bot.JobsConfig{}, nil, "no such env", ""},
		{"failure", func(context.Context) (bot.Reply, error) { return bot.Reply{}, errors.New("disk full") },
			bot.JobsConfig{}, nil, "Sorry, `work now` (job 1) failed.", "disk full"},
		{"panic", func(context.Context) (bot.Reply, error) { panic("kaboom") },
			bot.JobsConfig{}, nil, "Sorry, `work now` (job 1) failed.", "kaboom"},
		{"deadline", block, bot.JobsConfig{Timeout: 60 * time.Millisecond}, nil,
			"`work now` (job 1) did not finish within 60ms and was stopped.", "job missed its deadline"},
		{"cancelled", block, bot.JobsConfig{}, func(b *bot.Bot) {
			for len(b.Jobs().List()) == 0 {
				time.Sleep(time.Millisecond)
			}
			if err := b.Jobs().Cancel("1", "Grace Hopper"); err != nil {
				panic(err)
			}
		}, "`work now` (job 1) was cancelled by Grace Hopper.", "job cancelled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			box := newOutbox()
			s := newFollowUpServer(t, func(c *bot.Context) error { return c.Go("ok", tt.fn) },
				func(c *bot.Config) { c.FollowUps = box; c.Jobs = tt.cfg })
			if r := s.say(t, "work now"); r.Text != "ok (job 1)" {
				t.Fatalf("got %q; want %q", r.Text, "ok (job 1)")
			}
			if tt.act != nil {
				tt.act(s.bot)
			}
			got := box.wait(t, 1)
			if !strings.HasPrefix(got[0].Reply.Text, tt.want) {
				t.Errorf("got %q; want prefix %q", got[0].Reply.Text, tt.want)
			}
			if !strings.Contains(s.logs.String(), tt.log) {
				t.Errorf("logs lack %q:\n%s", tt.log, s.logs)
			}
		})
	}
}

func TestBusy(t *testing.T) {
	box := newOutbox()
	release := make(chan struct{})
	s := newFollowUpServer(t, func(c *bot.Context) error {
		if strings.Contains(c.Activity.Text, "slow") {
			<-release
			return c.Text("slow done")
		}
		return c.Go("started", func(ctx context.Context) (bot.Reply, error) {
			<-release
			return bot.Text("job done"), nil
		})
	}, func(c *bot.Config) { c.FollowUps = box; c.Jobs = bot.JobsConfig{Workers: 1, Queue: 1} })
	if r := s.say(t, "one"); r.Text != "started (job 1)" {
		t.Fatalf("got %q; want started (job 1)", r.Text)
	}
	if r := s.say(t, "two"); r.Text != "started (job 2)" {
		t.Fatalf("got %q; want started (job 2) (queued)", r.Text)
	}
	if r := s.say(t, "three"); !strings.HasPrefix(r.Text, "I'm busy with 2 jobs already") {
		t.Errorf("got %q; want a busy answer", r.Text)
	}
	// A late handler needs a free worker; there is none, so it is stopped.
	done := make(chan bot.Reply)
	go func() { done <- s.say(t, "slow") }()
	if r := <-done; !strings.Contains(r.Text, "too busy to finish it in the background") {
		t.Errorf("got %q; want the busy timeout notice", r.Text)
	}
	if list := s.bot.Jobs().List(); len(list) != 2 || list[0].State != bot.JobRunning || list[1].State != bot.JobQueued {
		t.Errorf("got %+v; want job 1 running and job 2 queued", list)
	}
	close(release)
	got := box.wait(t, 2)
	if got[0].Reply.Text != "job done" || got[1].Reply.Text != "job done" {
		t.Errorf("got %q and %q; want job done twice", got[0].Reply.Text, got[1].Reply.Text)
	}
}

func TestNoFollowUps(t *testing.T) {
	s := newServer(t, bot.HandlerFunc(func(c *bot.Context) error {
		if c.Jobs() != nil {
			return errors.New("jobs without follow-ups")
		}
		return c.Go("x", func(context.Context) (bot.Reply, error) { return bot.Text("y"), nil })
	}), nil)
	r := s.signed(t, fixture(t, "channel-ping.json"))
	if !strings.Contains(r.reply.Text, "no follow-up webhook") {
		t.Errorf("got %q; want a note that follow-ups are not configured", r.reply.Text)
	}
}

func TestUndeliverableResultIsReported(t *testing.T) {
	box := newOutbox()
	box.fail = errors.New("receiver said 400")
	s := newFollowUpServer(t, func(c *bot.Context) error {
		if strings.Contains(c.Activity.Text, "work") {
			return c.Go("ok", func(context.Context) (bot.Reply, error) { return bot.Text("the precious result"), nil })
		}
		return c.Text("pong")
	}, func(c *bot.Config) {
		c.FollowUps = box
		c.Jobs = bot.JobsConfig{Retry: 5 * time.Millisecond, GiveUp: 40 * time.Millisecond}
	})
	s.say(t, "work")
	deadline := time.Now().Add(2 * time.Second)
	var listed []bot.JobInfo
	for time.Now().Before(deadline) {
		if listed = s.bot.Jobs().List(); len(listed) == 1 && listed[0].State == bot.JobUndelivered {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if len(listed) != 1 || listed[0].State != bot.JobUndelivered || !strings.Contains(listed[0].Due(time.Now()), "kept failing") {
		t.Fatalf("got %+v; want the undelivered result listed\n%s", listed, s.logs)
	}
	r := s.say(t, "ping")
	if !strings.HasPrefix(r.Text, "pong\n\nNote: I could not post the result of `work` (job 1) that Ada Lovelace asked for at ") {
		t.Errorf("got %q; want pong and the note", r.Text)
	}
	if r := s.say(t, "ping"); r.Text != "pong" {
		t.Errorf("got %q; want the note only once", r.Text)
	}
	logs := s.logs.String()
	for _, want := range []string{"receiver said 400", `"level":"error"`, "follow-up not delivered"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, "the precious result") {
		t.Errorf("logs hold the result:\n%s", logs)
	}
}

func TestShutdown(t *testing.T) {
	t.Run("drains", func(t *testing.T) {
		box := newOutbox()
		box.delay = 30 * time.Millisecond
		s := newFollowUpServer(t, func(c *bot.Context) error {
			return c.Go("ok", func(context.Context) (bot.Reply, error) {
				time.Sleep(60 * time.Millisecond)
				return bot.Text("finished"), nil
			})
		}, func(c *bot.Config) { c.FollowUps = box })
		for i := 0; i < 3; i++ {
			s.say(t, "work")
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := s.bot.Shutdown(ctx); err != nil {
			t.Fatalf("shutdown: %v", err)
		}
		if n := box.count(); n != 3 {
			t.Errorf("got %d posts after shutdown; want 3", n)
		}
		if r := s.say(t, "work"); !strings.Contains(r.Text, "restarting") {
			t.Errorf("got %q after shutdown; want a refusal", r.Text)
		}
	})
	t.Run("drops after grace", func(t *testing.T) {
		box := newOutbox()
		s := newFollowUpServer(t, func(c *bot.Context) error {
			return c.Go("ok", func(ctx context.Context) (bot.Reply, error) {
				<-ctx.Done()
				return bot.Reply{}, ctx.Err()
			})
		}, func(c *bot.Config) { c.FollowUps = box })
		s.say(t, "hang forever")
		ctx, cancel := context.WithTimeout(context.Background(), 40*time.Millisecond)
		defer cancel()
		err := s.bot.Shutdown(ctx)
		var se *bot.ShutdownError
		if !errors.As(err, &se) || se.Dropped != 1 || !strings.Contains(err.Error(), "1 job(s) dropped") {
			t.Errorf("got %v; want 1 job dropped", err)
		}
		if logs := s.logs.String(); !strings.Contains(logs, "job cut off at shutdown") || strings.Contains(logs, "hang forever") {
			t.Errorf("logs lack the dropped job, or hold its command line:\n%s", logs)
		}
		if n := box.count(); n != 0 {
			t.Errorf("got %d posts; want none", n)
		}
	})
}

func TestSetBudget(t *testing.T) {
	tests := []struct {
		name    string
		bot     time.Duration
		command time.Duration
		work    time.Duration
		late    bool
	}{
		{"tighter", 2 * time.Second, 40 * time.Millisecond, time.Second, true},
		{"looser", 30 * time.Millisecond, 300 * time.Millisecond, 100 * time.Millisecond, false},
		{"clamped", 30 * time.Millisecond, time.Hour, 100 * time.Millisecond, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var budget time.Duration
			s := newServer(t, bot.HandlerFunc(func(c *bot.Context) error {
				c.SetBudget(tt.command)
				budget = c.Budget()
				select {
				case <-time.After(tt.work):
					return c.Text("done")
				case <-c.Context().Done():
					return c.Context().Err()
				}
			}), func(c *bot.Config) { c.Budget = tt.bot })
			start := time.Now()
			r := s.signed(t, fixture(t, "channel-ping.json"))
			took := time.Since(start)
			if late := strings.Contains(r.reply.Text, "took longer"); late != tt.late {
				t.Errorf("got %q; want late=%v", r.reply.Text, tt.late)
			}
			if tt.late && took > tt.command+200*time.Millisecond {
				t.Errorf("answered after %v; want about %v", took, tt.command)
			}
			if want := min(tt.command, bot.MaxBudget); budget != want {
				t.Errorf("got budget %v; want %v", budget, want)
			}
		})
	}
}

// TestHangingHandlersAnsweredInTime: hundreds of concurrent handlers that
// hang all get their notice before the budget ends, measured on the
// server from before the bot reads the request to after it flushed the
// answer.
func TestHangingHandlersAnsweredInTime(t *testing.T) {
	for _, followUps := range []bool{false, true} {
		t.Run(fmt.Sprintf("followups=%v", followUps), func(t *testing.T) {
			const n, budget = 300, 250 * time.Millisecond
			release := make(chan struct{})
			box := newOutbox()
			var mu sync.Mutex
			var worst time.Duration
			s := &server{token: bot.NewToken(), logs: &bottest.LogBuffer{}}
			cfg := bot.Config{Secrets: []string{s.token}, Budget: budget, MaxHung: 2 * n,
				Logger: zerolog.New(s.logs).Level(zerolog.ErrorLevel),
				Handler: bot.HandlerFunc(func(c *bot.Context) error {
					<-release // hang, ignoring the context, until the test ends
					return c.Text("too late")
				})}
			if followUps {
				cfg.FollowUps = box
				cfg.Jobs = bot.JobsConfig{Workers: n / 2, Queue: -1}
			}
			b, err := bot.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			e := echo.New()
			e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
				return func(ec echo.Context) error {
					start := time.Now()
					ec.Response().After(func() {
						took := time.Since(start)
						mu.Lock()
						worst = max(worst, took)
						mu.Unlock()
					})
					return next(ec)
				}
			})
			b.Mount(e, "/webhook")
			s.url = newLoopback(t, e) + "/webhook"
			client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: n}}
			var wg sync.WaitGroup
			replies := make(chan string, n)
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r, err := bottest.Post(client, s.url, s.token, bottest.Message{Text: "hang"}.JSON())
					if err != nil {
						replies <- "error: " + err.Error()
						return
					}
					replies <- r.Text
				}()
			}
			wg.Wait()
			close(replies)
			var stopped, posted, busy int
			for r := range replies {
				switch {
				case strings.Contains(r, "was stopped. (ref"):
					stopped++
				case strings.Contains(r, "I'll post the result"):
					posted++
				case strings.Contains(r, "too busy"):
					busy++
				default:
					t.Errorf("got %q; want a timeout notice", r)
				}
			}
			close(release)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := b.Shutdown(ctx); err != nil {
				t.Errorf("shutdown: %v", err)
			}
			client.CloseIdleConnections()
			mu.Lock()
			defer mu.Unlock()
			// The race detector slows this CPU-bound burst several times
			// over; without it the budget holds with room to spare.
			if limit := budget + raceSlack(budget); worst >= limit {
				t.Errorf("slowest answer took %v; want under %v (budget %v)", worst, limit, budget)
			}
			if followUps {
				if posted != n/2 || busy != n/2 || box.count() != n/2 {
					t.Errorf("got %d going on, %d busy, %d posted; want %d, %d, %d", posted, busy, box.count(), n/2, n/2, n/2)
				}
			} else if stopped != n {
				t.Errorf("got %d stopped; want %d", stopped, n)
			}
			t.Logf("slowest of %d answers: %v for a %v budget", n, worst, budget)
		})
	}
}

// newLoopback serves h on 127.0.0.1 until the test ends and returns its URL.
func newLoopback(t *testing.T, h http.Handler) string {
	t.Helper()
	ts := httptest.NewUnstartedServer(h)
	new(bot.Arrivals).Install(ts.Config)
	ts.Start()
	t.Cleanup(ts.Close)
	return ts.URL
}
