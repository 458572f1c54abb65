package router

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/outhook/outhook/bot"
)

// botLine is the fast path of NormalizeText for the usual Teams message:
// Activity.Text is the bot's own mention, <at>NAME</at>, then plain text.
// It gives the Input normalizeMarkup gives, without a normalizer and
// without allocating: Line is a substring of Activity.Text. It returns
// false, for normalizeMarkup to decide, when
//   - Text does not start with "<at>" or holds another '<', '\r' or NUL;
//   - the activity has more than one mention entity (then which mention is
//     the bot's takes resolution; with at most one, the first tag is the
//     bot's whatever its name, and is dropped);
//   - the text after the mention, past leading spaces and "&nbsp;", holds
//     '&', '\v', '\f', or a rune that normalisation changes or drops
//     (curly quotes, Unicode spaces and separators, zero-width and bidi
//     marks, private use, invalid UTF-8).
func botLine(a *bot.Activity) (Input, bool) {
	s, ok := strings.CutPrefix(a.Text, "<at>")
	if !ok || mentionEntities(a) > 1 {
		return Input{}, false
	}
	end := strings.IndexByte(s, '<')
	if end < 0 || !strings.HasPrefix(s[end:], "</at>") || strings.ContainsAny(s[:end], "\r\x00") {
		return Input{}, false
	}
	rest := skipSpace(s[end+len("</at>"):])
	for i := 0; i < len(rest); {
		c := rest[i]
		if c < utf8.RuneSelf {
			switch c {
			case '<', '&', '\r', 0, '\v', '\f':
				return Input{}, false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(rest[i:])
		if !keptRune(r, size) {
			return Input{}, false
		}
		i += size
	}
	return Input{Line: strings.TrimRight(rest, " \t\n"), Source: SourceText}, true
}

// mentionEntities counts the activity's mention entities that name someone.
func mentionEntities(a *bot.Activity) int {
	n := 0
	for i := range a.Entities {
		if e := &a.Entities[i]; e.Type == "mention" && e.Mentioned != nil {
			n++
		}
	}
	return n
}

// skipSpace drops leading ASCII spaces and "&nbsp;": what normalisation
// turns into spaces and the final trim removes.
func skipSpace(s string) string {
	for {
		switch {
		case s == "":
			return s
		case s[0] == ' ', s[0] == '\t', s[0] == '\n':
			s = s[1:]
		case strings.HasPrefix(s, "&nbsp;"):
			s = s[len("&nbsp;"):]
		default:
			return s
		}
	}
}

// keptRune reports whether (*normalizer).text copies the rune r, of size
// bytes, unchanged and strings.TrimSpace keeps it.
func keptRune(r rune, size int) bool {
	switch r {
	case '\u201c', '\u201d', '\u201e', '\u201f', '\u2033', '\u00ab', '\u00bb', '\uff02',
		'\u2018', '\u2019', '\u201a', '\u201b', '\u2032', '\uff07',
		'\u2028', '\u2029', '\u0085',
		'\u200b', '\u200c', '\u200e', '\u200f', '\u2060', '\ufeff', '\u00ad',
		'\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069':
		return false
	}
	switch {
	case r == utf8.RuneError && size == 1, unicode.IsSpace(r),
		r >= 0xE000 && r <= 0xE00F, r >= markerBase && r <= 0xFFFFD:
		return false
	}
	return true
}
