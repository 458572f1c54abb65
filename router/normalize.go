package router

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/outhook/outhook/bot"
)

// Person is someone mentioned in a message. Mentions of people other than
// the bot reach commands as Person values: declare a field of type Person
// (or []Person) in a command's Args struct to receive them.
type Person struct {
	// Name is the display name from the mention entity, or the mention's
	// text when Teams sent no entity.
	Name string
	// ID is the Teams user id ("29:…"); empty when Teams sent no mention
	// entity for the mention.
	ID string
	// AADObjectID is the Azure AD object id, when Teams included it or the
	// person is the sender; often empty.
	AADObjectID string
}

// String returns the display name.
func (p Person) String() string { return p.Name }

// Mention returns the markup and the entity that mention p in a reply:
// put the markup in bot.Reply.Text and the entity in bot.Reply.Entities.
func (p Person) Mention() (string, bot.Entity) {
	text := "<at>" + html.EscapeString(p.Name) + "</at>"
	return text, bot.Entity{
		Type:      "mention",
		Text:      text,
		Mentioned: &bot.Account{ID: p.ID, Name: p.Name, AADObjectID: p.AADObjectID},
	}
}

// Sources of an Input's line.
const (
	// SourceHTML means the line came from the text/html attachment.
	SourceHTML = "html"
	// SourceText means the line came from Activity.Text.
	SourceText = "text"
)

// Input is a message reduced to the command line a person typed: the bot's
// own mention removed, markup and entities decoded, spaces and quotes made
// plain. A Normalizer produces it; the Router splits and parses it.
type Input struct {
	// Line is the command line. Each mention of a person other than the
	// bot stands in it as one marker rune, made by AddMention; Text shows
	// the line with markers replaced by names.
	Line string
	// Mentions are the people mentioned, other than the bot, in the order
	// of their markers.
	Mentions []Person
	// Source says where Line came from: SourceHTML, SourceText, or what a
	// custom Normalizer chose.
	Source string
}

// Mention markers are runes of Unicode plane 15 (private use): the marker
// of Mentions[i] is markerBase+i. Normalisation drops such runes from what
// people type, so a marker always means a mention.
const (
	markerBase = 0xF0000
	markerMax  = 0xFFFFD - markerBase
)

// AddMention records p as mentioned and returns the marker that stands for
// it in Line. A custom Normalizer writes the marker where the mention was.
// Past 65533 mentions it returns p.Name instead.
func (in *Input) AddMention(p Person) string {
	if len(in.Mentions) >= markerMax {
		return p.Name
	}
	in.Mentions = append(in.Mentions, p)
	return string(rune(markerBase + len(in.Mentions) - 1))
}

// Text returns Line with mention markers replaced by the names of those
// mentioned: what the person typed, as plain text.
func (in Input) Text() string { return in.render(in.Line) }

