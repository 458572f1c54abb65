package bot_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/store"
)

// A server whose budget counts from each connection's arrival, and whose
// promised results survive a restart: the process's life from start to a
// SIGTERM.
func ExampleArrivals() {
	st := store.NewMemory() // a durable store in production
	b, err := bot.New(bot.Config{
		Secrets:   []string{bot.NewToken()},
		Handler:   bot.HandlerFunc(func(c *bot.Context) error { return c.Text("pong") }),
		FollowUps: bot.PosterFunc(func(context.Context, *bot.FollowUp) error { return nil }),
		Outbox:    store.Namespace(st, "webhook/ops"),
	})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	if _, err := b.Resume(ctx); err != nil { // what the last run left
		panic(err)
	}
	e := echo.New()
	b.Mount(e, "/webhook")
	srv := &http.Server{Addr: "127.0.0.1:0", Handler: e}
	new(bot.Arrivals).Install(srv)
	// go srv.ListenAndServe() … then, on SIGTERM:
	b.Drain() // /readyz fails; requests and c.Go are still served
	fmt.Println(b.Ready())
	_ = srv.Shutdown(ctx) // the HTTP server stops
	if err := b.Shutdown(ctx); err != nil {
		fmt.Println("work was cut off; exit 1:", err)
	}
	// Output: not ready: draining before a restart
}
