package access_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/outhook/outhook/middleware/access"
	"github.com/outhook/outhook/router"
)

const (
	alice   = "11111111-1111-1111-1111-111111111111"
	bob     = "22222222-2222-2222-2222-222222222222"
	mallet  = "33333333-3333-3333-3333-333333333333"
	opsTeam = "19:ops@thread.tacv2"
	devTeam = "19:dev@thread.tacv2"
	home    = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	other   = "00000000-0000-0000-0000-00000000beef"
)

var known = []string{"help", "ping", "deploy", "whoami", "echo"}

// resolved is what the router resolves a command without Args to.
func resolved(path string, args ...string) *router.Resolution {
	return &router.Resolution{Path: path, Positionals: args, Known: true}
}

func testRules() access.Rules {
	return access.Rules{
		Default: "deny",
		Rules: []access.Rule{
			{Command: "*", Effect: "allow", Teams: []string{opsTeam, devTeam}},
			{Command: "help", Effect: "allow"},
			{Command: "deploy staging", Effect: "allow"},
			{Name: "prod deployers", Command: "deploy prod", Effect: "allow", Users: []string{alice, strings.ToUpper(bob)}},
			{Command: "deploy eu-*", Effect: "allow", Teams: []string{opsTeam}},
			{Name: "banned", Command: "*", Effect: "deny", Users: []string{mallet}},
			{Command: "*", Effect: "deny", Tenants: []string{other}},
			{Command: "echo", Effect: "deny", Channels: []string{"19:quiet@thread.tacv2"}},
		},
	}
}

func TestDecide(t *testing.T) {
	p := access.MustCompile(testRules(), known)
	ops := access.Where{Team: opsTeam, Channel: "19:general@thread.tacv2", Tenant: home}
	outside := access.Where{Team: "19:sales@thread.tacv2", Tenant: home}
	tests := []struct {
		name    string
		user    string
		where   access.Where
		line    []string
		allowed bool
		rule    int
		reason  string
	}{
		{"star allow for team", "", ops, []string{"ping"}, true, 0, `rule 1 allows "*" to teams`},
		{"team not in star", alice, outside, []string{"ping"}, false, -1, "default is deny"},
		{"help for everyone", alice, outside, []string{"help"}, true, 1, `rule 2 allows "help" to everyone`},
		{"staging for everyone", mallet + "x", outside, []string{"deploy", "staging"}, true, 2, "rule 3"},
		{"staging case-insensitive", bob, outside, []string{"DEPLOY", "Staging", "--now"}, true, 2, "rule 3"},
		{"prod for alice", alice, outside, []string{"deploy", "prod"}, true, 3, "prod deployers"},
		{"prod for bob upper-cased in rules", bob, outside, []string{"deploy", "prod"}, true, 3, "prod deployers"},
		{"prod not for others even in ops team", "44444444-4444-4444-4444-444444444444", ops, []string{"deploy", "prod"}, false, -1, `"deploy" is restricted by rule 3, rule 4 (prod deployers), rule 5`},
		{"production is not prod", alice, outside, []string{"deploy", "production"}, false, -1, "restricted"},
		{"bare deploy is closed", alice, ops, []string{"deploy"}, false, -1, "restricted"},
		{"glob arg", "", ops, []string{"deploy", "eu-west/1"}, true, 4, "rule 5"},
		{"glob arg wrong team", "", outside, []string{"deploy", "eu-west"}, false, -1, "restricted"},
		{"deny wins over allow", mallet, ops, []string{"help"}, false, 5, `rule 6 (banned) denies "*" to users ` + mallet},
		{"deny wins over named allow", mallet, outside, []string{"deploy", "staging"}, false, 5, "banned"},
		{"wrong tenant", alice, access.Where{Team: opsTeam, Tenant: other}, []string{"ping"}, false, 6, "tenants " + other},
		{"channel deny", "", access.Where{Team: opsTeam, Channel: "19:QUIET@thread.tacv2"}, []string{"echo", "hi"}, false, 7, "rule 8"},
		{"no aad id matches no user list", "", outside, []string{"deploy", "prod"}, false, -1, "restricted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := p.Decide(tt.user, tt.where, resolved(tt.line[0], tt.line[1:]...))
			if d.Allowed != tt.allowed || d.Rule != tt.rule || !strings.Contains(d.Reason, tt.reason) {
				t.Errorf("got %v rule %d %q; want %v rule %d containing %q", d.Allowed, d.Rule, d.Reason, tt.allowed, tt.rule, tt.reason)
			}
		})
	}
}

func TestDefaultAllow(t *testing.T) {
	p := access.MustCompile(access.Rules{Default: "allow", Rules: []access.Rule{
		{Command: "deploy prod", Effect: "allow", Users: []string{alice}},
	}}, known)
	tests := []struct {
		user    string
		line    []string
		allowed bool
	}{
		{bob, []string{"ping"}, true},
		{bob, []string{"deploy", "prod"}, false},
		{bob, []string{"deploy", "staging"}, false}, // deploy is named: closed
		{alice, []string{"deploy", "prod"}, true},
	}
	for _, tt := range tests {
		d := p.Decide(tt.user, access.Where{}, resolved(tt.line[0], tt.line[1:]...))
		if d.Allowed != tt.allowed {
			t.Errorf("%s %v: got %v (%s); want %v", tt.user, tt.line, d.Allowed, d.Reason, tt.allowed)
		}
	}
}

