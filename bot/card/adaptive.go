package card

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/atc0005/go-teams-notify/v2/adaptivecard"

	"github.com/outhook/outhook/bot"
)

// Adaptive Card versions. Teams renders up to 1.5 in outgoing-webhook
// replies; Microsoft's examples use 1.4.
const (
	DefaultVersion = "1.4"
	MaxVersion     = "1.5"
)

// Size is a text or image size.
type Size string

// Sizes, for Element.Size.
const (
	Small      Size = "small"
	Medium     Size = "medium"
	Large      Size = "large"
	ExtraLarge Size = "extraLarge" // text only
)

// Color is a text color or a container style.
type Color string

// Colors, for Element.Color; all but Dark and Light are also container
// styles for Element.Style, as is Emphasis.
const (
	Default   Color = "default"
	Dark      Color = "dark"
	Light     Color = "light"
	Accent    Color = "accent"
	Good      Color = "good"
	Warning   Color = "warning"
	Attention Color = "attention"
	Emphasis  Color = "emphasis" // container style only
)

// Element is one part of an Adaptive Card's body: text, facts, columns, an
// image, a container, a table, a code block or a row of links. Build one
// with Text, Heading, Facts, Columns, Image, Container, Table, Code or
// Links, adjust it with its methods, and pass it to Adaptive. Elements
// are values: methods return a modified copy.
type Element struct {
	el adaptivecard.Element
}

// Text returns a TextBlock: a paragraph of text, wrapped. Teams renders a
// subset of markdown in it (bold, italic, lists, links); put user-supplied
// content through bot.Escape first.
func Text(s string) Element {
	return Element{adaptivecard.Element{Type: adaptivecard.TypeElementTextBlock, Text: s, Wrap: true}}
}

// Heading returns a TextBlock in large bold type, for a card's title.
func Heading(s string) Element {
	return Text(s).Bold().Size(Large)
}

// Facts returns a FactSet: name and value pairs in two aligned columns.
func Facts(facts ...Fact) Element {
	fs := make([]adaptivecard.Fact, len(facts))
	for i, f := range facts {
		fs[i] = adaptivecard.Fact{Title: f.Name, Value: f.Value}
	}
	return Element{adaptivecard.Element{Type: adaptivecard.TypeElementFactSet, Facts: fs}}
}

// Image returns an Image element showing the picture at url (https, or a
// data: URL).
func Image(url string) Element {
	return Element{adaptivecard.Element{Type: adaptivecard.TypeElementImage, URL: url}}
}

// Container returns a Container: elements grouped together, which can be
// given a style (a background) as a whole.
func Container(items ...Element) Element {
	return Element{adaptivecard.Element{Type: adaptivecard.TypeElementContainer, Items: unwrap(items)}}
}

// Code returns a CodeBlock (a Teams extension): a snippet shown in a
// monospace font with line numbers and syntax highlighting. The language is
// one Teams knows, in any case ("go", "Go"; "" for plain text); an
// unknown language is an error when the card is built.
func Code(language, snippet string) Element {
	lang, ok := codeLanguage(language)
	if !ok {
		lang = language // reported by validation
	}
	return Element{adaptivecard.Element{Type: adaptivecard.TypeElementMSTeamsCodeBlock, CodeSnippet: snippet, Language: lang, StartLineNumber: 1}}
}

// Links returns an ActionSet: a row of open-URL buttons inside the body.
// Use AdaptiveCard.Link for buttons at the bottom of the card.
func Links(links ...Link) Element {
	acts := make([]adaptivecard.Action, len(links))
	for i, l := range links {
		acts[i] = openURL(l)
	}
	return Element{adaptivecard.Element{Type: adaptivecard.TypeElementActionSet, Actions: acts}}
}

// Table returns a Table (Adaptive Cards 1.5): a grid of text cells with
// grid lines. A non-empty header becomes the first row, marked as headers;
// every row must have as many cells as the first. A card with a table is
// built as version 1.5 unless set otherwise.
func Table(header []string, rows ...[]string) Element {
	el := adaptivecard.Element{Type: adaptivecard.TypeElementTable}
	all := rows
	if len(header) > 0 {
		all = append([][]string{header}, rows...)
	}
	headers := len(header) > 0
	el.FirstRowAsHeaders = &headers
	n := 0
	if len(all) > 0 {
		n = len(all[0])
	}
	for range n {
		el.Columns = append(el.Columns, adaptivecard.Column{Width: 1})
	}
	for i, row := range all {
		tr := adaptivecard.TableRow{Type: adaptivecard.TypeTableRow}
		for _, cell := range row {
			tb := adaptivecard.Element{Type: adaptivecard.TypeElementTextBlock, Text: cell, Wrap: true}
			if headers && i == 0 {
				tb.Weight = adaptivecard.WeightBolder
			}
			tr.Cells = append(tr.Cells, adaptivecard.TableCell{Type: adaptivecard.TypeTableCell, Items: []*adaptivecard.Element{&tb}})
		}
		el.Rows = append(el.Rows, tr)
	}
	return Element{el}
}

