package router_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/router"
)

// TestCommandBudget: a command's Budget replaces the bot's, tighter or
// looser, counted from arrival.
func TestCommandBudget(t *testing.T) {
	wait := func(d time.Duration) router.HandlerFunc {
		return func(c *router.Context) error {
			select {
			case <-time.After(d):
				return c.Text("done")
			case <-c.Context.Context().Done():
				return c.Context.Context().Err()
			}
		}
	}
	r := router.New()
	r.Add(
		&router.Command{Name: "quick", Budget: 30 * time.Millisecond, Handler: wait(time.Second)},
		&router.Command{Name: "patient", Budget: 400 * time.Millisecond, Handler: wait(150 * time.Millisecond)},
	)
	token := bot.NewToken()
	b, err := bot.New(bot.Config{Secrets: []string{token}, Handler: r, Budget: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	b.Mount(e, "/webhook")
	ts := httptest.NewServer(e)
	defer ts.Close()
	tests := []struct {
		say  string
		want string
		max  time.Duration
	}{
		{"quick", "`quick` took longer than Teams allows", 90 * time.Millisecond},
		{"patient", "done", time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.say, func(t *testing.T) {
			start := time.Now()
			reply, err := bottest.Post(http.DefaultClient, ts.URL+"/webhook", token, bottest.Message{Text: tt.say}.JSON())
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(reply.Text, tt.want) {
				t.Errorf("got %q; want %q", reply.Text, tt.want)
			}
			if took := time.Since(start); took > tt.max {
				t.Errorf("answered after %v; want under %v", took, tt.max)
			}
		})
	}
}