func TestNilAndEmptyPolicyAllow(t *testing.T) {
	var nilPolicy *access.Policy
	empty := access.MustCompile(access.Rules{}, known)
	for _, p := range []*access.Policy{nilPolicy, empty} {
		if d := p.Decide("", access.Where{}, resolved("deploy", "prod")); !d.Allowed {
			t.Errorf("got denied (%s); want allowed", d.Reason)
		}
		if !p.MayRun("", access.Where{}, "deploy") {
			t.Error("MayRun: got false; want true")
		}
	}
}

func TestMayRun(t *testing.T) {
	p := access.MustCompile(testRules(), known)
	outside := access.Where{Team: "19:sales@thread.tacv2", Tenant: home}
	ops := access.Where{Team: opsTeam, Tenant: home}
	tests := []struct {
		user  string
		where access.Where
		cmd   string
		want  bool
	}{
		{alice, outside, "deploy", true}, // deploy staging is open to all
		{alice, outside, "ping", false},
		{alice, ops, "ping", true},
		{alice, outside, "help", true},
		{mallet, ops, "help", false},
		{alice, access.Where{Team: opsTeam, Channel: "19:quiet@thread.tacv2"}, "echo", false},
		{alice, access.Where{Team: opsTeam, Tenant: other}, "help", false},
	}
	for _, tt := range tests {
		if got := p.MayRun(tt.user, tt.where, tt.cmd); got != tt.want {
			t.Errorf("MayRun(%s, %v, %s): got %v; want %v", tt.user, tt.where, tt.cmd, got, tt.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name  string
		rules access.Rules
		want  []string
	}{
		{"rules without default", access.Rules{Rules: []access.Rule{{Command: "ping", Effect: "allow"}}}, []string{"default: required"}},
		{"bad default", access.Rules{Default: "maybe"}, []string{`default: "maybe" is neither`}},
		{"unknown command", access.Rules{Default: "deny", Rules: []access.Rule{{Command: "deplyo prod", Effect: "allow"}}},
			[]string{`rules[0]: command "deplyo prod": unknown command "deplyo" (known: deploy, echo, help, ping, whoami)`}},
		{"missing effect", access.Rules{Default: "deny", Rules: []access.Rule{{Command: "ping"}}}, []string{"rules[0]: effect: required"}},
		{"bad effect", access.Rules{Default: "deny", Rules: []access.Rule{{Command: "ping", Effect: "permit"}}}, []string{`"permit" is neither`}},
		{"empty command", access.Rules{Default: "deny", Rules: []access.Rule{{Command: "  ", Effect: "allow"}}}, []string{"command: required"}},
		{"star with args", access.Rules{Default: "deny", Rules: []access.Rule{{Command: "* prod", Effect: "deny"}}}, []string{"takes no argument patterns"}},
		{"unbalanced quote", access.Rules{Default: "deny", Rules: []access.Rule{{Command: `deploy "prod`, Effect: "deny"}}}, []string{"quote is not closed"}},
		{"empty id", access.Rules{Default: "deny", Rules: []access.Rule{{Command: "ping", Effect: "allow", Users: []string{alice, " "}}}}, []string{"rules[0]: users: entry 2 is empty"}},
		{"every problem listed", access.Rules{Default: "deny", Rules: []access.Rule{
			{Command: "nope", Effect: "allow"}, {Command: "ping", Effect: "allow"}, {Command: "ping", Effect: "x"},
		}}, []string{"rules[0]:", "rules[2]:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := access.Compile(tt.rules, known)
			if err == nil || p != nil {
				t.Fatalf("got %v, %v; want an error", p, err)
			}
			if !errors.Is(err, access.ErrInvalid) {
				t.Errorf("got %v; want it to wrap ErrInvalid", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %q; want it to contain %q", err, w)
				}
			}
		})
	}
}

func FuzzCompileDecide(f *testing.F) {
	f.Add("deploy prod", "deploy", "prod")
	f.Add("deploy eu-*", "deploy", "eu-west")
	f.Add(`deploy "a b" ?x*`, "deploy", "a b")
	f.Add("*", "ping", "")
	f.Fuzz(func(t *testing.T, command, cmd, arg string) {
		p, err := access.Compile(access.Rules{Default: "deny", Rules: []access.Rule{{Command: command, Effect: "allow"}}}, known)
		if err != nil {
			return
		}
		d := p.Decide(alice, access.Where{}, resolved(cmd, arg))
		if d.Reason == "" {
			t.Errorf("got an empty reason for %q against %q %q", command, cmd, arg)
		}
		words, _ := router.Split(command)
		if d.Allowed && words[0] != "*" && !strings.EqualFold(words[0], cmd) {
			t.Errorf("rule %q allowed command %q", command, cmd)
		}
	})
}

func TestArgumentGlobs(t *testing.T) {
	tests := []struct {
		pattern, arg string
		want         bool
	}{
		{"prod", "prod", true},
		{"prod", "PROD", true},
		{"prod", "prod2", false},
		{"eu-*", "eu-", true},
		{"eu-*", "eu-west/1", true},
		{"eu-*", "us-east", false},
		{"v?", "v1", true},
		{"v?", "v12", false},
		{"*-prod", "eu-prod", true},
		{"*-prod", "eu-prod-x", false},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"ü*", "über", true},
	}
	for _, tt := range tests {
		p := access.MustCompile(access.Rules{Default: "allow", Rules: []access.Rule{{Command: "deploy " + tt.pattern, Effect: "allow"}}}, known)
		if got := p.Decide("", access.Where{}, resolved("deploy", tt.arg)).Allowed; got != tt.want {
			t.Errorf("%q against %q: got %v; want %v", tt.pattern, tt.arg, got, tt.want)
		}
	}
}

// TestPathsFlagsAndUnknownValues: rules name canonical paths (a group's
// rule covers its subcommands), match flag values by name, and fail
// closed when the values are not known.
func TestPathsFlagsAndUnknownValues(t *testing.T) {
	known := []string{"runbook", "runbook search", "deploy", "deploy --env", "jobs", "jobs --all"}
	p := access.MustCompile(access.Rules{Default: "allow", Rules: []access.Rule{
		{Command: "runbook", Effect: "allow"},
		{Name: "no runbook", Command: "runbook", Effect: "deny", Users: []string{mallet}},
		{Name: "no search", Command: "Runbook SEARCH", Effect: "deny", Users: []string{bob}},
		{Command: "deploy", Effect: "allow"},
		{Name: "no prod", Command: "deploy --ENV=prod*", Effect: "deny"},
		{Name: "no web", Command: "deploy web", Effect: "deny"},
		{Command: "jobs --all=false", Effect: "allow"},
		{Name: "admins", Command: "jobs", Effect: "allow", Users: []string{alice}},
	}}, known)
	res := func(path string, pos []string, flags map[string][]string) *router.Resolution {
		return &router.Resolution{Path: path, Positionals: pos, Flags: flags, Known: true}
	}
	tests := []struct {
		name  string
		user  string
		res   *router.Resolution
		allow bool
		rule  string
	}{
		{"group deny covers subcommand", mallet, res("runbook search", []string{"vpn"}, nil), false, "no runbook"},
		{"subcommand deny", bob, res("runbook search", []string{"vpn"}, nil), false, "no search"},
		{"subcommand deny leaves the group", bob, res("runbook", []string{"vpn"}, nil), true, ""},
		{"flag value", alice, res("deploy", []string{"api"}, map[string][]string{"env": {"Production"}}), false, "no prod"},
		{"one of a list flag", alice, res("deploy", []string{"api"}, map[string][]string{"env": {"staging", "prod"}}), false, "no prod"},
		{"other flag value", alice, res("deploy", []string{"api"}, map[string][]string{"env": {"staging"}}), true, ""},
		{"unknown values: deny with patterns matches", alice, &router.Resolution{Path: "deploy"}, false, "no"},
		{"jobs without --all", bob, res("jobs", nil, map[string][]string{"all": {"false"}}), true, ""},
		{"jobs --all", bob, res("jobs", nil, map[string][]string{"all": {"true"}}), false, ""},
		{"jobs --all for admins", alice, res("jobs", nil, map[string][]string{"all": {"true"}}), true, "admins"},
		{"jobs, values unknown", bob, &router.Resolution{Path: "jobs"}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := p.Decide(tt.user, access.Where{}, tt.res)
			if d.Allowed != tt.allow || !strings.Contains(d.Reason, tt.rule) {
				t.Errorf("got %v (%s); want %v by %q", d.Allowed, d.Reason, tt.allow, tt.rule)
			}
			for _, v := range append(tt.res.Positionals, "Production", "vpn") {
				if strings.Contains(d.Reason, `"`+v) && !strings.Contains(d.Reason, "rule") {
					t.Errorf("reason %q quotes a value", d.Reason)
				}
			}
		})
	}
	for _, tt := range []struct {
		user, path string
		want       bool
	}{
		{mallet, "runbook search", false}, {bob, "runbook search", false}, {bob, "runbook", true}, {bob, "jobs", true},
	} {
		if got := p.MayRun(tt.user, access.Where{}, tt.path); got != tt.want {
			t.Errorf("MayRun(%s, %s): got %v; want %v", tt.user, tt.path, got, tt.want)
		}
	}
	if _, err := access.Compile(access.Rules{Default: "deny", Rules: []access.Rule{{Command: "deploy --nope=x", Effect: "deny"}}}, known); err == nil ||
		!strings.Contains(err.Error(), `"deploy" has no flag --nope`) {
		t.Errorf("got %v; want an unknown flag refused", err)
	}
}
