package bot

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// MaxReplySize is the largest reply, in bytes of JSON as MarshalJSON
// encodes it, that Fit lets through by default. Teams caps a message at
// about 28 KB (28,672 bytes) and rejects larger ones; the limit leaves a
// small margin below that.
const MaxReplySize = 28000

// minFitLimit is the smallest limit Fit honours: room for the envelope and
// a cut note.
const minFitLimit = 512

// Fit returns r, made to fit in limit bytes of JSON; a limit of zero or
// less means MaxReplySize, and limits below 512 bytes are raised to 512. A
// reply that fits is returned unchanged (cheaply: most replies are not even
// encoded to find out). An outgoing webhook answers once and cannot post
// again, so an oversized reply is cut rather than paged:
//
//   - Cards come first: when the cards alone leave no room for a short
//     text, they are shrunk from the last one backwards. An Adaptive Card
//     loses trailing body elements, a connector card trailing sections, a
//     list card trailing items, each replaced by a note inside the card; a
//     card that cannot shrink enough (a hero card, one huge element) is
//     dropped, and the text says how many cards were left out.
//   - Text is then cut to the room left, at the last paragraph break, else
//     line break, else space in the second half of what fits, else between
//     two runes (never inside one), never inside an <at> mention or an
//     HTML entity. A code block left open is closed. A visible note saying
//     the reply was cut and how big it was follows the text. Mention
//     entities whose <at> tag was cut off are removed.
//   - A summary sent in place of text is cut the same way.
//
// The result always fits in limit. Fit does not modify r.
func Fit(r Reply, limit int) Reply {
	if limit <= 0 {
		limit = MaxReplySize
	}
	limit = max(limit, minFitLimit)
	if sizeBound(r) <= limit {
		return r
	}
	full := encodedSize(r)
	if full <= limit {
		return r
	}

	out := r
	out.Attachments = slices.Clone(r.Attachments)
	out.Entities = slices.Clone(r.Entities)

	// Room kept for text (or the notes that replace it) while shrinking cards.
	const textReserve = 400
	dropped := 0
	for i := len(out.Attachments) - 1; i >= 0; i-- {
		over := withoutText(out) + textReserve - limit
		if over <= 0 {
			break
		}
		a := out.Attachments[i]
		if s, ok := shrinkCard(a, encodedSize(a.Content)-over); ok {
			out.Attachments[i] = s
			continue
		}
		out.Attachments = slices.Delete(out.Attachments, i, i+1)
		dropped++
	}

	var notes []string
	if dropped > 0 {
		notes = append(notes, fmt.Sprintf("%d %s left out: too big for a Teams message.", dropped, plural(dropped, "card", "cards")))
	}
	if out.Text != "" || len(notes) > 0 {
		out.Summary = ""
	}
	textCut := false
	ov := withoutText(out) + len(`,"text":""`)
	if out.Text != "" && ov+encodedLen(out.Text)+encodedLen(notesText(notes)) > limit {
		textCut = true
		notes = append([]string{fmt.Sprintf("Cut here: the full reply was %s, more than Teams accepts.", humanSize(full))}, notes...)
	}
	note := notesText(notes)
	switch {
	case textCut:
		out.Text = cutText(out.Text, limit-ov, note)
	case note != "":
		out.Text = strings.TrimLeft(out.Text+note, "\n")
	}
	if out.Text == "" && out.Summary != "" {
		// The summary goes in place of text: cut it like text.
		ovs := encodedSize(Reply{Attachments: out.Attachments}) + len(`,"summary":""`)
		if ovs+encodedLen(out.Summary) > limit {
			out.Summary = cutPlain(out.Summary, limit-ovs-encodedLen("…"))
			out.Summary += "…"
		}
	}
	out.Entities = keepMentioned(out.Entities, out.Text)

	// The arithmetic above is exact for well-formed input; this guard makes
	// the promise hold for anything else.
	if encodedSize(out) > limit {
		out = Reply{Text: cutPlain("Cut: the reply was "+humanSize(full)+", more than Teams accepts, and could not be shortened.", limit-64)}
	}
	return out
}