// Col is one column of a ColumnSet; make one with Column.
type Col struct {
	c adaptivecard.Column
}

// Column returns a column holding items, for Columns. By default columns
// share the width equally.
func Column(items ...Element) Col {
	ptrs := make([]*adaptivecard.Element, len(items))
	for i := range items {
		e := items[i].el
		ptrs[i] = &e
	}
	return Col{adaptivecard.Column{Type: adaptivecard.TypeColumn, Items: ptrs, Width: adaptivecard.ColumnWidthStretch}}
}

// Width sets the column's width: "auto" (as wide as its content),
// "stretch" (share what is left, the default) or pixels such as "80px".
func (c Col) Width(w string) Col {
	c.c.Width = w
	return c
}

// Weight makes the column's width relative to the others' weights.
func (c Col) Weight(n int) Col {
	c.c.Width = n
	return c
}

// Columns returns a ColumnSet: columns side by side.
func Columns(cols ...Col) Element {
	cs := make([]adaptivecard.Column, len(cols))
	for i, c := range cols {
		cs[i] = c.c
	}
	return Element{adaptivecard.Element{Type: adaptivecard.TypeElementColumnSet, Columns: cs}}
}

// Raw wraps an element built with the adaptivecard package of
// github.com/atc0005/go-teams-notify/v2, for what the builders here do not
// cover. It is validated like the rest when the card is built.
func Raw(e adaptivecard.Element) Element { return Element{e} }

// Bold sets bolder text weight on a TextBlock.
func (e Element) Bold() Element { e.el.Weight = adaptivecard.WeightBolder; return e }

// Subtle tones a TextBlock down.
func (e Element) Subtle() Element { e.el.IsSubtle = true; return e }

// Size sets the size of a TextBlock's text or an Image.
func (e Element) Size(s Size) Element { e.el.Size = string(s); return e }

// Color sets a TextBlock's text color.
func (e Element) Color(c Color) Element { e.el.Color = string(c); return e }

// Style sets a Container's or ColumnSet's style: Default, Emphasis, Good,
// Attention, Warning or Accent.
func (e Element) Style(c Color) Element { e.el.Style = string(c); return e }

// Separator draws a line above the element.
func (e Element) Separator() Element { e.el.Separator = true; return e }

// Adaptive returns a builder for an Adaptive Card with body as its content.
//
// Build it with Attachment or Reply, which validate it: only open-URL
// actions, no inputs, an image URL for every image, the elements Teams
// renders, a version no higher than MaxVersion (DefaultVersion unless the
// body needs a later one, or Version says otherwise) and a text fallback:
// the Summary, or else the card's first text.
type AdaptiveCard struct {
	body     []Element
	actions  []adaptivecard.Action
	version  string
	summary  string
	full     bool
	mentions []adaptivecard.Mention
}

// Adaptive returns an Adaptive Card builder with body as its content.
func Adaptive(body ...Element) *AdaptiveCard {
	return &AdaptiveCard{body: body}
}

// FromLibrary returns a builder for a card built with the adaptivecard
// package of github.com/atc0005/go-teams-notify/v2: its body, actions,
// version, fallback text, width and mentions. The card is validated with
// the rules here when built.
func FromLibrary(lc adaptivecard.Card) *AdaptiveCard {
	c := &AdaptiveCard{version: lc.Version, summary: lc.FallbackText, actions: lc.Actions, mentions: lc.MSTeams.Entities}
	for _, e := range lc.Body {
		c.body = append(c.body, Element{e})
	}
	c.full = lc.MSTeams.Width == adaptivecard.MSTeamsWidthFull
	return c
}

// Add appends elements to the body.
func (c *AdaptiveCard) Add(body ...Element) *AdaptiveCard {
	c.body = append(c.body, body...)
	return c
}

// Link adds an open-URL button at the bottom of the card.
func (c *AdaptiveCard) Link(title, url string) *AdaptiveCard {
	c.actions = append(c.actions, openURL(Link{Title: title, URL: url}))
	return c
}

