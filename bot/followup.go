package bot

import (
	"context"
	"errors"
	"html"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Poster delivers follow-ups: results that arrive after the reply to an
// activity was sent. An outgoing webhook cannot answer twice, so a
// follow-up lands as a new post, usually through an incoming webhook
// (package bot/incoming). Post must honour ctx, must not post twice for one
// Key (returning an error matching ErrPosted instead), and returns an error
// when the follow-up was not delivered: one matching ErrMaybePosted when it
// may have been (the bot then never posts it again and tells the asker),
// any other when it surely was not (the bot tries again later, from its
// outbox). A panic in Post is recovered and counts as ErrMaybePosted.
type Poster interface {
	Post(ctx context.Context, f *FollowUp) error
}

// ErrMaybePosted is what a Poster's error matches (errors.Is) when the
// follow-up may have been posted: the request went out and no clear answer
// came back (a timeout after the body was written, a 5xx). The bot never
// posts such a result again; it tells the asker the outcome is unknown.
var ErrMaybePosted = errors.New("follow-up may have been posted")

// ErrPosted is what a Poster's error matches when the follow-up's Key was
// posted already (Teams delivered the activity twice): the result is
// there, and the bot counts it as delivered.
var ErrPosted = errors.New("already posted")

// PosterFunc adapts a function to the Poster interface.
type PosterFunc func(ctx context.Context, f *FollowUp) error

// Post calls p(ctx, f).
func (p PosterFunc) Post(ctx context.Context, f *FollowUp) error { return p(ctx, f) }

// FollowUp is a result to post after the reply, with what a reader of the
// channel needs to understand it: who asked and what they asked.
type FollowUp struct {
	// Key identifies the result: the activity id and a sequence number.
	// A Poster uses it to post each result at most once, even when Teams
	// delivers the same activity twice. Empty when the activity has no id.
	Key string
	// Activity is the id of the activity that asked.
	Activity string
	// Job is the id of the job that produced the result.
	Job string
	// Team and Channel are where the question was asked.
	Team, Channel string
	// Asker is who asked.
	Asker Account
	// Command is the command's name, when a router set it.
	Command string
	// Line is the command line as the router resolved it, secrets
	// redacted (Context.SetLine); without a router, as the asker typed it,
	// without the bot's mention and markup. At most 200 characters.
	Line string
	// Reply is the result.
	Reply Reply
}

// JobFunc is background work started with Context.Go. It returns the result
// to post, or an error that becomes the posted message (a *Error's Message
// is shown; other errors are logged and a generic note is posted). A zero
// Reply with a nil error posts nothing. ctx carries the job's deadline and
// is cancelled when the job is cancelled or the bot stops.
type JobFunc func(ctx context.Context) (Reply, error)

// errNoFollowUps answers Go when the bot has nowhere to post later.
var errNoFollowUps = &Error{Message: "This command posts its result later, but this bot has no follow-up webhook " +
	"configured. Ask its owner to set one up."}

// Go answers ack at once and runs fn in the background as a job; its result
// is posted as a follow-up when it is ready. It returns an error for the
// user when the bot has no follow-ups or too much work already (a *Error
// wrapping ErrBusy), so that `return c.Go("Deploying…", deploy)` reads
// naturally. The ack gets the job id appended, for `cancel <id>`.
func (c *Context) Go(ack string, fn JobFunc) error {
	if c.jobs == nil {
		return errNoFollowUps
	}
	c.mu.Lock()
	f := c.followUpLocked()
	lg := *c.loggerLocked()
	c.mu.Unlock()
	id, err := c.jobs.start(f, lg, c.received, fn)
	if err != nil {
		return err
	}
	ack = strings.TrimSpace(ack)
	if ack == "" {
		ack = "On it."
	}
	return c.Textf("%s (job %s)", ack, id)
}

// Jobs returns the bot's background jobs, or nil when the bot has no
// follow-ups (and so runs no jobs).
func (c *Context) Jobs() *Jobs { return c.jobs }

// followUpLocked describes a new result of c's activity. c.mu is held.
func (c *Context) followUpLocked() FollowUp {
	a := c.Activity
	c.posts++
	f := FollowUp{
		Activity: a.ID,
		Team:     a.Team(),
		Channel:  a.Channel(),
		Asker:    a.From,
		Command:  c.command,
		Line:     commandLine(a, c.line),
	}
	if a.ID != "" {
		f.Key = a.ID + "#" + strconv.Itoa(c.posts)
	}
	return f
}

var (
	mentionTag = regexp.MustCompile(`(?is)<at[^>]*>(.*?)</at>`)
	markupTag  = regexp.MustCompile(`(?s)<[^>]*>`)
)

// maxLine is how much of a command line a follow-up quotes.
const maxLine = 200

// commandLine returns the line set with SetLine (the router's, secrets
// redacted) or else what the asker typed, for quoting: without the bot's
// leading mention, other mentions reduced to names, tags dropped, entities
// decoded once, on one line, at most maxLine characters.
func commandLine(a *Activity, line string) string {
	s := strings.TrimSpace(a.Text)
	if line != "" {
		s = line
	}
	if loc := mentionTag.FindStringIndex(s); loc != nil && loc[0] == 0 {
		s = s[loc[1]:]
	}
	s = mentionTag.ReplaceAllString(s, "$1")
	s = markupTag.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > maxLine {
		r := []rune(s)
		s = string(r[:maxLine-1]) + "…"
	}
	return s
}
