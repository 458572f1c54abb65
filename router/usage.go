package router

import (
	"errors"
	"fmt"
	"strings"

	"github.com/outhook/outhook/bot"
)

// UsageError reports a message that does not fit a command: a missing or
// unexpected argument, an unknown flag, a value of the wrong kind, an
// unclosed quote. The user reads the problem, the command's usage line and
// a pointer to help.
type UsageError struct {
	// Command is the command whose usage was not met.
	Command *Command
	// Err names the problem.
	Err error

	allowed func(*Command) bool // the asker's, set by the router
}

// Error returns the command's path and the problem, for logs.
func (e *UsageError) Error() string { return e.Command.Path() + ": " + e.Err.Error() }

// Message returns what the user reads: the problem, the usage line and a
// pointer to help.
func (e *UsageError) Message() string {
	var b strings.Builder
	p := e.Err.Error()
	if p != "" {
		b.WriteString(strings.ToUpper(p[:1]))
		b.WriteString(p[1:])
		if !strings.HasSuffix(p, "?") && !strings.HasSuffix(p, ".") {
			b.WriteString(".")
		}
	}
	fmt.Fprintf(&b, "\n\nUsage: `%s`\n\nSend `help %s` for details.", usageLine(e.Command, e.allowed), e.Command.Path())
	return b.String()
}

// Unwrap returns the problem and, so that the bot shows Message to the
// user, a *bot.Error carrying it.
func (e *UsageError) Unwrap() []error {
	return []error{e.Err, &bot.Error{Message: e.Message()}}
}

// plainError is an error whose text is already written for the user.
type plainError string

func (e plainError) Error() string { return string(e) }

// code formats s as a markdown code span, shortened; Teams shows it as
// typed, angle brackets included.
func code(s string) string {
	return "`" + strings.ReplaceAll(shorten(s, 60), "`", "'") + "`"
}

