package bot

import (
	"strings"
	"time"
)

// Activity is a Bot Framework message activity as Teams posts it to an
// outgoing webhook. Every field Teams is known to send is modelled; unknown
// fields are ignored and JSON nulls leave the zero value.
type Activity struct {
	// Type is "message" for every activity an outgoing webhook receives.
	Type string `json:"type"`
	// ID is the message id (a numeric string). It identifies the post and
	// serves as idempotency key and correlation id.
	ID string `json:"id"`
	// Timestamp is when Teams received the message, in UTC.
	Timestamp time.Time `json:"timestamp"`
	// LocalTimestamp is the same instant in the sender's local time zone.
	LocalTimestamp time.Time `json:"localTimestamp"`
	// ServiceURL is a Bot Framework URL. An outgoing webhook has no
	// credentials for it; it is kept for completeness.
	ServiceURL string `json:"serviceUrl"`
	// ChannelID is the Bot Framework channel, "msteams". It is not the
	// Teams channel: see Channel.
	ChannelID string `json:"channelId"`
	// From is the person who mentioned the webhook.
	From Account `json:"from"`
	// Conversation is the channel conversation, with the thread root in its id.
	Conversation Conversation `json:"conversation"`
	// Recipient is unreliable in outgoing-webhook posts (null, or the string
	// "null" in its fields); it is kept only for completeness.
	Recipient *Account `json:"recipient"`
	// TextFormat is "plain".
	TextFormat string `json:"textFormat"`
	// Text is the HTML-flavoured text of the message, with <at> mentions and
	// HTML entities, exactly as Teams sent it.
	Text string `json:"text"`
	// Locale is the sender's locale such as "en-US"; it may be empty.
	Locale string `json:"locale"`
	// Attachments always hold a text/html copy of the message and may hold
	// images.
	Attachments []Attachment `json:"attachments"`
	// Entities hold mention and clientInfo entities.
	Entities []Entity `json:"entities"`
	// ChannelData carries the Teams team, channel and tenant.
	ChannelData ChannelData `json:"channelData"`
	// ReplyToID is rarely set and not reliable; use Thread.
	ReplyToID string `json:"replyToId"`
}

// Account identifies a user or a bot.
type Account struct {
	// ID is the Teams user id ("29:…") or bot id ("28:…").
	ID string `json:"id"`
	// Name is the display name; it may be "Surname, Given" and non-ASCII.
	Name string `json:"name"`
	// AADObjectID is the user's Azure AD object id. Older payloads omit it.
	AADObjectID string `json:"aadObjectId,omitempty"`
}

// Conversation is the channel conversation an activity belongs to.
type Conversation struct {
	// ID is "19:<channel>@thread.tacv2;messageid=<root message id>".
	ID string `json:"id"`
	// IsGroup is true for channel conversations.
	IsGroup bool `json:"isGroup"`
	// ConversationType is "channel".
	ConversationType string `json:"conversationType"`
	// Name is usually null.
	Name string `json:"name"`
	// TenantID is the Azure AD tenant, when Teams includes it here.
	TenantID string `json:"tenantId"`
}

// Attachment is a file or card attached to a message. In an incoming
// activity it is the text/html copy of the message or an image; in a Reply
// it is a card.
type Attachment struct {
	// ContentType is a MIME type such as "text/html" or a card type such as
	// "application/vnd.microsoft.card.adaptive".
	ContentType string `json:"contentType"`
	// ContentURL points to the content, for images.
	ContentURL string `json:"contentUrl,omitempty"`
	// Content is the raw JSON content: a JSON string for text/html, an
	// object for cards.
	Content RawJSON `json:"content,omitempty"`
	// Name is an optional file name.
	Name string `json:"name,omitempty"`
	// ThumbnailURL is an optional preview image.
	ThumbnailURL string `json:"thumbnailUrl,omitempty"`
}

