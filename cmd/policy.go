package cmd

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/outhook/outhook/middleware"
	"github.com/outhook/outhook/middleware/access"
	"github.com/outhook/outhook/plugins"
	"github.com/outhook/outhook/router"
)

// PolicyCmd groups the access-policy tools.
type PolicyCmd struct {
	Check PolicyCheckCmd `cmd:"" help:"Explain whether someone may run a command under a rules file, and which rule decides."`
}

// PolicyCheckCmd explains one access decision.
type PolicyCheckCmd struct {
	Rules   string   `help:"Access rules file (YAML: default and rules, as in docs/access.md)." required:"" type:"existingfile"`
	As      string   `help:"Azure AD object id of the asker (whoami shows it); empty for a payload without one." required:""`
	Team    string   `help:"Team id (19:…@thread.tacv2) the command is asked in."`
	Channel string   `help:"Channel id the command is asked in."`
	Tenant  string   `help:"Azure AD tenant id."`
	Plugins []string `help:"Plugins whose commands the rules may name (default: all that are built in)." env:"OUTHOOK_PLUGINS"`
	Line    string   `arg:"" name:"command" help:"The command line as typed after the mention, such as \"deploy prod\"."`
}

// errDenied makes "policy check" exit non-zero for a denial.
var errDenied = errors.New("denied")

// Run prints the decision and its reason; a denial exits with status 1.
func (p *PolicyCheckCmd) Run(g *Globals) error {
	r := router.New()
	if err := plugins.Install(r, p.Plugins...); err != nil {
		return err
	}
	rules, err := loadRules(p.Rules)
	if err != nil {
		return err
	}
	policy, err := access.Compile(rules, middleware.CommandNames(r))
	if err != nil {
		return fmt.Errorf("%s: %w", p.Rules, err)
	}
	words, err := router.Split(p.Line)
	if err != nil {
		return err
	}
	if len(words) == 0 {
		return errors.New("no command given")
	}
	cmd := r.Lookup(words[0])
	if cmd == nil {
		return fmt.Errorf("unknown command %q (known: %s)", words[0], strings.Join(middleware.CommandNames(r), ", "))
	}
	where := access.Where{Team: p.Team, Channel: p.Channel, Tenant: p.Tenant}
	d := policy.Decide(p.As, where, cmd.Name, words[1:])
	verdict := "denied"
	if d.Allowed {
		verdict = "allowed"
	}
	line := strings.Join(append([]string{cmd.Name}, words[1:]...), " ")
	fmt.Fprintf(g.stdout, "%s: %s\n", verdict, line)
	fmt.Fprintf(g.stdout, "  asker:  %s\n", describeAsker(p.As, where))
	fmt.Fprintf(g.stdout, "  reason: %s\n", d.Reason)
	listed := "no"
	if policy.MayRun(p.As, where, cmd.Name) {
		listed = "yes"
	}
	fmt.Fprintf(g.stdout, "  help lists %s: %s\n", cmd.Name, listed)
	if !d.Allowed {
		return errDenied
	}
	return nil
}

func describeAsker(user string, w access.Where) string {
	if user == "" {
		user = "(no AAD object id)"
	}
	parts := []string{"user " + user}
	for _, kv := range [][2]string{{"team", w.Team}, {"channel", w.Channel}, {"tenant", w.Tenant}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+" "+kv[1])
		}
	}
	return strings.Join(parts, ", ")
}

// loadRules reads a rules file strictly: an unknown key (a typo such as
// "user:" for "users:") is an error, never a wider rule.
func loadRules(path string) (rs access.Rules, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return rs, fmt.Errorf("reading rules: %w", err)
	}
	defer func() {
		// go-yaml can panic on some malformed input: answer instead.
		if p := recover(); p != nil {
			err = fmt.Errorf("%s: %w: the file could not be read as access rules", path, access.ErrInvalid)
		}
	}()
	if err := yaml.UnmarshalWithOptions(data, &rs, yaml.DisallowUnknownField()); err != nil {
		msg := err.Error()
		var ye yaml.Error
		if errors.As(err, &ye) {
			// The message only: the formatted error quotes the source.
			msg = ye.GetMessage()
			if tk := ye.GetToken(); tk != nil && tk.Position != nil {
				msg = fmt.Sprintf("line %d: %s", tk.Position.Line, msg)
			}
		}
		return rs, fmt.Errorf("%s: %w: %s", path, access.ErrInvalid, msg)
	}
	return rs, nil
}
