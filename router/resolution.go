package router

import (
	"slices"
	"strings"
)

// Redacted stands for a secret value wherever a command line is shown,
// logged or audited.
const Redacted = "[redacted]"

// Resolution is what an activity runs, decided once by the router before
// any command middleware: the command, found by its canonical path with
// aliases and case resolved, and the values it will receive once its
// flags are parsed. Access rules, audit, rate limits, help and jobs all
// read it (Context.Resolution), so no two of them can disagree about what
// runs.
//
// Values are known when Known is true. They are not for a Raw command
// (which reads its text itself), a line whose quotes do not close, or
// words that do not fit the command's Args (Err): decisions about
// argument values must then fail closed.
type Resolution struct {
	// Path is the command's canonical path from the top, names not
	// aliases, as Command.Path returns it: "runbook search". Empty when
	// NotFound.
	Path string
	// Command is the command that runs, or nil when NotFound.
	Command *Command
	// NotFound is true when the first word names no command; Word is
	// that word.
	NotFound bool
	// Word is the first word when NotFound, with mentions as names.
	Word string
	// Known is true when Positionals and Flags hold exactly what the
	// command will receive.
	Known bool
	// Help is true when the words ask for the command's help (--help,
	// -h) instead of running it: the command then receives nothing.
	Help bool
	// Err is the *UsageError that stops the command before its handler,
	// or nil.
	Err error
	// Positionals are the positional values in order, defaults included,
	// with mentions shown as names. For a command without Args they are
	// its words (Context.Args).
	Positionals []string
	// Flags are the flag values by canonical flag name in lower case
	// ("env" for --env, -e or --ENV=…), defaults included; a yes/no flag
	// holds "true" or "false".
	Flags map[string][]string

	secret    map[string]bool // secret flags, by lower-case name
	secretPos map[int]bool    // secret positionals, by index
	allPos    bool            // every positional is secret
	keys      []string        // "key=" prefixes whose values are secret
	flagOrder []string        // flags given in the message, in order
}

// add records one value of p.
func (r *Resolution) add(p *Param, value string, given bool) {
	if p.Positional {
		r.Positionals = append(r.Positionals, value)
		return
	}
	name := lower(p.Name)
	if r.Flags == nil {
		r.Flags = map[string][]string{}
	}
	if given && !slices.Contains(r.flagOrder, name) {
		r.flagOrder = append(r.flagOrder, name)
	}
	if p.Secret {
		r.MarkSecret(name)
	}
	if p.Bool {
		r.Flags[name] = []string{value} // the last one counts
		return
	}
	r.Flags[name] = append(r.Flags[name], value)
}

// Flag returns the values of the flag named name (case-insensitive,
// without dashes) and whether the message gave it.
func (r *Resolution) Flag(name string) (values []string, given bool) {
	name = lower(strings.TrimLeft(name, "-"))
	return r.Flags[name], slices.Contains(r.flagOrder, name)
}

// IsSecret reports whether the flag named name is secret: declared with
// secret:"" or marked with MarkSecret.
func (r *Resolution) IsSecret(name string) bool {
	return r.secret[lower(strings.TrimLeft(name, "-"))]
}

// MarkSecret marks flags, by name with or without dashes, as secret, so
// that Redacted hides their values. Audit middleware calls it for the
// flags its configuration names; what it marks stays hidden in every
// later quote of the line, follow-ups and jobs included.
func (r *Resolution) MarkSecret(flags ...string) {
	if r.secret == nil {
		r.secret = map[string]bool{}
	}
	for _, f := range flags {
		r.secret[lower(strings.TrimLeft(f, "-"))] = true
	}
}

// MarkSecretPositions marks positional values as secret by their index
// from 0; from < 0 marks them all, to < 0 means "to the end".
func (r *Resolution) MarkSecretPositions(from, to int) {
	if from < 0 {
		r.allPos = true
		return
	}
	if r.secretPos == nil {
		r.secretPos = map[int]bool{}
	}
	for i := from; i < len(r.Positionals) && (to < 0 || i <= to); i++ {
		r.secretPos[i] = true
	}
}

// MarkSecretKey marks the value of key=value words, such as
// "password=hunter2", as secret; key ends with "=" and is compared
// without regard to case.
func (r *Resolution) MarkSecretKey(key string) { r.keys = append(r.keys, key) }

// RedactedArgs returns what the command receives, secrets replaced by
// Redacted: positionals, then the flags given, as --name=value in
// canonical names. When the values are not Known it returns one
// Redacted: words that were not parsed may hold anything.
func (r *Resolution) RedactedArgs() []string {
	if r.NotFound || r.Help {
		return []string{}
	}
	if !r.Known {
		return []string{Redacted}
	}
	out := make([]string, 0, len(r.Positionals)+len(r.flagOrder))
	// A command without Args reads its words itself: a word that looks
	// like a secret flag hides its value, as --name=value or --name value.
	words := r.Command != nil && r.Command.schema == nil
	next := false
	for i, v := range r.Positionals {
		switch {
		case r.allPos || r.secretPos[i] || next:
			v, next = Redacted, false
		case words && strings.HasPrefix(v, "-"):
			name, _, hasVal := strings.Cut(strings.TrimLeft(v, "-—–"), "=")
			if r.IsSecret(name) {
				if hasVal {
					v = v[:strings.IndexByte(v, '=')+1] + Redacted
				} else {
					next = true
				}
			}
		default:
			v = r.redactKey(v)
		}
		out = append(out, v)
	}
	for _, name := range r.flagOrder {
		for _, v := range r.Flags[name] {
			switch {
			case r.secret[name]:
				v = Redacted
			default:
				v = r.redactKey(v)
			}
			out = append(out, "--"+name+"="+v)
		}
	}
	return out
}

func (r *Resolution) redactKey(v string) string {
	for _, k := range r.keys {
		if len(v) > len(k) && strings.EqualFold(v[:len(k)], k) {
			return v[:len(k)] + Redacted
		}
	}
	return v
}

// Redacted returns the command line as the command receives it, secrets
// hidden: the canonical path and RedactedArgs, values with spaces
// quoted. It is the one form of a line that outhook logs, audits or
// quotes back (denials, follow-ups, jobs).
func (r *Resolution) Redacted() string {
	if r.NotFound {
		return "unknown"
	}
	parts := []string{r.Path}
	if r.Help {
		parts = append(parts, "--help")
	}
	for _, a := range r.RedactedArgs() {
		flag := ""
		if strings.HasPrefix(a, "--") {
			if i := strings.IndexByte(a, '='); i > 0 {
				flag, a = a[:i+1], a[i+1:]
			}
		}
		if a == "" || strings.ContainsAny(a, " \t\r\n\"'`") {
			a = `"` + quoteEscaper.Replace(a) + `"`
		}
		parts = append(parts, flag+a)
	}
	return strings.Join(parts, " ")
}

// quoteEscaper escapes a value inside double quotes, on one line.
var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", " ", "\r", " ", "`", "'")
