// Embed shows an existing Echo service that mounts a configured outhook
// bot beside its own routes, under a group, in one call — with everything
// "outhook serve" has: replay protection, access rules, rate limits,
// audit, follow-ups, plugin settings and routes, metrics on the service's
// own Prometheus registry, logs through the service's zerolog logger, and
// command errors and panics reported to the service as well as answered
// politely in Teams.
//
//	OUTHOOK_SECRET=<token> go run ./examples/embed
//	OUTHOOK_CONFIG=outhook.yaml go run ./examples/embed   # a configuration file
//
// The service answers GET /api/status and GET /metrics itself; Teams posts
// to POST /teams/webhook (or /teams/<path> of each configured webhook). It
// listens on $OUTHOOK_LISTEN (default 127.0.0.1:8080) with server
// timeouts, and shuts down gracefully on SIGINT or SIGTERM: HTTP stops
// first, then background jobs and their posts drain.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"

	"github.com/outhook/outhook"
	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/config"
	_ "github.com/outhook/outhook/plugins/standard"
)

// service is the host: its own routes, registry and logger, and the bot.
type service struct {
	echo *echo.Echo
	bot  *outhook.App
	// errors counts the command errors and panics the bot reported.
	errors prometheus.Counter
}

// newService builds the service around the configuration cfg.
func newService(cfg config.Config, logger zerolog.Logger, lookupEnv func(string) (string, bool)) (*service, error) {
	reg := prometheus.NewRegistry()
	s := &service{echo: echo.New(), errors: prometheus.NewCounter(prometheus.CounterOpts{
		Name: "service_bot_errors_total", Help: "Command errors and panics the Teams bot reported."})}
	reg.MustRegister(s.errors)
	s.echo.HideBanner = true
	s.echo.GET("/api/status", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "fine"})
	})
	s.echo.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))

	app, err := outhook.New(cfg, outhook.Options{
		Logger:     &logger,
		Registerer: reg,
		LookupEnv:  lookupEnv,
		OnError: func(err error) {
			// The asker already has a polite reply with a reference id;
			// this is where the service's own error reporting goes.
			s.errors.Inc()
			logger.Error().Err(err).Msg("the Teams bot reported an error")
		},
	})
	if err != nil {
		return nil, err
	}
	app.Mount(s.echo.Group("/teams"))
	s.bot = app
	return s, nil
}

// loadConfig reads $OUTHOOK_CONFIG, or describes one webhook at /webhook
// whose token is in $OUTHOOK_SECRET.
func loadConfig() (config.Config, error) {
	name := os.Getenv("OUTHOOK_CONFIG")
	if name == "" {
		return config.Config{}, nil
	}
	f, err := config.Load(name)
	if err != nil {
		return config.Config{}, err
	}
	if err := f.Validate(outhook.Catalog()); err != nil {
		return config.Config{}, err
	}
	return f.Config, nil
}

// run serves until ctx is done, then shuts down: HTTP first, then the bot.
func run(ctx context.Context, addr string, logger zerolog.Logger) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	s, err := newService(cfg, logger, os.LookupEnv)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return errors.Join(err, s.bot.Shutdown(context.Background()))
	}
	srv := outhook.NewHTTPServer(s.echo, bot.MaxBudget, logger)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(outhook.BatchWrites(ln)) }()
	logger.Info().Str("addr", ln.Addr().String()).Msg("service listening")

	select {
	case err := <-served:
		return errors.Join(err, s.bot.Shutdown(context.Background()))
	case <-ctx.Done():
	}
	grace, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return errors.Join(srv.Shutdown(grace), s.bot.Shutdown(grace))
}

func main() {
	logger := zerolog.New(os.Stderr).With().Timestamp().Logger()
	addr := os.Getenv("OUTHOOK_LISTEN")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, addr, logger); err != nil {
		fmt.Fprintln(os.Stderr, "embed:", err)
		os.Exit(1)
	}
}
