package jobs_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"go.uber.org/goleak"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/plugins"
	"github.com/outhook/outhook/plugins/jobs"
	"github.com/outhook/outhook/router"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var (
	ada   = bot.Account{ID: "29:ada", Name: "Ada Lovelace", AADObjectID: "aad-ada"}
	grace = bot.Account{ID: "29:grace", Name: "Grace Hopper", AADObjectID: "aad-grace"}
)

type posted struct {
	mu    sync.Mutex
	texts []string
}

func (p *posted) Post(_ context.Context, f *bot.FollowUp) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.texts = append(p.texts, f.Reply.Text)
	return nil
}

func (p *posted) all() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.texts...)
}

type env struct {
	url, token string
	bot        *bot.Bot
	out        *posted
}

// serve runs the jobs plugin and a "slow" command that waits for its
// context behind a real bot; followUps false leaves jobs off.
func serve(t *testing.T, cfg jobs.Config, followUps bool) *env {
	t.Helper()
	r := router.New()
	plugins.Add(r, "jobs", jobs.NewWithConfig(cfg))
	type slowArgs struct {
		Words []string `arg:"" optional:""`
		Token string   `secret:""`
	}
	r.Add(&router.Command{Name: "slow", Args: slowArgs{}, Handler: func(c *router.Context) error {
		return c.Go("Working.", func(ctx context.Context) (bot.Reply, error) {
			<-ctx.Done()
			return bot.Reply{}, ctx.Err()
		})
	}})
	e := &env{token: bot.NewToken(), out: &posted{}}
	bc := bot.Config{Secrets: []string{e.token}, Handler: r}
	if followUps {
		bc.FollowUps = e.out
	}
	b, err := bot.New(bc)
	if err != nil {
		t.Fatal(err)
	}
	e.bot = b
	ec := echo.New()
	b.Mount(ec, "/webhook")
	ts := httptest.NewServer(ec)
	t.Cleanup(func() {
		ts.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		b.Shutdown(ctx) // cancels what is left
	})
	e.url = ts.URL + "/webhook"
	return e
}

func (e *env) say(t *testing.T, from bot.Account, team, text string) string {
	t.Helper()
	r, err := bottest.Post(http.DefaultClient, e.url, e.token, bottest.Message{Text: text, From: from, Team: team}.JSON())
	if err != nil {
		t.Fatal(err)
	}
	return r.Text
}

func TestJobsAndCancel(t *testing.T) {
	e := serve(t, jobs.Config{}, true)
	steps := []struct {
		name, team string
		from       bot.Account
		say, want  string
	}{
		{"none yet", "", ada, "jobs", "You have no background jobs running."},
		{"none at all", "", ada, "jobs --all", "No background jobs are running."},
		{"start", "", ada, "slow thing", "Working. (job 1)"},
		// Issue 10 #9: jobs are private unless --all, and lines redacted.
		{"start with a secret", "", ada, "slow other --TOKEN hunter2", "Working. (job 2)"},
		{"not listed to others", "", grace, "jobs", "You have no background jobs running."},
		{"listed to the asker", "", ada, "jobs", "- **1** `slow thing`: running for"},
		{"listed with --all", "", grace, "jobs --all", "- **1** `slow thing`: running for"},
		{"listed with asker", "", grace, "jobs -a", "asked by Ada Lovelace"},
		{"secret redacted", "", grace, "jobs --all", "`slow other --token=[redacted]`"},
		{"other team sees nothing", "19:other@thread.tacv2", ada, "jobs --all", "No background jobs are running."},
		{"other team cannot cancel", "19:other@thread.tacv2", ada, "cancel 1", "There is no job 1 running here."},
		{"not the asker", "", grace, "cancel 1", "Only Ada Lovelace, who started job 1, can cancel it."},
		{"unknown id", "", ada, "cancel 9", "There is no job 9 running here."},
		{"no id", "", ada, "cancel", "Usage: `cancel <job id>`"},
		{"asker cancels", "", ada, "cancel #1", "Cancelling job 1 (`slow thing`)."},
		{"asker cancels the other", "", ada, "cancel 2", "Cancelling job 2"},
	}
	for _, s := range steps {
		got := e.say(t, s.from, s.team, s.say)
		if !strings.Contains(got, s.want) {
			t.Errorf("%s: got %q; want %q", s.name, got, s.want)
		}
		if strings.Contains(got, "hunter2") {
			t.Errorf("%s: got %q; want no secret", s.name, got)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := e.bot.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	got := e.out.all()
	slices.Sort(got)
	if len(got) != 2 || got[0] != "`slow other --token=[redacted]` (job 2) was cancelled by Ada Lovelace." ||
		got[1] != "`slow thing` (job 1) was cancelled by Ada Lovelace." {
		t.Errorf("got follow-ups %q; want two cancellation notes, the secret redacted", got)
	}
}

func TestPolicyMayAllowOthers(t *testing.T) {
	admins := map[string]bool{"aad-grace": true}
	e := serve(t, jobs.Config{AllowCancel: func(c *router.Context, j bot.JobInfo) bool {
		return admins[c.Activity.From.AADObjectID]
	}}, true)
	e.say(t, ada, "", "slow thing")
	if got := e.say(t, grace, "", "cancel 1"); got != "Cancelling job 1 (`slow thing`)." {
		t.Errorf("got %q; want the admin's cancel accepted", got)
	}
}

func TestOffWithoutFollowUps(t *testing.T) {
	e := serve(t, jobs.Config{}, false)
	for _, cmd := range []string{"jobs", "cancel 1"} {
		if got := e.say(t, ada, "", cmd); !strings.HasPrefix(got, "Background jobs are off") {
			t.Errorf("%s: got %q; want jobs off", cmd, got)
		}
	}
}