// render replaces mention markers in s by names.
func (in Input) render(s string) string {
	if len(in.Mentions) == 0 || !hasMarker(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if i, ok := in.marker(r); ok {
			b.WriteString(in.Mentions[i].Name)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// marker returns the mention index r stands for.
func (in Input) marker(r rune) (int, bool) {
	i := int(r) - markerBase
	if i < 0 || i >= len(in.Mentions) {
		return 0, false
	}
	return i, true
}

// hasMarker reports whether s holds a rune of plane 15. Such runes are four
// bytes starting 0xF3 0xB0..0xBF.
func hasMarker(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == 0xF3 && s[i+1] >= 0xB0 && s[i+1] <= 0xBF {
			return true
		}
	}
	return false
}

// Normalizer turns an activity into the command line a person typed. The
// Router's default is DefaultNormalizer; replace it with WithNormalizer.
type Normalizer interface {
	Normalize(a *bot.Activity) Input
}

// NormalizerFunc adapts a function to the Normalizer interface.
type NormalizerFunc func(a *bot.Activity) Input

// Normalize calls f(a).
func (f NormalizerFunc) Normalize(a *bot.Activity) Input { return f(a) }

// DefaultNormalizer is the Normalizer a Router uses unless told otherwise:
// Normalize.
var DefaultNormalizer Normalizer = NormalizerFunc(Normalize)

// Normalize reduces an activity to its command line. The text/html
// attachment is the authority: it keeps what Activity.Text loses (a
// "<data>" the person typed arrives there as "&lt;data&gt;"). When the
// attachment holds nothing that Text could have lost (no escaped angle
// brackets, line breaks, code, emoji or images), Text says the same thing
// and is read instead, because it is cheaper. Text is also the fallback
// when there is no attachment, or when the attachment carries no mention
// markup while Text does. See the package documentation for the rules.
func Normalize(a *bot.Activity) Input {
	if raw, ok := htmlContent(a); ok && !plainHTML(raw) {
		if h, err := raw.String(); err == nil && strings.TrimSpace(h) != "" {
			in, tags := normalizeMarkup(a, h, SourceHTML)
			if tags > 0 || !strings.Contains(a.Text, "<at") {
				return in
			}
		}
	}
	return NormalizeText(a)
}

// htmlContent returns the raw JSON content of the text/html attachment.
func htmlContent(a *bot.Activity) (bot.RawJSON, bool) {
	for _, at := range a.Attachments {
		if at.ContentType == "text/html" {
			return at.Content, true
		}
	}
	return nil, false
}

// plainHTML reports whether the raw JSON of the attachment holds only
// Teams' usual wrapping (<div><div>…</div>\n</div>) around text and
// mentions: no other tag (line breaks, paragraphs, code, emoji, images), no
// escaped angle brackets the person typed, no JSON-escaped characters. Then
// Activity.Text says the same thing. One pass, no allocation.
func plainHTML(raw bot.RawJSON) bool {
	divs, newlines := 0, 0
	for i := 0; i < len(raw); i++ {
		rest := raw[i+1:]
		switch raw[i] {
		case '<':
			switch {
			case bytes.HasPrefix(rest, []byte("div")):
				divs++
			case bytes.HasPrefix(rest, []byte("/")), bytes.HasPrefix(rest, []byte("span ")),
				bytes.HasPrefix(rest, []byte("span>")), bytes.HasPrefix(rest, []byte("at>")):
			default:
				return false
			}
		case '&':
			if bytes.HasPrefix(rest, []byte("lt;")) || bytes.HasPrefix(rest, []byte("gt;")) || bytes.HasPrefix(rest, []byte("#")) {
				return false
			}
		case '\\':
			if len(rest) == 0 {
				return false
			}
			switch rest[0] {
			case 'n':
				newlines++
			case '"', '\\', '/':
			default:
				return false
			}
			i++
		}
	}
	return divs <= 2 && newlines <= 1
}

// NormalizeText reduces Activity.Text to a command line, ignoring the
// text/html attachment.
func NormalizeText(a *bot.Activity) Input {
	if in, ok := botLine(a); ok {
		return in
	}
	in, _ := normalizeMarkup(a, a.Text, SourceText)
	return in
}

// NormalizeHTML reduces the text/html attachment to a command line; ok is
// false when the activity has none.
func NormalizeHTML(a *bot.Activity) (in Input, ok bool) {
	h, ok := a.HTML()
	if !ok {
		return Input{}, false
	}
	in, _ = normalizeMarkup(a, h, SourceHTML)
	return in, true
}

// CommandLine returns the command line of an activity as plain text: the
// default normalisation with mentions of other people shown as their names.
func CommandLine(a *bot.Activity) string { return Normalize(a).Text() }

// normalizer holds the state of one normalisation.
type normalizer struct {
	a     *bot.Activity
	in    Input
	b     []byte
	ents  []*bot.Account // mention entities, in order
	etext []string       // their <at> markup, as sent
	used  []bool
	tags  int // mention tags seen

	botID   string // id of the bot's mention entity, if known
	botName string // name of the bot's first mention, when no entity says who the bot is

	// The mention being read: depth of nested tags of its kind, its name.
	mention     atom.Atom
	mentionDeep int
	mentionID   int
	mentionName []byte

	// dropSpace drops a space after the bot's mention where one precedes it.
	dropSpace bool
}

// normalizeMarkup walks s with the HTML tokenizer. It returns the Input and
// how many mention tags it saw.
func normalizeMarkup(a *bot.Activity, s string, source string) (Input, int) {
	n := normalizer{a: a}
	n.init()
	n.in.Source = source
	n.b = make([]byte, 0, len(s))
	switch {
	case !strings.ContainsAny(s, "<&\r\x00"):
		n.text(s)
	case !n.fast(s):
		n.walk(s)
	}
	n.in.Line = strings.TrimSpace(string(n.b))
	return n.in, n.tags
}

// init reads the mention entities and finds the bot's.
func (n *normalizer) init() {
	a := n.a
	for i := range a.Entities {
		e := &a.Entities[i]
		if e.Type == "mention" && e.Mentioned != nil {
			n.ents = append(n.ents, e.Mentioned)
			n.etext = append(n.etext, e.Text)
		}
	}
	n.used = make([]bool, len(n.ents))
	for _, m := range n.ents {
		if strings.HasPrefix(m.ID, "28:") {
			n.botID = m.ID
			break
		}
	}
}

func (n *normalizer) walk(s string) {
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				n.text(string(z.Raw()))
			}
			n.endMention()
			return
		case html.TextToken:
			n.text(string(z.Text()))
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			t := atom.Lookup(name)
			if t == 0 {
				switch string(name) {
				case "at":
					t = atAtom
				case "emoji":
					t = emojiAtom
				}
			}
			n.start(z, t, hasAttr, tt == html.SelfClosingTagToken)
		case html.EndTagToken:
			name, _ := z.TagName()
			t := atom.Lookup(name)
			if t == 0 && string(name) == "at" {
				t = atAtom
			}
			n.end(t)
		}
	}
}

