package cmd

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/outhook/outhook"
	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/config"
	"github.com/outhook/outhook/middleware"
	"github.com/outhook/outhook/middleware/access"
	"github.com/outhook/outhook/router"
)

// PolicyCmd groups the access-policy tools.
type PolicyCmd struct {
	Check PolicyCheckCmd `cmd:"" help:"Explain whether someone may run a command under a webhook's access rules, and which rule decides."`
}

// PolicyCheckCmd explains one access decision, with the rules of a rules
// file or of a webhook in a configuration file. It runs the line through
// the webhook's served handler chain (activity middleware, router,
// command middleware) as a dry run that stops before the command's
// handler, so its answer is the server's.
type PolicyCheckCmd struct {
	Rules   string   `help:"Access rules file (YAML: default and rules, as in docs/access.md)." type:"existingfile"`
	Config  string   `help:"Configuration file whose webhook's access section decides (instead of --rules)." type:"existingfile"`
	Webhook string   `help:"Name of the webhook in --config (needed when it defines several)."`
	AsID    string   `name:"as-id" help:"Azure AD object id of the asker (whoami shows it); empty for a payload without one." required:""`
	As      string   `help:"Display name of the asker." default:"Policy Check"`
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
		cfg config.Config
		w   config.Webhook
		err error
	)
	if p.Config != "" {
		cfg, w, err = p.fromConfig(g)
	} else {
		cfg, w, err = p.fromRules()
	}
	if err != nil {
		return err
	}
	if strings.TrimSpace(p.Line) == "" {
		return errors.New("no command given")
	}
	v, err := dryRun(cfg, w, p.activity())
	if err != nil {
		return err
	}
	res := v.result.Resolution()
	if res != nil && res.NotFound {
		return fmt.Errorf("unknown command %q (known: %s)", res.Word, strings.Join(v.paths, ", "))
	}
	where := access.Where{Team: p.Team, Channel: p.Channel, Tenant: p.Tenant}
	verdict := "denied"
	if v.allowed {
		verdict = "allowed"
	}
	line := p.Line
	if res != nil {
		line = res.Redacted()
	}
	fmt.Fprintf(g.stdout, "%s: %s\n", verdict, line)
	fmt.Fprintf(g.stdout, "  asker:  %s\n", describeAsker(p.AsID, where))
	fmt.Fprintf(g.stdout, "  reason: %s\n", v.reason)
	if res != nil && res.Command != nil {
		listed := "no"
		if v.result.Allowed(res.Command) {
			listed = "yes"
		}
		fmt.Fprintf(g.stdout, "  help lists %s: %s\n", res.Path, listed)
	}
	if !v.allowed {
		return errDenied
	}
	return nil
}

// activity is the message the check sends through the webhook.
func (p *PolicyCheckCmd) activity() *bot.Activity {
	now := time.Now()
	return &bot.Activity{
		Type:      "message",
		ID:        "policy-check-" + strconv.FormatInt(now.UnixNano(), 10),
		Timestamp: now.UTC(),
		ChannelID: "msteams",
		From:      bot.Account{ID: "29:policy-check", Name: p.As, AADObjectID: p.AsID},
		Conversation: bot.Conversation{
			ID: p.Channel, IsGroup: true, ConversationType: "channel", TenantID: p.Tenant,
		},
		TextFormat: "plain",
		Text:       p.Line,
		ChannelData: bot.ChannelData{
			TeamsChannelID: p.Channel, TeamsTeamID: p.Team,
			Channel: bot.IDRef{ID: p.Channel}, Team: bot.IDRef{ID: p.Team}, Tenant: bot.IDRef{ID: p.Tenant},
		},
	}
}

// verdict is what a dry run through a served webhook decided.
type verdict struct {
	allowed bool
	reason  string
	result  *router.DryRunResult
	paths   []string // the webhook's commands, for messages
}

