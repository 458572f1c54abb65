package access

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/router"
)

// Where is where a command was asked: the Teams team, channel and tenant.
type Where struct {
	// Team is the team id (bot.Activity.Team).
	Team string
	// Channel is the channel id (bot.Activity.Channel).
	Channel string
	// Tenant is the Azure AD tenant id (bot.Activity.Tenant).
	Tenant string
}

// WhereOf returns where a was posted.
func WhereOf(a *bot.Activity) Where {
	return Where{Team: a.Team(), Channel: a.Channel(), Tenant: a.Tenant()}
}

// Decision is the answer of a Policy, with the reason for it.
type Decision struct {
	// Allowed reports whether the command may run.
	Allowed bool
	// Rule is the index in Rules.Rules of the rule that decided, or -1
	// when no rule matched and the default or a closed command decided.
	Rule int
	// Reason explains the decision in one sentence, naming the rule.
	Reason string
}

// Policy is a compiled, checked rule set. Build it with Compile; it is
// immutable and safe for concurrent use. A nil *Policy allows everything.
//
// A rule covers a command by its canonical path ("runbook" covers
// "runbook" and "runbook search"; aliases and case are resolved by the
// router), and its argument patterns match the values the command will
// receive after flag parsing (router.Resolution): positional patterns the
// positional values in order, --name=pattern the values of flag --name
// wherever and however it was written. How a command line is decided:
//
//  1. A deny rule that matches (command, arguments and asker) denies.
//     Deny always wins, whatever allow rules say, so a ban on "*" or on a
//     group holds for every subcommand.
//  2. A command that some rule names, itself or through a group above
//     it, is closed: it runs only for who an allow rule naming it (or
//     its group) matches. "*" allow rules do not open it.
//  3. A command that no rule names runs for who a "*" allow rule
//     matches, and otherwise as Default says.
//
// When the values are not known (a Raw command, an unclosed quote, words
// that do not fit the command's arguments), argument rules fail closed:
// a deny rule with patterns matches, an allow rule with patterns does not.
type Policy struct {
	rules      []rule
	dflt       bool
	named      map[string]bool // command paths some rule names
	known      []string
	defaultSet string
}

type rule struct {
	index   int
	label   string
	text    string // command line as written, for reasons
	allow   bool
	command string // canonical path in lower case; "" for "*"
	args    []string
	flags   []flagPattern
	users   idSet
	teams   idSet
	chans   idSet
	tenants idSet
}

// flagPattern is a --name=pattern word of a rule.
type flagPattern struct{ name, pattern string }

// ErrInvalid is wrapped by every error Compile returns.
var ErrInvalid = errors.New("invalid access rules")

// Compile checks rs against the commands the bot knows and returns the
// Policy. known lists canonical command paths ("deploy", "runbook
// search") and, for flags that rules may match, "path --flag" entries:
// middleware.CommandNames builds it from a router. It fails, listing every
// problem, on a missing or unknown effect or default, an empty or unknown
// command, an argument pattern on "*", an unknown flag, a malformed
// pattern or an empty id: a rule set that does not compile never silently
// allows.
func Compile(rs Rules, known []string) (*Policy, error) {
	p := &Policy{named: map[string]bool{}, defaultSet: rs.Default}
	paths := map[string]string{}
	flags := map[string]bool{}
	for _, k := range known {
		if path, flag, ok := strings.Cut(k, " --"); ok {
			flags[strings.ToLower(path)+" --"+strings.ToLower(flag)] = true
			continue
		}
		paths[strings.ToLower(k)] = k
		p.known = append(p.known, k)
	}
	sort.Strings(p.known)

	var errs []error
	switch strings.ToLower(strings.TrimSpace(rs.Default)) {
	case Allow:
		p.dflt = true
	case Deny:
	case "":
		if len(rs.Rules) > 0 {
			errs = append(errs, errors.New(`default: required when there are rules: "allow" or "deny"`))
		} else {
			p.dflt = true
			p.defaultSet = "allow (no rules)"
		}
	default:
		errs = append(errs, fmt.Errorf(`default: %q is neither "allow" nor "deny"`, rs.Default))
	}
	for i, r := range rs.Rules {
		cr, err := compileRule(i, r, paths, flags)
		if err != nil {
			errs = append(errs, fmt.Errorf("rules[%d]: %w", i, err))
			continue
		}
		if cr.command != "" {
			p.named[cr.command] = true
		}
		p.rules = append(p.rules, cr)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, errors.Join(errs...))
	}
	return p, nil
}

// MustCompile is Compile for tests and examples: it panics on an error.
func MustCompile(rs Rules, known []string) *Policy {
	p, err := Compile(rs, known)
	if err != nil {
		panic("access: " + err.Error())
	}
	return p
}

