package cmd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/cmd/config"
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

// run serves until ctx is done. ready, if not nil, receives the console's
// URL once both servers listen.
func (d *DevCmd) run(ctx context.Context, g *Globals, ready chan<- string) error {
	webLn, err := net.Listen("tcp", d.Listen)
	if err != nil {
		return fmt.Errorf("listening for the console: %w", err)
	}
	defer webLn.Close()
	web := "http://" + webLn.Addr().String()

	// The token and the follow-up URL reach the server the way serve reads
	// them: from files, here private to this run.
	dir, err := os.MkdirTemp("", "outhook-dev-")
	if err != nil {
		return fmt.Errorf("creating a temporary directory: %w", err)
	}
	defer os.RemoveAll(dir)
	token := bot.NewToken()
	s := &ServeCmd{BotFlags: d.BotFlags, Config: d.Config}
	cfg, err := d.resolve(s, g, dir, token, web+console.IncomingPath)
	if err != nil {
		return err
	}
	logger := g.Logger(g.stderr).Level(maxLevel(g.LogLevel))
	srv, err := newServer(cfg, logger)
	if err != nil {
		return locate(err, s.file)
	}
	defer func() {
		if err := errors.Join(srv.cleanup(), srv.guards.close()); err != nil {
			logger.Warn().Err(err).Msg("cleaning up")
		}
	}()
	i := 0
	if d.Webhook != "" {
		if i = slices.IndexFunc(srv.hooks, func(h hook) bool { return h.name == d.Webhook }); i < 0 {
			return fmt.Errorf("--webhook %q: no such webhook in %s", d.Webhook, d.Config)
		}
	}
	botLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listening on loopback: %w", err)
	}
	botURL := "http://" + botLn.Addr().String() + srv.hooks[i].path
	c, err := console.New(console.Config{
		BotURL:  botURL,
		Token:   token,
		BotName: d.BotName,
		Asker:   bot.Account{ID: "29:local-dev", Name: d.As, AADObjectID: d.AsID},
		Budget:  console.TeamsBudget,
		Logger:  logger,
	})
	if err != nil {
		return err
	}

	ctx, stop := context.WithCancel(ctx)
	defer stop()
	botDone, webDone := make(chan error, 1), make(chan error, 1)
	go func() { botDone <- serveUntil(ctx, srv.http, botLn, 5*time.Second, 0, nil) }()
	go func() { webDone <- serveUntil(ctx, newHTTPServer(c, d.Budget), webLn, 5*time.Second, 0, c.Close) }()
	srv.ready.Store(true)
	stopJobs := drainJobs(ctx, srv.bots(), 5*time.Second, logger)
	defer stopJobs()

	fmt.Fprintf(g.stdout, "outhook dev: the console is at %s/\n", web)
	fmt.Fprintf(g.stdout, "A bot is listening on %s with a fresh token; its follow-ups post to the console. Ctrl-C quits.\n", botURL)
	if ready != nil {
		ready <- web + "/"
	}
	var errs []error
	select {
	case err := <-botDone:
		stop()
		errs = append(errs, err, <-webDone)
	case err := <-webDone:
		stop()
		errs = append(errs, err, <-botDone)
	case <-ctx.Done():
		errs = append(errs, <-botDone, <-webDone)
	}
	return errors.Join(errs...)
}

// resolve reads the configuration as serve does, then points every
// webhook at the fresh token and the console's incoming webhook, in files
// written to dir, and turns TLS and metrics off.
func (d *DevCmd) resolve(s *ServeCmd, g *Globals, dir, token, followUpURL string) (config.Config, error) {
	cfg, err := s.resolve(g)
	if err != nil {
		return config.Config{}, err
	}
	tokenFile, urlFile := filepath.Join(dir, "token"), filepath.Join(dir, "followup-url")
	if err := errors.Join(os.WriteFile(tokenFile, []byte(token+"\n"), 0o600), os.WriteFile(urlFile, []byte(followUpURL+"\n"), 0o600)); err != nil {
		return config.Config{}, fmt.Errorf("writing the token and follow-up URL: %w", err)
	}
	cfg.TLS = config.TLS{}
	cfg.Metrics.Path = config.MetricsOff
	for i := range cfg.Webhooks {
		w := &cfg.Webhooks[i]
		w.SecretEnv, w.SecretFile = "", tokenFile
		fu := &w.FollowUp
		fu.URLEnv, fu.URLFile = "", urlFile
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
