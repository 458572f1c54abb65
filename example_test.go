package outhook_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/outhook/outhook"
	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/config"
	"github.com/outhook/outhook/middleware/access"
	_ "github.com/outhook/outhook/plugins/standard"
)

// An Echo service mounts a configured bot beside its own routes: the bot
// keeps every protection the configuration asks for — here an access rule.
func Example() {
	token := bot.NewToken() // in production: the token Teams showed
	cfg := config.Config{Webhooks: []config.Webhook{{
		Name: "ops", Path: "/webhook", SecretEnv: "OPS_TOKEN",
		Plugins: []string{"help", "ping", "echo"},
		Access:  config.Access{Rules: access.Rules{Default: access.Allow, Rules: []access.Rule{{Command: "echo", Effect: access.Deny}}}},
	}}}
	logger := zerolog.New(os.Stderr).Level(zerolog.Disabled)
	app, err := outhook.New(cfg, outhook.Options{
		Logger:     &logger,
		Registerer: prometheus.NewRegistry(),
		LookupEnv: func(k string) (string, bool) {
			return token, k == "OPS_TOKEN"
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer app.Shutdown(context.Background())

	e := echo.New()
	e.GET("/api/status", func(c echo.Context) error { return c.String(http.StatusOK, "fine") })
	app.Mount(e.Group("/teams"))
	srv := httptest.NewServer(e)
	defer srv.Close()

	for _, text := range []string{"ping", "echo hello"} {
		r, err := bottest.Post(srv.Client(), srv.URL+"/teams/webhook", token, bottest.Message{Text: text}.JSON())
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(strings.Fields(r.Text)[0])
	}
	// Output:
	// pong
	// Sorry,
}

// Check is serve's start-up without the listening: it reports every
// problem of a configuration, with its line where it has one.
func ExampleCheck() {
	f, err := config.Parse("outhook.yaml", []byte(`
webhooks:
  - name: ops
    path: /ops
    secret_env: NOT_SET_ANYWHERE
    budget: 4.8s
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	err = outhook.Check(f, outhook.Options{LookupEnv: func(string) (string, bool) { return "", false }})
	fmt.Println(err)
	// Output:
	// outhook.yaml:6:13: budget 4.8s is over 4.5s: Teams waits 5s, and the bot needs the rest to send its timeout notice in time (at webhooks[0].budget)
}

// BatchWrites goes under any http.Server: here one serving a plain
// handler on loopback, answering a client that keeps its connection.
func ExampleBatchWrites() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, "pong")
	})}
	go srv.Serve(outhook.BatchWrites(ln))
	defer srv.Close()

	client := &http.Client{Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	for range 2 {
		res, err := client.Get("http://" + ln.Addr().String())
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		fmt.Println(string(body))
	}
	// Output:
	// pong
	// pong
}
