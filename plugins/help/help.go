// Package help provides the help command, generated from the commands
// registered on the router: their names, summaries, arguments, flags,
// defaults, examples and subcommands. It is never written by hand.
//
// help answers with an Adaptive Card: the commands the asker may run,
// grouped by plugin, one line each; or, for one command, its usage line,
// arguments, flags with their defaults and allowed values, subcommands and
// examples. The reply's summary is a text fallback that Teams shows in
// notifications and wherever the card cannot render. "help --text" answers
// in markdown text instead, and text is also the answer when the card
// cannot be built or would be too big for a Teams message.
package help

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/card"
	"github.com/outhook/outhook/plugins"
	"github.com/outhook/outhook/router"
)

func init() {
	plugins.Register(plugins.Info{ID: "help", Summary: "List commands and explain them", New: New})
}

// Plugin is the help plugin.
type Plugin struct{}

// New returns the help plugin.
func New() plugins.Plugin { return Plugin{} }

// Args are the help command's arguments.
type Args struct {
	// Command is the command to explain, such as "deploy run".
	Command []string `arg:"" optional:"" help:"The command to explain, with its subcommand if any."`
	// Text asks for markdown text instead of an Adaptive Card.
	Text bool `short:"t" help:"Answer in text instead of an Adaptive Card."`
	// Card asks for the Adaptive Card, which is the default; it stays so
	// that "help --card" keeps working.
	Card bool `short:"c" hidden:""`
}

// Commands returns the help command.
func (Plugin) Commands() []*router.Command {
	return []*router.Command{{
		Name:        "help",
		Aliases:     []string{"?"},
		Summary:     "List commands, or explain one: help <command>",
		Description: "Lists the commands you may run, by plugin, or explains one: its usage, arguments, flags, defaults, subcommands and examples. Answers with a card; add --text for text.",
		Examples:    []string{"help", "help deploy run", "help echo --text"},
		Args:        Args{},
		Handler:     handle,
	}}
}

func handle(c *router.Context) error {
	a := c.Parsed.(*Args)
	if len(a.Command) == 0 {
		return answer(c, !a.Text, listText(c), func() (bot.Reply, error) { return listCard(c) })
	}
	path := strings.Join(a.Command, " ")
	cmd := c.Router().Lookup(path)
	// A command the asker may not run is answered as if it did not
	// exist: help does not describe or confirm what is closed to them.
	if cmd == nil || !c.Allowed(cmd) {
		msg := fmt.Sprintf("There is no command `%s`.", strings.ReplaceAll(path, "`", "'"))
		if sug := c.Suggest(a.Command[0]); len(sug) > 0 && len(a.Command) == 1 {
			msg += fmt.Sprintf(" Did you mean `%s`?", sug[0])
		}
		return c.Text(msg + " Send `help` for the list.")
	}
	return answer(c, !a.Text, c.HelpText(cmd), func() (bot.Reply, error) { return commandCard(c, cmd) })
}

// answer replies with the card when wanted and it can be built and fits in
// a Teams message, and with text otherwise.
func answer(c *router.Context, wantCard bool, text string, build func() (bot.Reply, error)) error {
	if wantCard {
		r, err := fitting(build())
		if err == nil {
			return c.Reply(r)
		}
		c.Logger().Warn().Err(err).Msg("help card; answering in text")
	}
	return c.Text(text)
}

// fitting returns r, or an error when it failed to build or is bigger
// than Teams accepts: bot.Fit would cut such a card, and the text, which
// it cuts at a paragraph, reads better.
func fitting(r bot.Reply, err error) (bot.Reply, error) {
	if err != nil {
		return r, err
	}
	data, err := r.MarshalJSON()
	if err != nil {
		return r, fmt.Errorf("encoding help card: %w", err)
	}
	if len(data) > bot.MaxReplySize {
		return r, fmt.Errorf("help card is %d bytes, more than the %d a Teams message holds", len(data), bot.MaxReplySize)
	}
	return r, nil
}

// section is the commands of one plugin.
type section struct {
	title string
	cmds  []*router.Command
}

// sections groups the commands the asker may see by plugin, sorted.
func sections(c *router.Context) []section {
	byPlugin := map[string][]*router.Command{}
	for _, cmd := range c.Router().Commands() {
		if cmd.Hidden || !c.Allowed(cmd) {
			continue
		}
		byPlugin[cmd.Plugin] = append(byPlugin[cmd.Plugin], cmd)
	}
	ids := make([]string, 0, len(byPlugin))
	for id := range byPlugin {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] != "" && (ids[j] == "" || ids[i] < ids[j]) })
	out := make([]section, 0, len(ids))
	for _, id := range ids {
		title := id
		if info, ok := plugins.Lookup(id); ok && info.Summary != "" {
			title = id + " — " + info.Summary
		}
		if id == "" {
			title = "Other"
		}
		out = append(out, section{title: title, cmds: byPlugin[id]})
	}
	return out
}

