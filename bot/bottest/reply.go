package bottest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/card"
)

// Content types of the cards an outgoing webhook may answer with.
const (
	AdaptiveCardType  = "application/vnd.microsoft.card.adaptive"
	HeroCardType      = "application/vnd.microsoft.card.hero"
	ThumbnailCardType = "application/vnd.microsoft.card.thumbnail"
	ListCardType      = "application/vnd.microsoft.teams.card.list"
	ConnectorCardType = "application/vnd.microsoft.teams.card.o365connector"
)

// Reply is a bot's answer as a test sees it: the message, which command
// produced it, and how long it took.
type Reply struct {
	bot.Reply
	// Command is the command that ran, as the router recorded it with
	// bot.Context.SetCommand ("unknown" for an unknown one, "" when no
	// router ran).
	Command string
	// Latency is how long the answer took to arrive (Server only).
	Latency time.Duration
}

// String renders the reply as readable plain text, cards included (see
// card.Render): handy for strings.Contains and for failure messages.
func (r Reply) String() string { return card.Render(r.Reply) }

// Cards returns the attachments of the given content type, such as
// AdaptiveCardType.
func (r Reply) Cards(contentType string) []bot.Attachment {
	var out []bot.Attachment
	for _, a := range r.Attachments {
		if a.ContentType == contentType {
			out = append(out, a)
		}
	}
	return out
}

// Adaptive returns the reply's first Adaptive Card, decoded; it fails when
// there is none or it is not valid JSON.
func (r Reply) Adaptive() (AdaptiveCard, error) {
	cards := r.Cards(AdaptiveCardType)
	if len(cards) == 0 {
		return AdaptiveCard{}, fmt.Errorf("bottest: the reply has no Adaptive Card: %s", r)
	}
	return DecodeAdaptive(cards[0])
}

// AdaptiveCard is a decoded Adaptive Card, for assertions: its elements
// as generic JSON values, with helpers that find text, facts and links
// wherever they sit (containers, columns, tables).
type AdaptiveCard struct {
	// Version is the card's schema version, such as "1.4".
	Version string `json:"version"`
	// Body holds the card's elements.
	Body []any `json:"body"`
	// Actions holds the card's actions.
	Actions []any `json:"actions"`
}

// DecodeAdaptive decodes an Adaptive Card attachment.
func DecodeAdaptive(a bot.Attachment) (AdaptiveCard, error) {
	var c AdaptiveCard
	if a.ContentType != AdaptiveCardType {
		return c, fmt.Errorf("bottest: attachment is %q, not an Adaptive Card", a.ContentType)
	}
	if err := json.Unmarshal(a.Content, &c); err != nil {
		return c, fmt.Errorf("bottest: decoding Adaptive Card: %w", err)
	}
	return c, nil
}

// Texts returns the text of every TextBlock and table cell, in order.
func (c AdaptiveCard) Texts() []string {
	var out []string
	walk(c.Body, func(o map[string]any) {
		if o["type"] == "TextBlock" {
			if s, ok := o["text"].(string); ok {
				out = append(out, s)
			}
		}
	})
	return out
}

// Facts returns the facts of every FactSet, title to value; a title seen
// twice keeps its last value.
func (c AdaptiveCard) Facts() map[string]string {
	out := map[string]string{}
	walk(c.Body, func(o map[string]any) {
		if o["type"] != "FactSet" {
			return
		}
		facts, _ := o["facts"].([]any)
		for _, f := range facts {
			if fo, ok := f.(map[string]any); ok {
				k, _ := fo["title"].(string)
				v, _ := fo["value"].(string)
				out[k] = v
			}
		}
	})
	return out
}

// Links returns the title and URL of every Action.OpenUrl, in the body and
// the card's actions.
func (c AdaptiveCard) Links() map[string]string {
	out := map[string]string{}
	visit := func(o map[string]any) {
		if o["type"] == "Action.OpenUrl" {
			t, _ := o["title"].(string)
			u, _ := o["url"].(string)
			out[t] = u
		}
	}
	walk(c.Body, visit)
	walk(c.Actions, visit)
	return out
}

// walk calls fn on every JSON object in v, depth first.
func walk(v any, fn func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		fn(x)
		for _, k := range sortedKeys(x) {
			walk(x[k], fn)
		}
	case []any:
		for _, e := range x {
			walk(e, fn)
		}
	}
}

// sortedKeys orders an element's members so that walks are deterministic
// and follow reading order where it matters: items and columns before
// actions.
func sortedKeys(m map[string]any) []string {
	order := []string{"items", "columns", "rows", "cells", "facts", "actions", "selectAction", "inlines"}
	var out []string
	for _, k := range order {
		if _, ok := m[k]; ok {
			out = append(out, k)
		}
	}
	for k, v := range m {
		switch v.(type) {
		case map[string]any, []any:
			if !contains(order, k) {
				out = append(out, k)
			}
		}
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// Run drives h in-process, without HTTP or signatures, the way the bot
// would: it builds m's activity, runs h with a bot.Context whose deadline
// is ctx's, and returns the reply and the command that ran, with the
// error h returned. Use a context with a short deadline to test deadline
// paths:
//
//	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
//	defer cancel()
//	r, err := bottest.Run(ctx, router, bottest.Message{Text: "status"})
//
// A *bot.Error's Message is what the user would read; see UserText.
func Run(ctx context.Context, h bot.Handler, m Message) (Reply, error) {
	c := bot.NewContext(ctx, m.Activity())
	start := time.Now()
	err := h.Handle(c)
	r, _ := c.Replied()
	return Reply{Reply: r, Command: c.Command(), Latency: time.Since(start)}, err
}

// UserText returns what a person would read for a handler's result: the
// reply's text, or an error's user-facing message (bot.Error), or "" for
// another error, which the bot would answer with a generic apology.
func UserText(r Reply, err error) string {
	if err == nil {
		return r.Text
	}
	var be *bot.Error
	if errors.As(err, &be) {
		return be.Message
	}
	return ""
}

// encodeActivity is Message.JSON for an activity already built.
func encodeActivity(a *bot.Activity) ([]byte, error) {
	data, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("bottest: encoding activity: %w", err)
	}
	return data, nil
}
