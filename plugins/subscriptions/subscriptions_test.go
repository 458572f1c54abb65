package subscriptions_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/bot/incoming"
	"github.com/outhook/outhook/plugins"
	_ "github.com/outhook/outhook/plugins/status"
	"github.com/outhook/outhook/plugins/subscriptions"
	"github.com/outhook/outhook/router"
	"github.com/outhook/outhook/store"
	"github.com/outhook/outhook/subscription"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// webhook is a fake incoming webhook that records the posts.
type webhook struct {
	*httptest.Server
	mu    sync.Mutex
	posts []string
}

func newWebhook(t *testing.T) *webhook {
	w := &webhook{}
	w.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.mu.Lock()
		w.posts = append(w.posts, string(b))
		w.mu.Unlock()
		rw.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(w.Close)
	return w
}

func (w *webhook) Posts() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.posts...)
}

// services starts a fake forecast service and a healthy endpoint.
func services(t *testing.T) (weather, health string) {
	ws := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{
			"city": r.URL.Query().Get("city"), "tomorrow": map[string]any{"sky": "sunny", "max": 21, "min": 9},
		})
	}))
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(func() { ws.Close(); hs.Close() })
	return ws.URL, hs.URL
}

type setup struct {
	srv   *bottest.Server
	hook  *webhook
	clock *subscription.Fake
	set   *plugins.Set
}

func (s *setup) plugin(t *testing.T) *subscriptions.Plugin {
	p, ok := s.set.Plugin("subscriptions")
	if !ok {
		t.Fatal("no subscriptions plugin")
	}
	return p.(*subscriptions.Plugin)
}

// say sends text and returns the reply as text.
func (s *setup) say(t *testing.T, text string) string {
	t.Helper()
	r, err := s.srv.Say(text)
	if err != nil {
		t.Fatal(err)
	}
	return r.String()
}

// at moves the clock to when and waits for the plugin's own scheduler
// to run what is due.
func (s *setup) at(t *testing.T, when time.Time) { t.Helper(); step(t, s.clock, when) }

// step waits for the scheduler's loop to sleep on clock, moves the clock
// to when (which wakes the loop), and waits for the loop to sleep again:
// the runs due at when are then done.
func step(t *testing.T, clock *subscription.Fake, when time.Time) {
	t.Helper()
	waitFor(t, func() bool { return clock.Waiters() > 0 })
	clock.Set(when)
	waitFor(t, func() bool { return clock.Waiters() > 0 })
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for the scheduler")
		}
		time.Sleep(time.Millisecond)
	}
}

var berlin, _ = time.LoadLocation("Europe/Berlin")

func start(t *testing.T, settings map[string]any, withPoster bool) *setup {
	t.Helper()
	weather, health := services(t)
	s := &setup{hook: newWebhook(t), clock: subscription.NewFake(time.Date(2026, 11, 27, 6, 50, 0, 0, berlin))}
	t.Cleanup(subscriptions.SetClock(s.clock))
	if settings == nil {
		settings = map[string]any{}
	}
	settings["feeds"] = []any{map[string]any{
		"name": "weather", "summary": "tomorrow's forecast",
		"url":           weather + "/forecast?city={{.city}}",
		"template_file": "testdata/weather-card.tmpl",
		"options":       []any{map[string]any{"name": "city", "required": true}},
		"timeout":       "2s",
	}}
	var poster bot.Poster
	if withPoster {
		sender, err := incoming.New(s.hook.URL, incoming.Config{Limits: []incoming.Limit{{Requests: 100, Per: time.Second}}})
		if err != nil {
			t.Fatal(err)
		}
		poster = sender
	}
	set, err := plugins.Load(context.Background(), plugins.Options{
		IDs: []string{"status", "subscriptions"},
		Settings: map[string]map[string]any{
			"status":        {"endpoints": []any{map[string]any{"name": "web", "url": health}}},
			"subscriptions": settings,
		},
		Store:     store.NewMemory(),
		FollowUps: poster,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = set.Cleanup() })
	s.set = set
	r := router.New()
	set.Install(r)
	s.srv = bottest.NewServer(bot.Config{Handler: r})
	t.Cleanup(s.srv.Close)
	return s
}