// isBlock reports whether a tag breaks the line.
func isBlock(t atom.Atom) bool {
	switch t {
	case atom.P, atom.Div, atom.Li, atom.Tr, atom.Pre, atom.Blockquote, atom.Ul, atom.Ol,
		atom.Table, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Hr:
		return true
	}
	return false
}

// atAtom and emojiAtom stand for the <at> and <emoji> tags, which the atom
// table does not know.
const (
	atAtom    atom.Atom = 1<<31 - 1
	emojiAtom atom.Atom = 1<<31 - 2
)

func (n *normalizer) start(z *html.Tokenizer, t atom.Atom, hasAttr, selfClosing bool) {
	if n.mention != 0 {
		// Inside a mention only emoji count, as part of the name.
		switch {
		case t == atom.Img || t == emojiAtom:
			n.mentionName = append(n.mentionName, attr(z, hasAttr, "alt")...)
		case t == n.mention && !selfClosing:
			n.mentionDeep++
		}
		return
	}
	switch t {
	case atom.Br:
		n.b = append(n.b, '\n')
	case atom.Img:
		if itemType, alt := attrs2(z, hasAttr, "itemtype", "alt"); strings.Contains(itemType, "Emoji") {
			n.text(alt)
		}
	case atAtom, atom.Span:
		if selfClosing {
			return
		}
		id := -1
		if t == atom.Span {
			itemType, itemID := attrs2(z, hasAttr, "itemtype", "itemid")
			if !strings.Contains(itemType, "schema.skype.com/Mention") {
				return
			}
			id = atoi(itemID)
		} else {
			id = atoi(attr(z, hasAttr, "id"))
		}
		n.mention, n.mentionDeep, n.mentionID = t, 1, id
		n.mentionName = n.mentionName[:0]
	default:
		if isBlock(t) {
			n.newline()
		} else if t == emojiAtom {
			// Teams' <emoji alt="😀">.
			n.text(attr(z, hasAttr, "alt"))
		}
	}
}

func (n *normalizer) end(t atom.Atom) {
	if n.mention != 0 {
		if t == n.mention {
			n.mentionDeep--
			if n.mentionDeep == 0 {
				n.endMention()
			}
		}
		return
	}
	if isBlock(t) {
		n.newline()
	}
}

// newline ends the current line unless it is already ended or empty.
func (n *normalizer) newline() {
	if len(n.b) > 0 && n.b[len(n.b)-1] != '\n' {
		n.b = append(n.b, '\n')
	}
}

// endMention resolves the mention just read: the bot's is dropped, anyone
// else's becomes a marker.
func (n *normalizer) endMention() {
	if n.mention == 0 {
		return
	}
	n.mention = 0
	name := strings.TrimSpace(cleanName(n.mentionName))
	k := n.tags
	n.tags++
	e := n.resolve(name, k)

	var isBot bool
	switch {
	case n.botID != "":
		isBot = e >= 0 && n.ents[e].ID == n.botID ||
			e < 0 && n.botName != "" && strings.EqualFold(name, n.botName)
		if isBot && n.botName == "" {
			n.botName = name
		}
	case k == 0:
		// No entity says which mention is the bot: Teams puts the
		// webhook's own mention first.
		isBot = true
		n.botName = name
		if e >= 0 {
			n.botID = n.ents[e].ID
		}
	default:
		isBot = strings.EqualFold(name, n.botName)
	}
	if isBot {
		n.dropSpace = true
		return
	}
	p := Person{Name: name}
	if e >= 0 {
		m := n.ents[e]
		if m.Name != "" {
			p.Name = m.Name
		}
		p.ID, p.AADObjectID = m.ID, m.AADObjectID
		if p.AADObjectID == "" && p.ID != "" && p.ID == n.a.From.ID {
			p.AADObjectID = n.a.From.AADObjectID
		}
	}
	if p.Name == "" {
		return
	}
	n.b = append(n.b, n.in.AddMention(p)...)
}

// resolve finds the mention entity of the k-th mention tag, named name: by
// the tag's id, then by name, then by position. It returns -1 if none fits.
func (n *normalizer) resolve(name string, k int) int {
	pick := func(i int) int { n.used[i] = true; return i }
	if id := n.mentionID; id >= 0 && id < len(n.ents) && !n.used[id] {
		return pick(id)
	}
	for i, m := range n.ents {
		if !n.used[i] && (strings.EqualFold(m.Name, name) || strings.EqualFold(atName(n.etext[i]), name)) {
			return pick(i)
		}
	}
	if k < len(n.ents) && !n.used[k] {
		return pick(k)
	}
	return -1
}

