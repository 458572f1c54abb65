package card

import (
	"fmt"
	"strings"

	"github.com/outhook/outhook/bot"
)

// MaxHeroButtons is the most buttons Teams shows on a hero or thumbnail
// card.
const MaxHeroButtons = 6

// CardAction is a Bot Framework card action, as hero, thumbnail and list
// cards use for buttons and taps. Only Type "openUrl" passes validation:
// imBack, messageBack, invoke, postBack and signin need a bot to receive
// them. Link builds the open-URL kind; CardAction exists for porting cards
// from elsewhere, whose actions are then checked.
type CardAction struct {
	// Type is the action type: "openUrl".
	Type string `json:"type"`
	// Title is the button label.
	Title string `json:"title,omitempty"`
	// Value is the URL to open.
	Value string `json:"value"`
}

func (l Link) action() CardAction { return CardAction{Type: "openUrl", Title: l.Title, Value: l.URL} }

// checkCardAction validates a hero, thumbnail or list card action.
func checkCardAction(a CardAction, titleRequired bool) error {
	if why := deadAction(a.Type); why != "" {
		return fmt.Errorf("%s", why)
	}
	if !titleRequired && a.Title == "" {
		return checkURL(a.Value, "http", "https", "mailto", "tel", "msteams")
	}
	return checkLink(a.Title, a.Value)
}

// cardImage is an image on a hero or thumbnail card.
type cardImage struct {
	URL string      `json:"url"`
	Alt string      `json:"alt,omitempty"`
	Tap *CardAction `json:"tap,omitempty"`
}

// heroContent is the JSON content of a hero or thumbnail card.
type heroContent struct {
	Title    string       `json:"title,omitempty"`
	Subtitle string       `json:"subtitle,omitempty"`
	Text     string       `json:"text,omitempty"`
	Images   []cardImage  `json:"images,omitempty"`
	Buttons  []CardAction `json:"buttons,omitempty"`
	Tap      *CardAction  `json:"tap,omitempty"`
}

// HeroCard builds a hero card (a large image above a title, text and
// buttons) or a thumbnail card (a small image beside them). Make one with
// Hero or Thumbnail.
type HeroCard struct {
	thumbnail bool
	c         heroContent
	summary   string
}

// Hero returns a builder for a hero card with a title (which may be empty).
func Hero(title string) *HeroCard { return &HeroCard{c: heroContent{Title: title}} }

// Thumbnail returns a builder for a thumbnail card with a title (which may
// be empty).
func Thumbnail(title string) *HeroCard {
	return &HeroCard{thumbnail: true, c: heroContent{Title: title}}
}

// Subtitle sets the line under the title.
func (h *HeroCard) Subtitle(s string) *HeroCard { h.c.Subtitle = s; return h }

// Text sets the card's text; Teams renders a subset of markdown in it.
func (h *HeroCard) Text(s string) *HeroCard { h.c.Text = s; return h }

// Image sets the card's image (Teams shows one) and its alt text.
func (h *HeroCard) Image(url, alt string) *HeroCard {
	h.c.Images = append(h.c.Images, cardImage{URL: url, Alt: alt})
	return h
}

// Link adds an open-URL button (at most MaxHeroButtons).
func (h *HeroCard) Link(title, url string) *HeroCard {
	h.c.Buttons = append(h.c.Buttons, Link{Title: title, URL: url}.action())
	return h
}

// Button adds a button given as a card action; it must be an open-URL
// one to pass validation.
func (h *HeroCard) Button(a CardAction) *HeroCard {
	h.c.Buttons = append(h.c.Buttons, a)
	return h
}

// Tap makes a click anywhere on the card open url.
func (h *HeroCard) Tap(url string) *HeroCard {
	h.c.Tap = &CardAction{Type: "openUrl", Value: url}
	return h
}

// Summary sets the plain-text fallback shown in notifications; without it
// the title, else the text, is used.
func (h *HeroCard) Summary(s string) *HeroCard { h.summary = s; return h }

func (h *HeroCard) kind() string {
	if h.thumbnail {
		return "thumbnail card"
	}
	return "hero card"
}

func (h *HeroCard) fallback() string {
	if s := strings.TrimSpace(h.summary); s != "" {
		return s
	}
	for _, s := range []string{h.c.Title, h.c.Subtitle, h.c.Text} {
		if s = plain(s); s != "" {
			return s
		}
	}
	return ""
}

// Attachment validates the card and returns it as an attachment.
func (h *HeroCard) Attachment() (bot.Attachment, error) {
	kind := h.kind()
	c := h.c
	if strings.TrimSpace(c.Title+c.Subtitle+c.Text) == "" && len(c.Images) == 0 {
		return bot.Attachment{}, invalid(kind, "needs a title, text or an image")
	}
	if len(c.Images) > 1 {
		return bot.Attachment{}, invalid(kind, "%d images; Teams shows only one", len(c.Images))
	}
	for _, im := range c.Images {
		if err := checkImage(im.URL); err != nil {
			return bot.Attachment{}, invalid(kind, "image: %v", err)
		}
	}
	if len(c.Buttons) > MaxHeroButtons {
		return bot.Attachment{}, invalid(kind, "%d buttons; Teams shows at most %d", len(c.Buttons), MaxHeroButtons)
	}
	for i, b := range c.Buttons {
		if err := checkCardAction(b, true); err != nil {
			return bot.Attachment{}, invalid(kind, "button %d: %v", i+1, err)
		}
	}
	if c.Tap != nil {
		if err := checkCardAction(*c.Tap, false); err != nil {
			return bot.Attachment{}, invalid(kind, "tap: %v", err)
		}
	}
	if h.fallback() == "" {
		return bot.Attachment{}, invalid(kind, "summary is required for a card with only an image")
	}
	ct := ContentTypeHero
	if h.thumbnail {
		ct = ContentTypeThumbnail
	}
	return attachment(ct, c)
}

// Reply validates the card and returns a reply holding it, with its
// summary as the text fallback.
func (h *HeroCard) Reply() (bot.Reply, error) { return single(h) }
