package router

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/outhook/outhook/bot"
)

// HandlerFunc runs a command. It answers through c (c.Text, c.Reply) and
// returns nil, or returns an error that the bot turns into a reply.
type HandlerFunc func(c *Context) error

// MiddlewareFunc wraps a command handler, for logging, access rules, rate
// limits or metrics.
type MiddlewareFunc func(next HandlerFunc) HandlerFunc

// Command is a chat command: its name, how it is described in help, and
// the handler that runs it.
type Command struct {
	// Name is the word that invokes the command, matched case-insensitively.
	// Required.
	Name string
	// Aliases are other words that invoke it. Optional.
	Aliases []string
	// Summary is the one-line description shown by help. Optional.
	Summary string
	// Usage shows the arguments, such as "<text…>". Optional.
	Usage string
	// Hidden commands run but are not listed by help.
	Hidden bool
	// Plugin is the ID of the plugin that owns the command; set by
	// Router.Install. Optional.
	Plugin string
	// Handler runs the command. Required.
	Handler HandlerFunc
	// Budget is how long the command has to answer, counted from the
	// message's arrival, instead of the bot's budget (see
	// bot.Context.SetBudget). Optional; default: the bot's.
	Budget time.Duration
}

// Context is the bot.Context of an activity together with the command it
// invoked and that command's arguments.
type Context struct {
	*bot.Context
	// Command is the command being run.
	Command *Command
	// Args are the words after the command name, unquoted.
	Args []string

	router  *Router
	allowed func(*Command) bool
}

// Router holds commands and dispatches activities to them. Register
// everything before serving: a Router is safe for concurrent use only once
// wiring is done.
type Router struct {
	byName   map[string]*Command
	commands []*Command
	mw       []MiddlewareFunc
}

var _ bot.Handler = (*Router)(nil)

// New returns an empty Router.
func New() *Router {
	return &Router{byName: map[string]*Command{}}
}

// Use appends middleware that wraps every command, in order: the first one
// added is the outermost.
func (r *Router) Use(mw ...MiddlewareFunc) { r.mw = append(r.mw, mw...) }

// Add registers commands. It panics on an empty name, a missing handler or
// a name or alias that is already taken: these are wiring mistakes.
func (r *Router) Add(cmds ...*Command) {
	for _, cmd := range cmds {
		if cmd == nil || strings.TrimSpace(cmd.Name) == "" {
			panic("router: command with empty name")
		}
		if cmd.Handler == nil {
			panic(fmt.Sprintf("router: command %q has no handler", cmd.Name))
		}
		for _, n := range append([]string{cmd.Name}, cmd.Aliases...) {
			key := strings.ToLower(n)
			if _, dup := r.byName[key]; dup {
				panic(fmt.Sprintf("router: command name %q registered twice", n))
			}
			r.byName[key] = cmd
		}
		r.commands = append(r.commands, cmd)
	}
}

// Lookup returns the command registered under name or one of its aliases,
// case-insensitively, or nil.
func (r *Router) Lookup(name string) *Command { return r.byName[strings.ToLower(name)] }

// Commands returns the registered commands sorted by name, hidden ones
// included.
func (r *Router) Commands() []*Command {
	cs := append([]*Command(nil), r.commands...)
	sort.Slice(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
	return cs
}

// Allowed reports whether the asker may run cmd, so that commands such as
// help list only what the asker may run. Everything is allowed unless
// access middleware has set a check with SetAllowed.
func (c *Context) Allowed(cmd *Command) bool { return c.allowed == nil || c.allowed(cmd) }

// SetAllowed sets the check behind Allowed, for access middleware.
func (c *Context) SetAllowed(f func(*Command) bool) { c.allowed = f }

// Router returns the router dispatching the command, for commands such as
// help that describe the others.
func (c *Context) Router() *Router { return c.router }

// Handle parses the activity's text into a command line and runs the
// command it names. An empty message or an unknown command gets a reply
// that points to help.
func (r *Router) Handle(bc *bot.Context) error {
	line := CommandLine(bc.Activity)
	words, err := Split(line)
	if err != nil {
		return bot.UserError(err.Error())
	}
	if len(words) == 0 {
		return bc.Text("Hi! Tell me what to do, for example `help`.")
	}
	cmd := r.Lookup(words[0])
	if cmd == nil {
		bc.SetCommand("unknown")
		return bc.Textf("I don't know the command `%s`. Send `help` to see what I can do.", escapeCode(words[0]))
	}
	bc.SetCommand(cmd.Name)
	if cmd.Budget > 0 {
		bc.SetBudget(cmd.Budget)
	}
	c := &Context{Context: bc, Command: cmd, Args: words[1:], router: r}
	h := cmd.Handler
	for i := len(r.mw) - 1; i >= 0; i-- {
		h = r.mw[i](h)
	}
	return h(c)
}

// escapeCode makes s safe inside a markdown code span.
func escapeCode(s string) string { return strings.ReplaceAll(s, "`", "'") }

// ErrUnbalancedQuotes is returned by Split for a quote that is never closed.
var ErrUnbalancedQuotes = errors.New("a quote is not closed: check your \" and ' marks")
