package config

import (
	"fmt"
	"net"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/outhook/outhook/bot"
)

// Catalog describes what the binary offers, so that Validate can check
// the names a file uses: plugin IDs and, for each, the names (and aliases)
// of its commands. The name "*" stands for commands a plugin takes from
// its settings, so that any command name may be the plugin's.
type Catalog map[string][]string

// Reserved URL paths that a webhook may not use.
var reserved = []string{"/healthz", "/readyz"}

var (
	// nameRE is the form of a webhook's name, at most maxName bytes: the
	// bound is checked apart, as a counted repetition ({0,62}) would
	// compile to 62 copies of its class, kept and scanned by the garbage
	// collector for the life of the process.
	nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	envRE  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

const maxName = 63

// Validate checks the values of the file's settings and returns Errors
// listing every problem, or nil. With a non-nil catalog it also checks
// plugin IDs and the names in webhooks' commands lists against it. Access
// rules and audit redaction name commands too: CheckAccess checks them
// against the commands a webhook really serves.
func (f *File) Validate(catalog Catalog) error {
	var errs Errors
	add := func(path, format string, args ...any) {
		errs = append(errs, f.problem(path, format, args...))
	}
	c := &f.Config

	if c.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Listen); err != nil {
			add("$.listen", "listen %q is not a host:port address (for example \":8443\" or \"127.0.0.1:8080\")", c.Listen)
		}
	}
	if c.Grace < 0 {
		add("$.grace", "grace must not be negative")
	}
	if c.Drain < 0 {
		add("$.drain", "drain must not be negative")
	}
	if !oneOf(c.Log.Format, "", "json", "console") {
		add("$.log.format", "log format %q is not json or console", c.Log.Format)
	}
	if !oneOf(c.Log.Level, "", "debug", "info", "warn", "error") {
		add("$.log.level", "log level %q is not debug, info, warn or error", c.Log.Level)
	}
	if (c.TLS.Cert == "") != (c.TLS.Key == "") {
		add("$.tls", "tls needs both cert and key, or neither")
	}
	if p := c.Metrics.Path; p != "" && p != MetricsOff && !strings.HasPrefix(p, "/") {
		add("$.metrics.path", "metrics path %q must start with / (or be %q)", p, MetricsOff)
	}
	switch c.Store.Kind {
	case "", StoreFile, StoreMemory:
		if c.Store.RedisURLEnv != "" || c.Store.RedisURLFile != "" {
			add("$.store.kind", "a Redis URL is set but store kind is not %q", StoreRedis)
		}
	case StoreRedis:
		if c.Store.RedisURLEnv == "" && c.Store.RedisURLFile == "" {
			add("$.store", "store kind redis needs redis_url_env or redis_url_file")
		}
	default:
		add("$.store.kind", "store kind %q is not file, memory or redis", c.Store.Kind)
	}
	if c.Store.Dir != "" && !oneOf(c.Store.Kind, "", StoreFile) {
		add("$.store.dir", "dir is the data directory of the file store, and store kind is %q", c.Store.Kind)
	}
	if c.Store.RedisURLEnv != "" && !envRE.MatchString(c.Store.RedisURLEnv) {
		add("$.store.redis_url_env", "%q is not an environment variable name", c.Store.RedisURLEnv)
	}

	f.checkTuning(&errs, "$.defaults", c.Defaults.Budget, c.Defaults.BodyLimit)
	f.checkPlugins(&errs, "$.defaults.plugins", c.Defaults.Plugins, catalog)

	names := map[string]int{}
	paths := map[string]int{}
	for i, w := range c.Webhooks {
		at := fmt.Sprintf("$.webhooks[%d]", i)
		switch {
		case w.Name == "":
			add(at, "webhook %d has no name", i+1)
		case len(w.Name) > maxName:
			add(at+".name", "webhook name %q is longer than %d characters", w.Name, maxName)
		case !nameRE.MatchString(w.Name):
			add(at+".name", "webhook name %q may hold only lowercase letters, digits, - and _", w.Name)
		default:
			if j, dup := names[w.Name]; dup {
				add(at+".name", "webhook name %q is already used by webhook %d", w.Name, j+1)
			}
			names[w.Name] = i
		}
		switch {
		case w.Path == "":
			add(at, "webhook %s has no path", label(w, i))
		case !strings.HasPrefix(w.Path, "/") || strings.ContainsAny(w.Path, " ?#:*"):
			add(at+".path", "path %q must start with / and hold no spaces, ?, #, : or *", w.Path)
		case slices.Contains(reserved, w.Path) || (w.Path == metricsPath(c)):
			add(at+".path", "path %q is reserved for the server's own endpoints", w.Path)
		default:
			if j, dup := paths[w.Path]; dup {
				add(at+".path", "path %q is already used by webhook %s", w.Path, label(c.Webhooks[j], j))
			}
			paths[w.Path] = i
		}
		if w.Secret != "" {
			add(at+".secret", "a security token must not be written in the configuration file: "+
				"put it in an environment variable named by secret_env, or a file named by secret_file")
		}
		if w.SecretEnv != "" && !envRE.MatchString(w.SecretEnv) {
			add(at+".secret_env", "%q is not an environment variable name", w.SecretEnv)
		}
		if len(c.Webhooks) > 1 && w.SecretEnv == "" && w.SecretFile == "" {
			add(at, "webhook %s has no token source: with several webhooks each needs secret_env or secret_file", label(w, i))
		}
		f.checkTuning(&errs, at, w.Budget, w.BodyLimit)
		plugins := w.Plugins
		if len(plugins) == 0 {
			plugins = c.Defaults.Plugins
		}
		f.checkPlugins(&errs, at+".plugins", w.Plugins, catalog)
		f.checkCommands(&errs, at+".commands", w.Commands, plugins, catalog)
		f.checkFollowUp(&errs, at+".followup", w.FollowUp)
		f.checkAccess(&errs, at+".access", w.Access)
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

func (f *File) checkTuning(errs *Errors, at string, budget time.Duration, limit int64) {
	switch {
	case budget < 0:
		*errs = append(*errs, f.problem(at+".budget", "budget must not be negative"))
	case budget > bot.MaxBudget:
		// The one limit, bot.MaxBudget, that the bot itself enforces: what
		// passes here cannot stop serve.
		*errs = append(*errs, f.problem(at+".budget", "budget %s is over %s: Teams waits 5s, and the bot needs "+
			"the rest to send its timeout notice in time", budget, bot.MaxBudget))
	}
	if limit < 0 {
		*errs = append(*errs, f.problem(at+".body_limit", "body_limit must not be negative"))
	}
}

func (f *File) checkPlugins(errs *Errors, at string, ids []string, catalog Catalog) {
	if catalog == nil {
		return
	}
	for i, id := range ids {
		if _, ok := catalog[id]; !ok {
			*errs = append(*errs, f.problem(fmt.Sprintf("%s[%d]", at, i),
				"unknown plugin %q (this binary has: %s)", id, strings.Join(catalog.ids(), ", ")))
		}
	}
}

func (f *File) checkCommands(errs *Errors, at string, names, plugins []string, catalog Catalog) {
	if catalog == nil || len(names) == 0 {
		return
	}
	if len(plugins) == 0 {
		plugins = catalog.ids()
	}
	var offered []string
	for _, id := range plugins {
		offered = append(offered, catalog[id]...)
	}
	for i, n := range names {
		// "*" stands for commands that a plugin takes from its settings.
		if !slices.ContainsFunc(offered, func(o string) bool { return o == "*" || strings.EqualFold(o, n) }) {
			*errs = append(*errs, f.problem(fmt.Sprintf("%s[%d]", at, i),
				"command %q is not offered by the enabled plugins (%s)", n, strings.Join(plugins, ", ")))
		}
	}
}

func (f *File) checkFollowUp(errs *Errors, at string, fu FollowUp) {
	if fu.URLEnv != "" && !envRE.MatchString(fu.URLEnv) {
		*errs = append(*errs, f.problem(at+".url_env", "%q is not an environment variable name", fu.URLEnv))
	}
	if fu.Budget < 0 {
		*errs = append(*errs, f.problem(at+".budget", "follow-up budget must not be negative"))
	}
	if fu.Budget > 0 && !fu.Enabled() {
		*errs = append(*errs, f.problem(at+".budget", "a follow-up budget is set but no url_env or url_file"))
	}
	if fu.Workers < 0 {
		*errs = append(*errs, f.problem(at+".workers", "workers must not be negative"))
	}
	if fu.Queue < 0 {
		*errs = append(*errs, f.problem(at+".queue", "queue must not be negative (0 takes the default)"))
	}
	if (fu.Workers > 0 || fu.Queue > 0) && !fu.Enabled() {
		*errs = append(*errs, f.problem(at, "jobs are set up but no url_env or url_file says where their results go"))
	}
}

func (f *File) checkAccess(errs *Errors, at string, a Access) {
	add := func(path, format string, args ...any) {
		*errs = append(*errs, f.problem(path, format, args...))
	}
	for i, t := range a.Tenants {
		if strings.TrimSpace(t) == "" {
			add(fmt.Sprintf("%s.tenants[%d]", at, i), "empty tenant id")
		}
	}
	if a.ReplayWindow < 0 {
		add(at+".replay_window", "replay_window must not be negative")
	}
	rl := a.RateLimit
	if rl.PerUser < 0 {
		add(at+".rate_limit.per_user", "per_user must not be negative")
	}
	if rl.PerCommand < 0 {
		add(at+".rate_limit.per_command", "per_command must not be negative")
	}
	if rl.Window < 0 {
		add(at+".rate_limit.window", "window must not be negative")
	}
}

func (c Catalog) ids() []string {
	ids := make([]string, 0, len(c))
	for id := range c {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func metricsPath(c *Config) string {
	if c.Metrics.Path == "" {
		return "/metrics"
	}
	return c.Metrics.Path
}

func label(w Webhook, i int) string {
	if w.Name != "" {
		return fmt.Sprintf("%q", w.Name)
	}
	return fmt.Sprint(i + 1)
}

func oneOf(s string, set ...string) bool { return slices.Contains(set, s) }
