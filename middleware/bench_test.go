package middleware_test

import (
	"context"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/middleware"
	"github.com/outhook/outhook/middleware/access"
	"github.com/outhook/outhook/router"
)

// BenchmarkChain measures what the access and abuse middleware add to one
// command, against the bare router in the same run.
func BenchmarkChain(b *testing.B) {
	newRouter := func() *router.Router {
		r := router.New()
		r.Add(&router.Command{Name: "deploy", Handler: func(c *router.Context) error { return c.Text("ok") }})
		return r
	}
	acts := make([]*bot.Activity, 4096)
	for i := range acts {
		m := bottest.Message{Text: "deploy staging --now", ID: strconv.Itoa(1_700_000_000_000 + i)}
		m.From = bot.Account{ID: "29:u", Name: "U", AADObjectID: "user-" + strconv.Itoa(i%64)}
		acts[i] = m.Activity()
	}
	run := func(b *testing.B, h bot.Handler) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			a := *acts[i%len(acts)]
			a.ID = strconv.Itoa(i) // a fresh id: every post is new to Replay
			c := bot.NewContext(context.Background(), &a)
			if err := h.Handle(c); err != nil {
				b.Fatal(err)
			}
			i++
		}
	}
	b.Run("router", func(b *testing.B) { run(b, newRouter()) })
	b.Run("full", func(b *testing.B) {
		r := newRouter()
		policy := access.MustCompile(access.Rules{Default: "deny", Rules: []access.Rule{
			{Command: "deploy staging", Effect: "allow"},
			{Command: "deploy prod", Effect: "allow", Users: []string{"user-1"}},
			{Command: "*", Effect: "deny", Users: []string{"banned"}},
		}}, middleware.CommandNames(r))
		r.Use(
			middleware.AuditWithConfig(middleware.AuditConfig{Logger: zerolog.New(io.Discard), Redact: middleware.Redact{"*": {"--token"}}}),
			middleware.Access(policy),
			middleware.CommandRateLimit(1<<30, time.Minute),
		)
		run(b, middleware.Chain(r,
			middleware.Tenants(bottest.DefaultTenant),
			middleware.ReplayWithConfig(middleware.ReplayConfig{Window: 24 * time.Hour * 365 * 30}),
			middleware.RateLimit(1<<30, time.Minute),
		))
	})
}
