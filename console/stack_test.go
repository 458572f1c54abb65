package console_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/bot/card"
	"github.com/outhook/outhook/bot/incoming"
	"github.com/outhook/outhook/console"
	"github.com/outhook/outhook/middleware"
	"github.com/outhook/outhook/middleware/access"
	"github.com/outhook/outhook/router"
)

// pixel is a one-pixel image: test cards load nothing from the network.
const pixel = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="

// stack is a bot on loopback with every kind of reply, its follow-ups
// pointed at a console, and the console.
type stack struct {
	Bot     *bottest.Server
	Console *console.Console
	URL     string // the console's
}

// commands answers with each kind of card, slowly, or only to alice.
func commands(t testing.TB) *router.Router {
	t.Helper()
	reply := func(r bot.Reply, err error) router.HandlerFunc {
		if err != nil {
			t.Fatal(err)
		}
		return func(c *router.Context) error { return c.Reply(r) }
	}
	ada := bot.Account{ID: "29:ada", Name: "Ada Lovelace", AADObjectID: "ada-aad"}
	r := router.New()
	r.Add(
		&router.Command{Name: "adaptive", Summary: "an Adaptive Card", Handler: reply(card.Adaptive(
			card.Heading("Deploy finished"),
			card.Text("All **services** are up, approved by "+bot.At(ada).Text),
			card.Facts(card.Fact{Name: "Environment", Value: "production"}, card.Fact{Name: "Version", Value: "v1.8.2"}),
			card.Image(pixel),
		).Mention(ada).Link("Dashboard", "https://example.com/dash").Reply())},
		&router.Command{Name: "hero", Summary: "a Hero card", Handler: reply(card.Hero("Release 2.0").
			Subtitle("Shipped today").Text("Faster builds, _fewer_ bugs.").Image(pixel, "A rocket").
			Link("Release notes", "https://example.com/notes").Reply())},
		&router.Command{Name: "thumb", Summary: "a Thumbnail card", Handler: reply(card.Thumbnail("Ada Lovelace").
			Subtitle("On call this week").Image(pixel, "Ada").Link("Page her", "https://example.com/page/ada").Reply())},
		&router.Command{Name: "list", Summary: "a List card", Handler: reply(card.List("Recent builds").
			Item(card.ListItem{Title: "#42 passed", Subtitle: "2 min ago", URL: "https://ci.example.com/42"}).
			Item(card.ListItem{Title: "#41 failed", URL: "https://ci.example.com/41"}).Reply())},
		&router.Command{Name: "connector", Summary: "a MessageCard", Handler: reply(card.Connector("Nightly backup").
			Color("2EB886").Text("Backup **done**.").
			Section(card.Section("db").Activity("backup-db", "03:00 UTC", pixel).
				Facts(card.Fact{Name: "Duration", Value: "12 min"}, card.Fact{Name: "Size", Value: "4.2 GB"})).
			Link("Logs", "https://example.com/logs").Reply())},
		&router.Command{Name: "mention", Summary: "markdown and a mention", Handler: func(c *router.Context) error {
			return c.Reply(bot.Escapef("Hello %v, here is a **list**:\n\n- one\n- `two`", c.Activity.From))
		}},
		&router.Command{Name: "slow", Summary: "answers after the budget", Handler: func(c *router.Context) error {
			select {
			case <-time.After(700 * time.Millisecond):
			case <-c.Context.Context().Done():
				return c.Context.Context().Err()
			}
			return c.Text("slow **done**")
		}},
		&router.Command{Name: "deploy", Summary: "only alice may deploy prod", Handler: func(c *router.Context) error {
			return c.Textf("deploying %s", strings.Join(c.Args, " "))
		}},
		&router.Command{Name: "whoami", Summary: "who asks", Handler: func(c *router.Context) error {
			return c.Textf("%s (%s) in %s", c.Activity.From.Name, c.Activity.From.AADObjectID, c.Team())
		}},
	)
	policy, err := access.Compile(access.Rules{
		Default: "allow",
		Rules:   []access.Rule{{Command: "deploy prod", Effect: "allow", Users: []string{"alice"}}},
	}, middleware.CommandNames(r))
	if err != nil {
		t.Fatal(err)
	}
	r.Use(middleware.Access(policy))
	return r
}

// newStack starts the bot and the console on loopback; both stop when
// the test ends.
func newStack(t testing.TB) *stack {
	t.Helper()
	web := httptest.NewUnstartedServer(nil)
	base := "http://" + web.Listener.Addr().String()
	followUps, err := incoming.New(base+console.IncomingPath, incoming.Config{MinBackoff: 10 * time.Millisecond, MaxAttempts: 2})
	if err != nil {
		t.Fatal(err)
	}
	b := bottest.NewServer(bot.Config{Handler: commands(t), Budget: 300 * time.Millisecond, FollowUps: followUps})
	t.Cleanup(b.Close)
	c, err := console.New(console.Config{BotURL: b.URL, Token: b.Token, BotName: "Ops"})
	if err != nil {
		t.Fatal(err)
	}
	web.Config.Handler = c
	web.Start()
	t.Cleanup(func() {
		c.Close()
		web.Close()
	})
	return &stack{Bot: b, Console: c, URL: web.URL}
}