// Entity is a mention or a clientInfo entity. Which fields are set depends
// on Type.
type Entity struct {
	// Type is "mention" or "clientInfo".
	Type string `json:"type"`
	// Mentioned is who a mention entity names.
	Mentioned *Account `json:"mentioned,omitempty"`
	// Text is the mention's markup, "<at>Name</at>". Teams omits it when
	// the name contains "&".
	Text string `json:"text,omitempty"`
	// Locale, Country, Platform and Timezone describe the sender's client
	// in a clientInfo entity.
	Locale   string `json:"locale,omitempty"`
	Country  string `json:"country,omitempty"`
	Platform string `json:"platform,omitempty"`
	Timezone string `json:"timezone,omitempty"`
}

// ChannelData is the Teams-specific part of an activity.
type ChannelData struct {
	// TeamsChannelID is the channel's thread id.
	TeamsChannelID string `json:"teamsChannelId"`
	// TeamsTeamID is the team's General channel thread id, not the Azure
	// AD group id.
	TeamsTeamID string `json:"teamsTeamId"`
	// Channel, Team and Tenant repeat the ids as objects in newer payloads.
	Channel IDRef `json:"channel"`
	Team    IDRef `json:"team"`
	Tenant  IDRef `json:"tenant"`
}

// IDRef is an object that holds only an id.
type IDRef struct {
	// ID is the referenced id.
	ID string `json:"id"`
}

// Mention is a person (or bot) mentioned in a message.
type Mention struct {
	// ID is the Teams id of who is mentioned.
	ID string
	// Name is the display name as shown in the mention.
	Name string
}

// ClientInfo describes the client the message was sent from.
type ClientInfo struct {
	Locale   string
	Country  string
	Platform string
	Timezone string
}

// Team returns the team id, from channelData.
func (a *Activity) Team() string {
	if a.ChannelData.TeamsTeamID != "" {
		return a.ChannelData.TeamsTeamID
	}
	return a.ChannelData.Team.ID
}

// Channel returns the Teams channel id: the channel's thread id without the
// message part.
func (a *Activity) Channel() string {
	if a.ChannelData.TeamsChannelID != "" {
		return a.ChannelData.TeamsChannelID
	}
	if a.ChannelData.Channel.ID != "" {
		return a.ChannelData.Channel.ID
	}
	id, _, _ := strings.Cut(a.Conversation.ID, ";")
	return id
}

// Tenant returns the Azure AD tenant id, from channelData or the
// conversation; it may be empty in old payloads.
func (a *Activity) Tenant() string {
	if a.ChannelData.Tenant.ID != "" {
		return a.ChannelData.Tenant.ID
	}
	return a.Conversation.TenantID
}

// Thread returns the id of the root message of the reply chain the
// activity belongs to. For a new top-level post it equals ID.
func (a *Activity) Thread() string {
	_, rest, ok := strings.Cut(a.Conversation.ID, ";messageid=")
	if !ok {
		return a.ID
	}
	return rest
}

// Mentions returns the mention entities in the order Teams listed them.
func (a *Activity) Mentions() []Mention {
	var ms []Mention
	for _, e := range a.Entities {
		if e.Type == "mention" && e.Mentioned != nil {
			ms = append(ms, Mention{ID: e.Mentioned.ID, Name: e.Mentioned.Name})
		}
	}
	return ms
}

// ClientInfo returns the clientInfo entity's fields, or zero values.
func (a *Activity) ClientInfo() ClientInfo {
	for _, e := range a.Entities {
		if e.Type == "clientInfo" {
			return ClientInfo{Locale: e.Locale, Country: e.Country, Platform: e.Platform, Timezone: e.Timezone}
		}
	}
	return ClientInfo{}
}

// HTML returns the text/html copy of the message that Teams attaches, and
// whether there was one. Unlike Text it keeps what the user typed in angle
// brackets, escaped.
func (a *Activity) HTML() (string, bool) {
	for _, at := range a.Attachments {
		if at.ContentType == "text/html" {
			s, err := at.Content.String()
			return s, err == nil
		}
	}
	return "", false
}
