package redisstore_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/middleware"
	"github.com/outhook/outhook/middleware/redisstore"
	"github.com/outhook/outhook/router"
)

// TestReplicasShareMemory runs two replicas of one bot, each its own Echo
// server, sharing Redis, and posts to them as a load balancer would.
func TestReplicasShareMemory(t *testing.T) {
	store := redisstore.New(client(t), "replicas-"+time.Now().Format("150405.000000")+":")
	token := bot.NewToken()
	var runs atomic.Int64
	replica := func() string {
		r := router.New()
		r.Add(&router.Command{Name: "deploy", Handler: func(c *router.Context) error {
			runs.Add(1)
			return c.Textf("deploying %s", strings.Join(c.Args, " "))
		}})
		h := middleware.Chain(r,
			middleware.ReplayWithConfig(middleware.ReplayConfig{Store: store}),
			middleware.RateLimitWithConfig(middleware.RateLimitConfig{Limit: 3, Window: time.Minute, Store: store}),
		)
		b, err := bot.New(bot.Config{Secrets: []string{token}, Handler: h})
		if err != nil {
			t.Fatal(err)
		}
		e := echo.New()
		b.Mount(e, "/webhook")
		srv := httptest.NewServer(e)
		t.Cleanup(srv.Close)
		return srv.URL + "/webhook"
	}
	a, b := replica(), replica()
	post := func(url string, body []byte) string {
		r, err := bottest.Post(http.DefaultClient, url, token, body)
		if err != nil {
			return "error: " + err.Error()
		}
		return r.Text
	}
	msg := bottest.Message{Text: "deploy staging"}.JSON()
	tests := []struct {
		name, url string
		body      []byte
		want      string
		runs      int64
	}{
		{"first delivery on A", a, msg, "deploying staging", 1},
		{"same message on B: A's reply", b, msg, "deploying staging", 1},
		{"second message on B", b, bottest.Message{Text: "deploy eu"}.JSON(), "deploying eu", 2},
		{"third message on A", a, bottest.Message{Text: "deploy us"}.JSON(), "deploying us", 3},
		{"fourth message on B: the limit counts both", b, bottest.Message{Text: "deploy asia"}.JSON(), "Slow down, please", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := post(tt.url, tt.body); !strings.Contains(got, tt.want) {
				t.Errorf("got %q; want %q", got, tt.want)
			}
			if n := runs.Load(); n != tt.runs {
				t.Errorf("ran %d times; want %d", n, tt.runs)
			}
		})
	}
}
