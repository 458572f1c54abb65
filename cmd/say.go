package cmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/bot/card"
)

// SayCmd posts one message to a running bot, signed as Teams would sign it.
type SayCmd struct {
	URL     string        `help:"Webhook URL of the bot." default:"http://127.0.0.1:8080/webhook" env:"OUTHOOK_URL"`
	Secret  string        `help:"Security token to sign with (default: the first of $OUTHOOK_SECRET)."`
	As      string        `help:"Display name of the sender." default:"Ada Lovelace"`
	BotName string        `help:"Name of the webhook in the mention." default:"Bot"`
	Timeout time.Duration `help:"How long to wait for the reply." default:"10s"`
	JSON    bool          `help:"Print the reply as raw JSON instead of text."`
	Text    []string      `arg:"" help:"What to say, as typed after the mention in Teams."`
}

// Run signs and posts the message and prints the reply.
func (s *SayCmd) Run(g *Globals) error {
	secret := s.Secret
	if secret == "" {
		secret, _, _ = strings.Cut(os.Getenv("OUTHOOK_SECRET"), ",")
	}
	if strings.TrimSpace(secret) == "" {
		return errors.New("no security token: pass --secret or set OUTHOOK_SECRET")
	}
	msg := bottest.Message{Text: strings.Join(s.Text, " "), BotName: s.BotName}
	msg.From.Name = s.As
	if s.As != "" {
		msg.From.ID = "29:local-" + strings.ReplaceAll(strings.ToLower(s.As), " ", "-")
	}
	client := &http.Client{Timeout: s.Timeout}
	r, err := bottest.Post(client, s.URL, secret, msg.JSON())
	if err != nil {
		return err
	}
	if s.JSON {
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	fmt.Fprintln(g.stdout, card.Render(r))
	return nil
}
