package bot_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
)

// A command answers at once and posts its result later. Here the follow-up
// is printed; in production FollowUps is an incoming.Sender.
func ExampleContext_Go() {
	token := bot.NewToken()
	b, _ := bot.New(bot.Config{
		Secrets: []string{token},
		FollowUps: bot.PosterFunc(func(_ context.Context, f *bot.FollowUp) error {
			fmt.Printf("follow-up for %s, who asked %q: %s\n", f.Asker.Name, f.Line, f.Reply.Text)
			return nil
		}),
		Handler: bot.HandlerFunc(func(c *bot.Context) error {
			return c.Go("Deploying.", func(ctx context.Context) (bot.Reply, error) {
				time.Sleep(10 * time.Millisecond) // the slow part
				return bot.Text("deployed"), nil
			})
		}),
	})
	e := echo.New()
	b.Mount(e, "/webhook")
	ts := httptest.NewServer(e)
	defer ts.Close()

	r, _ := bottest.Post(http.DefaultClient, ts.URL+"/webhook", token, bottest.Message{Text: "deploy prod"}.JSON())
	fmt.Println("reply:", r.Text)
	_ = b.Shutdown(context.Background()) // waits for the job and its post
	// Output:
	// reply: Deploying. (job 1)
	// follow-up for Ada Lovelace, who asked "deploy prod": deployed
}