func compileRule(i int, r Rule, known map[string]string, flags map[string]bool) (rule, error) {
	cr := rule{index: i, label: r.Name}
	if cr.label == "" {
		cr.label = fmt.Sprintf("rule %d", i+1)
	} else {
		cr.label = fmt.Sprintf("rule %d (%s)", i+1, r.Name)
	}
	switch strings.ToLower(strings.TrimSpace(r.Effect)) {
	case Allow:
		cr.allow = true
	case Deny:
	case "":
		return cr, errors.New(`effect: required: "allow" or "deny"`)
	default:
		return cr, fmt.Errorf(`effect: %q is neither "allow" nor "deny"`, r.Effect)
	}
	words, err := router.Split(r.Command)
	if err != nil {
		return cr, fmt.Errorf("command %q: %w", r.Command, err)
	}
	if len(words) == 0 {
		return cr, errors.New(`command: required: a command name, "name args…" or "*"`)
	}
	cr.text = strings.Join(words, " ")
	rest := words[1:]
	if words[0] != "*" {
		if _, ok := known[strings.ToLower(words[0])]; !ok {
			return cr, fmt.Errorf("command %q: unknown command %q (known: %s)", r.Command, words[0], knownList(known))
		}
		// The longest run of leading words that names a command path.
		n := 1
		for j := 2; j <= len(words); j++ {
			if _, ok := known[strings.ToLower(strings.Join(words[:j], " "))]; ok {
				n = j
			}
		}
		cr.command = strings.ToLower(strings.Join(words[:n], " "))
		rest = words[n:]
	} else if len(words) > 1 {
		return cr, fmt.Errorf(`command %q: "*" covers every command and takes no argument patterns`, r.Command)
	}
	for _, w := range rest {
		if w == "" {
			return cr, fmt.Errorf("command %q: empty argument pattern", r.Command)
		}
		if spec, ok := strings.CutPrefix(w, "--"); ok {
			name, pat, hasPat := strings.Cut(spec, "=")
			name = strings.ToLower(name)
			if !hasPat || name == "" || pat == "" {
				return cr, fmt.Errorf("command %q: flag pattern %q: write --name=pattern", r.Command, w)
			}
			if !flags[cr.command+" --"+name] {
				return cr, fmt.Errorf("command %q: %q has no flag --%s", r.Command, cr.command, name)
			}
			cr.flags = append(cr.flags, flagPattern{name: name, pattern: strings.ToLower(pat)})
			continue
		}
		cr.args = append(cr.args, strings.ToLower(w))
	}
	lists := []struct {
		field string
		in    []string
		out   *idSet
	}{
		{"users", r.Users, &cr.users},
		{"teams", r.Teams, &cr.teams},
		{"channels", r.Channels, &cr.chans},
		{"tenants", r.Tenants, &cr.tenants},
	}
	for _, l := range lists {
		s, err := newIDSet(l.in)
		if err != nil {
			return cr, fmt.Errorf("%s: %w", l.field, err)
		}
		*l.out = s
	}
	return cr, nil
}

