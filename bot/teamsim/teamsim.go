// Package teamsim plays Teams' side of an outgoing webhook: it builds the
// activity Teams posts when someone mentions the bot (Message), signs it
// with the webhook's security token and posts it (NewRequest, Post). It is
// what "outhook say", "outhook chat" and the web console send, and what
// package bottest builds its test kit on. It imports nothing for tests, so
// a program may use it to talk to a bot exactly as Teams would.
package teamsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/outhook/outhook/bot"
)

// Message describes a post as a person would make it in a Teams channel.
// Zero fields take plausible defaults.
type Message struct {
	// Text is what the person typed after the mention, as plain text.
	// "@Name" for a person in Mentions becomes their <at> tag.
	Text string
	// Mentions are other people mentioned in the message, each with a
	// mention entity. Where Text holds "@"+Name, the tag goes there;
	// otherwise it is appended.
	Mentions []bot.Account
	// BotName is the webhook's name in the mention. Default "Bot".
	BotName string
	// From is the sender. Default: "Ada Lovelace" with fixed ids.
	From bot.Account
	// Team, Channel and Tenant are ids. Defaults are fixed fake ids.
	Team, Channel, Tenant string
	// Thread is the root message id of the reply chain; default: a new
	// top-level post (the message's own id).
	Thread string
	// ID is the message id; default: a fresh numeric id.
	ID string
	// Locale is the client locale; default "en-US".
	Locale string
	// Platform is the client, as in the clientInfo entity: "Web",
	// "Windows", "Mac", "Android" or "iOS". Default "Web".
	Platform string
	// Timezone is the client's IANA time zone; default "Europe/Berlin".
	Timezone string
	// Time is when it was sent; default now.
	Time time.Time
}

// Defaults used by Message.
const (
	DefaultTeam    = "19:0d5a1c9e7b4f4a3c8e2d6f1b9a7c5e3d@thread.tacv2"
	DefaultChannel = "19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2"
	DefaultTenant  = "72f988bf-86f1-41af-91ab-2d7cd011db47"
)

var seq atomic.Int64

