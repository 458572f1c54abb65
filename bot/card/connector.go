package card

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/atc0005/go-teams-notify/v2/messagecard"

	"github.com/outhook/outhook/bot"
)

// Limits Teams puts on Office 365 connector cards.
const (
	// MaxSections is the most sections a connector card may have.
	MaxSections = 10
	// MaxSectionImages is the most images a section may have.
	MaxSectionImages = 5
	// MaxSectionActions is the most actions a section may have.
	MaxSectionActions = 5
	// MaxCardActions is the most actions at the bottom of a connector
	// card, per the MessageCard reference.
	MaxCardActions = 4
)

// ConnectorCard builds an Office 365 connector card (a MessageCard): a
// title and text over sections of activity lines, facts and images, with
// link buttons. It cannot mention people; use an Adaptive Card for that.
// Make one with Connector.
type ConnectorCard struct {
	mc       messagecard.MessageCard
	sections []*ConnectorSection
}

// Connector returns a builder for a connector card with a title (which may
// be empty).
func Connector(title string) *ConnectorCard {
	return &ConnectorCard{mc: messagecard.MessageCard{Type: "MessageCard", Context: "http://schema.org/extensions", Title: title}}
}

// Text sets the card's text; Teams renders markdown in it.
func (c *ConnectorCard) Text(s string) *ConnectorCard { c.mc.Text = s; return c }

// Color sets the accent colour, as hex such as "0076D7" or "#0076D7".
func (c *ConnectorCard) Color(hex string) *ConnectorCard { c.mc.ThemeColor = hex; return c }

// Summary sets the plain-text fallback shown in notifications. A card
// without text needs one; the title serves when it is not set.
func (c *ConnectorCard) Summary(s string) *ConnectorCard { c.mc.Summary = s; return c }

// Section adds sections (at most MaxSections in all).
func (c *ConnectorCard) Section(s ...*ConnectorSection) *ConnectorCard {
	c.sections = append(c.sections, s...)
	return c
}

// Link adds an open-URL button at the bottom of the card (at most
// MaxCardActions).
func (c *ConnectorCard) Link(title, url string) *ConnectorCard {
	c.mc.PotentialActions = append(c.mc.PotentialActions, openURI(title, url))
	return c
}

// Action adds an action built with the messagecard package. Only OpenUri
// actions, and ActionCards without inputs holding only OpenUri actions,
// pass validation: HttpPOST and the rest need a receiver.
func (c *ConnectorCard) Action(a *messagecard.PotentialAction) *ConnectorCard {
	c.mc.PotentialActions = append(c.mc.PotentialActions, a)
	return c
}

// ConnectorSection is one section of a connector card; make one with
// Section.
type ConnectorSection struct {
	s messagecard.Section
}

// Section returns a section with a title (which may be empty).
func Section(title string) *ConnectorSection {
	return &ConnectorSection{messagecard.Section{Title: title}}
}

// Activity sets the section's activity line: a title, a subtitle and the
// URL of a small round image (each may be empty).
func (s *ConnectorSection) Activity(title, subtitle, imageURL string) *ConnectorSection {
	s.s.ActivityTitle, s.s.ActivitySubtitle, s.s.ActivityImage = title, subtitle, imageURL
	return s
}

// Text sets the section's text; Teams renders markdown in it.
func (s *ConnectorSection) Text(t string) *ConnectorSection { s.s.Text = t; return s }

// Facts adds name and value pairs.
func (s *ConnectorSection) Facts(facts ...Fact) *ConnectorSection {
	for _, f := range facts {
		s.s.Facts = append(s.s.Facts, messagecard.SectionFact{Name: f.Name, Value: f.Value})
	}
	return s
}

// Image adds an image with a title (at most MaxSectionImages).
func (s *ConnectorSection) Image(url, title string) *ConnectorSection {
	s.s.Images = append(s.s.Images, &messagecard.SectionImage{Image: url, Title: title})
	return s
}

// Link adds an open-URL button to the section (at most MaxSectionActions).
func (s *ConnectorSection) Link(title, url string) *ConnectorSection {
	s.s.PotentialActions = append(s.s.PotentialActions, openURI(title, url))
	return s
}

// StartGroup draws a separator above the section.
func (s *ConnectorSection) StartGroup() *ConnectorSection { s.s.StartGroup = true; return s }

func openURI(title, url string) *messagecard.PotentialAction {
	return &messagecard.PotentialAction{
		Type: messagecard.PotentialActionOpenURIType, Name: title,
		PotentialActionOpenURI: messagecard.PotentialActionOpenURI{Targets: []messagecard.PotentialActionOpenURITarget{{OS: "default", URI: url}}},
	}
}

var hexColor = regexp.MustCompile(`^#?[0-9A-Fa-f]{6}$`)

func (c *ConnectorCard) fallback() string {
	if s := strings.TrimSpace(c.mc.Summary); s != "" {
		return s
	}
	for _, s := range []string{c.mc.Title, c.mc.Text} {
		if s = plain(s); s != "" {
			return s
		}
	}
	return ""
}

