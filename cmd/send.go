package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/incoming"
)

// SendCmd posts a text or a card to a Teams incoming webhook, for shells
// and CI pipelines, through the same sender the bot uses for follow-ups.
type SendCmd struct {
	URLFile  string        `help:"File with the incoming-webhook URL (or set $OUTHOOK_WEBHOOK_URL, else $OUTHOOK_FOLLOWUP_URL; the URL is a secret)." env:"OUTHOOK_WEBHOOK_URL_FILE" type:"path"`
	Kind     string        `help:"Kind of webhook: auto (from the URL), workflows or connector." enum:"auto,workflows,connector" default:"auto"`
	Title    string        `help:"Heading of the message."`
	Card     string        `help:"JSON file with an Adaptive Card, a MessageCard (connector URLs only) or a whole message {\"type\":\"message\",\"attachments\":[…]}; - reads standard input." placeholder:"FILE"`
	Summary  string        `help:"Plain-text summary shown in notifications."`
	Timeout  time.Duration `help:"How long to keep trying, retries and rate-limit waits included." default:"1m"`
	Attempts int           `help:"Tries at most, the first included." default:"5"`
	Text     []string      `arg:"" optional:"" help:"Text to post, in the markdown Teams renders."`
}

// Run builds the message and posts it.
func (s *SendCmd) Run(g *Globals) error {
	u, err := secretURL(s.URLFile, "OUTHOOK_WEBHOOK_URL", "OUTHOOK_FOLLOWUP_URL")
	if err != nil {
		return err
	}
	if u == "" {
		return errors.New("no webhook URL: set OUTHOOK_WEBHOOK_URL or pass --url-file with the URL Teams or Power Automate gave you")
	}
	cfg := incoming.Config{MaxAttempts: s.Attempts, Logger: g.Logger(g.stderr)}
	switch s.Kind {
	case "workflows":
		cfg.Kind = incoming.Workflows
	case "connector":
		cfg.Kind = incoming.Connector
	}
	sender, err := incoming.New(u, cfg)
	if err != nil {
		return err
	}
	m := incoming.Message{Title: s.Title, Text: strings.Join(s.Text, " "), Summary: s.Summary}
	if s.Card != "" {
		data, err := s.readCard(g.stdin)
		if err != nil {
			return err
		}
		c, err := parseCard(data)
		if err != nil {
			return fmt.Errorf("%s: %w", s.Card, err)
		}
		if m.Text == "" {
			m.Text, m.Entities = c.Text, c.Entities
		}
		m.Attachments = c.Attachments
	}
	if sender.Kind() == incoming.Workflows {
		for _, a := range m.Attachments {
			if a.ContentType == incoming.ConnectorCard {
				return errors.New("a MessageCard cannot be posted to a Workflows URL: use an Adaptive Card")
			}
		}
	}
	if m.Text == "" && m.Title == "" && len(m.Attachments) == 0 {
		return errors.New("nothing to send: give a text, --title or --card")
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.Timeout)
	defer cancel()
	if err := sender.Send(ctx, m); err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "posted to %s (%s)\n", sender, sender.Kind())
	return nil
}

func (s *SendCmd) readCard(stdin io.Reader) ([]byte, error) {
	if s.Card == "-" {
		data, err := io.ReadAll(io.LimitReader(stdin, incoming.MaxPayload+1))
		if err != nil {
			return nil, fmt.Errorf("reading card from standard input: %w", err)
		}
		return data, nil
	}
	data, err := os.ReadFile(s.Card)
	if err != nil {
		return nil, fmt.Errorf("reading card: %w", err)
	}
	return data, nil
}

// parseCard reads an Adaptive Card, a MessageCard or a whole message; a
// message's text keeps its mention entities.
func parseCard(data []byte) (incoming.Message, error) {
	var probe struct {
		Type        string           `json:"type"`
		AtType      string           `json:"@type"`
		Text        string           `json:"text"`
		Entities    []bot.Entity     `json:"entities"`
		Attachments []bot.Attachment `json:"attachments"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return incoming.Message{}, fmt.Errorf("not valid JSON: %w", err)
	}
	switch {
	case probe.AtType == "MessageCard":
		return incoming.Message{Attachments: []bot.Attachment{{ContentType: incoming.ConnectorCard, Content: bot.RawJSON(data)}}}, nil
	case probe.Type == "AdaptiveCard":
		return incoming.Message{Attachments: []bot.Attachment{{ContentType: incoming.AdaptiveCard, Content: bot.RawJSON(data)}}}, nil
	case probe.Type == "message":
		for i, a := range probe.Attachments {
			if a.ContentType == "" || len(a.Content) == 0 {
				return incoming.Message{}, fmt.Errorf("attachment %d has no contentType or content", i)
			}
		}
		return incoming.Message{Text: probe.Text, Entities: probe.Entities, Attachments: probe.Attachments}, nil
	}
	return incoming.Message{}, errors.New(`not a card: want an Adaptive Card {"type":"AdaptiveCard",…}, ` +
		`a MessageCard {"@type":"MessageCard",…} or a message {"type":"message","attachments":[…]}`)
}