var idRE = regexp.MustCompile("as `([a-z0-9]{8})`")

func TestSubscribeAndPost(t *testing.T) {
	s := start(t, nil, true)
	got := s.say(t, "subscribe weather --opt city=Oslo --at 07:00 --on weekdays")
	m := idRE.FindStringSubmatch(got)
	if m == nil || !strings.Contains(got, "weekdays at 07:00 (Europe/Berlin)") || !strings.Contains(got, "Next post: Fri 27 Nov 07:00 CET") {
		t.Fatalf("subscribe: got %q; want an id, the schedule in the asker's zone and the next post", got)
	}
	weatherID := m[1]
	got = s.say(t, "subscribe status --every 1h --tz UTC")
	statusID := idRE.FindStringSubmatch(got)
	if statusID == nil || !strings.Contains(got, "Next post: Fri 27 Nov 06:00 UTC") {
		t.Fatalf("subscribe status: got %q", got)
	}

	s.at(t, time.Date(2026, 11, 27, 7, 0, 5, 0, berlin))
	posts := s.hook.Posts()
	if len(posts) != 2 {
		t.Fatalf("at 07:00: got %d posts; want 2 (weather and status)", len(posts))
	}
	all := strings.Join(posts, "\n")
	if !strings.Contains(all, "Tomorrow in Oslo") || !strings.Contains(all, "All 1 up") {
		t.Errorf("posts: got %s; want the forecast and the status digest", all)
	}

	list := s.say(t, "subscriptions")
	for _, want := range []string{weatherID, "**weather** (city=Oslo)", "next: Mon 30 Nov 07:00 CET", "last: posted (Fri 27 Nov 07:00 CET)", "**status**"} {
		if !strings.Contains(list, want) {
			t.Errorf("subscriptions: got %q; want %q in it", list, want)
		}
	}

	if got := s.say(t, "pause "+weatherID); !strings.Contains(got, "Paused") {
		t.Fatalf("pause: got %q", got)
	}
	if got := s.say(t, "subscriptions"); !strings.Contains(got, "**paused**") {
		t.Errorf("subscriptions after pause: got %q; want paused", got)
	}
	s.at(t, time.Date(2026, 11, 30, 7, 0, 5, 0, berlin))
	if n := strings.Count(strings.Join(s.hook.Posts(), "\n"), "Tomorrow in Oslo"); n != 1 {
		t.Errorf("paused: the forecast was posted %d times; want 1", n)
	}
	if got := s.say(t, "resume "+weatherID); !strings.Contains(got, "Next post: Tue 1 Dec 07:00 CET") {
		t.Errorf("resume: got %q; want the next weekday", got)
	}
	if got := s.say(t, "unsubscribe "+weatherID); !strings.Contains(got, "Unsubscribed") {
		t.Errorf("unsubscribe: got %q", got)
	}
	if got := s.say(t, "unsubscribe "+weatherID); !strings.Contains(got, "has no subscription") {
		t.Errorf("unsubscribe again: got %q", got)
	}
}

func TestSubscribeErrors(t *testing.T) {
	s := start(t, map[string]any{"max_per_channel": 1}, true)
	tests := []struct{ text, want string }{
		{"subscribe weather --at 07:00", "needs --opt city"},
		{"subscribe nosuch --every 1h", "no feed called"},
		{"subscribe weather --opt city=Oslo --every 1m", "at least 5m"},
		{"subscribe weather --opt city=Oslo", "no schedule"},
		{"subscribe weather --opt city --at 07:00", "NAME=VALUE"},
		{"subscribe weather --opt city=Oslo --at 07:00 --tz Mars/Base", "unknown time zone"},
		{"subscribe weather --opt city=Oslo --at 07:00 --missed always", "skip"},
		{"pause nosuch1", "has no subscription"},
	}
	for _, tt := range tests {
		if got := s.say(t, tt.text); !strings.Contains(strings.ToLower(got), strings.ToLower(tt.want)) {
			t.Errorf("%s: got %q; want %q in it", tt.text, got, tt.want)
		}
	}
	if got := s.say(t, "subscribe weather --opt city=Oslo --at 07:00"); !strings.Contains(got, "Subscribed") {
		t.Fatalf("first: got %q", got)
	}
	if got := s.say(t, "subscribe weather --opt city=Rome --at 08:00"); !strings.Contains(got, "as many as it may have") {
		t.Errorf("over the limit: got %q", got)
	}
}

