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
	tests := []struct {
		name   string
		bot    time.Duration
		cmd    *router.Command
		want   string
		within time.Duration
	}{
		{"tighter", time.Second, &router.Command{Name: "quick", Budget: 30 * time.Millisecond, Handler: wait(2 * time.Second)},
			"`quick` took longer than Teams allows", 600 * time.Millisecond},
		{"looser", 50 * time.Millisecond, &router.Command{Name: "patient", Budget: time.Second, Handler: wait(150 * time.Millisecond)},
			"done", 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := router.New()
			r.Add(tt.cmd)
			token := bot.NewToken()
			b, err := bot.New(bot.Config{Secrets: []string{token}, Handler: r, Budget: tt.bot})
			if err != nil {
				t.Fatal(err)
			}
			e := echo.New()
			b.Mount(e, "/webhook")
			ts := httptest.NewServer(e)
			defer ts.Close()
			start := time.Now()
			reply, err := bottest.Post(http.DefaultClient, ts.URL+"/webhook", token, bottest.Message{Text: tt.cmd.Name}.JSON())
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(reply.Text, tt.want) {
				t.Errorf("got %q; want %q", reply.Text, tt.want)
			}
			if took := time.Since(start); took > tt.within {
				t.Errorf("answered after %v; want under %v", took, tt.within)
			}
		})
	}
}