// escapeHTML escapes what Teams escapes in a message's text: &, < and >.
var escapeHTML = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// Activity returns the activity Teams would post for m.
func (m Message) Activity() *bot.Activity {
	if m.BotName == "" {
		m.BotName = "Bot"
	}
	if m.From.Name == "" {
		m.From = bot.Account{
			ID:          "29:1adaLovelaceXq0bDRvq0v7Pi3Uq1J2kXqR8n6aYl2XwKc3e9HfLZm1u8Hx7pQ4",
			Name:        "Ada Lovelace",
			AADObjectID: "6b8f1b7e-3c2a-4e5d-9f10-2a3b4c5d6e7f",
		}
	}
	if m.Team == "" {
		m.Team = DefaultTeam
	}
	if m.Channel == "" {
		m.Channel = DefaultChannel
	}
	if m.Tenant == "" {
		m.Tenant = DefaultTenant
	}
	if m.Time.IsZero() {
		m.Time = time.Now()
	}
	if m.ID == "" {
		m.ID = strconv.FormatInt(m.Time.UnixMilli()*1000+seq.Add(1)%1000, 10)
	}
	if m.Thread == "" {
		m.Thread = m.ID
	}
	if m.Locale == "" {
		m.Locale = "en-US"
	}
	if m.Platform == "" {
		m.Platform = "Web"
	}
	if m.Timezone == "" {
		m.Timezone = "Europe/Berlin"
	}
	name := escapeHTML.Replace(m.BotName)
	typed, htmlTyped := escapeHTML.Replace(m.Text), escapeHTML.Replace(m.Text)
	entities := []bot.Entity{{Type: "mention", Mentioned: &bot.Account{ID: "28:9c1e7a2b-5d4f-4a3e-8b6c-0d1e2f3a4b5c", Name: m.BotName}, Text: "<at>" + name + "</at>"}}
	for i, p := range m.Mentions {
		pn := escapeHTML.Replace(p.Name)
		tag := "<at>" + pn + "</at>"
		span := fmt.Sprintf(`<span itemscope="" itemtype="http://schema.skype.com/Mention" itemid="%d">%s</span>`, i+1, pn)
		if at := "@" + pn; strings.Contains(typed, at) {
			typed = strings.Replace(typed, at, tag, 1)
			htmlTyped = strings.Replace(htmlTyped, at, span, 1)
		} else {
			typed += " " + tag
			htmlTyped += " " + span
		}
		e := bot.Entity{Type: "mention", Mentioned: &bot.Account{ID: p.ID, Name: p.Name}, Text: tag}
		if strings.Contains(p.Name, "&") {
			e.Text = "" // what Teams does for such names (botbuilder-js#2083)
		}
		entities = append(entities, e)
	}
	entities = append(entities, bot.Entity{Type: "clientInfo", Locale: m.Locale, Country: "US", Platform: m.Platform, Timezone: m.Timezone})
	// As Teams sends it: <, > and & as they are, not \u003c and friends.
	var htmlCopy bytes.Buffer
	enc := json.NewEncoder(&htmlCopy)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(fmt.Sprintf( // cannot fail: a string
		`<div><div><span itemscope="" itemtype="http://schema.skype.com/Mention" itemid="0">%s</span>&nbsp;%s</div>`+"\n</div>", name, htmlTyped))
	return &bot.Activity{
		Type:           "message",
		ID:             m.ID,
		Timestamp:      m.Time.UTC(),
		LocalTimestamp: m.Time,
		ServiceURL:     "https://smba.trafficmanager.net/emea/",
		ChannelID:      "msteams",
		From:           m.From,
		Conversation: bot.Conversation{
			ID:               m.Channel + ";messageid=" + m.Thread,
			IsGroup:          true,
			ConversationType: "channel",
			TenantID:         m.Tenant,
		},
		TextFormat:  "plain",
		Text:        "<at>" + name + "</at>&nbsp;" + typed + "\n",
		Locale:      m.Locale,
		Attachments: []bot.Attachment{{ContentType: "text/html", Content: bytes.TrimSuffix(htmlCopy.Bytes(), []byte("\n"))}},
		Entities:    entities,
		ChannelData: bot.ChannelData{
			TeamsChannelID: m.Channel,
			TeamsTeamID:    m.Team,
			Channel:        bot.IDRef{ID: m.Channel},
			Team:           bot.IDRef{ID: m.Team},
			Tenant:         bot.IDRef{ID: m.Tenant},
		},
	}
}

// JSON returns the body Teams would post for m.
func (m Message) JSON() []byte {
	// As Teams sends it: <, > and & as they are, not \u003c and friends.
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m.Activity()); err != nil {
		panic("teamsim: encoding activity: " + err.Error()) // cannot happen: plain data
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// NewRequest returns a POST of body to url signed with token, with the
// headers Teams sends.
func NewRequest(url, token string, body []byte) (*http.Request, error) {
	sig, err := bot.Sign(token, body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Authorization", sig)
	return req, nil
}

// Post signs body with token, posts it to url with client and decodes the
// reply. A status other than 200 is an error that includes the body.
func Post(client *http.Client, url, token string, body []byte) (bot.Reply, error) {
	req, err := NewRequest(url, token, body)
	if err != nil {
		return bot.Reply{}, fmt.Errorf("building request: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return bot.Reply{}, fmt.Errorf("posting to bot: %w", err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(http.MaxBytesReader(nil, resp.Body, 1<<20)); err != nil {
		return bot.Reply{}, fmt.Errorf("reading reply: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return bot.Reply{}, fmt.Errorf("bot answered %s: %s", resp.Status, bytes.TrimSpace(buf.Bytes()))
	}
	var r bot.Reply
	if err := json.Unmarshal(buf.Bytes(), &r); err != nil {
		return bot.Reply{}, fmt.Errorf("decoding reply: %w", err)
	}
	return r, nil
}
