package cmd

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/outhook/outhook"
	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/config"
	"github.com/outhook/outhook/middleware"
	"github.com/outhook/outhook/middleware/access"
	"github.com/outhook/outhook/plugins"
	"github.com/outhook/outhook/router"
)

// PolicyCmd groups the access-policy tools.
type PolicyCmd struct {
	Check PolicyCheckCmd `cmd:"" help:"Explain whether someone may run a command under a webhook's access rules, and which rule decides."`
}

// PolicyCheckCmd explains one access decision, with the rules of a rules
// file or of a webhook in a configuration file.
type PolicyCheckCmd struct {
	Rules   string   `help:"Access rules file (YAML: default and rules, as in docs/access.md)." type:"existingfile"`
	Config  string   `help:"Configuration file whose webhook's access section decides (instead of --rules)." type:"existingfile"`
	Webhook string   `help:"Name of the webhook in --config (needed when it defines several)."`
	As      string   `help:"Azure AD object id of the asker (whoami shows it); empty for a payload without one." required:""`
	Team    string   `help:"Team id (19:…@thread.tacv2) the command is asked in."`
	Channel string   `help:"Channel id the command is asked in."`
	Tenant  string   `help:"Azure AD tenant id."`
	Plugins []string `help:"Plugins whose commands the rules may name (default: the webhook's in --config, else all that are built in)." env:"OUTHOOK_PLUGINS"`
	Line    string   `arg:"" name:"command" help:"The command line as typed after the mention, such as \"deploy prod\"."`
}

// errDenied makes "policy check" exit non-zero for a denial.
var errDenied = errors.New("denied")

// Run prints the decision and its reason; a denial exits with status 1.
func (p *PolicyCheckCmd) Run(g *Globals) error {
	if (p.Rules == "") == (p.Config == "") {
		return errors.New("give the rules: --rules FILE, or --config FILE (with --webhook NAME when it defines several)")
	}
	if p.Webhook != "" && p.Config == "" {
		return errors.New("--webhook goes with --config")
	}
	var (
		r       *router.Router
		policy  *access.Policy
		tenants []string
		err     error
	)
	if p.Config != "" {
		r, policy, tenants, err = p.fromConfig(g)
	} else {
		r, policy, err = p.fromRules()
	}
	if err != nil {
		return err
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
	served := len(tenants) == 0 || slices.ContainsFunc(tenants, func(t string) bool { return strings.EqualFold(t, p.Tenant) })
	if !served {
		d = access.Decision{Rule: -1, Reason: fmt.Sprintf("the webhook only serves tenants %s, and the asker's tenant is %s (--tenant)",
			strings.Join(tenants, ", "), cmp.Or(p.Tenant, "not given"))}
	}
	verdict := "denied"
	if d.Allowed {
		verdict = "allowed"
	}
	line := strings.Join(append([]string{cmd.Name}, words[1:]...), " ")
	fmt.Fprintf(g.stdout, "%s: %s\n", verdict, line)
	fmt.Fprintf(g.stdout, "  asker:  %s\n", describeAsker(p.As, where))
	fmt.Fprintf(g.stdout, "  reason: %s\n", d.Reason)
	listed := "no"
	if served && policy.MayRun(p.As, where, cmd.Name) {
		listed = "yes"
	}
	fmt.Fprintf(g.stdout, "  help lists %s: %s\n", cmd.Name, listed)
	if !d.Allowed {
		return errDenied
	}
	return nil
}

// fromRules reads the rules file and compiles it against the commands of
// the plugins given.
func (p *PolicyCheckCmd) fromRules() (*router.Router, *access.Policy, error) {
	r := router.New()
	if err := plugins.Install(r, p.Plugins...); err != nil {
		return nil, nil, err
	}
	rules, err := loadRules(p.Rules)
	if err != nil {
		return nil, nil, err
	}
	policy, err := access.Compile(rules, middleware.CommandNames(r))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", p.Rules, err)
	}
	return r, policy, nil
}

// fromConfig finds the webhook in the configuration file and compiles its
// rules against its commands, as "outhook serve" does, and returns its
// tenant allow-list too. --plugins, when given, wins over the file, as it
// does for serve.
func (p *PolicyCheckCmd) fromConfig(g *Globals) (*router.Router, *access.Policy, []string, error) {
	f, err := config.Load(p.Config)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := f.Validate(outhook.Catalog()); err != nil {
		return nil, nil, nil, err
	}
	hooks := f.Config.Webhooks
	i := slices.IndexFunc(hooks, func(w config.Webhook) bool { return w.Name == p.Webhook })
	switch {
	case len(hooks) == 0:
		return nil, nil, nil, fmt.Errorf("%s defines no webhooks, so no access rules: everyone may run everything", p.Config)
	case p.Webhook == "" && len(hooks) == 1:
		i = 0
	case p.Webhook == "":
		return nil, nil, nil, fmt.Errorf("%s defines %d webhooks: say which with --webhook (%s)", p.Config, len(hooks), webhookNames(hooks))
	case i < 0:
		return nil, nil, nil, fmt.Errorf("%s has no webhook %q (it has %s)", p.Config, p.Webhook, webhookNames(hooks))
	}
	w := hooks[i]
	switch {
	case g.explicit["plugins"]:
		w.Plugins = p.Plugins
	case len(w.Plugins) == 0:
		w.Plugins = f.Config.Defaults.Plugins
	}
	// The webhook as serve builds it, with its plugins' settings, but
	// without reading the secrets they name.
	r, err := checkRouter(f.Config, w)
	if err != nil {
		return nil, nil, nil, outhook.Locate(err, f)
	}
	if err := f.CheckAccess(i, middleware.CommandNames(r)); err != nil {
		return nil, nil, nil, err
	}
	policy, err := access.Compile(w.Access.Rules, middleware.CommandNames(r))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("webhook %q: %w", w.Name, err)
	}
	return r, policy, w.Access.Tenants, nil
}

func webhookNames(hooks []config.Webhook) string {
	names := make([]string, len(hooks))
	for i, w := range hooks {
		names[i] = w.Name
	}
	return strings.Join(names, ", ")
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

// checkRouter returns webhook w's router as serve builds it, without
// reading its secrets: every variable reads as a stand-in token, and
// nothing is opened that the check does not need.
func checkRouter(cfg config.Config, w config.Webhook) (*router.Router, error) {
	stand := bot.NewToken()
	w.SecretEnv, w.SecretFile, w.FollowUp = chatTokenEnv, "", config.FollowUp{}
	cfg.Webhooks, cfg.Store, cfg.Audit, cfg.TLS = []config.Webhook{w}, config.Store{}, config.Audit{File: config.AuditOff}, config.TLS{}
	app, err := outhook.New(cfg, outhook.Options{LookupEnv: func(string) (string, bool) { return stand, true }})
	if err != nil {
		return nil, err
	}
	r := app.Webhooks()[0].Router()
	return r, app.Shutdown(context.Background())
}
