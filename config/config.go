package config

import (
	"time"

	"github.com/outhook/outhook/middleware"
	"github.com/outhook/outhook/middleware/access"
)

// Config is the whole configuration file. Zero fields take the defaults
// documented on each field; the command line fills them in (package cmd).
type Config struct {
	// Listen is the address to listen on, such as ":8443" or
	// "127.0.0.1:8080". Optional; default ":8080".
	Listen string `yaml:"listen"`
	// Grace is how long shutdown waits for requests in flight. Optional;
	// default 10s.
	Grace time.Duration `yaml:"grace"`
	// Drain is how long the server keeps serving after it is told to stop,
	// with /readyz answering 503, so that a load balancer stops sending it
	// traffic before it closes its listener. Optional; default 0.
	Drain time.Duration `yaml:"drain"`
	// Log sets the log format and level.
	Log Log `yaml:"log"`
	// TLS serves HTTPS from a certificate and key file.
	TLS TLS `yaml:"tls"`
	// Metrics sets where Prometheus metrics are served.
	Metrics Metrics `yaml:"metrics"`
	// TrustedProxies are the addresses or CIDR ranges of the proxies in
	// front of outhook whose X-Forwarded-For header is believed, for the
	// remote address in the log. Optional; default: none, the socket's
	// address is logged (a forwarding header from anyone else is ignored).
	TrustedProxies []string `yaml:"trusted_proxies"`
	// Store is where replay memory and rate limits are kept, shared by all
	// webhooks of the process.
	Store Store `yaml:"store"`
	// Audit sets where audit events go.
	Audit Audit `yaml:"audit"`
	// Defaults apply to every webhook that does not set its own value.
	Defaults Defaults `yaml:"defaults"`
	// Webhooks are the outgoing webhooks this process serves. Optional:
	// with none, the process serves one webhook named "default" whose
	// token comes from $OUTHOOK_SECRET.
	Webhooks []Webhook `yaml:"webhooks"`
}

// Log sets the log output.
type Log struct {
	// Format is "json" or "console". Optional; default "json".
	Format string `yaml:"format"`
	// Level is "debug", "info", "warn" or "error". Optional; default
	// "info".
	Level string `yaml:"level"`
}

// TLS names the certificate and key files for HTTPS. Both or neither.
// The files are read again when they change, so a renewed certificate is
// picked up without a restart.
type TLS struct {
	// Cert is the PEM certificate chain file. Optional.
	Cert string `yaml:"cert"`
	// Key is the PEM private key file. Required with Cert.
	Key string `yaml:"key"`
}

// Metrics sets where Prometheus metrics are served.
type Metrics struct {
	// Listen is an address of its own to serve the metrics on, such as
	// "127.0.0.1:9100", so that they need not be public when outhook
	// terminates TLS itself. Optional; default: the main listener.
	Listen string `yaml:"listen"`
	// Path is the URL path of the metrics endpoint, or "off". Optional;
	// default "/metrics".
	Path string `yaml:"path"`
}

// MetricsOff is the Metrics.Path that turns the endpoint off.
const MetricsOff = "off"

// Store selects where outhook keeps its state: replay memory and
// rate-limit counters, and the data that must outlive a restart — the
// follow-up outbox, plugins' data such as subscriptions and used
// confirmation codes. Several replicas behind a load balancer must share
// it (Redis). The process opens it once; each webhook and plugin keeps its
// keys under its own name.
type Store struct {
	// Kind is "file" (the default: replay memory in the process, data in
	// one file under Dir, opened only when a webhook posts follow-ups or
	// a plugin keeps data), "memory" (nothing outlives the process: for
	// tests) or "redis" (all of it shared by the replicas).
	Kind string `yaml:"kind"`
	// Dir is the data directory of the "file" kind; the file is
	// Dir/outhook.db, and only one process may use it at a time.
	// Optional; default "data" (under systemd: the unit's
	// StateDirectory).
	Dir string `yaml:"dir"`
	// RedisURLEnv names the environment variable holding the Redis URL
	// (redis://user:password@host:6379/0). The URL may hold a password,
	// so it never sits in this file.
	RedisURLEnv string `yaml:"redis_url_env"`
	// RedisURLFile names a file holding the Redis URL.
	RedisURLFile string `yaml:"redis_url_file"`
	// Prefix is prepended to every Redis key. Optional; default
	// "outhook:".
	Prefix string `yaml:"prefix"`
}

// Audit sets where the audit events (one per command run, see
// middleware.Audit) are written.
type Audit struct {
	// File is a file the events are appended to, one JSON object per line;
	// it is created with mode 0600. "off" writes none. Optional; default:
	// the main log, each event marked "audit":true and written whatever
	// the log level, on the request's "answered" line (one line per
	// request; see middleware.AuditConfig.OnAnswerLine).
	File string `yaml:"file"`
}

// AuditOff is the Audit.File that turns audit events off.
const AuditOff = "off"

// WebhookAudit sets how one webhook's commands are audited.
type WebhookAudit struct {
	// Redact marks secret arguments by command name ("*" for every
	// command): their values are written as "[redacted]". Selectors are
	// "2" (the second argument), "2+", "*", a flag ("--token") or a key
	// ("password="); see middleware.Redact. Optional.
	Redact middleware.Redact `yaml:"redact"`
}

// Store kinds.
const (
	StoreFile   = "file"
	StoreMemory = "memory"
	StoreRedis  = "redis"
)

