package card

import (
	"strings"

	"github.com/outhook/outhook/bot"
)

// ListItem is one row of a list card.
type ListItem struct {
	// Title is the row's main text. Required.
	Title string
	// Subtitle is a second, smaller line. Optional.
	Subtitle string
	// Icon is the URL of a small image before the text. Optional.
	Icon string
	// URL is opened when the row is clicked. Optional.
	URL string
}

type listItem struct {
	Type     string      `json:"type"`
	Title    string      `json:"title"`
	Subtitle string      `json:"subtitle,omitempty"`
	Icon     string      `json:"icon,omitempty"`
	Tap      *CardAction `json:"tap,omitempty"`
}

type listContent struct {
	Title   string       `json:"title,omitempty"`
	Items   []listItem   `json:"items"`
	Buttons []CardAction `json:"buttons,omitempty"`
}

// ListCard builds a Teams list card: a title over rows that can each
// open a link, and buttons. Make one with List.
type ListCard struct {
	c       listContent
	summary string
}

// List returns a builder for a list card with a title (which may be
// empty).
func List(title string) *ListCard { return &ListCard{c: listContent{Title: title}} }

// Item adds a row.
func (l *ListCard) Item(it ListItem) *ListCard {
	li := listItem{Type: "resultItem", Title: it.Title, Subtitle: it.Subtitle, Icon: it.Icon}
	if it.URL != "" {
		li.Tap = &CardAction{Type: "openUrl", Value: it.URL}
	}
	l.c.Items = append(l.c.Items, li)
	return l
}

// Section adds a separator row with a title, starting a group of rows.
func (l *ListCard) Section(title string) *ListCard {
	l.c.Items = append(l.c.Items, listItem{Type: "section", Title: title})
	return l
}

// Link adds an open-URL button under the list.
func (l *ListCard) Link(title, url string) *ListCard {
	l.c.Buttons = append(l.c.Buttons, Link{Title: title, URL: url}.action())
	return l
}

// Button adds a button given as a card action; it must be an open-URL
// one to pass validation.
func (l *ListCard) Button(a CardAction) *ListCard {
	l.c.Buttons = append(l.c.Buttons, a)
	return l
}

// Summary sets the plain-text fallback shown in notifications; without it
// the title, else the first row, is used.
func (l *ListCard) Summary(s string) *ListCard { l.summary = s; return l }

func (l *ListCard) fallback() string {
	if s := strings.TrimSpace(l.summary); s != "" {
		return s
	}
	if s := plain(l.c.Title); s != "" {
		return s
	}
	for _, it := range l.c.Items {
		if s := plain(it.Title); s != "" {
			return s
		}
	}
	return ""
}

// Attachment validates the card and returns it as an attachment.
func (l *ListCard) Attachment() (bot.Attachment, error) {
	const kind = "list card"
	if len(l.c.Items) == 0 {
		return bot.Attachment{}, invalid(kind, "has no items")
	}
	for i, it := range l.c.Items {
		if strings.TrimSpace(it.Title) == "" {
			return bot.Attachment{}, invalid(kind, "item %d has no title", i+1)
		}
		if it.Icon != "" {
			if err := checkImage(it.Icon); err != nil {
				return bot.Attachment{}, invalid(kind, "item %d icon: %v", i+1, err)
			}
		}
		if it.Tap != nil {
			if err := checkCardAction(*it.Tap, false); err != nil {
				return bot.Attachment{}, invalid(kind, "item %d: %v", i+1, err)
			}
		}
	}
	if len(l.c.Buttons) > MaxHeroButtons {
		return bot.Attachment{}, invalid(kind, "%d buttons; Teams shows at most %d", len(l.c.Buttons), MaxHeroButtons)
	}
	for i, b := range l.c.Buttons {
		if err := checkCardAction(b, true); err != nil {
			return bot.Attachment{}, invalid(kind, "button %d: %v", i+1, err)
		}
	}
	return attachment(ContentTypeList, l.c)
}

// Reply validates the card and returns a reply holding it, with its
// summary as the text fallback.
func (l *ListCard) Reply() (bot.Reply, error) { return single(l) }