// notesText renders notes as one italic paragraph to append to text.
func notesText(notes []string) string {
	if len(notes) == 0 {
		return ""
	}
	return "\n\n*(" + strings.Join(notes, " ") + ")*"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// humanSize formats a byte count for a note: "812 bytes", "45.1 KB", "3.2 MB".
func humanSize(n int) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d bytes", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f KB", float64(n)/1000)
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
}

// encodedSize returns the length of v as encoding/json marshals it.
func encodedSize(v any) int {
	data, err := json.Marshal(v)
	if err != nil {
		return 1 << 62
	}
	return len(data)
}

// withoutText returns the encoded size of r without text and summary.
func withoutText(r Reply) int {
	r.Text, r.Summary = "", ""
	return encodedSize(r)
}

// sizeBound returns an upper bound of r's encoded size without encoding
// it: no byte takes more than six bytes in a JSON string.
func sizeBound(r Reply) int {
	n := 64 + 6*(len(r.Text)+len(r.Summary))
	for _, a := range r.Attachments {
		n += 80 + 6*(len(a.Content)+len(a.ContentType)+len(a.ContentURL)+len(a.Name)+len(a.ThumbnailURL))
	}
	for _, e := range r.Entities {
		n += 160 + 6*(len(e.Type)+len(e.Text)+len(e.Locale)+len(e.Country)+len(e.Platform)+len(e.Timezone))
		if e.Mentioned != nil {
			n += 6 * (len(e.Mentioned.ID) + len(e.Mentioned.Name) + len(e.Mentioned.AADObjectID))
		}
	}
	return n
}

// encodedLen returns the length of s's contents as a JSON string encoded by
// encoding/json (with HTML escaping), without the quotes.
func encodedLen(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			n += asciiLen(c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1, r == '\u2028', r == '\u2029':
			n += 6
		default:
			n += size
		}
		i += size
	}
	return n
}

func asciiLen(c byte) int {
	switch c {
	case '"', '\\', '\n', '\r', '\t', '\b', '\f':
		return 2
	case '<', '>', '&':
		return 6
	}
	if c < 0x20 {
		return 6
	}
	return 1
}

// prefixFor returns the longest prefix of s, ending on a rune boundary,
// whose encoded length is at most budget.
func prefixFor(s string, budget int) string {
	n := 0
	for i := 0; i < len(s); {
		var w, size int
		if c := s[i]; c < utf8.RuneSelf {
			w, size = asciiLen(c), 1
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			w = size
			if (r == utf8.RuneError && size == 1) || r == '\u2028' || r == '\u2029' {
				w = 6
			}
		}
		if n+w > budget {
			return s[:i]
		}
		n += w
		i += size
	}
	return s
}

// cutPlain cuts s to an encoded length of at most budget, at the last space
// in the second half if there is one, else at a rune boundary.
func cutPlain(s string, budget int) string {
	if budget <= 0 {
		return ""
	}
	p := prefixFor(s, budget)
	if len(p) == len(s) {
		return s
	}
	if i := strings.LastIndexAny(p, " \t\n"); i > len(p)/2 {
		p = p[:i]
	}
	return strings.TrimRight(p, " \t\r\n")
}

// cutText cuts markdown text t so that t's kept part, any closing code
// fence and note fit in budget encoded bytes.
func cutText(t string, budget int, note string) string {
	avail := budget - encodedLen(note)
	closing := ""
	for range 3 {
		kept := cleanPrefix(prefixFor(t, avail-encodedLen(closing)))
		closing = ""
		if f := openFence(kept); f != "" {
			closing = "\n" + f
		}
		if encodedLen(kept)+encodedLen(closing) <= avail {
			return strings.TrimLeft(kept+closing+note, "\n")
		}
	}
	return strings.TrimLeft(note, "\n")
}

// cleanPrefix backs p, a prefix of a longer text, off to a clean boundary:
// a paragraph break, line break or space in its second half, else it
// keeps p, which ends on a rune boundary. It never ends inside an <at>
// tag or an HTML entity.
func cleanPrefix(p string) string {
	half := len(p) / 2
	switch {
	case strings.LastIndex(p, "\n\n") > half:
		p = p[:strings.LastIndex(p, "\n\n")]
	case strings.LastIndexByte(p, '\n') > half:
		p = p[:strings.LastIndexByte(p, '\n')]
	case strings.LastIndexAny(p, " \t") > half:
		p = p[:strings.LastIndexAny(p, " \t")]
	}
	if i := strings.LastIndex(p, "<at>"); i >= 0 && !strings.Contains(p[i:], "</at>") {
		p = p[:i]
	}
	if i := strings.LastIndexByte(p, '&'); i >= 0 && len(p)-i <= 10 && !strings.ContainsAny(p[i:], "; \t\n") {
		p = p[:i]
	}
	if i := strings.LastIndexByte(p, '<'); i >= 0 && !strings.ContainsRune(p[i:], '>') && len(p)-i <= 16 {
		p = p[:i]
	}
	return strings.TrimRight(p, " \t\r\n")
}

