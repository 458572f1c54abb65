package incoming

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/outhook/outhook/bot"
)

// Card content types Message.Attachments may hold.
const (
	AdaptiveCard  = "application/vnd.microsoft.card.adaptive"
	ConnectorCard = "application/vnd.microsoft.teams.card.o365connector"
)

// MaxPayload is the largest body posted. Teams caps messages at about
// 28 KB; a larger result is replaced by a short note and reported as not
// delivered, so that the caller logs it whole.
const MaxPayload = 28 << 10

// Message is what to post. Zero fields are left out.
type Message struct {
	// Key identifies the message for at-most-once delivery: while the
	// Sender remembers it, a second Send with the same key is refused
	// with ErrDuplicate. Optional; empty disables the check.
	Key string
	// Mention is who the message is for. On Workflows URLs it becomes a
	// real mention, by the account's AAD object id or else its Teams id;
	// elsewhere the name is shown in bold.
	Mention *bot.Account
	// Quote is the command the message answers, shown under the mention.
	Quote string
	// Title is a heading.
	Title string
	// Text is the body, in the markdown subset Teams renders. It may
	// mention people with <at>Name</at> tags that have their entities in
	// Entities (bot.At, bot.Reply.Mention, bot.Escapef).
	Text string
	// Entities are the mention entities of the tags in Text and Title. On
	// Workflows URLs each becomes a real mention (Teams notifies the
	// person); on connector URLs, and for a tag without its entity, the
	// name is shown in bold instead. Entities of other types are ignored.
	Entities []bot.Entity
	// Attachments are cards: Adaptive Cards are merged into the posted
	// card; on connector URLs a MessageCard (ConnectorCard) is used as is;
	// the title, text and open-URL buttons of other cards are kept.
	Attachments []bot.Attachment
	// Summary is a plain-text fallback for notifications.
	Summary string
}

// FromFollowUp returns the message that posts f: the result, addressed to
// the asker, quoting what they asked.
func FromFollowUp(f *bot.FollowUp) Message {
	asker := f.Asker
	return Message{
		Key:         f.Key,
		Mention:     &asker,
		Quote:       f.Line,
		Text:        f.Reply.Text,
		Entities:    f.Reply.Entities,
		Attachments: f.Reply.Attachments,
		Summary:     f.Reply.Summary,
	}
}

// errEmpty is returned for a message with nothing to show.
var errEmpty = errors.New("empty message: nothing to post")

type object = map[string]any

// encode builds the body for kind.
func (m *Message) encode(kind Kind) ([]byte, error) {
	if m.Text == "" && m.Title == "" && len(m.Attachments) == 0 && m.Summary == "" {
		return nil, errEmpty
	}
	if kind == Connector && !m.hasAdaptive() {
		return json.Marshal(m.messageCard())
	}
	card, err := m.adaptiveCard(kind == Workflows)
	if err != nil {
		return nil, err
	}
	return json.Marshal(object{
		"type": "message",
		"attachments": []object{{
			"contentType": AdaptiveCard,
			"contentUrl":  nil,
			"content":     card,
		}},
	})
}

func (m *Message) hasAdaptive() bool {
	for _, a := range m.Attachments {
		if a.ContentType == AdaptiveCard {
			return true
		}
	}
	return false
}

func textBlock(text string, extra ...any) object {
	b := object{"type": "TextBlock", "text": text, "wrap": true}
	for i := 0; i+1 < len(extra); i += 2 {
		b[extra[i].(string)] = extra[i+1]
	}
	return b
}

// escapeName makes a display name safe inside <at>…</at>.
var escapeName = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