// Attachment validates the card and returns it as an attachment.
func (c *ConnectorCard) Attachment() (bot.Attachment, error) {
	const kind = "connector card"
	mc := c.mc
	mc.Sections = nil
	if mc.ThemeColor != "" && !hexColor.MatchString(mc.ThemeColor) {
		return bot.Attachment{}, invalid(kind, "colour %q is not hex such as 0076D7", mc.ThemeColor)
	}
	if len(c.sections) > MaxSections {
		return bot.Attachment{}, invalid(kind, "%d sections; Teams shows at most %d", len(c.sections), MaxSections)
	}
	for i, s := range c.sections {
		if s == nil {
			return bot.Attachment{}, invalid(kind, "section %d is nil", i+1)
		}
		if err := s.check(); err != nil {
			return bot.Attachment{}, invalid(kind, "section %d: %v", i+1, err)
		}
		sec := s.s
		mc.Sections = append(mc.Sections, &sec)
	}
	if len(mc.PotentialActions) > MaxCardActions {
		return bot.Attachment{}, invalid(kind, "%d actions; a connector card may have at most %d", len(mc.PotentialActions), MaxCardActions)
	}
	for i, a := range mc.PotentialActions {
		if err := checkPotentialAction(a); err != nil {
			return bot.Attachment{}, invalid(kind, "action %d: %v", i+1, err)
		}
	}
	if strings.TrimSpace(mc.Text) == "" && strings.TrimSpace(mc.Summary) == "" {
		mc.Summary = c.fallback()
		if mc.Summary == "" {
			return bot.Attachment{}, invalid(kind, "summary is required when there is no text or title")
		}
	}
	if len(mc.Sections) == 0 && strings.TrimSpace(mc.Title+mc.Text) == "" {
		return bot.Attachment{}, invalid(kind, "has nothing to show: give it a title, text or a section")
	}
	if err := mc.Validate(); err != nil {
		return bot.Attachment{}, invalid(kind, "%v", err)
	}
	return attachment(ContentTypeConnector, &mc)
}

// Reply validates the card and returns a reply holding it, with its
// summary as the text fallback.
func (c *ConnectorCard) Reply() (bot.Reply, error) { return single(c) }

func (s *ConnectorSection) check() error {
	x := s.s
	if strings.TrimSpace(x.Title+x.Text+x.ActivityTitle+x.ActivitySubtitle+x.ActivityText+x.ActivityImage) == "" &&
		len(x.Facts) == 0 && len(x.Images) == 0 && x.HeroImage == nil {
		return fmt.Errorf("is empty")
	}
	if x.ActivityImage != "" {
		if err := checkImage(x.ActivityImage); err != nil {
			return fmt.Errorf("activity image: %w", err)
		}
	}
	for i, f := range x.Facts {
		if strings.TrimSpace(f.Name) == "" || strings.TrimSpace(f.Value) == "" {
			return fmt.Errorf("fact %d needs a name and a value", i+1)
		}
	}
	if len(x.Images) > MaxSectionImages {
		return fmt.Errorf("%d images; a section may have at most %d", len(x.Images), MaxSectionImages)
	}
	for i, im := range x.Images {
		if im == nil {
			return fmt.Errorf("image %d is nil", i+1)
		}
		if err := checkImage(im.Image); err != nil {
			return fmt.Errorf("image %d: %w", i+1, err)
		}
	}
	if len(x.PotentialActions) > MaxSectionActions {
		return fmt.Errorf("%d actions; a section may have at most %d", len(x.PotentialActions), MaxSectionActions)
	}
	for i, a := range x.PotentialActions {
		if err := checkPotentialAction(a); err != nil {
			return fmt.Errorf("action %d: %w", i+1, err)
		}
	}
	return nil
}

// checkPotentialAction accepts OpenUri actions and ActionCards that hold
// no inputs and only OpenUri actions.
func checkPotentialAction(a *messagecard.PotentialAction) error {
	if a == nil {
		return fmt.Errorf("action is nil")
	}
	if strings.TrimSpace(a.Name) == "" {
		return fmt.Errorf("%s action has no name", a.Type)
	}
	switch a.Type {
	case messagecard.PotentialActionOpenURIType:
		return checkTargets(a.Name, a.Targets)
	case messagecard.PotentialActionActionCardType:
		if len(a.Inputs) > 0 {
			return fmt.Errorf("ActionCard %q has inputs, and an outgoing webhook has no bot to receive them", a.Name)
		}
		if len(a.Actions) == 0 {
			return fmt.Errorf("ActionCard %q has no actions", a.Name)
		}
		for _, sub := range a.Actions {
			if sub.Type != messagecard.PotentialActionOpenURIType {
				return fmt.Errorf("ActionCard %q: %s", a.Name, deadAction(sub.Type))
			}
			if err := checkTargets(sub.Name, sub.Targets); err != nil {
				return fmt.Errorf("ActionCard %q: %w", a.Name, err)
			}
		}
		return nil
	}
	return fmt.Errorf("%s", deadAction(a.Type))
}

func checkTargets(name string, ts []messagecard.PotentialActionOpenURITarget) error {
	if len(ts) == 0 {
		return fmt.Errorf("OpenUri %q has no targets", name)
	}
	for _, t := range ts {
		if err := checkLink(name, t.URI); err != nil {
			return err
		}
	}
	return nil
}
