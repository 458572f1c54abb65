package middleware_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/middleware"
	"github.com/outhook/outhook/router"
)

func TestWiringMistakesPanic(t *testing.T) {
	tests := []struct {
		name string
		wire func()
		want string
	}{
		{"empty tenant list", func() { middleware.Tenants() }, "middleware: Tenants: the allow-list is empty"},
		{"empty tenant", func() { middleware.Tenants("t", " ") }, "tenant 2 is empty"},
		{"zero rate", func() { middleware.RateLimit(0, time.Minute) }, "middleware: RateLimit: limit 0 is below 1"},
		{"zero command rate", func() { middleware.CommandRateLimit(-1, time.Minute) }, "limit -1 is below 1"},
		{"nil policy", func() { middleware.Access(nil) }, "middleware: Access: Policy is required"},
		{"bad redaction", func() {
			middleware.AuditWithConfig(middleware.AuditConfig{Redact: middleware.Redact{"vault": {"0"}}})
		}, `middleware: Audit: redact[vault]: selector "0"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				p := recover()
				if s, _ := p.(string); !strings.Contains(s, tt.want) {
					t.Errorf("got panic %v; want %q", p, tt.want)
				}
			}()
			tt.wire()
		})
	}
}

func TestRedactValidate(t *testing.T) {
	tests := []struct {
		redact middleware.Redact
		want   string
	}{
		{middleware.Redact{"vault": {"1", "2+", "*", "--token", "password="}, "*": {"-p"}}, ""},
		{middleware.Redact{"vault": {"x"}}, `redact[vault]: selector "x"`},
		{middleware.Redact{"vault": {"--token=x"}}, `selector "--token=x"`},
		{middleware.Redact{"valut": {"1"}}, `redact: unknown command "valut"`},
		{middleware.Redact{" ": {"1"}}, "empty command name"},
	}
	for _, tt := range tests {
		err := tt.redact.Validate([]string{"vault", "deploy"})
		if (tt.want == "" && err != nil) || (tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want))) {
			t.Errorf("%v: got %v; want %q", tt.redact, err, tt.want)
		}
	}
}

// failing is a store whose backend is down.
var failing = middleware.LimiterFunc(func(context.Context, string, time.Duration) (int64, time.Duration, error) {
	return 0, 0, errors.New("connection refused")
})

type failingReplay struct{}

func (failingReplay) Claim(context.Context, string, time.Duration) (bool, []byte, error) {
	return false, nil, errors.New("connection refused")
}
func (failingReplay) Keep(context.Context, string, []byte) error {
	return errors.New("connection refused")
}

func TestStoreFailures(t *testing.T) {
	ok := bot.HandlerFunc(func(c *bot.Context) error { return c.Text("ran") })
	tests := []struct {
		name string
		mw   func(bot.Handler) bot.Handler
		want string
	}{
		{"replay fails open", middleware.ReplayWithConfig(middleware.ReplayConfig{Store: failingReplay{}}), "ran"},
		{"replay fails closed", middleware.ReplayWithConfig(middleware.ReplayConfig{Store: failingReplay{}, FailClosed: true}), "cannot check this message for replays"},
		{"rate fails open", middleware.RateLimitWithConfig(middleware.RateLimitConfig{Limit: 1, Store: failing}), "ran"},
		{"rate fails closed", middleware.RateLimitWithConfig(middleware.RateLimitConfig{Limit: 1, Store: failing, FailClosed: true}), "cannot check rate limits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := bot.NewContext(context.Background(), bottest.Message{Text: "x"}.Activity())
			err := tt.mw(ok).Handle(c)
			got := ""
			if r, replied := c.Replied(); err == nil && replied {
				got = r.Text
			} else if err != nil {
				got = err.Error()
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

func TestCommandRateLimitPerUser(t *testing.T) {
	r := router.New()
	r.Add(&router.Command{Name: "build", Handler: func(c *router.Context) error { return c.Text("built") }})
	r.Use(middleware.CommandRateLimitWithConfig(middleware.CommandRateLimitConfig{Limit: 1, PerUser: true}))
	run := func(user string) string {
		m := bottest.Message{Text: "build"}
		m.From = bot.Account{ID: "29:" + user, Name: user, AADObjectID: user}
		c := bot.NewContext(context.Background(), m.Activity())
		if err := r.Handle(c); err != nil {
			return err.Error()
		}
		rep, _ := c.Replied()
		return rep.Text
	}
	for _, step := range []struct{ user, want string }{
		{"a", "built"}, {"b", "built"}, {"a", "`build` may run 1 time per minute for each person. Try again in a minute."},
	} {
		if got := run(step.user); !strings.Contains(got, step.want) {
			t.Errorf("%s: got %q; want %q", step.user, got, step.want)
		}
	}
}

// TestCommandRateLimitByPath: commands are counted by canonical path, so a
// subcommand never shares a count with a command of the same name
// elsewhere, and an alias shares its command's (issue 10 #1).
func TestCommandRateLimitByPath(t *testing.T) {
	r := router.New()
	ok := func(c *router.Context) error { return c.Text("ok") }
	r.Add(
		&router.Command{Name: "status", Handler: ok},
		&router.Command{Name: "deploy", Subcommands: []*router.Command{{Name: "status", Aliases: []string{"st"}, Handler: ok}}},
	)
	r.Use(middleware.CommandRateLimit(1, time.Minute))
	run := func(text string) string {
		c := bot.NewContext(context.Background(), bottest.Message{Text: text}.Activity())
		if err := r.Handle(c); err != nil {
			return err.Error()
		}
		rep, _ := c.Replied()
		return rep.Text
	}
	for _, step := range []struct{ text, want string }{
		{"deploy status", "ok"}, {"status", "ok"}, {"DEPLOY st", "`deploy status` may run 1 time per minute"},
	} {
		if got := run(step.text); !strings.Contains(got, step.want) {
			t.Errorf("%s: got %q; want %q", step.text, got, step.want)
		}
	}
}
