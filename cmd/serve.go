package cmd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/outhook/outhook"
	"github.com/outhook/outhook/config"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// ServeCmd runs the bot as an HTTP server. Every flag can also be set by
// its environment variable or in the --config file; a flag beats its
// variable, which beats the file.
type ServeCmd struct {
	BotFlags

	Config      string        `help:"Configuration file (YAML; see docs/config.md). Flags and environment variables override it." env:"OUTHOOK_CONFIG" type:"path"`
	Listen      string        `help:"Address to listen on." default:":8080" env:"OUTHOOK_LISTEN"`
	SecretFile  string        `help:"File with the security token(s), one per line (instead of, or besides, $OUTHOOK_SECRET)." env:"OUTHOOK_SECRET_FILE" type:"path"`
	TLSCert     string        `help:"TLS certificate file (PEM), read again when it changes. Teams only calls HTTPS URLs: use this or a TLS proxy." env:"OUTHOOK_TLS_CERT" type:"path"`
	TLSKey      string        `help:"TLS private key file (PEM)." env:"OUTHOOK_TLS_KEY" type:"path"`
	Grace       time.Duration `help:"How long shutdown waits for requests in flight, and for background jobs and their posts." default:"10s" env:"OUTHOOK_GRACE"`
	Drain       time.Duration `help:"How long to keep serving after SIGTERM with /readyz answering 503, so a load balancer stops sending traffic first." default:"0s" env:"OUTHOOK_DRAIN"`
	MetricsPath string        `help:"URL path of the Prometheus metrics, or \"off\"." default:"/metrics" env:"OUTHOOK_METRICS_PATH"`
	DataDir     string        `name:"data-dir" help:"Data directory: the follow-up outbox and plugins' data (subscriptions) are kept in one file there, across restarts." default:"data" env:"OUTHOOK_DATA_DIR" type:"path"`
	AuditLog    string        `help:"File the audit events (one per command) are appended to, or \"off\" (default: the main log, marked \"audit\":true)." env:"OUTHOOK_AUDIT_LOG"`

	// file is the configuration file resolve read, to locate problems
	// found while building the server.
	file *config.File
}

// Run serves until SIGINT or SIGTERM. Under the CLI (Run) it hands the
// serving to Run, to begin once kong has returned (see Globals.later).
func (s *ServeCmd) Run(g *Globals) error {
	serve := func() error {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return s.run(ctx, g, nil)
	}
	if g.later != nil {
		*g.later = serve
		return nil
	}
	return serve()
}

// run serves until ctx is done. ready, if not nil, receives the address
// once the server listens.
func (s *ServeCmd) run(ctx context.Context, g *Globals, ready chan<- string) error {
	cfg, err := s.resolve(g)
	if err != nil {
		return err
	}
	addr, err := listenAddr(cfg.Listen)
	if err != nil {
		return err
	}
	logger := g.Logger(g.stderr)
	app, err := outhook.New(cfg, outhook.Options{Logger: &logger, Registerer: newRegistry()})
	if err != nil {
		if s.file != nil {
			return outhook.Locate(err, s.file)
		}
		if errors.Is(err, outhook.ErrNoToken) {
			err = fmt.Errorf("%w; or pass --secret-file with one token per line", err)
		}
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return errors.Join(fmt.Errorf("listening on %s: %w", addr, err), app.Shutdown(context.Background()))
	}
	if ready != nil {
		ready <- ln.Addr().String()
	}
	return app.Serve(ctx, ln)
}

// newRegistry returns the registry serve's metrics go to, with the Go
// runtime's, the process's and the build's.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewBuildInfoCollector(),
	)
	return reg
}

// listenAddr checks a listen address and explains the usual mistakes.
func listenAddr(addr string) (string, error) {
	a := strings.TrimSpace(addr)
	switch {
	case a == "":
		return "", errors.New("listen address is empty: give host:port, such as :8080 or 127.0.0.1:8080")
	case strings.Contains(a, "://"):
		return "", fmt.Errorf("listen address %q is a URL: give host:port, such as :8080", addr)
	}
	if _, err := strconv.Atoi(a); err == nil {
		return "", fmt.Errorf("listen address %q has no colon: did you mean :%s?", addr, a)
	}
	if _, _, err := net.SplitHostPort(a); err != nil {
		return "", fmt.Errorf("listen address %q: give host:port, such as :8080 or 127.0.0.1:8080", addr)
	}
	return a, nil
}

