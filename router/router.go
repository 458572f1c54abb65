package router

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/outhook/outhook/bot"
)

// Router holds commands and dispatches activities to them. It is a
// bot.Handler. Register commands and middleware before serving; a Router is
// safe for concurrent use by any number of activities.
type Router struct {
	mu         sync.Mutex
	byName     map[string]*Command
	commands   []*Command
	mw         []MiddlewareFunc
	normalizer Normalizer
	compiled   atomic.Pointer[table]
}

var _ bot.Handler = (*Router)(nil)

// table is what serving needs, built once after wiring.
type table struct {
	byName  map[string]*Command
	chains  map[*Command]HandlerFunc
	visible []string // names and aliases of visible top-level commands
}

// Option configures a Router.
type Option func(*Router)

// WithNormalizer replaces the step that turns an activity into a command
// line. The default is DefaultNormalizer.
func WithNormalizer(n Normalizer) Option {
	return func(r *Router) {
		if n == nil {
			panic("router: WithNormalizer(nil)")
		}
		r.normalizer = n
	}
}

// New returns an empty Router.
func New(opts ...Option) *Router {
	r := &Router{byName: map[string]*Command{}, normalizer: DefaultNormalizer}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Use appends middleware that wraps every command, in order: the first one
// added is the outermost. Router middleware runs outside group and command
// middleware.
func (r *Router) Use(mw ...MiddlewareFunc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.mw = append(r.mw, mw...)
	r.compiled.Store(nil)
}

// Add registers commands and their subcommands. It panics on an empty
// name, a missing handler, a name or alias that is already taken, or a
// malformed Args struct: these are wiring mistakes.
func (r *Router) Add(cmds ...*Command) { r.add(nil, cmds) }

func (r *Router) add(g *Group, cmds []*Command) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, cmd := range cmds {
		if cmd == nil {
			panic("router: nil command")
		}
		var gmw []MiddlewareFunc
		if g != nil {
			gmw = g.mw
		}
		cmd.prepare(nil, gmw)
		addNames(r.byName, cmd, "")
		r.commands = append(r.commands, cmd)
		if g != nil {
			g.cmds = append(g.cmds, cmd)
		}
	}
	r.compiled.Store(nil)
}

// Group is a set of commands that share middleware, such as the commands
// only admins may run. Create one with Router.Group.
type Group struct {
	r    *Router
	mw   []MiddlewareFunc
	cmds []*Command
}

// Group returns a new group of commands wrapped by mw, inside the router's
// middleware and outside each command's own.
func (r *Router) Group(mw ...MiddlewareFunc) *Group {
	return &Group{r: r, mw: append([]MiddlewareFunc(nil), mw...)}
}

// Use appends middleware to the group.
func (g *Group) Use(mw ...MiddlewareFunc) {
	g.r.mu.Lock()
	defer g.r.mu.Unlock()
	g.mw = append(g.mw, mw...)
	var set func(cs []*Command)
	set = func(cs []*Command) {
		for _, c := range cs {
			c.groupMW = g.mw
			set(c.Subcommands)
		}
	}
	set(g.cmds)
	g.r.compiled.Store(nil)
}

// Add registers commands in the group.
func (g *Group) Add(cmds ...*Command) { g.r.add(g, cmds) }

// Lookup returns the command a path of words names, such as "ping" or
// "deploy run", matching names and aliases case-insensitively, or nil.
func (r *Router) Lookup(path string) *Command {
	r.mu.Lock()
	defer r.mu.Unlock()
	words := strings.Fields(path)
	if len(words) == 0 {
		return nil
	}
	cmd := r.byName[lower(words[0])]
	for _, w := range words[1:] {
		if cmd == nil {
			return nil
		}
		cmd = cmd.children[lower(w)]
	}
	return cmd
}

