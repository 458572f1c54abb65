package bot

import (
	"fmt"
	"strconv"
	"strings"
)

// Teams renders a subset of markdown in message text (bold, italic, links,
// lists, blockquotes, preformatted text) and passes some HTML through: an
// <at> tag becomes a mention, &lt; an angle bracket. The helpers in this
// file put user-supplied content into that text safely.

// Escape returns s made safe to put into reply text: it renders as the
// characters it holds, cannot start or end emphasis, a link, a list, a
// heading or a code span, and cannot forge a mention or any other HTML tag.
//
// Angle brackets and ampersands become HTML entities; markdown punctuation
// (\ ` * _ ~ [ ]) becomes a numeric character reference, which Teams
// shows as the character but markdown does not treat as syntax; a line
// that would start a heading, list or quote has its leading marker
// escaped the same way. Line breaks are kept.
func Escape(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	lineStart := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if lineStart {
			if n := listMarker(s[i:]); n > 0 {
				// Keep the digits, escape the marker that follows them.
				b.WriteString(s[i : i+n-1])
				writeRef(&b, s[i+n-1])
				i += n - 1
				lineStart = false
				continue
			}
		}
		switch c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\\', '`', '*', '_', '~', '[', ']':
			writeRef(&b, c)
		case '#', '-', '+', '=', '|':
			if lineStart {
				writeRef(&b, c)
			} else {
				b.WriteByte(c)
			}
		default:
			b.WriteByte(c)
		}
		switch c {
		case '\n':
			lineStart = true
		case ' ', '\t', '\r':
			// Indentation keeps a line "at its start" for markdown.
		default:
			lineStart = false
		}
	}
	return b.String()
}

// writeRef writes c as a numeric character reference, "&#42;".
func writeRef(b *strings.Builder, c byte) {
	b.WriteString("&#")
	b.WriteString(strconv.Itoa(int(c)))
	b.WriteByte(';')
}

// needsEscape reports whether Escape would change s.
func needsEscape(s string) bool {
	return strings.ContainsAny(s, "&<>\\`*_~[]#-+=|.)")
}

// listMarker returns the length of an ordered-list marker ("12." or "3)")
// at the start of s, or 0.
func listMarker(s string) int {
	i := 0
	for i < len(s) && i < 9 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || i >= len(s) || (s[i] != '.' && s[i] != ')') {
		return 0
	}
	return i + 1
}

// escapeName escapes a display name for use inside an <at> tag: only
// the characters that would break the tag are replaced.
func escapeName(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	return r.Replace(s)
}

// Code returns s as an inline code span: shown in a monospace font and
// never interpreted as markdown. The fence is one backtick longer than the
// longest run of backticks in s, and line breaks become spaces, so no
// content can close the span early.
func Code(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if s == "" {
		return fence + " " + fence
	}
	if s[0] == '`' || s[len(s)-1] == '`' || (s[0] == ' ' && s[len(s)-1] == ' ' && strings.Trim(s, " ") != "") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// CodeBlock returns s as a fenced, preformatted block, with an optional
// language for syntax highlighting (letters, digits and "+#.-_" only;
// anything else is dropped). The fence is longer than any run of backticks
// in s, so the content cannot close the block, and the block always ends
// with its closing fence on a line of its own.
func CodeBlock(language, s string) string {
	language = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("+#.-_", r):
			return r
		}
		return -1
	}, language)
	n := max(3, longestRun(s, '`')+1)
	fence := strings.Repeat("`", n)
	s = strings.TrimSuffix(s, "\n")
	return fence + language + "\n" + s + "\n" + fence
}

// longestRun returns the length of the longest run of c in s.
func longestRun(s string, c byte) int {
	best, cur := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			cur++
			best = max(best, cur)
		} else {
			cur = 0
		}
	}
	return best
}

// At returns the mention entity for a: its Text is the markup,
// "<at>Name</at>" with the name escaped, to put into the reply text, and
// the entity itself goes into Reply.Entities so that Teams renders a real
// mention and notifies the person. Use Reply.Mention or Escapef to do
// both at once.
//
// The entity names a.ID (the "29:…" id Teams sent in From); when only the
// AAD object id is known, it is used instead.
func At(a Account) Entity {
	id := a.ID
	if id == "" {
		id = a.AADObjectID
	}
	name := a.Name
	if name == "" {
		name = "unknown"
	}
	return Entity{
		Type:      "mention",
		Mentioned: &Account{ID: id, Name: name},
		Text:      "<at>" + escapeName(name) + "</at>",
	}
}

// Mention returns a copy of r with a mention of each account appended to
// its text, separated by spaces, and the matching mention entities added.
//
//	return c.Reply(bot.Text("The build is green,").Mention(c.Activity.From))
func (r Reply) Mention(accounts ...Account) Reply {
	ents := make([]Entity, 0, len(r.Entities)+len(accounts))
	ents = append(ents, r.Entities...)
	var b strings.Builder
	b.WriteString(r.Text)
	for _, a := range accounts {
		e := At(a)
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(e.Text)
		ents = append(ents, e)
	}
	r.Text = b.String()
	r.Entities = ents
	return r
}

// Escapef formats a text reply like fmt.Sprintf, treating the arguments as
// user-supplied content: strings, errors and fmt.Stringers are escaped
// with Escape, and an Account (or *Account) becomes a mention, with its
// entity added to the reply. Numbers and other values are formatted
// as usual. The format itself is trusted markdown. Use the %s and %v verbs
// for escaped arguments; a width or %q would apply to the escaped form.
//
//	bot.Escapef("**%s** deployed %s", c.Activity.From, branch)
func Escapef(format string, args ...any) Reply {
	var ents []Entity
	conv := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case Account:
			e := At(v)
			ents = append(ents, e)
			conv[i] = e.Text
		case *Account:
			if v == nil {
				conv[i] = ""
				continue
			}
			e := At(*v)
			ents = append(ents, e)
			conv[i] = e.Text
		case string:
			conv[i] = Escape(v)
		case error:
			conv[i] = Escape(v.Error())
		case fmt.Stringer:
			conv[i] = Escape(v.String())
		default:
			conv[i] = a
		}
	}
	return Reply{Text: fmt.Sprintf(format, conv...), Entities: ents}
}
