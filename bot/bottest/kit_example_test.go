package bottest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/bot/card"
	"github.com/outhook/outhook/router"
)

// commands is a small router for the examples: hello answers text, report
// answers a card, slow waits for its context.
func commands() *router.Router {
	r := router.New()
	r.Add(
		&router.Command{Name: "hello", Handler: func(c *router.Context) error {
			return c.Textf("Hello, %s!", c.Activity.From.Name)
		}},
		&router.Command{Name: "report", Handler: func(c *router.Context) error {
			reply, err := card.Adaptive(
				card.Heading("Nightly build"),
				card.Facts(card.Fact{Name: "Result", Value: "passed"}, card.Fact{Name: "Tests", Value: "1204"}),
			).Link("Logs", "https://ci.example.com/builds/42").Reply()
			if err != nil {
				return err
			}
			return c.Reply(reply)
		}},
		&router.Command{Name: "slow", Handler: func(c *router.Context) error {
			<-c.Done()
			return c.Err()
		}},
	)
	return r
}

func ExampleNewServer() {
	s := bottest.NewServer(bot.Config{Handler: commands()})
	defer s.Close()

	r, err := s.Say("hello")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Text)
	fmt.Println("command:", r.Command)
	// Output:
	// Hello, Ada Lovelace!
	// command: hello
}

func ExampleServer_Send() {
	// A short budget makes the deadline path fast to test.
	s := bottest.NewServer(bot.Config{Handler: commands(), Budget: 50 * time.Millisecond})
	defer s.Close()

	r, err := s.Send(bottest.Message{Text: "slow", From: bot.Account{ID: "29:g", Name: "Grace Hopper"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.HasPrefix(r.Text, "Sorry, `slow` took longer than Teams allows"))
	fmt.Println(r.Latency < time.Second)
	// Output:
	// true
	// true
}

func ExampleMessage_mentions() {
	grace := bot.Account{ID: "29:grace", Name: "Grace Hopper", AADObjectID: "aad-grace"}
	a := bottest.Message{Text: "review PR #12 with @Grace Hopper", Mentions: []bot.Account{grace}, Platform: "Android"}.Activity()
	fmt.Println(a.Text)
	for _, m := range a.Mentions() {
		fmt.Println(m.Name, m.ID)
	}
	fmt.Println(a.ClientInfo().Platform)
	// Output:
	// <at>Bot</at>&nbsp;review PR #12 with <at>Grace Hopper</at>
	//
	// Bot 28:9c1e7a2b-5d4f-4a3e-8b6c-0d1e2f3a4b5c
	// Grace Hopper 29:grace
	// Android
}

func ExampleRun() {
	// Run drives the router in-process: no HTTP, no signature.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	r, err := bottest.Run(ctx, commands(), bottest.Message{Text: "slow"})
	fmt.Println(r.Command, err)
	// Output:
	// slow context deadline exceeded
}

func ExampleReply_Adaptive() {
	ctx := context.Background()
	r, err := bottest.Run(ctx, commands(), bottest.Message{Text: "report"})
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := r.Adaptive()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Version, c.Texts(), c.Facts()["Result"], c.Links()["Logs"])
	fmt.Println(r)
	// Output:
	// 1.4 [Nightly build] passed https://ci.example.com/builds/42
	// [Adaptive Card]
	// Nightly build
	// =============
	// Result: passed
	// Tests:  1204
	// → Logs <https://ci.example.com/builds/42>
}

func ExampleFollowUps() {
	r := router.New()
	r.Add(&router.Command{Name: "build", Handler: func(c *router.Context) error {
		return c.Go("Building.", func(ctx context.Context) (bot.Reply, error) {
			return bot.Text("Build 42 passed."), nil
		})
	}})
	out := bottest.NewFollowUps()
	s := bottest.NewServer(bot.Config{Handler: r, FollowUps: out})
	defer s.Close()

	ack, err := s.Say("build")
	if err != nil {
		fmt.Println(err)
		return
	}
	f, err := out.Next(time.Second)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.HasPrefix(ack.Text, "Building. (job "))
	fmt.Println(f.Reply.Text, "for", f.Asker.Name, "who asked:", f.Line)
	// Output:
	// true
	// Build 42 passed. for Ada Lovelace who asked: build
}

// Golden compares a card with testdata; `go test -update` rewrites it when
// the test package declares the -update flag.
func ExampleGolden() {
	var t *testing.T // the test's t
	r, _ := bottest.Run(context.Background(), commands(), bottest.Message{Text: "report"})
	bottest.GoldenReply(t, "testdata/report.golden.json", r.Reply)
}
