package cmd

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/config"
	"github.com/outhook/outhook/middleware"
)

// ConfigCmd groups the commands about configuration files.
type ConfigCmd struct {
	Check ConfigCheckCmd `cmd:"" help:"Check a configuration file and explain each problem, with its line."`
}

// ConfigCheckCmd validates a configuration file.
type ConfigCheckCmd struct {
	File    string `arg:"" help:"The configuration file (YAML)." type:"path"`
	Secrets bool   `help:"Also read each webhook's token(s) from its variable or file, here and now, and check they are valid (they are never printed)."`
}

// Run prints each problem as file:line:col: message, or a summary of the
// webhooks when there is none. It fails when there are problems.
func (c *ConfigCheckCmd) Run(g *Globals) error {
	f, err := config.Load(c.File)
	if err == nil {
		err = f.Validate(catalog())
	}
	var errs config.Errors
	if err == nil && c.Secrets {
		errs = checkSecrets(f)
	}
	if err == nil {
		errs = append(errs, checkPlugins(f, c.Secrets)...)
	}
	if err != nil && !errors.As(err, &errs) {
		return err
	}
	if len(errs) > 0 {
		for _, p := range errs {
			fmt.Fprintln(g.stdout, p)
		}
		return fmt.Errorf("%s: %d problem(s)", c.File, len(errs))
	}
	hooks := f.Config.Webhooks
	if len(hooks) == 0 {
		fmt.Fprintf(g.stdout, "%s: ok: one webhook, its path and token from flags or the environment\n", c.File)
		return nil
	}
	desc := make([]string, len(hooks))
	for i, w := range hooks {
		desc[i] = fmt.Sprintf("%s at %s", w.Name, w.Path)
	}
	fmt.Fprintf(g.stdout, "%s: ok: %d webhook(s): %s\n", c.File, len(hooks), strings.Join(desc, ", "))
	return nil
}

// checkPlugins loads every webhook's plugins with their settings, as serve
// would, and reports the settings they refuse; then it checks the
// webhook's access rules and audit redaction against the commands it
// serves. Without secrets, the environment variables plugins read secrets
// from are not looked at.
func checkPlugins(f *config.File, secrets bool) config.Errors {
	var errs config.Errors
	lookup := os.LookupEnv
	if !secrets {
		lookup = func(string) (string, bool) { return "unchecked", true }
	}
	for i, w := range f.Config.Webhooks {
		if len(w.Plugins) == 0 {
			w.Plugins = f.Config.Defaults.Plugins
		}
		r, cleanup, err := checkRouter(w, lookup)
		if err != nil {
			errs = append(errs, config.Problem{File: f.Name, Message: fmt.Sprintf("webhook %q: %v", w.Name, err)})
			continue
		}
		var located config.Errors
		if errors.As(f.CheckAccess(i, middleware.CommandNames(r)), &located) {
			errs = append(errs, located...)
		}
		if err := cleanup(); err != nil {
			errs = append(errs, config.Problem{File: f.Name, Message: fmt.Sprintf("webhook %q: %v", w.Name, err)})
		}
	}
	return errs
}

// checkSecrets reads every webhook's tokens and the follow-up and Redis
// URLs the file names, and reports the ones missing or invalid.
func checkSecrets(f *config.File) config.Errors {
	var errs config.Errors
	bad := func(msg string, args ...any) {
		errs = append(errs, config.Problem{File: f.Name, Message: fmt.Sprintf(msg, args...)})
	}
	for _, w := range f.Config.Webhooks {
		env, file := w.SecretEnv, w.SecretFile
		if env == "" && file == "" {
			env = defaultSecretEnv
		}
		tokens, err := config.ReadSecrets(env, file, nil)
		if err != nil {
			bad("webhook %q: %v (from %s)", w.Name, err, sources(config.Webhook{SecretEnv: env, SecretFile: file}))
			continue
		}
		if _, err := bot.NewVerifier(tokens...); err != nil {
			bad("webhook %q: %v", w.Name, err)
		}
		if w.FollowUp.Enabled() {
			if _, err := config.ReadSecret(w.FollowUp.URLEnv, w.FollowUp.URLFile, nil); err != nil {
				bad("webhook %q: follow-up URL: %v", w.Name, err)
			}
		}
	}
	if s := f.Config.Store; s.Kind == config.StoreRedis {
		if _, err := config.ReadSecret(s.RedisURLEnv, s.RedisURLFile, nil); err != nil {
			bad("store: Redis URL: %v", err)
		}
	}
	return errs
}
