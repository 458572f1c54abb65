package config

import (
	"fmt"
	"strings"

	"github.com/outhook/outhook/middleware/access"
)

// CheckAccess checks what webhook i of the file (an index in
// Config.Webhooks) says about commands — its access rules and its audit
// redaction — against known, the names of the commands that webhook serves
// (router.Command.Name, not aliases). It compiles the rules with the
// engine that enforces them, access.Compile, one at a time, so that each
// problem is located in the file: a rule that does not parse, names an
// unknown command, has a missing or unknown effect or an empty id, or a
// missing default. It returns Errors, or nil.
func (f *File) CheckAccess(i int, known []string) error {
	if i < 0 || i >= len(f.Config.Webhooks) {
		return fmt.Errorf("config: no webhook %d", i)
	}
	var errs Errors
	add := func(path, format string, args ...any) {
		errs = append(errs, f.problem(path, format, args...))
	}
	w := f.Config.Webhooks[i]
	at := fmt.Sprintf("$.webhooks[%d]", i)
	rs := w.Access.Rules
	switch {
	case len(rs.Rules) > 0 && strings.TrimSpace(rs.Default) == "":
		add(at+".access", "access rules need a default: say \"default: deny\" (or allow) for the commands no rule names")
	default:
		if _, err := access.Compile(access.Rules{Default: rs.Default}, known); err != nil {
			add(at+".access.default", "default %q is not allow or deny", rs.Default)
		}
	}
	for j, r := range rs.Rules {
		_, err := access.Compile(access.Rules{Default: access.Deny, Rules: []access.Rule{r}}, known)
		for _, msg := range engineMessages(err) {
			_, msg, _ = strings.Cut(msg, "]: ") // "rules[0]: " is ours to say
			field, _, _ := strings.Cut(msg, ":")
			field, _, _ = strings.Cut(field, " ")
			path := fmt.Sprintf("%s.access.rules[%d]", at, j)
			switch field {
			case "command", "effect", "users", "teams", "channels", "tenants":
				path += "." + field
			}
			add(path, "rule %d: %s", j+1, msg)
		}
	}
	if err := w.Audit.Redact.Validate(known); err != nil {
		for _, msg := range engineMessages(err) {
			add(at+".audit.redact", "%s", msg)
		}
	}
	if len(errs) == 0 {
		// Each part compiles: so must the whole, or say why.
		if _, err := access.Compile(rs, known); err != nil {
			add(at+".access", "%s", err)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// engineMessages returns the messages of the errors joined in err, without
// the access.ErrInvalid that wraps them.
func engineMessages(err error) []string {
	if err == nil {
		return nil
	}
	if multi, ok := err.(interface{ Unwrap() []error }); ok {
		var out []string
		for _, e := range multi.Unwrap() {
			if e != access.ErrInvalid {
				out = append(out, engineMessages(e)...)
			}
		}
		return out
	}
	return []string{err.Error()}
}
