package cmd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/incoming"
	"github.com/outhook/outhook/console"
	"github.com/outhook/outhook/plugins"
	"github.com/outhook/outhook/router"
)

// DevCmd starts the bot on loopback with a fresh token, as chat does, and
// the web console beside it: type commands in a browser and see replies as
// Teams renders them. Follow-ups go to the console's own incoming webhook.
type DevCmd struct {
	BotFlags

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
	logger := g.Logger(g.stderr).Level(maxLevel(g.LogLevel))
	webLn, err := net.Listen("tcp", d.Listen)
	if err != nil {
		return fmt.Errorf("listening for the console: %w", err)
	}
	defer webLn.Close()
	web := "http://" + webLn.Addr().String()
	followUps, err := incoming.New(web+console.IncomingPath, incoming.Config{Logger: logger})
	if err != nil {
		return err
	}
	token := bot.NewToken()
	b, err := d.newDevBot(token, followUps, logger)
	if err != nil {
		return err
	}
	botLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listening on loopback: %w", err)
	}
	botURL := "http://" + botLn.Addr().String() + d.Path
	c, err := console.New(console.Config{
		BotURL:  botURL,
		Token:   token,
		BotName: d.BotName,
		Asker:   bot.Account{ID: "29:local-dev", Name: d.As, AADObjectID: d.AsID},
		Logger:  logger,
	})
	if err != nil {
		return err
	}

	ctx, stop := context.WithCancel(ctx)
	defer stop()
	botDone, webDone := make(chan error, 1), make(chan error, 1)
	go func() {
		botDone <- serveUntil(ctx, newHTTPServer(newEcho(b, d.Path), d.Budget), botLn, 5*time.Second, 0, nil)
	}()
	go func() { webDone <- serveUntil(ctx, newHTTPServer(c, d.Budget), webLn, 5*time.Second, 0, c.Close) }()
	stopJobs := drainJobs(ctx, []*bot.Bot{b}, 5*time.Second, logger)
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

// newDevBot builds the bot as newBot does, with its follow-ups posted to
// the console.
func (d *DevCmd) newDevBot(token string, followUps bot.Poster, logger zerolog.Logger) (*bot.Bot, error) {
	r := router.New()
	if err := plugins.Install(r, d.Plugins...); err != nil {
		return nil, err
	}
	return bot.New(bot.Config{
		Secrets:   []string{token},
		Handler:   r,
		Logger:    logger,
		Budget:    d.Budget,
		BodyLimit: d.BodyLimit,
		FollowUps: followUps,
		Jobs:      bot.JobsConfig{Timeout: d.JobTimeout, Workers: d.Jobs, Queue: d.JobQueue},
	})
}
