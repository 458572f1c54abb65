// Package cmd is the outhook command-line interface. cmd/outhook/main.go
// only calls Main; a custom build is a main package that imports extra
// plugins for their side effects and calls Main too:
//
//	package main
//
//	import (
//		"github.com/outhook/outhook/cmd"
//		_ "github.com/outhook/outhook/plugins/standard"
//		_ "example.com/team/ourplugin"
//	)
//
//	func main() { cmd.Main() }
package cmd

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/alecthomas/kong"
	"github.com/rs/zerolog"

	"github.com/outhook/outhook/logwriter"
)

// CLI is the grammar of the outhook command.
type CLI struct {
	Globals

	Serve ServeCmd `cmd:"" help:"Serve the outgoing webhook over HTTP."`
	Chat  ChatCmd  `cmd:"" help:"Talk to a local bot from the terminal, through the real HTTP path."`
	Dev   DevCmd   `cmd:"" help:"Serve a local bot and a web console that shows its replies as Teams renders them."`
	Say   SayCmd   `cmd:"" help:"Sign and post one message to a bot, as Teams would, and print the reply."`
	Send  SendCmd  `cmd:"" help:"Post a text or a card to a Teams incoming webhook (Workflows or connector)."`

	Config        ConfigCmd        `cmd:"" help:"Work with configuration files."`
	Policy        PolicyCmd        `cmd:"" help:"Check access rules."`
	Subscriptions SubscriptionsCmd `cmd:"" help:"List, export and import the subscriptions outhook keeps (stop outhook first when it uses a data file)."`
	Version       VersionCmd       `cmd:"" help:"Print the version and build information."`
}

// Globals are the flags every command accepts.
type Globals struct {
	LogFormat string `help:"Log format: json or console." enum:"json,console" default:"json" env:"OUTHOOK_LOG_FORMAT"`
	LogLevel  string `help:"Log level: debug, info, warn or error." enum:"debug,info,warn,error" default:"info" env:"OUTHOOK_LOG_LEVEL"`

	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// explicit holds the names of the flags given on the command line or
	// through their environment variable: those win over the config file.
	explicit map[string]bool
	// later, set by Run, takes the work of a command that runs until it
	// is stopped (serve), to be done once kong has returned: kong's model
	// of the grammar (about 150 KB of pointers) is then garbage, instead
	// of being held by kong's frames on the stack and scanned again by
	// every garbage collection while the server runs.
	later *func() error
}

// Logger returns the logger the flags ask for, writing to w.
func (g *Globals) Logger(w io.Writer) zerolog.Logger {
	level, err := zerolog.ParseLevel(g.LogLevel)
	if err != nil {
		level = zerolog.InfoLevel
	}
	if g.LogFormat == "console" {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.TimeOnly}
	}
	return zerolog.New(w).Level(level).With().Timestamp().Logger()
}

// Main runs the CLI with the process's arguments and exits.
func Main() {
	os.Exit(Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// Run runs the CLI with args and the given streams and returns the exit
// code. It never calls os.Exit.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	// Log lines are batched on their way to stderr, within the bounds
	// package logwriter documents; all are written before Run returns.
	lw := logwriter.New(stderr, logwriter.Options{Keep: logwriter.AuditLines})
	defer lw.Close()
	stderr = lw
	cli := CLI{Globals: Globals{stdin: stdin, stdout: stdout, stderr: stderr}}
	exit := -1
	parser, err := kong.New(&cli,
		kong.Name("outhook"),
		kong.Description("A Microsoft Teams outgoing-webhook bot."),
		kong.UsageOnError(),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { exit = code }),
		kong.Bind(&cli.Globals),
	)
	if err != nil {
		fmt.Fprintln(stderr, "outhook:", err)
		return 2
	}
	kctx, err := parser.Parse(args)
	if exit >= 0 {
		return exit // --help and friends
	}
	if err != nil {
		parser.Errorf("%s", err)
		return 2
	}
	cli.explicit = explicitFlags(kctx)
	var later func() error
	cli.later = &later
	err = kctx.Run()
	if err == nil && later != nil {
		err = later() // kctx and parser are no longer live
	}
	if err != nil {
		fmt.Fprintln(stderr, "outhook:", err)
		return 1
	}
	return 0
}

// explicitFlags returns the names of the flags that were set on the command
// line or through an environment variable, as opposed to left at their
// defaults.
func explicitFlags(kctx *kong.Context) map[string]bool {
	set := map[string]bool{}
	for _, p := range kctx.Path {
		if p.Flag != nil {
			set[p.Flag.Name] = true
		}
	}
	for _, f := range kctx.Flags() {
		for _, env := range f.Tag.Envs {
			if _, ok := os.LookupEnv(env); ok {
				set[f.Name] = true
			}
		}
	}
	return set
}