// atName returns the name in "<at>Name</at>".
func atName(s string) string {
	s, ok := strings.CutPrefix(s, "<at>")
	if !ok {
		return ""
	}
	s, _ = strings.CutSuffix(s, "</at>")
	return html.UnescapeString(s)
}

// cleanName normalises a mention's text like any other text.
func cleanName(b []byte) string {
	var n normalizer
	n.text(string(b))
	return string(n.b)
}

func atoi(s string) int {
	i, err := strconv.Atoi(s)
	if err != nil || s == "" {
		return -1
	}
	return i
}

// attr returns the value of the attribute key of the current tag.
func attr(z *html.Tokenizer, more bool, key string) string {
	v, _ := attrs2(z, more, key, "")
	return v
}

// attrs2 returns the values of two attributes of the current tag.
func attrs2(z *html.Tokenizer, more bool, k1, k2 string) (v1, v2 string) {
	for more {
		var k, v []byte
		k, v, more = z.TagAttr()
		switch string(k) {
		case k1:
			v1 = string(v)
		case k2:
			v2 = string(v)
		}
	}
	return v1, v2
}

// text appends decoded text, made plain: unicode spaces become spaces,
// line and paragraph separators line breaks, curly quotes straight ones;
// zero-width and bidi controls, and the private-use runes the router uses
// internally, go.
func (n *normalizer) text(s string) {
	if n.mention != 0 {
		n.mentionName = append(n.mentionName, s...)
		return
	}
	if n.dropSpace && s != "" {
		n.dropSpace = false
		if len(n.b) > 0 && n.b[len(n.b)-1] == ' ' {
			s = strings.TrimLeft(s, " ")
			s = strings.TrimPrefix(s, "\u00a0") // and one no-break space
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case '\r', 0:
			case '\v', '\f':
				n.b = append(n.b, ' ')
			default:
				n.b = append(n.b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch r {
		case '\u201c', '\u201d', '\u201e', '\u201f', '\u2033', '\u00ab', '\u00bb', '\uff02':
			n.b = append(n.b, '"')
		case '\u2018', '\u2019', '\u201a', '\u201b', '\u2032', '\uff07':
			n.b = append(n.b, '\'')
		case '\u2028', '\u2029', '\u0085':
			n.b = append(n.b, '\n')
		case '\u200b', '\u200c', '\u200e', '\u200f', '\u2060', '\ufeff', '\u00ad',
			'\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069':
			// Zero-width and direction marks. The zero-width joiner
			// (U+200D) stays: it holds emoji sequences together.
		default:
			switch {
			case r == utf8.RuneError && size == 1:
				n.b = append(n.b, "\ufffd"...)
			case unicode.IsSpace(r):
				n.b = append(n.b, ' ')
			case r >= 0xE000 && r <= 0xE00F, r >= markerBase && r <= 0xFFFFD:
				// Private use: reserved for the router's own markers.
			default:
				n.b = utf8.AppendRune(n.b, r)
			}
		}
	}
}

// fast normalises markup whose only tags are bare <at> and </at>, as in
// Activity.Text, without the tokenizer; it gives what walk gives. It
// returns false, having done nothing, for anything else.
func (n *normalizer) fast(s string) bool {
	if strings.ContainsAny(s, "\r\x00") {
		return false
	}
	// Check first, so that a late surprise leaves no half-done work.
	depth := 0
	for i := strings.IndexByte(s, '<'); i >= 0; {
		switch {
		case hasPrefixFold(s[i:], "<at>") && depth == 0:
			depth = 1
		case hasPrefixFold(s[i:], "</at>") && depth == 1:
			depth = 0
		default:
			return false
		}
		j := strings.IndexByte(s[i+1:], '<')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	if depth != 0 {
		return false
	}
	for s != "" {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			n.text(unescape(s))
			return true
		}
		if i > 0 {
			n.text(unescape(s[:i]))
		}
		s = s[i+len("<at>"):]
		end := strings.IndexByte(s, '<')
		n.mention, n.mentionDeep, n.mentionID = atAtom, 1, -1
		n.mentionName = append(n.mentionName[:0], unescape(s[:end])...)
		n.endMention()
		s = s[end+len("</at>"):]
	}
	return true
}

func unescape(s string) string {
	if strings.IndexByte(s, '&') < 0 {
		return s
	}
	return html.UnescapeString(s)
}

// hasPrefixFold reports whether s starts with prefix, ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
