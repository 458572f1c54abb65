package router

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// HandlerFunc runs a command. It answers through c (c.Text, c.Reply) and
// returns nil, or returns an error that the bot turns into a reply.
type HandlerFunc func(c *Context) error

// MiddlewareFunc wraps a command handler, for logging, access rules, rate
// limits or metrics. It runs before the command's arguments are parsed;
// call c.ParseArgs to see them earlier.
type MiddlewareFunc func(next HandlerFunc) HandlerFunc

// Command is a chat command: the words that invoke it, what help says
// about it, the arguments it takes and the handler that runs it. A Command
// with Subcommands is a group: "deploy status", "deploy run web".
type Command struct {
	// Name is the word that invokes the command, matched
	// case-insensitively. It may not contain spaces or quotes. Required.
	Name string
	// Aliases are other words that invoke it. Optional.
	Aliases []string
	// Summary is the one-line description shown in command lists.
	// Optional.
	Summary string
	// Description is a longer explanation shown by "help <command>".
	// Optional.
	Description string
	// Usage describes the arguments, such as "<text…>", for commands
	// without Args. Optional: with Args it is generated.
	Usage string
	// Examples are complete command lines shown by help, such as
	// `deploy run web --env prod`. Optional.
	Examples []string
	// Hidden commands run but are not listed by help or suggested.
	Hidden bool
	// Plugin is the ID of the plugin that owns the command; set by
	// plugins.Add. Optional.
	Plugin string

	// Args declares typed arguments and flags: a struct value, or a
	// pointer to one, whose fields carry tags (see the package
	// documentation). For each message a new value of the type is filled
	// and set as Context.Parsed, a pointer. Optional: without Args the
	// handler reads the words in Context.Args.
	Args any
	// Raw hands the rest of the message to the handler untouched, as
	// Context.Raw: several lines, a code block, unbalanced quotes. Args
	// is then not used and Context.Args is empty.
	Raw bool
	// Subcommands make the command a group. Optional.
	Subcommands []*Command
	// Middleware wraps this command and its subcommands, inside the
	// router's and the group's middleware. Optional.
	Middleware []MiddlewareFunc
	// Handler runs the command. Required, except for a group, which
	// without a Handler answers with the list of its subcommands.
	Handler HandlerFunc
	// Budget is how long the command has to answer, counted from the
	// message's arrival, instead of the bot's budget (see
	// bot.Context.SetBudget). A subcommand without one takes its
	// group's. Optional; default: the bot's.
	Budget time.Duration

	parent   *Command
	children map[string]*Command
	schema   *schema
	groupMW  []MiddlewareFunc
}

// Path returns the words that invoke the command from the top: "deploy
// run" for the subcommand run of deploy.
func (c *Command) Path() string {
	if c.parent == nil {
		return c.Name
	}
	return c.parent.Path() + " " + c.Name
}

// budget returns the command's Budget, or its nearest group's.
func (c *Command) budget() time.Duration {
	for ; c != nil; c = c.parent {
		if c.Budget > 0 {
			return c.Budget
		}
	}
	return 0
}

// Parent returns the group the command belongs to, or nil.
func (c *Command) Parent() *Command { return c.parent }

// Subcommand returns the subcommand named name or one of its aliases,
// case-insensitively, or nil.
func (c *Command) Subcommand(name string) *Command { return c.children[lower(name)] }

// VisibleSubcommands returns the subcommands that are not hidden, sorted by
// name.
func (c *Command) VisibleSubcommands() []*Command { return visible(c.Subcommands) }

func visible(cs []*Command) []*Command {
	var out []*Command
	for _, c := range cs {
		if !c.Hidden {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// lower returns s in lower case, without allocating when it already is.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || 'A' <= c && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// prepare checks a command tree and builds its lookup tables and argument
// schemas. It panics on wiring mistakes.
func (c *Command) prepare(parent *Command, group []MiddlewareFunc) {
	if strings.TrimSpace(c.Name) == "" {
		panic("router: command with empty name")
	}
	for _, n := range append([]string{c.Name}, c.Aliases...) {
		if n == "" || strings.ContainsAny(n, " \t\r\n\"'\\") {
			panic(fmt.Sprintf("router: command name %q must be one word without quotes", n))
		}
	}
	if c.Handler == nil && len(c.Subcommands) == 0 {
		panic(fmt.Sprintf("router: command %q has no handler", c.Name))
	}
	if c.Raw && c.Args != nil {
		panic(fmt.Sprintf("router: command %q: Raw and Args exclude each other", c.Name))
	}
	c.parent, c.groupMW = parent, group
	if c.Args != nil {
		s, err := newSchema(c.Args)
		if err != nil {
			panic(fmt.Sprintf("router: command %q: %v", c.Name, err))
		}
		c.schema = s
	}
	if parent != nil && c.Plugin == "" {
		c.Plugin = parent.Plugin
	}
	c.children = map[string]*Command{}
	for _, sub := range c.Subcommands {
		if sub == nil {
			panic(fmt.Sprintf("router: command %q has a nil subcommand", c.Name))
		}
		sub.prepare(c, group)
		addNames(c.children, sub, c.Path()+" ")
	}
}

// addNames registers cmd's name and aliases in m.
func addNames(m map[string]*Command, cmd *Command, prefix string) {
	for _, n := range append([]string{cmd.Name}, cmd.Aliases...) {
		key := lower(n)
		if _, dup := m[key]; dup {
			panic(fmt.Sprintf("router: command name %q registered twice", prefix+n))
		}
		m[key] = cmd
	}
}