func knownList(known map[string]string) string {
	names := make([]string, 0, len(known))
	for _, n := range known {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// Decide decides whether user (an Azure AD object id; "" when the
// activity has none) may run what res resolved to, where they asked. An
// unknown command (res.NotFound) runs nothing and is allowed. The reason
// names the deciding rule and the command's path, never the values.
func (p *Policy) Decide(user string, where Where, res *router.Resolution) Decision {
	if p == nil {
		return Decision{Allowed: true, Rule: -1, Reason: "no access rules: everyone may run everything"}
	}
	if res == nil || res.NotFound {
		return Decision{Allowed: true, Rule: -1, Reason: "no such command: nothing runs"}
	}
	path := strings.ToLower(res.Path)
	var allowBy *rule
	for i := range p.rules {
		r := &p.rules[i]
		if !r.matchesCommand(path, res, r.allow) || !r.matchesAsker(user, where) {
			continue
		}
		if !r.allow {
			return Decision{Rule: r.index, Reason: fmt.Sprintf("%s denies %q to %s", r.label, r.text, r.about())}
		}
		if allowBy == nil && (r.command != "" || !p.closed(path)) {
			allowBy = r
		}
	}
	if allowBy != nil {
		return Decision{Allowed: true, Rule: allowBy.index,
			Reason: fmt.Sprintf("%s allows %q to %s, and no deny rule matches", allowBy.label, allowBy.text, allowBy.about())}
	}
	if p.closed(path) {
		return Decision{Rule: -1, Reason: fmt.Sprintf("%q is restricted by %s, and none of their allow rules matches this asker and these arguments",
			res.Path, p.rulesNaming(path))}
	}
	if p.dflt {
		return Decision{Allowed: true, Rule: -1, Reason: fmt.Sprintf("no rule names %q, and the default is %s", res.Path, p.defaultSet)}
	}
	return Decision{Rule: -1, Reason: fmt.Sprintf("no rule names %q, no \"*\" allow rule matches this asker, and the default is deny", res.Path)}
}

// MayRun reports whether user may run the command at path (canonical, as
// router.Command.Path returns it) in some form where they are: it is what
// help, did-you-mean and usage use to list commands. A command counts when
// an allow rule for it, its group or one of its subcommands matches the
// asker (whatever its argument patterns), and no deny rule without
// patterns for it or its group does.
func (p *Policy) MayRun(user string, where Where, path string) bool {
	if p == nil {
		return true
	}
	path = strings.ToLower(path)
	allowed := false
	for i := range p.rules {
		r := &p.rules[i]
		if !r.matchesAsker(user, where) {
			continue
		}
		if !r.allow {
			if len(r.args) == 0 && len(r.flags) == 0 && covers(r.command, path) {
				return false
			}
			continue
		}
		switch {
		case r.command == "":
			allowed = allowed || !p.closed(path)
		case covers(r.command, path) || covers(path, r.command):
			allowed = true
		}
	}
	return allowed || (!p.closed(path) && p.dflt)
}

// closed reports whether some rule names path or a group above it.
func (p *Policy) closed(path string) bool {
	for {
		if p.named[path] {
			return true
		}
		i := strings.LastIndexByte(path, ' ')
		if i < 0 {
			return false
		}
		path = path[:i]
	}
}

// covers reports whether a rule for command path cmd ("" for "*") covers
// path: the same command, or a subcommand of it.
func covers(cmd, path string) bool {
	return cmd == "" || cmd == path || strings.HasPrefix(path, cmd+" ")
}

// Commands returns the command paths the policy was compiled against.
func (p *Policy) Commands() []string {
	if p == nil {
		return nil
	}
	return append([]string(nil), p.known...)
}

func (p *Policy) rulesNaming(path string) string {
	var labels []string
	for _, r := range p.rules {
		if r.command != "" && covers(r.command, path) {
			labels = append(labels, r.label)
		}
	}
	return strings.Join(labels, ", ")
}

// matchesCommand reports whether the rule covers the resolved command and
// its values. Unknown values fail closed: a deny rule with patterns
// matches them, an allow rule with patterns does not.
func (r *rule) matchesCommand(path string, res *router.Resolution, allow bool) bool {
	if !covers(r.command, path) {
		return false
	}
	if len(r.args) == 0 && len(r.flags) == 0 {
		return true
	}
	if !res.Known {
		return !allow
	}
	if len(res.Positionals) < len(r.args) {
		return false
	}
	for i, pat := range r.args {
		if !glob(pat, strings.ToLower(res.Positionals[i])) {
			return false
		}
	}
	for _, f := range r.flags {
		vals := res.Flags[f.name]
		if len(vals) == 0 {
			return false
		}
		// An allow rule holds for every value of a list flag; a deny rule
		// for any one of them.
		n := 0
		for _, v := range vals {
			if glob(f.pattern, strings.ToLower(v)) {
				n++
			}
		}
		if allow && n < len(vals) || n == 0 {
			return false
		}
	}
	return true
}

func (r *rule) matchesAsker(user string, where Where) bool {
	return r.users.has(user) && r.teams.has(where.Team) && r.chans.has(where.Channel) && r.tenants.has(where.Tenant)
}

// about describes whom a rule is about.
func (r *rule) about() string {
	var parts []string
	add := func(kind string, s idSet) {
		if s.any || len(s.ids) == 0 {
			return
		}
		parts = append(parts, kind+" "+strings.Join(s.list, ", "))
	}
	add("users", r.users)
	add("teams", r.teams)
	add("channels", r.chans)
	add("tenants", r.tenants)
	if len(parts) == 0 {
		return "everyone"
	}
	return strings.Join(parts, " in ")
}

// idSet is a case-insensitive set of ids; the zero value (no list) and a
// list holding "*" match anything.
type idSet struct {
	any  bool
	ids  map[string]bool
	list []string
}

func newIDSet(ids []string) (idSet, error) {
	var s idSet
	if len(ids) == 0 {
		s.any = true
		return s, nil
	}
	s.ids = map[string]bool{}
	for i, id := range ids {
		id = strings.TrimSpace(id)
		switch id {
		case "":
			return s, fmt.Errorf("entry %d is empty", i+1)
		case "*":
			s.any = true
		}
		s.ids[strings.ToLower(id)] = true
		s.list = append(s.list, id)
	}
	return s, nil
}

func (s idSet) has(id string) bool {
	return s.any || (id != "" && s.ids[strings.ToLower(id)])
}

// glob reports whether s matches pattern, where "*" matches any run of
// characters (including "/") and "?" one character.
func glob(pattern, s string) bool {
	px, sx := 0, 0
	nextPx, nextSx := -1, -1
	pr, sr := []rune(pattern), []rune(s)
	for px < len(pr) || sx < len(sr) {
		if px < len(pr) {
			switch pr[px] {
			case '*':
				nextPx, nextSx = px, sx+1
				px++
				continue
			case '?':
				if sx < len(sr) {
					px++
					sx++
					continue
				}
			default:
				if sx < len(sr) && sr[sx] == pr[px] {
					px++
					sx++
					continue
				}
			}
		}
		if nextPx >= 0 && nextSx <= len(sr) {
			px, sx = nextPx, nextSx
			continue
		}
		return false
	}
	return true
}
