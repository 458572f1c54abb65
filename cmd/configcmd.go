package cmd

import (
	"errors"
	"fmt"
	"strings"

	"github.com/outhook/outhook"
	"github.com/outhook/outhook/config"
)

// ConfigCmd groups the commands about configuration files.
type ConfigCmd struct {
	Check ConfigCheckCmd `cmd:"" help:"Check a configuration file and explain each problem, with its line."`
}

// ConfigCheckCmd checks a configuration file the way serve starts from it.
type ConfigCheckCmd struct {
	File string `arg:"" help:"The configuration file (YAML). Run it with serve's environment: the tokens, URLs and files it names are read and checked as serve reads them." type:"path"`
}

// Run runs serve's start-up without the listening (outhook.Check) and
// prints each problem as file:line:col: message, or a summary of the
// webhooks when there is none. It fails when there are problems.
func (c *ConfigCheckCmd) Run(g *Globals) error {
	f, err := config.Load(c.File)
	if err != nil {
		return printProblems(g, c.File, err)
	}
	if err := outhook.Check(f, outhook.Options{}); err != nil {
		return printProblems(g, c.File, err)
	}
	hooks := f.Config.Webhooks
	if len(hooks) == 0 {
		fmt.Fprintf(g.stdout, "%s: ok: one webhook at /webhook, its token from $%s\n", c.File, outhook.DefaultSecretEnv)
		return nil
	}
	desc := make([]string, len(hooks))
	for i, w := range hooks {
		desc[i] = fmt.Sprintf("%s at %s", w.Name, w.Path)
	}
	fmt.Fprintf(g.stdout, "%s: ok: %d webhook(s): %s\n", c.File, len(hooks), strings.Join(desc, ", "))
	return nil
}

// printProblems prints the located problems in err, one a line, and
// returns the error that counts them.
func printProblems(g *Globals, file string, err error) error {
	var errs config.Errors
	if !errors.As(err, &errs) {
		return err
	}
	for _, p := range errs {
		fmt.Fprintln(g.stdout, p)
	}
	return fmt.Errorf("%s: %d problem(s)", file, len(errs))
}
