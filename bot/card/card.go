package card

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/outhook/outhook/bot"
)

// Content types of the cards Teams accepts in an outgoing-webhook reply.
const (
	ContentTypeAdaptive  = "application/vnd.microsoft.card.adaptive"
	ContentTypeHero      = "application/vnd.microsoft.card.hero"
	ContentTypeThumbnail = "application/vnd.microsoft.card.thumbnail"
	ContentTypeList      = "application/vnd.microsoft.teams.card.list"
	ContentTypeConnector = "application/vnd.microsoft.teams.card.o365connector"
)

// ErrInvalid is wrapped by every validation error, so callers can tell a
// card Teams would reject from other failures with errors.Is.
var ErrInvalid = errors.New("invalid card")

// invalid returns a validation error: "card: <kind>: <message>".
func invalid(kind, format string, args ...any) error {
	return fmt.Errorf("card: %s: %s: %w", kind, fmt.Sprintf(format, args...), ErrInvalid)
}

// Card is a card builder: Adaptive, Hero, Thumbnail, List or Connector.
// Its Attachment method validates and encodes the card.
type Card interface {
	// Attachment validates the card and returns it encoded as an attachment.
	Attachment() (bot.Attachment, error)
	// fallback is the plain-text summary the card carries.
	fallback() string
}

// Reply returns a reply holding text and one or more cards, each validated.
// When text is empty the reply's Summary (shown in notifications and
// wherever cards cannot render) is the cards' summaries joined by " · ";
// otherwise the text itself is the fallback.
//
//	c1 := card.Hero("Build #42").Text("green").Link("Logs", logsURL)
//	c2 := card.Hero("Build #43").Text("red").Link("Logs", logsURL2)
//	r, err := card.Reply("Two builds finished:", c1, c2)
func Reply(text string, cards ...Card) (bot.Reply, error) {
	r := bot.Reply{Text: text}
	var summaries []string
	for i, c := range cards {
		if c == nil {
			return bot.Reply{}, fmt.Errorf("card: card %d is nil: %w", i+1, ErrInvalid)
		}
		a, err := c.Attachment()
		if err != nil {
			return bot.Reply{}, fmt.Errorf("card %d: %w", i+1, err)
		}
		r.Attachments = append(r.Attachments, a)
		summaries = append(summaries, c.fallback())
	}
	r.Summary = strings.Join(summaries, " · ")
	if r.IsZero() {
		return bot.Reply{}, fmt.Errorf("card: reply has neither text nor cards: %w", ErrInvalid)
	}
	return r, nil
}

// single builds the reply for one card.
func single(c Card) (bot.Reply, error) {
	a, err := c.Attachment()
	if err != nil {
		return bot.Reply{}, err
	}
	return bot.Reply{Attachments: []bot.Attachment{a}, Summary: c.fallback()}, nil
}

// attachment encodes content as an attachment of the given type.
func attachment(contentType string, content any) (bot.Attachment, error) {
	data, err := json.Marshal(content)
	if err != nil {
		return bot.Attachment{}, fmt.Errorf("card: encoding %s: %w", contentType, err)
	}
	return bot.Attachment{ContentType: contentType, Content: bot.RawJSON(data)}, nil
}

// Fact is a name and value pair, shown as a two-column row in an Adaptive
// Card FactSet or a connector card section.
type Fact struct {
	// Name is the label, such as "Status". Required.
	Name string
	// Value is the value; Teams renders a subset of markdown in it. Required.
	Value string
}

// Link is an open-URL action: a button or link that opens URL in the
// browser. It is the only kind of action an outgoing-webhook card can
// carry, since no bot receives what a card sends back.
type Link struct {
	// Title is the button's label. Required.
	Title string
	// URL is what the button opens: http, https, mailto, tel or msteams.
	// Required.
	URL string
}

// checkLink validates an open-URL action's title and target.
func checkLink(title, u string) error {
	if strings.TrimSpace(title) == "" {
		return errors.New("link has no title")
	}
	if err := checkURL(u, "http", "https", "mailto", "tel", "msteams"); err != nil {
		return fmt.Errorf("link %q: %w", title, err)
	}
	return nil
}

// checkImage validates an image URL: http(s), or a data: URL.
func checkImage(u string) error {
	return checkURL(u, "http", "https", "data")
}

// checkURL reports whether u is an absolute URL with one of the schemes.
func checkURL(u string, schemes ...string) error {
	if u == "" {
		return errors.New("URL is missing")
	}
	p, err := url.Parse(u)
	if err != nil {
		return fmt.Errorf("URL %q does not parse", truncate(u, 80))
	}
	for _, s := range schemes {
		if strings.EqualFold(p.Scheme, s) {
			if (s == "http" || s == "https") && p.Host == "" {
				return fmt.Errorf("URL %q has no host", truncate(u, 80))
			}
			return nil
		}
	}
	return fmt.Errorf("URL %q must be absolute with scheme %s", truncate(u, 80), strings.Join(schemes, ", "))
}

// plain turns derived card text into a plain-text summary: mentions
// become names, links their labels, entities characters, and bold and
// code markers go.
func plain(s string) string {
	s = atTag.ReplaceAllString(s, "$1")
	s = mdLink.ReplaceAllString(s, "$1")
	s = strings.NewReplacer("**", "", "__", "", "`", "").Replace(s)
	s = html.UnescapeString(s)
	return truncate(strings.Join(strings.Fields(s), " "), 200)
}

// truncate cuts s to at most n runes, marking the cut with "…".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// deadAction explains why an action type cannot work in an
// outgoing-webhook card, or returns "" for an open-URL action.
func deadAction(typ string) string {
	switch strings.ToLower(typ) {
	case "action.openurl", "openurl", "openuri":
		return ""
	case "action.submit", "action.execute", "imback", "messageback", "invoke", "postback",
		"httppost", "actioncard", "invokeaddincommand":
		return typ + " sends data back to a bot, and an outgoing webhook has no bot to receive it: use an open-URL action"
	case "signin":
		return "signin needs a bot to complete the sign-in: use an open-URL action"
	case "":
		return "action has no type"
	}
	return typ + " is not an open-URL action; outgoing-webhook cards support only open-URL actions"
}