// Action adds an action built with the adaptivecard package. Only
// Action.OpenUrl, Action.ToggleVisibility and Action.ShowCard (with a card
// that holds no inputs) pass validation: nothing can receive a Submit or
// Execute from an outgoing-webhook card.
func (c *AdaptiveCard) Action(a adaptivecard.Action) *AdaptiveCard {
	c.actions = append(c.actions, a)
	return c
}

// Version sets the Adaptive Card schema version, "1.0" to MaxVersion.
func (c *AdaptiveCard) Version(v string) *AdaptiveCard {
	c.version = v
	return c
}

// Summary sets the card's plain-text fallback: shown in notifications and
// by clients that cannot render the card. Without it the card's first text
// is used.
func (c *AdaptiveCard) Summary(s string) *AdaptiveCard {
	c.summary = s
	return c
}

// FullWidth makes the card use the full width of the message pane.
func (c *AdaptiveCard) FullWidth() *AdaptiveCard {
	c.full = true
	return c
}

// Mention makes each account's mention notify them. The card's text must
// hold the mention's markup, bot.At(account).Text; a mention whose markup
// is not in a TextBlock or fact fails validation.
func (c *AdaptiveCard) Mention(accounts ...bot.Account) *AdaptiveCard {
	for _, a := range accounts {
		e := bot.At(a)
		c.mentions = append(c.mentions, adaptivecard.Mention{
			Type: adaptivecard.TypeMention, Text: e.Text,
			Mentioned: adaptivecard.Mentioned{ID: e.Mentioned.ID, Name: e.Mentioned.Name},
		})
	}
	return c
}

// Reply validates the card and returns a reply holding it, with its
// summary as the text fallback.
func (c *AdaptiveCard) Reply() (bot.Reply, error) { return single(c) }

// fallback returns the summary, or the first text in the body.
func (c *AdaptiveCard) fallback() string {
	if s := strings.TrimSpace(c.summary); s != "" {
		return s
	}
	return firstText(unwrap(c.body))
}

func firstText(els []adaptivecard.Element) string {
	for _, e := range els {
		switch {
		case e.Type == adaptivecard.TypeElementTextBlock && strings.TrimSpace(e.Text) != "":
			return plain(e.Text)
		case len(e.Items) > 0:
			if s := firstText(e.Items); s != "" {
				return s
			}
		case len(e.Columns) > 0 && e.Type == adaptivecard.TypeElementColumnSet:
			for _, col := range e.Columns {
				for _, it := range col.Items {
					if it != nil {
						if s := firstText([]adaptivecard.Element{*it}); s != "" {
							return s
						}
					}
				}
			}
		}
	}
	return ""
}

// Attachment validates the card and returns it as an attachment.
func (c *AdaptiveCard) Attachment() (bot.Attachment, error) {
	const kind = "adaptive card"
	body := unwrap(c.body)
	if len(body) == 0 {
		return bot.Attachment{}, invalid(kind, "body is empty")
	}
	need := 1.0
	for i, e := range body {
		v, err := checkElement(e, fmt.Sprintf("body[%d]", i))
		if err != nil {
			return bot.Attachment{}, invalid(kind, "%v", err)
		}
		need = max(need, v)
	}
	for i, a := range c.actions {
		if err := checkAction(a, fmt.Sprintf("actions[%d]", i)); err != nil {
			return bot.Attachment{}, invalid(kind, "%v", err)
		}
	}
	version, err := c.resolveVersion(need)
	if err != nil {
		return bot.Attachment{}, invalid(kind, "%v", err)
	}
	summary := c.fallback()
	if summary == "" {
		return bot.Attachment{}, invalid(kind, "summary is required: set Summary, or give the card a text block")
	}
	card := adaptivecard.TopLevelCard{Card: adaptivecard.Card{
		Type:         adaptivecard.TypeAdaptiveCard,
		Schema:       adaptivecard.AdaptiveCardSchema,
		Version:      version,
		FallbackText: summary,
		Body:         body,
		Actions:      c.actions,
		MSTeams:      adaptivecard.MSTeams{Entities: c.mentions},
	}}
	if c.full {
		card.MSTeams.Width = adaptivecard.MSTeamsWidthFull
	}
	if err := card.Validate(); err != nil {
		return bot.Attachment{}, invalid(kind, "%v", err)
	}
	data, err := json.Marshal(card)
	if err != nil {
		return bot.Attachment{}, fmt.Errorf("card: encoding adaptive card: %w", err)
	}
	// The library always writes "msteams", even when empty.
	data = []byte(strings.Replace(string(data), `,"msteams":{}`, "", 1))
	return bot.Attachment{ContentType: ContentTypeAdaptive, Content: bot.RawJSON(data)}, nil
}

