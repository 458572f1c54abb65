package middleware_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"time"

	"github.com/rs/zerolog"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/middleware"
	"github.com/outhook/outhook/middleware/access"
	"github.com/outhook/outhook/router"
)

// say runs text through h as user and prints the reply, as the bot would.
func say(h bot.Handler, user, text string) {
	m := bottest.Message{Text: text}
	m.From = bot.Account{ID: "29:" + user, Name: user, AADObjectID: user}
	c := bot.NewContext(context.Background(), m.Activity())
	if err := h.Handle(c); err != nil {
		fmt.Printf("%s> %s: %s\n", user, text, err.(*bot.Error).Message)
		return
	}
	r, _ := c.Replied()
	fmt.Printf("%s> %s: %s\n", user, text, r.Text)
}

func ExampleAccess() {
	r := router.New()
	r.Add(&router.Command{Name: "deploy", Handler: func(c *router.Context) error {
		return c.Textf("deploying %v", c.Args)
	}})
	policy := access.MustCompile(access.Rules{
		Default: "deny",
		Rules: []access.Rule{
			{Command: "deploy staging", Effect: "allow"},
			{Command: "deploy prod", Effect: "allow", Users: []string{"alice"}},
		},
	}, middleware.CommandNames(r))
	r.Use(middleware.Access(policy))

	say(r, "bob", "deploy staging")
	say(r, "bob", "deploy prod")
	say(r, "alice", "deploy prod")
	// Output:
	// bob> deploy staging: deploying [staging]
	// bob> deploy prod: Sorry, you may not run `deploy prod` here.
	// alice> deploy prod: deploying [prod]
}

func ExampleRateLimit() {
	r := router.New()
	r.Add(&router.Command{Name: "ping", Handler: func(c *router.Context) error { return c.Text("pong") }})
	h := middleware.Chain(r, middleware.RateLimit(2, 20*time.Second))
	for range 3 {
		say(h, "bob", "ping")
	}
	// Output:
	// bob> ping: pong
	// bob> ping: pong
	// bob> ping: Slow down, please: you can send 2 messages per 20s. Try again in 20s.
}

func ExampleAuditWithConfig() {
	r := router.New()
	r.Add(&router.Command{Name: "vault", Handler: func(c *router.Context) error { return c.Text("stored") }})
	// In production: a dedicated file or stream. Here: stdout, without
	// the latency, which changes from run to run.
	audit := zerolog.New(withoutLatency{os.Stdout})
	r.Use(middleware.AuditWithConfig(middleware.AuditConfig{
		Logger: audit,
		Redact: middleware.Redact{"vault": {"2+"}},
	}))
	m := bottest.Message{Text: "vault put s3cr3t", ID: "1700000000000", Tenant: "t1", Team: "19:team", Channel: "19:chan"}
	m.From = bot.Account{ID: "29:ada", Name: "Ada", AADObjectID: "ada-aad"}
	c := bot.NewContext(context.Background(), m.Activity())
	_ = r.Handle(c)
	// Output:
	// {"level":"info","activity":"1700000000000","user":"ada-aad","user_name":"Ada","team":"19:team","channel":"19:chan","tenant":"t1","command":"vault","args":["put","[redacted]"],"outcome":"ok","message":"command"}
}

// withoutLatency drops the latency field from JSON log lines.
type withoutLatency struct{ w io.Writer }

func (l withoutLatency) Write(p []byte) (int, error) {
	_, err := l.w.Write(latencyField.ReplaceAll(p, nil))
	return len(p), err
}

var latencyField = regexp.MustCompile(`,"latency":[0-9.e-]+`)