func TestSubscribeWithoutPosterIsRefused(t *testing.T) {
	s := start(t, nil, false)
	if got := s.say(t, "subscribe weather --opt city=Oslo --at 07:00"); !strings.Contains(got, "no follow-up URL") {
		t.Errorf("got %q; want a refusal naming the follow-up URL", got)
	}
}

func TestChannelURLFromEnvironment(t *testing.T) {
	hook := newWebhook(t)
	weather, _ := services(t)
	clock := subscription.NewFake(time.Date(2026, 11, 27, 6, 50, 0, 0, berlin))
	t.Cleanup(subscriptions.SetClock(clock))
	set, err := plugins.Load(context.Background(), plugins.Options{
		IDs: []string{"subscriptions"},
		Settings: map[string]map[string]any{"subscriptions": {
			"feeds": []any{map[string]any{"name": "weather", "url": weather + "/?city={{.city}}", "template": "It is {{.Data.tomorrow.sky}} in {{.Data.city}}.",
				"options": []any{map[string]any{"name": "city"}}}},
			"channels": []any{map[string]any{"channel": bottest.DefaultChannel, "url_env": "OPS_URL"}},
		}},
		Store:     store.NewMemory(),
		LookupEnv: func(k string) (string, bool) { return hook.URL + "/secret-path", k == "OPS_URL" },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Cleanup()
	r := router.New()
	set.Install(r)
	srv := bottest.NewServer(bot.Config{Handler: r})
	defer srv.Close()
	reply, err := srv.Say("subscribe weather --opt city=Lima --at 07:00")
	if err != nil || !strings.Contains(reply.String(), "Subscribed") {
		t.Fatalf("got %q %v", reply.String(), err)
	}
	list, _ := srv.Say("subscriptions")
	if strings.Contains(list.String(), "secret-path") {
		t.Errorf("subscriptions shows the channel's URL: %q", list.String())
	}
	step(t, clock, time.Date(2026, 11, 27, 7, 0, 0, 0, berlin))
	if posts := hook.Posts(); len(posts) != 1 || !strings.Contains(posts[0], "It is sunny in Lima.") {
		t.Errorf("got %v; want the forecast posted to the channel's URL", posts)
	}
}

func TestLoadNeedsAStore(t *testing.T) {
	_, err := plugins.Load(context.Background(), plugins.Options{IDs: []string{"subscriptions"}})
	if err == nil || !strings.Contains(err.Error(), "configure a store") {
		t.Errorf("got %v; want an error asking for a store", err)
	}
	if !plugins.KeepData("subscriptions") {
		t.Error("KeepData(subscriptions): got false; want true")
	}
}

// TestSchedulerRunsInTheBackground: the scheduler started by Load posts on
// its own as the clock moves, and Cleanup stops it (goleak checks).
func TestSchedulerRunsInTheBackground(t *testing.T) {
	s := start(t, map[string]any{"interval": "1m"}, true)
	if got := s.say(t, "subscribe weather --opt city=Oslo --every 5m"); !strings.Contains(got, "Subscribed") {
		t.Fatal(got)
	}
	for range 5 {
		step(t, s.clock, s.clock.Now().Add(time.Minute))
	}
	if n := len(s.hook.Posts()); n != 1 {
		t.Fatalf("after 5 minutes: got %d posts; want 1", n)
	}
	if s.plugin(t).Scheduler() == nil {
		t.Fatal("Scheduler: got nil")
	}
}
