package router

import (
	"html"
	"regexp"
	"strings"

	"github.com/google/shlex"

	"github.com/outhook/outhook/bot"
)

var (
	atTag    = regexp.MustCompile(`(?is)<at[^>]*>(.*?)</at>`)
	anyTag   = regexp.MustCompile(`(?s)<[^>]*>`)
	quoteMap = strings.NewReplacer(
		"\u201c", `"`, "\u201d", `"`, "\u201e", `"`, "\u201f", `"`,
		"\u2018", "'", "\u2019", "'", "\u201a", "'", "\u201b", "'",
		"\u00a0", " ", "\u2007", " ", "\u202f", " ",
		"\u200b", "", "\u200c", "", "\u200d", "", "\ufeff", "",
	)
)

// CommandLine returns the command line a person typed: the activity's text
// without the bot's own leading mention, with other mentions reduced to
// their names, tags dropped, HTML entities decoded once and curly quotes
// made straight.
func CommandLine(a *bot.Activity) string {
	s := strings.TrimSpace(a.Text)
	if loc := atTag.FindStringIndex(s); loc != nil && loc[0] == 0 {
		s = s[loc[1]:]
	}
	s = atTag.ReplaceAllString(s, "$1")
	s = anyTag.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	s = quoteMap.Replace(s)
	return strings.TrimSpace(s)
}

// hashStandIn replaces '#' while splitting: shlex would read it as the
// start of a comment, but in chat "#123" and "C#" are words.
const hashStandIn = "\ue000"

// Split splits a command line into words like a shell: spaces separate,
// quotes keep spaces, a backslash escapes. '#' is an ordinary character.
func Split(line string) ([]string, error) {
	line = strings.ReplaceAll(line, hashStandIn, "")
	words, err := shlex.Split(strings.ReplaceAll(line, "#", hashStandIn))
	if err != nil {
		return nil, ErrUnbalancedQuotes
	}
	for i, w := range words {
		words[i] = strings.ReplaceAll(w, hashStandIn, "#")
	}
	return words, nil
}
