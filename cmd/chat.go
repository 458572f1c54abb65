package cmd

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/bot/card"
)

// ChatCmd starts the bot in-process on loopback with a fresh token and
// talks to it from a prompt, through the same signed HTTP path Teams uses.
type ChatCmd struct {
	BotFlags

	As      string `help:"Display name of the sender." default:"Ada Lovelace"`
	BotName string `help:"Name of the webhook in the mention." default:"Bot"`
}

// Run reads lines from standard input until EOF or "exit" and prints each
// reply.
func (c *ChatCmd) Run(g *Globals) error {
	token := bot.NewToken()
	logger := g.Logger(g.stderr).Level(maxLevel(g.LogLevel))
	b, err := c.newBot([]string{token}, logger)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listening on loopback: %w", err)
	}
	srv := newHTTPServer(newEcho(b, c.Path), c.Budget)
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveUntil(ctx, srv, ln, 5*time.Second, 0, nil) }()
	stopJobs := drainJobs(ctx, []*bot.Bot{b}, 5*time.Second, logger)
	defer stopJobs()

	url := "http://" + ln.Addr().String() + c.Path
	fmt.Fprintf(g.stdout, "outhook chat: a bot is listening on %s with a fresh token.\n", url)
	fmt.Fprintf(g.stdout, "Type a command as you would after @%s in Teams (try: help). Ctrl-D or \"exit\" quits.\n", c.BotName)
	client := &http.Client{Timeout: c.Budget + 5*time.Second}
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
		msg := bottest.Message{Text: line, BotName: c.BotName}
		msg.From.Name = c.As
		msg.From.ID = "29:local-" + strings.ReplaceAll(strings.ToLower(c.As), " ", "-")
		r, err := bottest.Post(client, url, token, msg.JSON())
		if err != nil {
			fmt.Fprintln(g.stdout, "error:", err)
			continue
		}
		fmt.Fprintln(g.stdout, card.Render(r))
	}
	stop()
	return <-done
}

// maxLevel keeps chat's terminal quiet: request logs show only when the
// user asks for debug logs.
func maxLevel(flag string) zerolog.Level {
	if flag == "debug" {
		return zerolog.DebugLevel
	}
	return zerolog.WarnLevel
}
