package router

import (
	"errors"
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
	byName   map[string]*Command
	chains   map[*Command]HandlerFunc
	notFound HandlerFunc // the router's middleware around notFound
	visible  []string    // names and aliases of visible top-level commands
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
	t.notFound = HandlerFunc(invoke)
	for i := len(r.mw) - 1; i >= 0; i-- {
		t.notFound = r.mw[i](t.notFound)
	}
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

// Handle normalises the activity's text into a command line, resolves
// it once (Resolution: the command's canonical path and the values it will
// receive) and runs the command through the middleware. An empty message
// gets a reply that points to help; an unknown command runs through the
// router's middleware (not a group's or a command's) to a reply that
// suggests only commands the asker may run; a message that does not fit
// the command's arguments gets a *UsageError, which the bot shows to the
// user.
func (r *Router) Handle(bc *bot.Context) error {
	t := r.table()
	in := r.normalizer.Normalize(bc.Activity)
	word, rest := nextWord(in.Line)
	if word == "" {
		return bc.Text("Hi! Tell me what to do, for example `help`.")
	}
	c := &Context{Context: bc, Input: in, router: r}
	if dr := dryRunOf(bc.Context()); dr != nil {
		dr.ctx = c
	}
	cmd := t.byName[lower(word)]
	if cmd == nil {
		bc.SetCommand("unknown")
		c.Command = notFound
		c.resv = Resolution{NotFound: true, Word: in.render(word)}
		c.res = &c.resv
		return t.notFound(c)
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
	c.Command = cmd
	c.Raw = in.render(strings.TrimSpace(rest))
	c.res = c.resolve(rest)
	return t.chains[cmd](c)
}

// resolve splits and parses the words after the command's path into the
// Resolution, recording a problem as its Err.
func (c *Context) resolve(rest string) *Resolution {
	cmd := c.Command
	c.resv = Resolution{Path: cmd.Path(), Command: cmd}
	res := &c.resv // in the Context: one allocation less per activity
	if cmd.Raw {
		return res
	}
	words, err := Split(rest)
	if err != nil {
		if qe, ok := err.(*QuoteError); ok {
			qe.After = c.Input.render(qe.After)
		}
		res.Err = &UsageError{Command: cmd, Err: err}
		return res
	}
	c.words = words
	c.Args = words
	if len(c.Input.Mentions) > 0 {
		c.Args = make([]string, len(words))
		for i, w := range words {
			c.Args[i] = c.Input.render(w)
		}
	}
	switch {
	case wantsHelp(words, cmd):
		res.Help, res.Known = true, true
	case cmd.schema != nil:
		c.parsed = true
		v, err := cmd.schema.parse(words, &c.Input, res)
		if err != nil {
			c.parseErr = &UsageError{Command: cmd, Err: err}
			res.Err = c.parseErr
			res.Positionals, res.Flags = nil, nil
			return res
		}
		c.Parsed = v
		res.Known = true
	default:
		res.Positionals = append([]string{}, c.Args...)
		res.Known = true
	}
	return res
}

// notFound is the command an unknown first word runs: it says so and
// suggests commands the asker may run.
var notFound = &Command{Name: "unknown", Hidden: true, Raw: true, Handler: unknownCommand}

func unknownCommand(c *Context) error {
	word := c.res.Word
	msg := "I don't know the command " + code(word) + "."
	if sug := suggest(word, c.visibleNames()); len(sug) > 0 {
		msg += " Did you mean " + codeList(sug) + "?"
	}
	return c.Text(msg + " Send `help` to see what I can do.")
}

// visibleNames returns the names and aliases of the visible top-level
// commands the asker may run.
func (c *Context) visibleNames() []string {
	var names []string
	for _, cmd := range c.router.Commands() {
		if !cmd.Hidden && c.Allowed(cmd) {
			names = append(names, cmd.Name)
			names = append(names, cmd.Aliases...)
		}
	}
	return names
}

// invoke is the innermost handler: it answers --help, reports an unknown
// subcommand, parses the arguments and runs the command's handler.
func invoke(c *Context) error {
	err := run(c)
	var ue *UsageError
	if errors.As(err, &ue) {
		ue.allowed = c.allowed
	}
	return err
}

func run(c *Context) error {
	cmd := c.Command
	if dr := dryRunOf(c.Context.Context()); dr != nil {
		dr.Reached = true
		return nil
	}
	if c.Jobs() != nil { // only follow-ups and jobs quote the line
		c.Context.SetLine(c.res.Redacted())
	}
	if c.res.Err != nil {
		return c.res.Err
	}
	if cmd.Raw {
		return cmd.Handler(c)
	}
	if wantsHelp(c.words, cmd) {
		return c.Text(c.HelpText(cmd))
	}
	if cmd.Handler == nil {
		if len(c.words) == 0 {
			return c.Text(c.HelpText(cmd))
		}
		var names []string
		for _, s := range c.Subcommands(cmd) {
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
