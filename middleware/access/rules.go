package access

// Effects a Rule can have, and the values Rules.Default takes.
const (
	Allow = "allow"
	Deny  = "deny"
)

// Rules is an access rule set as an operator writes it in a config file.
// Compile checks it and turns it into a Policy.
//
//	default: deny
//	rules:
//	  - {command: "*",              effect: allow, teams: ["19:…@thread.tacv2"]}
//	  - {command: "deploy staging", effect: allow}
//	  - {command: "deploy prod",    effect: allow, users: ["6b8f1b7e-…"]}
//	  - {command: "*",              effect: deny,  users: ["0c1d2e3f-…"]}
type Rules struct {
	// Default decides commands that no rule names: "allow" (anyone may
	// run them unless a deny rule matches) or "deny" (only who a "*" allow
	// rule matches may run them). Required when there are rules; with no
	// rules and no default, everyone may run everything.
	Default string `yaml:"default" toml:"default" json:"default"`
	// Rules are the allow and deny rules. Their order does not matter: a
	// matching deny always wins over a matching allow.
	Rules []Rule `yaml:"rules" toml:"rules" json:"rules"`
}

// Rule allows or denies a command line to a set of askers.
//
// The subject lists (Users, Teams, Channels, Tenants) narrow who the rule
// is about: an empty list places no condition; a list holds alternatives;
// all non-empty lists must match. A rule with no subject list is about
// everyone. Ids are compared case-insensitively; "*" in a list matches any
// value, including an empty one.
type Rule struct {
	// Name labels the rule in explanations and audit events, such as
	// "prod deployers". Optional; default: the rule's position.
	Name string `yaml:"name" toml:"name" json:"name,omitempty"`
	// Command is the command line the rule covers: a command name, then
	// optionally argument patterns, such as "deploy" or "deploy prod" or
	// "deploy eu-*". Patterns match leading arguments one by one,
	// case-insensitively; "*" matches any characters and "?" one; further
	// arguments are not looked at. "*" alone covers every command.
	// Required.
	Command string `yaml:"command" toml:"command" json:"command"`
	// Effect is "allow" or "deny". Required.
	Effect string `yaml:"effect" toml:"effect" json:"effect"`
	// Users are Azure AD object ids (whoami shows yours).
	Users []string `yaml:"users" toml:"users" json:"users,omitempty"`
	// Teams are team ids ("19:…@thread.tacv2", the General channel's id).
	Teams []string `yaml:"teams" toml:"teams" json:"teams,omitempty"`
	// Channels are channel ids ("19:…@thread.tacv2").
	Channels []string `yaml:"channels" toml:"channels" json:"channels,omitempty"`
	// Tenants are Azure AD tenant ids.
	Tenants []string `yaml:"tenants" toml:"tenants" json:"tenants,omitempty"`
}
