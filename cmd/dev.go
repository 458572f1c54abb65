package cmd

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

	"github.com/outhook/outhook"
	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/config"
	"github.com/outhook/outhook/console"
)

// DevCmd starts the bot on loopback with a fresh token, as chat does, and
// the web console beside it: type commands in a browser and see replies as
// Teams renders them. With a configuration file it serves that file's
// webhooks (plugins, settings, access rules), each with the fresh token,
// and without TLS. Follow-ups go to the console's own incoming webhook.
type DevCmd struct {
	BotFlags

	Config  string `help:"Configuration file (YAML; see docs/config.md): its webhooks are served with a fresh token, on loopback, without TLS." type:"path"`
	Webhook string `help:"With several webhooks in --config, the one the console talks to (default: the first)."`
	Listen  string `help:"Address of the console; keep it on loopback (port 0 picks a free one)." default:"127.0.0.1:0" env:"OUTHOOK_DEV_LISTEN"`
	As      string `help:"Display name of the sender the page starts with." default:"Ada Lovelace"`
	AsID    string `name:"as-id" help:"AAD object id of that sender (what access rules match)." default:"6b8f1b7e-3c2a-4e5d-9f10-2a3b4c5d6e7f"`
	BotName string `help:"Name of the webhook in the mention." default:"Bot"`
}

// Run serves the bot and the console until SIGINT or SIGTERM.
func (d *DevCmd) Run(g *Globals) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return d.run(ctx, g, nil)
}

// Where dev hands the fresh token and the console's incoming-webhook URL
// to the assembly.
const (
	devTokenEnv    = "OUTHOOK_DEV_TOKEN"
	devFollowUpEnv = "OUTHOOK_DEV_FOLLOWUP_URL"
)

// run serves until ctx is done. ready, if not nil, receives the console's
// URL once both servers listen.
func (d *DevCmd) run(ctx context.Context, g *Globals, ready chan<- string) error {
	webLn, err := net.Listen("tcp", d.Listen)
	if err != nil {
		return fmt.Errorf("listening for the console: %w", err)
	}
	defer webLn.Close()
	web := "http://" + webLn.Addr().String()

	token := bot.NewToken()
	s := &ServeCmd{BotFlags: d.BotFlags, Config: d.Config}
	cfg, err := d.resolve(s, g)
	if err != nil {
		return err
	}
	i := 0
	if d.Webhook != "" {
		if i = webhookIndex(cfg.Webhooks, d.Webhook); i < 0 {
			return fmt.Errorf("--webhook %q: no such webhook in %s", d.Webhook, d.Config)
		}
	}
	logger := g.Logger(g.stderr).Level(maxLevel(g.LogLevel))
	app, err := outhook.New(cfg, outhook.Options{Logger: &logger, LookupEnv: func(k string) (string, bool) {
		switch k {
		case devTokenEnv:
			return token, true
		case devFollowUpEnv:
			return web + console.IncomingPath, true
		}
		return os.LookupEnv(k)
	}})
	if err != nil {
		if s.file != nil {
			return outhook.Locate(err, s.file)
		}
		return err
	}
	botLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return errors.Join(fmt.Errorf("listening on loopback: %w", err), app.Shutdown(context.Background()))
	}
	botURL := "http://" + botLn.Addr().String() + app.Webhooks()[i].Path
	c, err := console.New(console.Config{
		BotURL:  botURL,
		Token:   token,
		BotName: d.BotName,
		Asker:   bot.Account{ID: "29:local-dev", Name: d.As, AADObjectID: d.AsID},
		Budget:  console.TeamsBudget,
		Logger:  logger,
	})
	if err != nil {
		return errors.Join(err, app.Shutdown(context.Background()))
	}

	ctx, stop := context.WithCancel(ctx)
	defer stop()
	botDone, webDone := make(chan error, 1), make(chan error, 1)
	go func() { botDone <- app.Serve(ctx, botLn) }()
	websrv := outhook.NewHTTPServer(c, d.Budget, logger)
	go func() { webDone <- websrv.Serve(webLn) }()

	fmt.Fprintf(g.stdout, "outhook dev: the console is at %s/\n", web)
	fmt.Fprintf(g.stdout, "A bot is listening on %s with a fresh token; its follow-ups post to the console. Ctrl-C quits.\n", botURL)
	if ready != nil {
		ready <- web + "/"
	}
	var errs []error
	select {
	case err := <-botDone:
		errs = append(errs, err)
		stop()
	case err := <-webDone:
		errs = append(errs, err)
		stop()
		errs = append(errs, <-botDone)
	case <-ctx.Done():
		errs = append(errs, <-botDone)
	}
	// The bot has stopped and posts nothing more: close the page's
	// streams, then the console's server.
	c.Close()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := websrv.Shutdown(sctx); err != nil {
		errs = append(errs, err)
	}
	if err := <-webDone; err != nil && !errors.Is(err, http.ErrServerClosed) {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// resolve reads the configuration as serve does, then points every
// webhook at the fresh token and the console's incoming webhook, and turns
// TLS, the audit file and metrics off.
func (d *DevCmd) resolve(s *ServeCmd, g *Globals) (config.Config, error) {
	cfg, err := s.resolve(g)
	if err != nil {
		return config.Config{}, err
	}
	cfg.TLS = config.TLS{}
	cfg.Metrics.Path, cfg.Metrics.Listen = config.MetricsOff, ""
	if g.LogLevel != "debug" {
		cfg.Audit.File = config.AuditOff
	}
	for i := range cfg.Webhooks {
		w := &cfg.Webhooks[i]
		w.SecretEnv, w.SecretFile = devTokenEnv, ""
		fu := &w.FollowUp
		fu.URLEnv, fu.URLFile = devFollowUpEnv, ""
		if fu.Budget == 0 {
			fu.Budget = d.JobTimeout
		}
		if fu.Workers == 0 {
			fu.Workers = d.Jobs
		}
		if fu.Queue == 0 {
			fu.Queue = d.JobQueue
		}
	}
	return cfg, nil
}