// resolve reads the config file, if any, checks it, and lays the flags and
// environment variables that were given over it. It also sets the log
// flags in g from the file where they were not given.
func (s *ServeCmd) resolve(g *Globals) (config.Config, error) {
	file := &config.File{Name: "(flags)"}
	if s.Config != "" {
		f, err := config.Load(s.Config)
		if err != nil {
			return config.Config{}, err
		}
		if err := f.Validate(outhook.Catalog()); err != nil {
			return config.Config{}, err
		}
		file = f
		s.file = f
	}
	ex := g.explicit
	c := file.Config
	c.Listen = pick(ex["listen"], s.Listen, c.Listen)
	c.Grace = pick(ex["grace"], s.Grace, c.Grace)
	c.Drain = pick(ex["drain"], s.Drain, c.Drain)
	c.Metrics.Path = pick(ex["metrics-path"], s.MetricsPath, c.Metrics.Path)
	c.Audit.File = pick(ex["audit-log"], s.AuditLog, c.Audit.File)
	c.Store.Dir = pick(ex["data-dir"], s.DataDir, c.Store.Dir)
	if ex["tls-cert"] || ex["tls-key"] || c.TLS.Cert == "" {
		c.TLS = config.TLS{Cert: s.TLSCert, Key: s.TLSKey}
	}
	if (c.TLS.Cert == "") != (c.TLS.Key == "") {
		return config.Config{}, errors.New("--tls-cert and --tls-key go together")
	}
	g.LogFormat = pick(ex["log-format"], g.LogFormat, c.Log.Format)
	g.LogLevel = pick(ex["log-level"], g.LogLevel, c.Log.Level)
	c.Log = config.Log{Format: g.LogFormat, Level: g.LogLevel}

	c.Defaults.Budget = pick(ex["budget"], s.Budget, c.Defaults.Budget)
	c.Defaults.BodyLimit = pick(ex["body-limit"], s.BodyLimit, c.Defaults.BodyLimit)
	if ex["plugins"] || len(c.Defaults.Plugins) == 0 {
		c.Defaults.Plugins = s.Plugins
	}

	hooks := append([]config.Webhook(nil), c.Webhooks...)
	switch len(hooks) {
	case 0:
		hooks = []config.Webhook{{Name: "default", Path: s.Path, SecretEnv: outhook.DefaultSecretEnv, SecretFile: s.SecretFile,
			FollowUp: s.followUpSource()}}
	case 1:
		w := &hooks[0]
		w.Path = pick(ex["path"], s.Path, w.Path)
		if ex["secret-file"] {
			w.SecretFile = s.SecretFile
		}
		if w.SecretEnv == "" && w.SecretFile == "" {
			w.SecretEnv, w.SecretFile = outhook.DefaultSecretEnv, s.SecretFile
		}
		if !w.FollowUp.Enabled() {
			w.FollowUp = s.followUpSource()
		}
	default:
		for _, name := range []string{"path", "secret-file"} {
			if ex[name] {
				return config.Config{}, fmt.Errorf("--%s applies to a single webhook, and %s defines %d: set it per webhook in the file",
					name, s.Config, len(hooks))
			}
		}
	}
	for i := range hooks {
		w := &hooks[i]
		if ex["budget"] || w.Budget == 0 {
			w.Budget = c.Defaults.Budget
		}
		if ex["body-limit"] || w.BodyLimit == 0 {
			w.BodyLimit = c.Defaults.BodyLimit
		}
		if ex["plugins"] || len(w.Plugins) == 0 {
			w.Plugins = c.Defaults.Plugins
		}
		if w.FollowUp.Enabled() && (ex["job-timeout"] || w.FollowUp.Budget == 0) {
			w.FollowUp.Budget = s.JobTimeout
		}
		if w.FollowUp.Enabled() && (ex["jobs"] || w.FollowUp.Workers == 0) {
			w.FollowUp.Workers = s.Jobs
		}
		if w.FollowUp.Enabled() && (ex["job-queue"] || w.FollowUp.Queue == 0) {
			w.FollowUp.Queue = s.JobQueue
		}
	}
	c.Webhooks = hooks
	return c, nil
}

// pick returns the flag's value if it was given, else the file's if set,
// else the flag's (which then holds the built-in default).
func pick[T comparable](given bool, flag, file T) T {
	var zero T
	if given || file == zero {
		return flag
	}
	return file
}