// resolveVersion returns the version to build: the one set, checked
// against the highest Teams renders and what the body needs, or the
// default raised to what the body needs.
func (c *AdaptiveCard) resolveVersion(need float64) (string, error) {
	if c.version == "" {
		def, _ := strconv.ParseFloat(DefaultVersion, 64)
		return fmt.Sprintf("%.1f", max(def, need)), nil
	}
	v, err := strconv.ParseFloat(c.version, 64)
	if err != nil || v < 1 || !strings.HasPrefix(c.version, "1.") {
		return "", fmt.Errorf("version %q is not an Adaptive Card version such as %s", c.version, DefaultVersion)
	}
	if maxV, _ := strconv.ParseFloat(MaxVersion, 64); v > maxV {
		return "", fmt.Errorf("version %s is not supported: Teams renders Adaptive Cards up to %s", c.version, MaxVersion)
	}
	if v < need {
		return "", fmt.Errorf("version %s is too low: the body needs %.1f (Table needs 1.5)", c.version, need)
	}
	return c.version, nil
}

func unwrap(els []Element) []adaptivecard.Element {
	out := make([]adaptivecard.Element, len(els))
	for i, e := range els {
		out[i] = e.el
	}
	return out
}

func openURL(l Link) adaptivecard.Action {
	return adaptivecard.Action{Type: adaptivecard.TypeActionOpenURL, Title: l.Title, URL: l.URL}
}

// checkElement validates e and what it holds for an outgoing-webhook
// reply, and returns the schema version it needs.
func checkElement(e adaptivecard.Element, path string) (float64, error) {
	need := 1.0
	sub := func(el adaptivecard.Element, p string) error {
		v, err := checkElement(el, p)
		need = max(need, v)
		return err
	}
	if e.SelectAction != nil {
		if err := checkSelect(*e.SelectAction, path+".selectAction"); err != nil {
			return 0, err
		}
	}
	switch t := e.Type; {
	case t == adaptivecard.TypeElementTextBlock:
		if e.Style == adaptivecard.TextBlockStyleHeading {
			need = 1.5
		}
	case t == adaptivecard.TypeElementFactSet:
		if len(e.Facts) == 0 {
			return 0, fmt.Errorf("%s: FactSet has no facts", path)
		}
		for i, f := range e.Facts {
			if strings.TrimSpace(f.Title) == "" || strings.TrimSpace(f.Value) == "" {
				return 0, fmt.Errorf("%s: fact %d needs a name and a value", path, i+1)
			}
		}
	case t == adaptivecard.TypeElementImage:
		if err := checkImage(e.URL); err != nil {
			return 0, fmt.Errorf("%s: Image: %v", path, err)
		}
	case t == adaptivecard.TypeElementImageSet:
		for i, it := range e.Items {
			if it.Type != adaptivecard.TypeElementImage {
				return 0, fmt.Errorf("%s.images[%d]: ImageSet holds only images, not %s", path, i, it.Type)
			}
			if err := sub(it, fmt.Sprintf("%s.images[%d]", path, i)); err != nil {
				return 0, err
			}
		}
	case t == adaptivecard.TypeElementContainer:
		if len(e.Items) == 0 {
			return 0, fmt.Errorf("%s: Container is empty", path)
		}
		for i, it := range e.Items {
			if err := sub(it, fmt.Sprintf("%s.items[%d]", path, i)); err != nil {
				return 0, err
			}
		}
	case t == adaptivecard.TypeElementColumnSet:
		if len(e.Columns) == 0 {
			return 0, fmt.Errorf("%s: ColumnSet has no columns", path)
		}
		for i, col := range e.Columns {
			p := fmt.Sprintf("%s.columns[%d]", path, i)
			if col.SelectAction != nil {
				if err := checkSelect(*col.SelectAction, p+".selectAction"); err != nil {
					return 0, err
				}
			}
			for j, it := range col.Items {
				if it == nil {
					return 0, fmt.Errorf("%s.items[%d]: element is nil", p, j)
				}
				if err := sub(*it, fmt.Sprintf("%s.items[%d]", p, j)); err != nil {
					return 0, err
				}
			}
		}
	case t == adaptivecard.TypeElementTable:
		need = 1.5
		if len(e.Columns) == 0 {
			return 0, fmt.Errorf("%s: Table has no columns", path)
		}
		for i, row := range e.Rows {
			if len(row.Cells) != len(e.Columns) {
				return 0, fmt.Errorf("%s.rows[%d]: %d cells; the table has %d columns", path, i, len(row.Cells), len(e.Columns))
			}
			for j, cell := range row.Cells {
				for k, it := range cell.Items {
					if it == nil {
						return 0, fmt.Errorf("%s.rows[%d].cells[%d]: element is nil", path, i, j)
					}
					if err := sub(*it, fmt.Sprintf("%s.rows[%d].cells[%d].items[%d]", path, i, j, k)); err != nil {
						return 0, err
					}
				}
			}
		}
	case t == adaptivecard.TypeElementMSTeamsCodeBlock:
		if _, ok := codeLanguage(e.Language); !ok {
			return 0, fmt.Errorf("%s: CodeBlock language %q is not one Teams highlights (%s)", path, e.Language, strings.Join(codeLanguages, ", "))
		}
	case t == adaptivecard.TypeElementActionSet:
		if len(e.Actions) == 0 {
			return 0, fmt.Errorf("%s: ActionSet has no actions", path)
		}
		for i, a := range e.Actions {
			if err := checkAction(a, fmt.Sprintf("%s.actions[%d]", path, i)); err != nil {
				return 0, err
			}
		}
	case strings.HasPrefix(t, "Input."):
		return 0, fmt.Errorf("%s: %s: inputs need a bot to receive what is entered, and an outgoing webhook has none", path, t)
	case t == adaptivecard.TypeElementMedia:
		return 0, fmt.Errorf("%s: Media does not render in Teams cards: link to the media with an open-URL action", path)
	case t == "":
		return 0, fmt.Errorf("%s: element has no type", path)
	default:
		return 0, fmt.Errorf("%s: element type %q is not supported in outgoing-webhook cards", path, t)
	}
	return need, nil
}