// adaptiveCard builds one Adaptive Card from m. When real is true, the
// asker, the mentions in Entities and those of the Adaptive Cards in
// Attachments become msteams.entities, one per person and tag; otherwise,
// and for tags without an entity, names are shown in bold.
func (m *Message) adaptiveCard(real bool) (object, error) {
	var body, actions []any
	ms := &mentions{asker: m.Mention}
	version := "1.4"
	quoteAt := -1
	if p := m.Mention; p != nil && p.Name != "" {
		who := bold(p.Name)
		if id := p.AADObjectID; real && (id != "" || p.ID != "") {
			if id == "" {
				id = p.ID
			}
			who = tagFor(p.Name)
			ms.add(who, id, p.Name)
		}
		if m.Quote != "" {
			who += " asked:"
		}
		body = append(body, textBlock(who))
	}
	if m.Quote != "" {
		quoteAt = len(body)
		body = append(body, object{
			"type": "Container", "style": "emphasis",
			"items": []any{textBlock(m.Quote, "fontType", "Monospace", "isSubtle", true)},
		})
	}
	if m.Title != "" {
		body = append(body, textBlock(m.Title, "weight", "Bolder", "size", "Medium"))
	}
	if m.Text != "" {
		body = append(body, textBlock(m.Text))
	}
	if real {
		ms.addEntities(m.Entities)
	}
	for i, a := range m.Attachments {
		var c object
		if err := json.Unmarshal(a.Content, &c); err != nil {
			return nil, fmt.Errorf("attachment %d (%s): %w", i, a.ContentType, err)
		}
		if a.ContentType != AdaptiveCard {
			b, acts := fallback(c)
			body, actions = append(body, b...), append(actions, acts...)
			continue
		}
		if v, ok := c["version"].(string); ok && v > version && v <= "1.5" {
			version = v
		}
		if items, ok := c["body"].([]any); ok {
			body = append(body, items...)
		}
		if acts, ok := c["actions"].([]any); ok {
			actions = append(actions, acts...)
		}
		if ms2, ok := c["msteams"].(object); ok {
			if es, ok := ms2["entities"].([]any); ok && real {
				ms.addCard(es)
			}
		}
	}
	if len(body) == 0 && m.Summary != "" {
		body = append(body, textBlock(m.Summary))
	}
	// The quoted command is what the asker typed: shown as is, never a
	// mention.
	used := map[string]bool{}
	for i := range body {
		if i != quoteAt {
			body[i] = ms.rewrite(body[i], real, used)
		}
	}
	for i := range actions {
		actions[i] = ms.rewrite(actions[i], real, used)
	}
	card := object{
		"type":    "AdaptiveCard",
		"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
		"version": version,
		"body":    body,
		"msteams": object{"width": "Full"},
	}
	if len(actions) > 0 {
		card["actions"] = actions
	}
	if es := ms.wire(used); len(es) > 0 {
		card["msteams"].(object)["entities"] = es
	}
	return card, nil
}

// fallback keeps what Adaptive Cards can show of another card: its title,
// subtitle and text, and its open-URL buttons.
func fallback(c object) (body, actions []any) {
	if s, ok := c["title"].(string); ok && s != "" {
		body = append(body, textBlock(s, "weight", "Bolder"))
	}
	for _, k := range []string{"subtitle", "text"} {
		if s, ok := c[k].(string); ok && s != "" {
			body = append(body, textBlock(s))
		}
	}
	buttons, _ := c["buttons"].([]any)
	for _, b := range buttons {
		btn, _ := b.(object)
		if t, _ := btn["type"].(string); t == "openUrl" {
			title, _ := btn["title"].(string)
			actions = append(actions, object{"type": "Action.OpenUrl", "title": title, "url": btn["value"]})
		}
	}
	return body, actions
}

// messageCard builds a MessageCard for a connector URL. MessageCards
// cannot mention people: every mention tag, in the text or in a card,
// becomes the name in bold.
func (m *Message) messageCard() object {
	var header string
	if p := m.Mention; p != nil && p.Name != "" {
		header = bold(p.Name)
		if m.Quote != "" {
			header += " asked: `" + strings.ReplaceAll(m.Quote, "`", "'") + "`"
		}
	} else if m.Quote != "" {
		header = "`" + strings.ReplaceAll(m.Quote, "`", "'") + "`"
	}
	card := object{
		"@type":    "MessageCard",
		"@context": "http://schema.org/extensions",
		"summary":  m.summary(),
	}
	if m.Title != "" {
		card["title"] = m.Title
	}
	for _, a := range m.Attachments {
		if a.ContentType != ConnectorCard {
			continue
		}
		var c object
		if json.Unmarshal(a.Content, &c) == nil {
			for k, v := range c {
				if _, set := card[k]; !set || k == "summary" && c[k] != "" {
					card[k] = v
				}
			}
			break
		}
	}
	var parts []string
	if m.Text != "" {
		parts = append(parts, m.Text)
	}
	if t, ok := card["text"].(string); ok && t != "" {
		parts = append(parts, t)
	}
	if len(parts) > 0 {
		card["text"] = strings.Join(parts, "\n\n")
	}
	summary, _ := card["summary"].(string)
	(&mentions{}).rewrite(card, false, nil)
	card["summary"] = plainMentions(summary)
	if header != "" {
		if t, ok := card["text"].(string); ok {
			header += "\n\n" + t
		}
		card["text"] = header
	}
	return card
}

// summary is the MessageCard summary Teams requires when text is missing.
func (m *Message) summary() string {
	for _, s := range []string{m.Summary, m.Title, m.Text, m.Quote} {
		if s = strings.TrimSpace(plainMentions(s)); s != "" {
			if utf8.RuneCountInString(s) > 80 {
				s = string([]rune(s)[:79]) + "…"
			}
			return s
		}
	}
	return "outhook"
}