// codeList formats names as code spans joined by "or".
func codeList(names []string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = code(n)
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

// Params returns the arguments and flags the command's Args declare,
// arguments first, hidden ones left out.
func (c *Command) Params() []Param {
	if c.schema == nil {
		return nil
	}
	var ps []Param
	for _, p := range c.schema.params {
		if !p.Hidden {
			ps = append(ps, *p)
		}
	}
	return ps
}

// maxFlagsInUsage is how many optional flags a usage line spells out
// before it says [flags].
const maxFlagsInUsage = 4

// UsageLine returns how to invoke cmd, such as
// "deploy run <service> [<env>] --reason=TEXT [-f]". Without Args it uses
// Command.Usage; a group shows its subcommands.
func UsageLine(cmd *Command) string { return usageLine(cmd, nil) }

// UsageLine returns how to invoke cmd, listing only the subcommands the
// asker may run.
func (c *Context) UsageLine(cmd *Command) string { return usageLine(cmd, c.Allowed) }

// HelpText is the package's HelpText, listing only the subcommands the
// asker may run.
func (c *Context) HelpText(cmd *Command) string { return helpText(cmd, c.Allowed) }

// Subcommands returns cmd's visible subcommands that the asker may run,
// sorted by name.
func (c *Context) Subcommands(cmd *Command) []*Command { return allowedSubs(cmd, c.Allowed) }

func allowedSubs(cmd *Command, allowed func(*Command) bool) []*Command {
	var out []*Command
	for _, s := range cmd.VisibleSubcommands() {
		if allowed == nil || allowed(s) {
			out = append(out, s)
		}
	}
	return out
}

func usageLine(cmd *Command, allowed func(*Command) bool) string {
	var b strings.Builder
	b.WriteString(cmd.Path())
	if cmd.Handler == nil && len(cmd.Subcommands) > 0 {
		names := make([]string, 0, len(cmd.Subcommands))
		for _, s := range allowedSubs(cmd, allowed) {
			names = append(names, s.Name)
		}
		fmt.Fprintf(&b, " <%s> …", strings.Join(names, "|"))
		return b.String()
	}
	if cmd.Raw || cmd.schema == nil {
		switch {
		case cmd.Usage != "":
			b.WriteString(" " + cmd.Usage)
		case cmd.Raw:
			b.WriteString(" <text…>")
		}
		return b.String()
	}
	s := cmd.schema
	for _, p := range s.args {
		if p.Hidden {
			continue
		}
		a := "<" + p.Name + ">"
		if p.List {
			a += " …"
		}
		if !p.Required {
			a = "[" + a + "]"
		}
		b.WriteString(" " + a)
	}
	var optional []*Param
	for _, p := range s.flags {
		switch {
		case p.Hidden:
		case p.Required:
			b.WriteString(" " + flagUsage(p))
		default:
			optional = append(optional, p)
		}
	}
	if len(optional) > maxFlagsInUsage {
		b.WriteString(" [flags]")
	} else {
		for _, p := range optional {
			b.WriteString(" [" + flagUsage(p) + "]")
		}
	}
	return b.String()
}

// flagUsage shows one flag: --reason=TEXT, -f, --force.
func flagUsage(p *Param) string {
	if p.Bool {
		if p.Short != 0 {
			return "-" + string(p.Short)
		}
		return "--" + p.Name
	}
	return "--" + p.Name + "=" + p.Placeholder
}

// HelpText describes a command in markdown from its definition: summary,
// usage, aliases, description, arguments, flags with defaults and allowed
// values, subcommands and examples. The help plugin and --help show it.
func HelpText(cmd *Command) string { return helpText(cmd, nil) }

func helpText(cmd *Command, allowed func(*Command) bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s**", cmd.Path())
	if cmd.Summary != "" {
		b.WriteString(": " + cmd.Summary)
	}
	fmt.Fprintf(&b, "\n\nUsage: `%s`", usageLine(cmd, allowed))
	if len(cmd.Aliases) > 0 {
		b.WriteString("\n\nAlso: ")
		for i, a := range cmd.Aliases {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(code(a))
		}
	}
	if cmd.Description != "" {
		b.WriteString("\n\n" + cmd.Description)
	}
	var args, flags []Param
	for _, p := range cmd.Params() {
		if p.Positional {
			args = append(args, p)
		} else {
			flags = append(flags, p)
		}
	}
	if len(args) > 0 {
		b.WriteString("\n\nArguments:\n")
		for _, p := range args {
			b.WriteString("\n- " + ParamLine(p))
		}
	}
	if len(flags) > 0 {
		b.WriteString("\n\nFlags:\n")
		for _, p := range flags {
			b.WriteString("\n- " + ParamLine(p))
		}
	}
	if subs := allowedSubs(cmd, allowed); len(subs) > 0 {
		b.WriteString("\n\nSubcommands:\n")
		for _, s := range subs {
			b.WriteString("\n- " + code(s.Path()))
			if s.Summary != "" {
				b.WriteString(": " + s.Summary)
			}
		}
	}
	if len(cmd.Examples) > 0 {
		b.WriteString("\n\nExamples:\n")
		for _, e := range cmd.Examples {
			b.WriteString("\n- " + code(e))
		}
	}
	return b.String()
}

// ParamLine describes one parameter on a markdown line: its name, short
// form, type, help, allowed values, default and whether it is required.
func ParamLine(p Param) string {
	var b strings.Builder
	if p.Positional {
		b.WriteString(code(p.Synopsis()))
	} else {
		b.WriteString(code(flagUsage(&Param{Name: p.Name, Bool: p.Bool, Placeholder: p.Placeholder})))
		if p.Short != 0 {
			b.WriteString(", " + code("-"+string(p.Short)))
		}
	}
	if n := p.Notes(); n != "" {
		b.WriteString(" (" + n + ")")
	}
	if p.Help != "" {
		b.WriteString(": " + p.Help)
	}
	return b.String()
}

// Synopsis shows how to write the parameter, as plain text: "<env>", or
// "--reason=TEXT, -r".
func (p Param) Synopsis() string {
	if p.Positional {
		return "<" + p.Name + ">"
	}
	s := flagUsage(&Param{Name: p.Name, Bool: p.Bool, Placeholder: p.Placeholder})
	if p.Short != 0 {
		s += ", -" + string(p.Short)
	}
	return s
}

// Notes says what kind of value the parameter takes, whether it is
// required and its default: "text; required", "duration; default 5m".
func (p Param) Notes() string {
	var notes []string
	if p.Type != "" && !p.Bool {
		notes = append(notes, p.Type)
	}
	if p.Required {
		notes = append(notes, "required")
	}
	if p.Default != "" {
		notes = append(notes, "default "+code(p.Default))
	}
	return strings.Join(notes, "; ")
}

// IsUsageError reports whether err is or wraps a *UsageError.
func IsUsageError(err error) bool {
	var u *UsageError
	return errors.As(err, &u)
}
