package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/outhook/outhook"
	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/card"
	"github.com/outhook/outhook/bot/teamsim"
	"github.com/outhook/outhook/config"
	"github.com/rs/zerolog"
)

// ChatCmd starts the bot in-process on loopback with a fresh token and
// talks to it from a prompt, through the same signed HTTP path Teams uses.
// With --config it runs that file's webhook — its plugins, settings and
// access rules — so workflow plugins and rules can be tried locally.
type ChatCmd struct {
	BotFlags

	Config  string `help:"Configuration file (YAML) whose webhook to run: its plugins, settings and access rules. Its tokens are not read: chat uses a fresh one." type:"path"`
	Webhook string `help:"Which webhook of the --config file to run (default: the first)."`
	As      string `help:"Display name of the sender." default:"Ada Lovelace"`
	AsID    string `name:"as-id" help:"Azure AD object id of the sender, for access rules that name users (see whoami)."`
	Team    string `help:"Team id the messages come from."`
	Channel string `help:"Channel id the messages come from."`
	Tenant  string `help:"Tenant id the messages come from."`
	BotName string `help:"Name of the webhook in the mention." default:"Bot"`
}

// chatTokenEnv is where chat hands its fresh token to the assembly.
const chatTokenEnv = "OUTHOOK_CHAT_TOKEN"

// Run reads lines from standard input until EOF or "exit" and prints each
// reply.
func (c *ChatCmd) Run(g *Globals) error {
	token := bot.NewToken()
	cfg, err := c.config(g)
	if err != nil {
		return err
	}
	logger := g.Logger(g.stderr).Level(maxLevel(g.LogLevel))
	app, err := outhook.New(cfg, outhook.Options{Logger: &logger, LookupEnv: func(k string) (string, bool) {
		if k == chatTokenEnv {
			return token, true
		}
		return os.LookupEnv(k)
	}})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return errors.Join(fmt.Errorf("listening on loopback: %w", err), app.Shutdown(context.Background()))
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Serve(ctx, ln) }()

	url := "http://" + ln.Addr().String() + cfg.Webhooks[0].Path
	fmt.Fprintf(g.stdout, "outhook chat: a bot is listening on %s with a fresh token.\n", url)
	fmt.Fprintf(g.stdout, "Type a command as you would after @%s in Teams (try: help). Ctrl-D or \"exit\" quits.\n", c.BotName)
	client := &http.Client{Timeout: bot.MaxBudget + 5*time.Second}
	in := bufio.NewScanner(g.stdin)
	in.Buffer(make([]byte, 64<<10), 1<<20)
	for {
		fmt.Fprint(g.stdout, "> ")
		if !in.Scan() {
			fmt.Fprintln(g.stdout)
			break
		}
		line := strings.TrimSpace(in.Text())
		if line == "" {
			continue
		}
		if line == "exit" || line == "quit" {
			break
		}
		r, err := teamsim.Post(client, url, token, c.message(line).JSON())
		if err != nil {
			fmt.Fprintln(g.stdout, "error:", err)
			continue
		}
		fmt.Fprintln(g.stdout, card.Render(r))
	}
	stop()
	return <-done
}

// message is what Teams would post for line, from the asker chat plays.
func (c *ChatCmd) message(line string) teamsim.Message {
	msg := teamsim.Message{Text: line, BotName: c.BotName}
	msg.From.Name = c.As
	msg.From.ID = "29:local-" + strings.ReplaceAll(strings.ToLower(c.As), " ", "-")
	if c.AsID != "" {
		msg.From.AADObjectID = c.AsID
	}
	if c.Team != "" {
		msg.Team = c.Team
	}
	if c.Channel != "" {
		msg.Channel = c.Channel
	}
	if c.Tenant != "" {
		msg.Tenant = c.Tenant
	}
	return msg
}

// config returns the configuration chat runs: one webhook, from --config
// or from the flags, reading its token from chatTokenEnv.
func (c *ChatCmd) config(g *Globals) (config.Config, error) {
	var cfg config.Config
	w := config.Webhook{Name: "default", Path: c.Path}
	if c.Config != "" {
		f, err := config.Load(c.Config)
		if err != nil {
			return cfg, err
		}
		if err := f.Validate(outhook.Catalog()); err != nil {
			return cfg, err
		}
		cfg = f.Config
		switch i := webhookIndex(cfg.Webhooks, c.Webhook); {
		case i >= 0:
			w = cfg.Webhooks[i]
		case c.Webhook != "":
			return cfg, fmt.Errorf("%s has no webhook %q", c.Config, c.Webhook)
		}
		// chat stays on loopback and in this terminal: it posts no
		// follow-up to the file's channel (--followup-url-file does).
		cfg.Listen, cfg.TLS, cfg.Metrics.Listen = "", config.TLS{}, ""
		w.FollowUp = config.FollowUp{}
		cfg.Drain = 0 // no load balancer to tell: quit at once
	}
	ex := g.explicit
	if ex["plugins"] || len(w.Plugins) == 0 && len(cfg.Defaults.Plugins) == 0 {
		w.Plugins = c.Plugins
	}
	if ex["budget"] || w.Budget == 0 {
		w.Budget = c.Budget
	}
	w.SecretEnv, w.SecretFile = chatTokenEnv, ""
	cfg.Store = config.Store{Kind: config.StoreMemory} // a playground keeps nothing
	if g.LogLevel != "debug" {
		cfg.Audit.File = config.AuditOff // the terminal is for replies
	}
	if !w.FollowUp.Enabled() {
		w.FollowUp = followUpSource(c.FollowUpURLFile, c.JobTimeout)
	}
	cfg.Webhooks = []config.Webhook{w}
	return cfg, nil
}

// webhookIndex returns the index of the webhook called name, the first
// when name is empty, or -1.
func webhookIndex(ws []config.Webhook, name string) int {
	for i, w := range ws {
		if name == "" || w.Name == name {
			return i
		}
	}
	return -1
}

// maxLevel keeps chat's terminal quiet: request logs and audit events
// show only when the user asks for debug logs.
func maxLevel(flag string) zerolog.Level {
	if flag == "debug" {
		return zerolog.DebugLevel
	}
	return zerolog.ErrorLevel
}