// checkAction validates a card action: open-URL, toggle-visibility, or a
// show-card whose card holds no inputs.
func checkAction(a adaptivecard.Action, path string) error {
	switch a.Type {
	case adaptivecard.TypeActionOpenURL:
		if err := checkLink(a.Title, a.URL); err != nil {
			return fmt.Errorf("%s: Action.OpenUrl: %w", path, err)
		}
		return nil
	case adaptivecard.TypeActionToggleVisibility:
		if len(a.TargetElements) == 0 {
			return fmt.Errorf("%s: Action.ToggleVisibility has no target elements", path)
		}
		return nil
	case adaptivecard.TypeActionShowCard:
		if a.Card == nil || len(a.Card.Body) == 0 {
			return fmt.Errorf("%s: Action.ShowCard has no card to show", path)
		}
		for i, e := range a.Card.Body {
			if _, err := checkElement(e, fmt.Sprintf("%s.card.body[%d]", path, i)); err != nil {
				return fmt.Errorf("Action.ShowCard: %w", err)
			}
		}
		for i, sa := range a.Card.Actions {
			if err := checkAction(sa, fmt.Sprintf("%s.card.actions[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("%s: %s", path, deadAction(a.Type))
}

// checkSelect validates a selectAction: open-URL or toggle-visibility.
func checkSelect(a adaptivecard.ISelectAction, path string) error {
	switch a.Type {
	case adaptivecard.TypeActionOpenURL:
		if err := checkURL(a.URL, "http", "https", "mailto", "tel", "msteams"); err != nil {
			return fmt.Errorf("%s: Action.OpenUrl: %v", path, err)
		}
		return nil
	case adaptivecard.TypeActionToggleVisibility:
		return nil
	}
	return fmt.Errorf("%s: %s", path, deadAction(a.Type))
}

// codeLanguages are the CodeBlock languages Teams highlights.
var codeLanguages = []string{
	"Bash", "C", "C#", "C++", "CSS", "DOS", "Go", "GraphQL", "HTML", "Java", "JavaScript", "JSON",
	"Perl", "PHP", "PlainText", "PowerShell", "Python", "SQL", "TypeScript", "Verilog", "VHDL",
	"Visual Basic", "XML",
}

// codeLanguage returns Teams' spelling of a CodeBlock language; "" and
// "text" mean PlainText.
func codeLanguage(s string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "text", "plain", "txt":
		return "PlainText", true
	case "sh", "shell":
		return "Bash", true
	case "js":
		return "JavaScript", true
	case "ts":
		return "TypeScript", true
	case "py":
		return "Python", true
	case "golang":
		return "Go", true
	case "cs", "csharp":
		return "C#", true
	case "cpp":
		return "C++", true
	case "ps1", "pwsh":
		return "PowerShell", true
	case "vb":
		return "Visual Basic", true
	}
	for _, l := range codeLanguages {
		if strings.EqualFold(l, strings.TrimSpace(s)) {
			return l, true
		}
	}
	return "", false
}