// openFence returns the fence of a fenced code block left open at the end
// of s (CommonMark rules: a line of three or more backticks or tildes,
// indented at most three spaces, closed by at least as many of the same),
// or "".
func openFence(s string) string {
	var open string
	for line := range strings.Lines(s) {
		line = strings.TrimRight(line, "\r\n")
		trimmed := strings.TrimLeft(line, " ")
		if len(line)-len(trimmed) > 3 || len(trimmed) < 3 {
			continue
		}
		c := trimmed[0]
		if c != '`' && c != '~' {
			continue
		}
		n := 0
		for n < len(trimmed) && trimmed[n] == c {
			n++
		}
		if n < 3 {
			continue
		}
		if open == "" {
			if c == '`' && strings.ContainsRune(trimmed[n:], '`') {
				continue // not a fence: an info string may not hold backticks
			}
			open = trimmed[:n]
			continue
		}
		if c == open[0] && n >= len(open) && strings.TrimSpace(trimmed[n:]) == "" {
			open = ""
		}
	}
	return open
}

// keepMentioned drops mention entities whose text does not occur in text.
func keepMentioned(ents []Entity, text string) []Entity {
	out := ents[:0]
	for _, e := range ents {
		if e.Type == "mention" && e.Text != "" && !strings.Contains(text, e.Text) {
			continue
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// cardLists names, per card content type, the list a card can lose items
// from, and the item that replaces what was cut.
var cardLists = map[string]struct {
	key  string
	note func(n int) any
}{
	"application/vnd.microsoft.card.adaptive": {"body", func(n int) any {
		return map[string]any{"type": "TextBlock", "text": cutCardNote(n), "isSubtle": true, "wrap": true}
	}},
	"application/vnd.microsoft.teams.card.o365connector": {"sections", func(n int) any {
		return map[string]any{"text": cutCardNote(n)}
	}},
	"application/vnd.microsoft.teams.card.list": {"items", func(n int) any {
		return map[string]any{"type": "resultItem", "title": cutCardNote(n)}
	}},
}

func cutCardNote(n int) string {
	return fmt.Sprintf("(%d more %s left out: the card was too big for a Teams message.)", n, plural(n, "item", "items"))
}

// shrinkCard drops trailing items from a's list (body, sections or items)
// until its content encodes to at most maxSize bytes, and adds a note in
// their place. It reports false when that cannot be done while keeping at
// least one item.
func shrinkCard(a Attachment, maxSize int) (Attachment, bool) {
	spec, ok := cardLists[a.ContentType]
	if !ok || maxSize <= 0 {
		return a, false
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(a.Content, &obj); err != nil {
		return a, false
	}
	var items []json.RawMessage
	if err := json.Unmarshal(obj[spec.key], &items); err != nil || len(items) < 2 {
		return a, false
	}
	// Encoded sizes: the card with only the note, plus each kept item and
	// its comma.
	note, _ := json.Marshal(spec.note(len(items)))
	obj[spec.key], _ = json.Marshal([]json.RawMessage{note})
	size := encodedSize(obj)
	keep := 0
	for keep < len(items)-1 {
		n := encodedSize(items[keep]) + 1
		if size+n > maxSize {
			break
		}
		size += n
		keep++
	}
	if keep == 0 {
		return a, false
	}
	note, _ = json.Marshal(spec.note(len(items) - keep))
	kept := append(slices.Clone(items[:keep]), note)
	var err error
	if obj[spec.key], err = json.Marshal(kept); err != nil {
		return a, false
	}
	content, err := json.Marshal(obj)
	if err != nil || len(content) > maxSize {
		return a, false
	}
	a.Content = content
	return a, true
}
