package incoming

import (
	"encoding/json"
	"html"
	"regexp"
	"strings"

	"github.com/outhook/outhook/bot"
)

// Mentions in posted messages.
//
// A mention is the <at>Name</at> markup in the text plus a mention entity
// with the same text naming the person. On Workflows URLs the posted
// Adaptive Card carries the entities in msteams.entities and Teams
// notifies the people named. Where a mention cannot be real — on a
// connector URL, or a tag with no entity — the tag is shown as the name in
// bold, never as raw <at> markup.

var (
	// mentionTag matches <at>…</at> markup, attributes and case allowed.
	mentionTag = regexp.MustCompile(`(?is)<at\b[^>]*>(.*?)</at\s*>`)
	// anyTag matches HTML tags left inside a mention (an emoji <img>).
	anyTag = regexp.MustCompile(`(?s)<[^>]*>`)
)

// hasTag reports whether s may hold mention markup; it keeps the regexp
// off the common path.
func hasTag(s string) bool {
	return strings.Contains(s, "</") && mentionTag.MatchString(s)
}

// mentionName returns the name inside a mention tag as plain text: inner
// tags dropped, HTML entities decoded once.
func mentionName(inner string) string {
	return strings.TrimSpace(html.UnescapeString(anyTag.ReplaceAllString(inner, "")))
}

// bold returns name in bold, escaped so that it renders as written.
func bold(name string) string {
	if name == "" {
		return ""
	}
	return "**" + bot.Escape(name) + "**"
}

// plainMentions returns s with each mention tag replaced by the bare name,
// for plain-text fields such as a MessageCard summary.
func plainMentions(s string) string {
	if !hasTag(s) {
		return s
	}
	return mentionTag.ReplaceAllStringFunc(s, func(tag string) string {
		return mentionName(mentionTag.FindStringSubmatch(tag)[1])
	})
}

// tagFor returns the mention markup for a display name, escaped as
// bot.At escapes it.
func tagFor(name string) string {
	return "<at>" + escapeName(name) + "</at>"
}

// mentions collects the mention entities of one posted card, merged from
// the asker, the reply and the reply's cards, without duplicates.
type mentions struct {
	// asker is who the message is for; a mention of the asker by Teams id
	// is rewritten to their AAD object id, which Teams documents for
	// incoming webhooks, so that two forms of one person count once.
	asker    *bot.Account
	entities []mention
}

type mention struct{ text, id, name string }

// canon returns the id to mention someone by.
func (ms *mentions) canon(id string) string {
	if a := ms.asker; a != nil && a.AADObjectID != "" && id == a.ID {
		return a.AADObjectID
	}
	return id
}

// add records a mention unless one with the same text and person is
// already there. Mentions without an id or text are dropped: their tags
// will show as bold names.
func (ms *mentions) add(text, id, name string) {
	id = ms.canon(strings.TrimSpace(id))
	if id == "" {
		return
	}
	if text == "" && name != "" {
		text = tagFor(name) // Teams leaves text out for names with "&"
	}
	if text == "" {
		return
	}
	if name == "" {
		name = mentionName(strings.TrimSuffix(strings.TrimPrefix(text, "<at>"), "</at>"))
	}
	for _, e := range ms.entities {
		if e.text == text && e.id == id {
			return
		}
	}
	ms.entities = append(ms.entities, mention{text: text, id: id, name: name})
}

// addEntities records a reply's mention entities.
func (ms *mentions) addEntities(es []bot.Entity) {
	for _, e := range es {
		if e.Type == "mention" && e.Mentioned != nil {
			ms.add(e.Text, e.Mentioned.ID, e.Mentioned.Name)
		}
	}
}

// addCard records the mention entities of a card's msteams.entities.
func (ms *mentions) addCard(es []any) {
	for _, raw := range es {
		b, err := json.Marshal(raw)
		if err != nil {
			continue
		}
		var e bot.Entity
		if json.Unmarshal(b, &e) == nil && e.Type == "mention" && e.Mentioned != nil {
			ms.add(e.Text, e.Mentioned.ID, e.Mentioned.Name)
		}
	}
}

// has reports whether tag has an entity.
func (ms *mentions) has(tag string) bool {
	for _, e := range ms.entities {
		if e.text == tag {
			return true
		}
	}
	return false
}

// rewrite walks a decoded JSON value and rewrites the mention tags in its
// strings: a tag with an entity (when keep is true) stays and is noted in
// used; any other becomes the name in bold.
func (ms *mentions) rewrite(v any, keep bool, used map[string]bool) any {
	switch v := v.(type) {
	case string:
		if !hasTag(v) {
			return v
		}
		return mentionTag.ReplaceAllStringFunc(v, func(tag string) string {
			if keep && ms.has(tag) {
				used[tag] = true
				return tag
			}
			return bold(mentionName(mentionTag.FindStringSubmatch(tag)[1]))
		})
	case []any:
		for i := range v {
			v[i] = ms.rewrite(v[i], keep, used)
		}
	case object:
		for k, x := range v {
			v[k] = ms.rewrite(x, keep, used)
		}
	}
	return v
}

// wire returns the entities whose text appears in the card (in used), in
// the form msteams.entities takes.
func (ms *mentions) wire(used map[string]bool) []any {
	var out []any
	for _, e := range ms.entities {
		if used[e.text] {
			out = append(out, object{
				"type": "mention", "text": e.text,
				"mentioned": object{"id": e.id, "name": e.name},
			})
		}
	}
	return out
}