// dryRun builds webhook w of cfg as serve does (outhook.New: its plugins
// with their settings, tenants, replay, rate limits, access), with a
// throw-away memory store, no audit log and stand-ins for the secrets it
// names, and runs a through the webhook's served handler, stopping where
// the command's handler would run (router.DryRun).
func dryRun(cfg config.Config, w config.Webhook, a *bot.Activity) (verdict, error) {
	app, err := checkApp(cfg, w)
	if err != nil {
		return verdict{}, err
	}
	defer app.Shutdown(context.Background())
	hook := app.Webhooks()[0]
	ctx, result := router.DryRun(context.Background())
	err = hook.Handler().Handle(bot.NewContext(ctx, a))
	v := verdict{result: result, paths: policyPaths(hook.Router())}
	var denied *middleware.DeniedError
	d, decided := middleware.DecisionOf(result)
	switch {
	case errors.As(err, &denied):
		v.reason = denied.Decision.Reason
	case errors.Is(err, middleware.ErrTenant):
		v.reason = fmt.Sprintf("the webhook only serves tenants %s, and the asker's tenant is %s (--tenant)",
			strings.Join(w.Access.Tenants, ", "), cmp.Or(a.Tenant(), "not given"))
	case err != nil:
		v.reason = "refused before the command: " + err.Error()
	case !result.Reached:
		v.reason = "the command was not reached"
	case decided:
		v.allowed, v.reason = true, d.Reason
	default:
		v.allowed, v.reason = true, "no access rules: everyone may run everything"
	}
	return v, nil
}

// policyPaths lists r's command paths.
func policyPaths(r *router.Router) []string {
	var out []string
	for _, n := range middleware.CommandNames(r) {
		if !strings.Contains(n, " --") {
			out = append(out, n)
		}
	}
	return out
}

// fromRules makes a configuration of one webhook with the rules file's
// rules and the plugins given.
func (p *PolicyCheckCmd) fromRules() (cfg config.Config, w config.Webhook, err error) {
	rules, err := loadRules(p.Rules)
	if err != nil {
		return cfg, w, err
	}
	w = config.Webhook{Name: "rules", Path: "/rules", Plugins: p.Plugins}
	w.Access.Rules = rules
	cfg.Webhooks = []config.Webhook{w}
	r, err := checkRouter(cfg, w)
	if err != nil {
		var re *outhook.RulesError
		if errors.As(err, &re) {
			return cfg, w, fmt.Errorf("%s: %w", p.Rules, re.Err)
		}
		return cfg, w, err
	}
	if _, err := access.Compile(rules, middleware.CommandNames(r)); err != nil {
		return cfg, w, fmt.Errorf("%s: %w", p.Rules, err)
	}
	return cfg, w, nil
}

// fromConfig finds the webhook in the configuration file, with its
// rules checked against its commands as "outhook serve" does. --plugins,
// when given, wins over the file, as it does for serve.
func (p *PolicyCheckCmd) fromConfig(g *Globals) (cfg config.Config, w config.Webhook, err error) {
	f, err := config.Load(p.Config)
	if err != nil {
		return cfg, w, err
	}
	if err := f.Validate(outhook.Catalog()); err != nil {
		return cfg, w, err
	}
	hooks := f.Config.Webhooks
	i := slices.IndexFunc(hooks, func(w config.Webhook) bool { return w.Name == p.Webhook })
	switch {
	case len(hooks) == 0:
		return cfg, w, fmt.Errorf("%s defines no webhooks, so no access rules: everyone may run everything", p.Config)
	case p.Webhook == "" && len(hooks) == 1:
		i = 0
	case p.Webhook == "":
		return cfg, w, fmt.Errorf("%s defines %d webhooks: say which with --webhook (%s)", p.Config, len(hooks), webhookNames(hooks))
	case i < 0:
		return cfg, w, fmt.Errorf("%s has no webhook %q (it has %s)", p.Config, p.Webhook, webhookNames(hooks))
	}
	w = hooks[i]
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
		return cfg, w, outhook.Locate(err, f)
	}
	if err := f.CheckAccess(i, middleware.CommandNames(r)); err != nil {
		return cfg, w, err
	}
	return f.Config, w, nil
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

// checkApp builds webhook w of cfg as serve does, without reading its
// secrets: every variable reads as a stand-in token, the store is in
// memory, audit is off, and nothing is opened that the check does not
// need. Shut it down when done.
func checkApp(cfg config.Config, w config.Webhook) (*outhook.App, error) {
	stand := bot.NewToken()
	w.SecretEnv, w.SecretFile, w.FollowUp = chatTokenEnv, "", config.FollowUp{}
	cfg.Webhooks, cfg.Store, cfg.Audit, cfg.TLS = []config.Webhook{w}, config.Store{}, config.Audit{File: config.AuditOff}, config.TLS{}
	return outhook.New(cfg, outhook.Options{LookupEnv: func(string) (string, bool) { return stand, true }})
}

// checkRouter returns webhook w's router as serve builds it (checkApp).
func checkRouter(cfg config.Config, w config.Webhook) (*router.Router, error) {
	app, err := checkApp(cfg, w)
	if err != nil {
		return nil, err
	}
	r := app.Webhooks()[0].Router()
	return r, app.Shutdown(context.Background())
}