// Defaults are webhook settings that apply to every webhook that does not
// set its own.
type Defaults struct {
	// Plugins are the plugin IDs to enable. Optional; default: every
	// plugin built into the binary.
	Plugins []string `yaml:"plugins"`
	// Budget is how long a command has before the bot answers with a
	// timeout notice. Optional; default 4s. Teams gives up at 5s.
	Budget time.Duration `yaml:"budget"`
	// BodyLimit is the largest request body accepted, in bytes. Optional;
	// default 1 MiB.
	BodyLimit int64 `yaml:"body_limit"`
}

// Webhook is one outgoing webhook: one Teams team (or one purpose) with
// its own URL path, security token(s), commands and rules.
type Webhook struct {
	// Name identifies the webhook in logs and metrics: lowercase letters,
	// digits, '-' and '_'. Required when the file lists webhooks.
	Name string `yaml:"name"`
	// Path is the URL path Teams posts to, such as "/teams/ops". Required.
	Path string `yaml:"path"`
	// SecretEnv names an environment variable holding the security
	// token(s) Teams showed, comma-separated. With several tokens, any
	// verifies: this is how a token is rotated.
	SecretEnv string `yaml:"secret_env"`
	// SecretFile names a file holding the token(s), one per line; blank
	// lines and lines starting with '#' are ignored.
	SecretFile string `yaml:"secret_file"`
	// Secret is refused: tokens never go into the configuration file. It
	// is only declared so that the error can say so plainly.
	Secret string `yaml:"secret"`
	// Plugins are the plugin IDs to enable. Optional; default
	// Defaults.Plugins.
	Plugins []string `yaml:"plugins"`
	// Commands, if set, limits the webhook to these commands (by name) of
	// its plugins. Optional; default: all their commands.
	Commands []string `yaml:"commands"`
	// Budget overrides Defaults.Budget for this webhook.
	Budget time.Duration `yaml:"budget"`
	// BodyLimit overrides Defaults.BodyLimit for this webhook.
	BodyLimit int64 `yaml:"body_limit"`
	// FollowUp is where late results are posted. Optional.
	FollowUp FollowUp `yaml:"followup"`
	// Access holds the access rules, tenant allow-list, replay window and
	// rate limits. Optional; default: everyone may run every command.
	Access Access `yaml:"access"`
	// Audit sets which command arguments audit events redact. Optional.
	Audit WebhookAudit `yaml:"audit"`
	// PluginConfig holds per-plugin settings, by plugin ID. Each plugin
	// reads its own map. Optional.
	PluginConfig map[string]map[string]any `yaml:"plugin_config"`
}

// FollowUp configures follow-up messages: an incoming-webhook (or
// Workflows) URL to which a command that outlives the reply budget posts
// its result. The URL carries a credential, so it comes from the
// environment or a file.
type FollowUp struct {
	// URLEnv names the environment variable holding the URL.
	URLEnv string `yaml:"url_env"`
	// URLFile names a file holding the URL.
	URLFile string `yaml:"url_file"`
	// Budget is how long a command may keep running after the synchronous
	// reply to post its follow-up. Optional; default chosen by the bot.
	Budget time.Duration `yaml:"budget"`
	// Workers is how many background jobs run at once. Optional; default
	// 4 (flag --jobs).
	Workers int `yaml:"workers"`
	// Queue is how many jobs may wait for a worker; beyond it new work is
	// refused at once with "busy, try again". Optional; default 16 (flag
	// --job-queue).
	Queue int `yaml:"queue"`
}

// Enabled reports whether a follow-up URL source is configured.
func (f FollowUp) Enabled() bool { return f.URLEnv != "" || f.URLFile != "" }

// Access holds who may run what on a webhook, and the limits against
// abuse. The rules are package access's own types, decided by its engine
// (see access.Policy): a matching deny rule always wins; a command that
// any rule names runs only for askers an allow rule naming it matches; any
// other command runs for askers a "*" allow rule matches, and otherwise as
// Default says. Rule order does not matter.
type Access struct {
	// Rules holds Default ("allow" or "deny"; required when there are
	// rules) and the Rules themselves, written inline in the access
	// section. File.CheckAccess compiles them against the webhook's
	// commands. Optional; with no rules and no default, everyone may run
	// every command.
	access.Rules `yaml:",inline"`
	// Tenants is the tenant allow-list (Azure AD tenant ids): activities
	// from any other tenant, or from none, are refused before any command
	// runs. Optional; default: any tenant.
	Tenants []string `yaml:"tenants"`
	// ReplayWindow is how far an activity's timestamp may be from the
	// server's clock, either way; ids are remembered for twice as long so
	// that the same activity never runs twice. Replay protection is always
	// on. Optional; default 5m (middleware.DefaultReplayWindow).
	ReplayWindow time.Duration `yaml:"replay_window"`
	// RateLimit limits how often a user or a command may run. Optional;
	// default: no limit.
	RateLimit RateLimit `yaml:"rate_limit"`
}

// RateLimit limits messages and commands per window. Zero fields impose no
// limit. Limits count in fixed windows that start with a key's first
// event, per webhook.
type RateLimit struct {
	// PerUser is how many messages one user (AAD object id) may send per
	// Window, commands or not (middleware.RateLimit).
	PerUser int `yaml:"per_user"`
	// PerCommand is how many times one command may run per Window, all
	// users together (middleware.CommandRateLimit). Denied attempts do not
	// count.
	PerCommand int `yaml:"per_command"`
	// Window is the period the limits count over. Optional; default 1m.
	Window time.Duration `yaml:"window"`
}
