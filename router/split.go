package router

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/shlex"
)

// ErrUnbalancedQuotes is what a *QuoteError matches with errors.Is: a
// quote is opened and never closed.
var ErrUnbalancedQuotes = errors.New("a quote is not closed")

// QuoteError reports a quote that is never closed.
type QuoteError struct {
	// Quote is the quote character: '"' or '\''.
	Quote rune
	// Offset is the byte offset of the quote in the line.
	Offset int
	// After is the text after the quote, shortened.
	After string
}

// Error says which quote is open and where, and how to fix it.
func (e *QuoteError) Error() string {
	return fmt.Sprintf("a %c quote is not closed (it opens before %q): close it, or write \\%c for a literal one", e.Quote, e.After, e.Quote)
}

// Is makes errors.Is(err, ErrUnbalancedQuotes) true.
func (e *QuoteError) Is(target error) bool { return target == ErrUnbalancedQuotes }

// Stand-ins protect characters from shlex while splitting.
const (
	hashStandIn       = '\ue000' // '#': shlex would start a comment
	apostropheStandIn = '\ue001' // an apostrophe inside a word
	backslashStandIn  = '\ue002' // a backslash that escapes nothing
)

// Split splits a command line into words like a shell, adapted to chat:
//
//   - spaces, tabs and line breaks separate words; "double" and 'single'
//     quotes keep spaces, and "" is an empty word;
//   - '#' is an ordinary character ("#123", "C#"), not a comment;
//   - an apostrophe inside a word ("don't", "O'Brien") is a letter, not a
//     quote;
//   - a backslash escapes a quote, a backslash or a space; before anything
//     else it is an ordinary character ("C:\temp").
//
// A quote that is never closed returns a *QuoteError. The splitting itself
// is github.com/google/shlex's.
func Split(line string) ([]string, error) {
	if !strings.ContainsAny(line, "\"'\\\ue000\ue001\ue002") {
		return fields(line), nil
	}
	prepared, err := prepare(line)
	if err != nil {
		return nil, err
	}
	words, err := shlex.Split(prepared)
	if err != nil {
		// prepare leaves no open quote or dangling escape.
		return nil, fmt.Errorf("splitting words: %w", err)
	}
	for i, w := range words {
		if strings.ContainsAny(w, "\ue000\ue001\ue002") {
			words[i] = restore.Replace(w)
		}
	}
	return words, nil
}

var restore = strings.NewReplacer(string(hashStandIn), "#", string(apostropheStandIn), "'", string(backslashStandIn), `\`)

// isSpace reports the characters that separate words, as shlex does.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// fields splits a line that has no quotes or backslashes; shlex would give
// the same words.
func fields(line string) []string {
	n := 0
	for i := 0; i < len(line); {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i < len(line) {
			n++
		}
		for i < len(line) && !isSpace(line[i]) {
			i++
		}
	}
	words := make([]string, 0, n)
	for i := 0; i < len(line); {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		start := i
		for i < len(line) && !isSpace(line[i]) {
			i++
		}
		if i > start {
			words = append(words, line[start:i])
		}
	}
	return words
}

// prepare rewrites line for shlex so that it splits as Split documents,
// and finds an unclosed quote.
func prepare(line string) (string, error) {
	var b strings.Builder
	b.Grow(len(line) + 16)
	const (
		plain = iota
		double
		single
	)
	state, open := plain, 0
	prev := rune(' ') // the rune before the current one
	for i := 0; i < len(line); {
		r, size := utf8.DecodeRuneInString(line[i:])
		next := byte(' ')
		if i+size < len(line) {
			next = line[i+size]
		}
		nextRune, _ := utf8.DecodeRuneInString(line[i+size:])
		switch {
		case r == hashStandIn || r == apostropheStandIn || r == backslashStandIn:
			// Reserved: dropped.
		case r == '#':
			b.WriteRune(hashStandIn)
		case r == '\\' && state == single:
			b.WriteByte('\\')
		case r == '\\':
			escapes := next == '"' || next == '\\' || state == plain && (next == '\'' || isSpace(next))
			if escapes && i+size < len(line) {
				b.WriteByte('\\')
				b.WriteByte(next)
				i += size + 1
				prev = rune(next)
				continue
			}
			b.WriteRune(backslashStandIn)
		case r == '"' && state == plain:
			state, open = double, i
			b.WriteByte('"')
		case r == '"' && state == double:
			state = plain
			b.WriteByte('"')
		case r == '\'' && state == plain:
			if isWordRune(prev) {
				b.WriteRune(apostropheStandIn)
				break
			}
			state, open = single, i
			b.WriteByte('\'')
		case r == '\'' && state == single:
			if isWordRune(prev) && isWordRune(nextRune) && i+size < len(line) {
				b.WriteRune(apostropheStandIn) // 'don't stop'
				break
			}
			state = plain
			b.WriteByte('\'')
		default:
			b.WriteString(line[i : i+size])
		}
		prev = r
		i += size
	}
	if state != plain {
		q := rune('"')
		if state == single {
			q = '\''
		}
		return "", &QuoteError{Quote: q, Offset: open, After: shorten(line[open+1:], 24)}
	}
	return b.String(), nil
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// shorten returns the first n runes of s, with an ellipsis if it is longer.
func shorten(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i] + "…"
		}
		n--
	}
	return s
}
