package router

import (
	"github.com/outhook/outhook/bot"
)

// Context is the bot.Context of an activity together with the command it
// invoked and that command's arguments. Through the embedded bot.Context it
// also gives the activity, the deadline (Context, Deadline), the logger
// bound to the activity (Logger) and the reply methods (Text, Reply).
type Context struct {
	*bot.Context
	// Command is the command being run.
	Command *Command
	// Args are the words after the command's name, unquoted, with
	// mentions shown as names. Empty for Raw commands.
	Args []string
	// Raw is the rest of the message after the command's name, untouched
	// by splitting: line breaks, quotes and code blocks as typed, with
	// mentions shown as names.
	Raw string
	// Parsed is a pointer to the command's Args struct, filled from the
	// message, or nil for commands without Args. Middleware sees it only
	// after calling ParseArgs.
	Parsed any
	// Input is the normalised message.
	Input Input

	router   *Router
	res      *Resolution
	resv     Resolution // what res points to, once resolved
	allowed  func(*Command) bool
	values   map[any]any
	words    []string // Args, with mention markers
	parsed   bool
	parseErr error
}

// Resolution returns what the activity runs: the command's canonical path
// and the values it receives, resolved once by the router. Middleware
// decides on it; it is never nil.
func (c *Context) Resolution() *Resolution { return c.res }

// Router returns the router dispatching the command, for commands such as
// help that describe the others.
func (c *Context) Router() *Router { return c.router }

// Allowed reports whether the asker may run cmd, so that commands such as
// help list only what the asker may run. Everything is allowed unless
// access middleware has set a check with SetAllowed.
func (c *Context) Allowed(cmd *Command) bool { return c.allowed == nil || c.allowed(cmd) }

// SetAllowed sets the check behind Allowed, for access middleware.
func (c *Context) SetAllowed(f func(*Command) bool) { c.allowed = f }

// ParseArgs parses the arguments into Parsed if the command declares Args.
// The router calls it before the handler; middleware that needs the
// arguments may call it earlier. It returns a *UsageError for words that do
// not fit the declaration, and the same result on every call.
func (c *Context) ParseArgs() error {
	if c.parsed {
		return c.parseErr
	}
	c.parsed = true
	if s := c.Command.schema; s != nil {
		v, err := s.parse(c.words, &c.Input, nil)
		if err != nil {
			c.parseErr = &UsageError{Command: c.Command, Err: err}
			return c.parseErr
		}
		c.Parsed = v
	}
	return nil
}

// Mentions returns the people mentioned in the message, other than the
// bot, in order.
func (c *Context) Mentions() []Person { return c.Input.Mentions }

// Sender returns the person who sent the message.
func (c *Context) Sender() Person {
	f := c.Activity.From
	return Person{Name: f.Name, ID: f.ID, AADObjectID: f.AADObjectID}
}

// Team returns the team's id (the General channel's thread id, not the
// Azure AD group id).
func (c *Context) Team() string { return c.Activity.Team() }

// Channel returns the Teams channel id.
func (c *Context) Channel() string { return c.Activity.Channel() }

// Thread returns the id of the root message of the reply chain.
func (c *Context) Thread() string { return c.Activity.Thread() }

// Tenant returns the Azure AD tenant id, or "".
func (c *Context) Tenant() string { return c.Activity.Tenant() }

// Locale returns the sender's locale such as "en-US", from the activity or
// its clientInfo entity, or "".
func (c *Context) Locale() string {
	if l := c.Activity.Locale; l != "" {
		return l
	}
	return c.Activity.ClientInfo().Locale
}

// Platform returns the sender's client: "Web", "Windows", "Mac", "iOS",
// "Android", or "" when Teams did not say.
func (c *Context) Platform() string { return c.Activity.ClientInfo().Platform }

// Usage returns the command's usage line, such as "deploy <env> [flags]".
func (c *Context) Usage() string { return UsageLine(c.Command) }

// Suggest returns the names of visible top-level commands close to word
// that the asker may run, closest first, for "did you mean …?".
func (c *Context) Suggest(word string) []string { return suggest(word, c.visibleNames()) }

// Set stores a value for later middleware and the handler, such as the
// access decision; keys follow the rules of context.WithValue keys.
func (c *Context) Set(key, value any) {
	if c.values == nil {
		c.values = map[any]any{}
	}
	c.values[key] = value
}

// Get returns the value stored with Set, or nil.
func (c *Context) Get(key any) any { return c.values[key] }