// summary is a command's line in a list.
func summary(cmd *router.Command) string {
	s := cmd.Summary
	if len(cmd.Aliases) > 0 {
		if s != "" {
			s += " "
		}
		s += "(also " + strings.Join(cmd.Aliases, ", ") + ")"
	}
	return s
}

func listText(c *router.Context) string {
	var b strings.Builder
	b.WriteString("Commands:")
	for _, s := range sections(c) {
		fmt.Fprintf(&b, "\n\n_%s_\n", s.title)
		for _, cmd := range s.cmds {
			fmt.Fprintf(&b, "\n- **%s**", cmd.Name)
			if sum := summary(cmd); sum != "" {
				b.WriteString(": " + sum)
			}
		}
	}
	b.WriteString("\n\nSend `help <command>` for details.")
	return b.String()
}

// maxSummary is how long, in runes, the list's text fallback may grow
// before it names how many commands it left out.
const maxSummary = 300

func listCard(c *router.Context) (bot.Reply, error) {
	ac := card.Adaptive(card.Heading("Commands"))
	var names []string
	for _, s := range sections(c) {
		facts := make([]card.Fact, 0, len(s.cmds))
		for _, cmd := range s.cmds {
			names = append(names, cmd.Name)
			facts = append(facts, card.Fact{Name: cmd.Name, Value: orDash(summary(cmd))})
		}
		ac.Add(card.Text(s.title).Bold().Separator(), card.Facts(facts...))
	}
	ac.Add(card.Text("Send help <command> for details, or help --text for this list as text.").Subtle().Separator())
	return ac.Summary(listSummary(names)).Reply()
}

// listSummary is the list's text fallback: "Commands: deploy, help. Send
// help <command> for details.", with "and N more" past maxSummary.
func listSummary(names []string) string {
	const tail = ". Send help <command> for details."
	if len(names) == 0 {
		return "No commands you may run here."
	}
	var b strings.Builder
	b.WriteString("Commands: ")
	for i, n := range names {
		more := fmt.Sprintf(" and %d more", len(names)-i)
		if i > 0 && utf8.RuneCountInString(b.String())+len(n)+len(more)+2 > maxSummary {
			b.WriteString(more)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(n)
	}
	return b.String() + tail
}

func commandCard(c *router.Context, cmd *router.Command) (bot.Reply, error) {
	title := cmd.Path()
	ac := card.Adaptive(card.Heading(title))
	if cmd.Summary != "" {
		ac.Add(card.Text(cmd.Summary))
	}
	if cmd.Description != "" {
		ac.Add(card.Text(cmd.Description))
	}
	if len(cmd.Aliases) > 0 {
		ac.Add(card.Text("Also: " + strings.Join(cmd.Aliases, ", ")))
	}
	usage := c.UsageLine(cmd)
	ac.Add(card.Text("Usage").Bold().Separator(), card.Code("", usage))
	var args, flags []card.Fact
	for _, p := range cmd.Params() {
		v := strings.ReplaceAll(p.Notes(), "`", "")
		if p.Help != "" {
			if v != "" {
				v += ". "
			}
			v += p.Help
		}
		f := card.Fact{Name: p.Synopsis(), Value: orDash(v)}
		if p.Positional {
			args = append(args, f)
		} else {
			flags = append(flags, f)
		}
	}
	if len(args) > 0 {
		ac.Add(card.Text("Arguments").Bold().Separator(), card.Facts(args...))
	}
	if len(flags) > 0 {
		ac.Add(card.Text("Flags").Bold().Separator(), card.Facts(flags...))
	}
	if subs := c.Subcommands(cmd); len(subs) > 0 {
		facts := make([]card.Fact, 0, len(subs))
		for _, s := range subs {
			facts = append(facts, card.Fact{Name: s.Path(), Value: orDash(summary(s))})
		}
		ac.Add(card.Text("Subcommands").Bold().Separator(), card.Facts(facts...))
	}
	if len(cmd.Examples) > 0 {
		ac.Add(card.Text("Examples").Bold().Separator(), card.Code("", strings.Join(cmd.Examples, "\n")))
	}
	return ac.Summary(commandSummary(cmd, usage)).Reply()
}

// commandSummary is a command's text fallback: "deploy run: Deploy a
// service. Usage: deploy run <service> …".
func commandSummary(cmd *router.Command, usage string) string {
	s := cmd.Path() + ": "
	if cmd.Summary != "" {
		s += strings.TrimSuffix(cmd.Summary, ".") + ". "
	}
	return s + "Usage: " + usage
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