// Commands returns the top-level commands sorted by name, hidden ones
// included.
func (r *Router) Commands() []*Command {
	r.mu.Lock()
	defer r.mu.Unlock()
	cs := append([]*Command(nil), r.commands...)
	sort.Slice(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
	return cs
}

// Suggest returns the names of visible commands close to word, closest
// first, for "did you mean …?".
func (r *Router) Suggest(word string) []string { return suggest(word, r.table().visible) }

// table returns the serving table, building it after a change.
func (r *Router) table() *table {
	if t := r.compiled.Load(); t != nil {
		return t
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if t := r.compiled.Load(); t != nil {
		return t
	}
	t := &table{byName: make(map[string]*Command, len(r.byName)), chains: map[*Command]HandlerFunc{}}
	for k, v := range r.byName {
		t.byName[k] = v
	}
	var build func(c *Command, outer []MiddlewareFunc)
	build = func(c *Command, outer []MiddlewareFunc) {
		mws := append(append([]MiddlewareFunc(nil), outer...), c.Middleware...)
		h := HandlerFunc(invoke)
		for i := len(mws) - 1; i >= 0; i-- {
			h = mws[i](h)
		}
		t.chains[c] = h
		for _, sub := range c.Subcommands {
			build(sub, mws)
		}
	}
	for _, c := range r.commands {
		build(c, append(append([]MiddlewareFunc(nil), r.mw...), c.groupMW...))
		if !c.Hidden {
			t.visible = append(t.visible, c.Name)
			t.visible = append(t.visible, c.Aliases...)
		}
	}
	sort.Strings(t.visible)
	r.compiled.Store(t)
	return t
}

// nextWord returns the first word of s, split at ASCII spaces, and the
// rest after it.
func nextWord(s string) (word, rest string) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	j := i
	for j < len(s) && !isSpace(s[j]) {
		j++
	}
	return s[i:j], s[j:]
}

// Handle normalises the activity's text into a command line, finds the
// command its first words name and runs it through the middleware. An
// empty message or an unknown command gets a reply that points to help;
// a message that does not fit the command's arguments gets a *UsageError,
// which the bot shows to the user.
func (r *Router) Handle(bc *bot.Context) error {
	t := r.table()
	in := r.normalizer.Normalize(bc.Activity)
	word, rest := nextWord(in.Line)
	if word == "" {
		return bc.Text("Hi! Tell me what to do, for example `help`.")
	}
	cmd := t.byName[lower(word)]
	if cmd == nil {
		bc.SetCommand("unknown")
		msg := "I don't know the command " + code(in.render(word)) + "."
		if sug := suggest(word, t.visible); len(sug) > 0 {
			msg += " Did you mean " + codeList(sug) + "?"
		}
		return bc.Text(msg + " Send `help` to see what I can do.")
	}
	for len(cmd.children) > 0 {
		w, after := nextWord(rest)
		sub := cmd.children[lower(w)]
		if sub == nil {
			break
		}
		cmd, rest = sub, after
	}
	if cmd.parent == nil {
		bc.SetCommand(cmd.Name)
	} else {
		bc.SetCommand(cmd.Path())
	}
	if b := cmd.budget(); b > 0 {
		bc.SetBudget(b)
	}
	c := &Context{Context: bc, Command: cmd, Input: in, router: r}
	c.Raw = in.render(strings.TrimSpace(rest))
	if !cmd.Raw {
		words, err := Split(rest)
		if err != nil {
			if qe, ok := err.(*QuoteError); ok {
				qe.After = in.render(qe.After)
			}
			return &UsageError{Command: cmd, Err: err}
		}
		c.words = words
		c.Args = words
		if len(in.Mentions) > 0 {
			c.Args = make([]string, len(words))
			for i, w := range words {
				c.Args[i] = in.render(w)
			}
		}
	}
	return t.chains[cmd](c)
}

// invoke is the innermost handler: it answers --help, reports an unknown
// subcommand, parses the arguments and runs the command's handler.
func invoke(c *Context) error {
	cmd := c.Command
	if cmd.Raw {
		return cmd.Handler(c)
	}
	if wantsHelp(c.words, cmd) {
		return c.Text(HelpText(cmd))
	}
	if cmd.Handler == nil {
		if len(c.words) == 0 {
			return c.Text(HelpText(cmd))
		}
		var names []string
		for _, s := range cmd.VisibleSubcommands() {
			names = append(names, s.Name)
			names = append(names, s.Aliases...)
		}
		problem := fmt.Sprintf("%s has no subcommand %s", code(cmd.Path()), code(c.Args[0]))
		if sug := suggest(c.Args[0], names); len(sug) > 0 {
			problem += "; did you mean " + code(cmd.Path()+" "+sug[0]) + "?"
		}
		return &UsageError{Command: cmd, Err: plainError(problem)}
	}
	if err := c.ParseArgs(); err != nil {
		return err
	}
	return cmd.Handler(c)
}

// wantsHelp reports whether words ask for the command's help: --help, or
// -h when the command has no -h flag of its own.
func wantsHelp(words []string, cmd *Command) bool {
	for _, w := range words {
		switch w {
		case "--":
			return false
		case "--help":
			return true
		case "-h":
			return cmd.schema == nil || cmd.schema.byShort['h'] == nil
		}
	}
	return false
}
