package cmd

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/rs/zerolog"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/config"
	"github.com/outhook/outhook/middleware/metrics"
	"github.com/outhook/outhook/plugins"
	"github.com/outhook/outhook/router"
)

// server is everything "outhook serve" runs: one Echo app with a bot per
// webhook, the health and metrics endpoints, and the HTTP server around it.
type server struct {
	http    *http.Server
	echo    *echo.Echo
	hooks   []hook
	metrics *metrics.Metrics
	guards  *guards
	ready   atomic.Bool
}

// hook is one webhook being served.
type hook struct {
	name, path string
	tokens     int
	bot        *bot.Bot
	router     *router.Router
	plugins    *plugins.Set
}

// newServer builds the server for a resolved configuration: it reads every
// webhook's tokens and fails, naming the webhook, when one has none.
func newServer(cfg config.Config, logger zerolog.Logger) (*server, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewBuildInfoCollector(),
	)
	m, err := metrics.New(reg)
	if err != nil {
		return nil, err
	}
	g, err := newGuards(cfg, logger, m)
	if err != nil {
		return nil, err
	}
	s := &server{metrics: m, guards: g}

	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.Use(echomw.Recover())
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	e.GET("/readyz", s.readyz)
	if p := cfg.Metrics.Path; p != "" && p != config.MetricsOff {
		e.GET(p, echo.WrapHandler(metrics.Handler(reg)))
	}
	for _, w := range cfg.Webhooks {
		h, err := s.newHook(w, logger)
		if err != nil {
			return nil, errors.Join(err, s.cleanup(), g.close())
		}
		e.POST(h.path, h.bot.ServeEcho, m.Middleware(h.name))
		h.plugins.Routes(e.Group(h.path))
		s.hooks = append(s.hooks, h)
	}
	s.echo = e
	s.http = newHTTPServer(e, maxBudget(cfg.Webhooks))
	if cfg.TLS.Cert != "" {
		rl, err := newCertReloader(cfg.TLS.Cert, cfg.TLS.Key, logger)
		if err != nil {
			return nil, errors.Join(err, s.cleanup(), g.close())
		}
		s.http.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: rl.GetCertificate}
	}
	return s, nil
}

// newHook builds the router and bot of one webhook.
//
// w.Access and w.Audit become the webhook's access rules, abuse checks and
// audit (guards.protect); w.PluginConfig goes to the plugins
// (plugins.Load); w.FollowUp becomes the bot's follow-ups.
func (s *server) newHook(w config.Webhook, logger zerolog.Logger) (hook, error) {
	secrets, err := config.ReadSecrets(w.SecretEnv, w.SecretFile, nil)
	if errors.Is(err, config.ErrNoSecret) {
		if w.Name == "default" && w.SecretEnv == defaultSecretEnv {
			return hook{}, errors.New("no security token: set OUTHOOK_SECRET to the token Teams showed when you created " +
				"the outgoing webhook (comma-separate several), or pass --secret-file with one token per line")
		}
		return hook{}, fmt.Errorf("webhook %q: no security token in %s", w.Name, sources(w))
	}
	if err != nil {
		return hook{}, fmt.Errorf("webhook %q: %w", w.Name, err)
	}
	lg := logger.With().Str("webhook", w.Name).Logger()
	set, err := plugins.Load(context.Background(), plugins.Options{
		IDs: w.Plugins, Settings: w.PluginConfig, Webhook: w.Name, Logger: lg,
	})
	if err != nil {
		return hook{}, fmt.Errorf("webhook %q: %w", w.Name, err)
	}
	fail := func(err error) (hook, error) {
		return hook{}, errors.Join(fmt.Errorf("webhook %q: %w", w.Name, err), set.Cleanup())
	}
	r, err := newRouter(set, w.Commands)
	if err != nil {
		return fail(err)
	}
	handler, err := s.guards.protect(w, r)
	if err != nil {
		return fail(err)
	}
	followUps, err := followUpSender(w.FollowUp, lg)
	if err != nil {
		return fail(err)
	}
	if followUps != nil {
		followUps = s.metrics.Poster(w.Name, followUps)
	}
	b, err := bot.New(bot.Config{
		Secrets:   secrets,
		Handler:   handler,
		Logger:    lg,
		Budget:    w.Budget,
		BodyLimit: w.BodyLimit,
		Observer:  s.metrics.Observer(w.Name),
		FollowUps: followUps,
		Jobs:      bot.JobsConfig{Timeout: w.FollowUp.Budget, Workers: w.FollowUp.Workers, Queue: w.FollowUp.Queue},
	})
	if err != nil {
		return fail(err)
	}
	return hook{name: w.Name, path: w.Path, tokens: len(secrets), bot: b, router: r, plugins: set}, nil
}

// cleanup releases what the webhooks' plugins hold; call it once the
// server has stopped.
func (s *server) cleanup() error {
	var errs []error
	for _, h := range s.hooks {
		if err := h.plugins.Cleanup(); err != nil {
			errs = append(errs, fmt.Errorf("webhook %q: %w", h.name, err))
		}
	}
	return errors.Join(errs...)
}

// readyz answers 200 once the server is configured and listening, and 503
// before that, while it shuts down, and while the shared store (Redis)
// does not answer.
func (s *server) readyz(c echo.Context) error {
	if !s.ready.Load() {
		return c.String(http.StatusServiceUnavailable, "not ready")
	}
	if err := s.guards.ready(c.Request().Context()); err != nil {
		return c.String(http.StatusServiceUnavailable, "not ready: the store does not answer")
	}
	return c.String(http.StatusOK, "ready")
}

// newRouter returns a router with the commands of the plugins in set,
// limited to the named commands when there are any. It fails on an unknown
// command.
func newRouter(set *plugins.Set, commands []string) (*router.Router, error) {
	all := router.New()
	set.Install(all)
	if len(commands) == 0 {
		return all, nil
	}
	r := router.New()
	for _, name := range commands {
		cmd := all.Lookup(name)
		if cmd == nil {
			return nil, fmt.Errorf("command %q is not offered by the enabled plugins", name)
		}
		if r.Lookup(cmd.Name) == nil {
			r.Add(cmd)
		}
	}
	return r, nil
}

// catalog lists the plugins built into the binary and their commands, for
// checking a configuration file.
func catalog() config.Catalog {
	c := config.Catalog{}
	for _, id := range plugins.IDs() {
		info, _ := plugins.Lookup(id)
		var names []string
		if info.Explicit {
			// Explicit plugins may take their commands from their
			// settings (trigger does): any name may be theirs.
			names = append(names, "*")
		}
		for _, cmd := range info.New().Commands() {
			names = append(names, cmd.Name)
			names = append(names, cmd.Aliases...)
		}
		c[id] = names
	}
	return c
}

// sources describes where a webhook's tokens are read from, without them.
func sources(w config.Webhook) string {
	var s []string
	if w.SecretEnv != "" {
		s = append(s, "$"+w.SecretEnv)
	}
	if w.SecretFile != "" {
		s = append(s, w.SecretFile)
	}
	if len(s) == 0 {
		return "any source (set secret_env or secret_file)"
	}
	return strings.Join(s, " or ")
}

// maxBudget returns the longest budget of the webhooks, for the server's
// write timeout.
func maxBudget(ws []config.Webhook) (d time.Duration) {
	for _, w := range ws {
		d = max(d, w.Budget)
	}
	if d == 0 {
		d = bot.DefaultBudget
	}
	return d
}
