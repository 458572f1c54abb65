package outhook

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/config"
	"github.com/outhook/outhook/middleware/metrics"
	"github.com/outhook/outhook/plugins"
	"github.com/outhook/outhook/router"
	"github.com/outhook/outhook/store"
)

// Options are what the host gives an App besides its configuration. Every
// field is optional.
type Options struct {
	// Logger receives the request lines, the audit events (unless the
	// configuration sends them to a file) and every error. Default: no
	// logging.
	Logger *zerolog.Logger
	// Registerer receives the Prometheus metrics: requests, answers,
	// denials, follow-ups. Default: no metrics.
	Registerer prometheus.Registerer
	// OnError is called with every error a command returned that is not
	// meant for the asker (a *HandlerError), and every panic (a
	// *HandlerError whose Panic is set), after the asker has had a polite
	// reply with a reference id. It must not block. Default: they are
	// only logged.
	OnError func(err error)
	// LookupEnv reads the environment variables the configuration names
	// for tokens, URLs and plugin secrets. Default: os.LookupEnv.
	LookupEnv func(key string) (string, bool)
}

// App is a configuration turned into running, protected webhooks: for each
// webhook its bot, router, plugins, access rules, replay protection, rate
// limits, audit, follow-ups and metrics, all from one code path that
// "outhook serve", "outhook chat", "outhook config check" and embedders
// share. Mount it on an Echo app, or let Serve run the HTTP server too;
// Shutdown releases it.
type App struct {
	cfg        config.Config
	logger     zerolog.Logger
	metrics    *metrics.Metrics
	registerer prometheus.Registerer
	guards     *guards
	cert       *certReloader // nil: plain HTTP
	webhooks   []*Webhook
	draining   atomic.Bool
	closed     atomic.Bool
	resumeOnce sync.Once
}

// Webhook is one webhook of an App.
type Webhook struct {
	// Name is the webhook's name in the configuration ("default" when
	// there is one).
	Name string
	// Path is the URL path Teams posts to, relative to where the App is
	// mounted.
	Path string

	tokens  int
	bot     *bot.Bot
	router  *router.Router
	handler bot.Handler
	plugins *plugins.Set
}

// Bot returns the webhook's bot.
func (w *Webhook) Bot() *bot.Bot { return w.bot }

// Router returns the webhook's command router, with its plugins' commands.
func (w *Webhook) Router() *router.Router { return w.router }

// Handler returns the webhook's whole handler chain as served: tenants,
// replay protection, rate limits, the router with its audit, access and
// command middleware. "outhook policy check" runs lines through it.
func (w *Webhook) Handler() bot.Handler { return w.handler }

// New builds the App that cfg describes: it reads every webhook's tokens
// and secrets, opens the store and the audit log, loads and provisions
// the plugins with their settings and compiles the access rules. It fails
// with every problem it finds, naming the webhook, the setting and where a
// missing secret was expected; it starts no listener. Call Shutdown to
// release what it opened.
func New(cfg config.Config, opts Options) (*App, error) {
	cfg = withDefaults(cfg)
	logger := zerolog.Nop()
	if opts.Logger != nil {
		logger = *opts.Logger
	}
	if opts.LookupEnv == nil {
		opts.LookupEnv = os.LookupEnv
	}
	reg := opts.Registerer
	if reg == nil {
		reg = prometheus.NewRegistry() // collected, never served
	}
	m, err := metrics.New(reg)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	// Every problem is reported at once: after an audit log or TLS pair
	// that does not open, the webhooks are still built to find the rest.
	var errs []error
	g, err := newGuards(cfg, logger, m, opts.LookupEnv, needsData(cfg))
	if g == nil {
		return nil, err
	}
	if err != nil {
		errs = append(errs, err)
	}
	a := &App{cfg: cfg, logger: logger, metrics: m, registerer: reg, guards: g}
	if c := cfg.TLS; c.Cert != "" || c.Key != "" {
		if c.Cert == "" || c.Key == "" {
			errs = append(errs, errors.New("tls: a certificate and its key go together: set both"))
		} else if a.cert, err = newCertReloader(c.Cert, c.Key, logger); err != nil {
			errs = append(errs, fmt.Errorf("tls: %w", err))
		}
	}
	for _, w := range cfg.Webhooks {
		h, err := a.newWebhook(w, opts)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		a.webhooks = append(a.webhooks, h)
	}
	if len(errs) > 0 {
		return nil, errors.Join(append(errs, a.abandon())...)
	}
	for _, w := range a.webhooks {
		b := w.bot
		if err := reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: metrics.Namespace, Name: "hung",
			Help:        "Handlers still running after their timeout notice, and jobs given up on after their stop grace; past max_hung new work is refused.",
			ConstLabels: prometheus.Labels{"webhook": w.Name},
		}, func() float64 { return float64(b.Hung()) })); err != nil {
			return nil, errors.Join(fmt.Errorf("metrics: %w", err), a.abandon())
		}
	}
	return a, nil
}

// ErrNoToken is the error New returns, wrapped with the webhook's name and
// where the token was expected, when a webhook's token source is empty.
var ErrNoToken = errors.New("no security token")

// DefaultSecretEnv holds the token(s) of a configuration with one webhook
// that names no source for them (or no webhook at all).
const DefaultSecretEnv = "OUTHOOK_SECRET"

// needsData reports whether a webhook of cfg keeps data that must
// outlive the process: the outbox of its follow-ups, or a plugin's.
func needsData(cfg config.Config) bool {
	for _, w := range cfg.Webhooks {
		if w.FollowUp.Enabled() || plugins.KeepData(w.Plugins...) {
			return true
		}
	}
	return false
}

// withDefaults fills each webhook's unset tuning from the configuration's
// defaults, and the defaults from outhook's.
func withDefaults(cfg config.Config) config.Config {
	if cfg.Defaults.Budget == 0 {
		cfg.Defaults.Budget = bot.DefaultBudget
	}
	if cfg.Defaults.BodyLimit == 0 {
		cfg.Defaults.BodyLimit = bot.DefaultBodyLimit
	}
	if len(cfg.Webhooks) == 0 {
		cfg.Webhooks = []config.Webhook{{}}
	}
	hooks := make([]config.Webhook, len(cfg.Webhooks))
	for i, w := range cfg.Webhooks {
		if len(cfg.Webhooks) == 1 && w.SecretEnv == "" && w.SecretFile == "" {
			w.SecretEnv = DefaultSecretEnv
		}
		if w.Name == "" {
			w.Name = "default"
		}
		if w.Path == "" {
			w.Path = "/webhook"
		}
		if w.Budget == 0 {
			w.Budget = cfg.Defaults.Budget
		}
		if w.BodyLimit == 0 {
			w.BodyLimit = cfg.Defaults.BodyLimit
		}
		if len(w.Plugins) == 0 {
			w.Plugins = cfg.Defaults.Plugins
		}
		hooks[i] = w
	}
	cfg.Webhooks = hooks
	return cfg
}

// newWebhook builds the router and bot of one webhook.
//
// w.Access and w.Audit become the webhook's access rules, abuse checks and
// audit (guards.protect); w.PluginConfig goes to the plugins
// (plugins.Load); w.FollowUp becomes the bot's follow-ups.
func (a *App) newWebhook(w config.Webhook, opts Options) (*Webhook, error) {
	// Every problem is reported at once: a webhook without its token is
	// still built, with a stand-in, to find the rest.
	var errs []error
	secrets, err := config.ReadSecrets(w.SecretEnv, w.SecretFile, opts.LookupEnv)
	switch {
	case errors.Is(err, config.ErrNoSecret):
		how := "set it"
		if w.SecretEnv != "" {
			how = "set " + w.SecretEnv
		}
		errs = append(errs, fmt.Errorf("%w in %s: %s to the token Teams showed when you created "+
			"the outgoing webhook (several: comma-separated, or one per line in a file)", ErrNoToken, sources(w), how))
	case err == nil:
		err = checkTokens(secrets)
		fallthrough
	default:
		if err != nil {
			errs = append(errs, fmt.Errorf("token from %s: %w", sources(w), err))
		}
	}
	if len(errs) > 0 {
		secrets = []string{bot.NewToken()}
	}
	fail := func(set *plugins.Set, err error) (*Webhook, error) {
		errs = append(errs, err)
		if set != nil {
			errs = append(errs, set.Cleanup())
		}
		var named []error
		for _, e := range errs {
			if e != nil {
				named = append(named, fmt.Errorf("webhook %q: %w", w.Name, e))
			}
		}
		return nil, errors.Join(named...)
	}
	lg := a.logger.With().Str("webhook", w.Name).Logger()
	followUps, err := followUpSender(w.FollowUp, lg, opts.LookupEnv)
	if err != nil {
		errs = append(errs, err)
	}
	if followUps != nil {
		followUps = a.metrics.Poster(w.Name, followUps)
	}
	set, err := plugins.Load(context.Background(), plugins.Options{
		IDs: w.Plugins, Settings: w.PluginConfig, Webhook: w.Name, Logger: lg, LookupEnv: opts.LookupEnv,
		Store: a.guards.data, FollowUps: followUps, Registerer: a.registerer,
	})
	if err != nil {
		return fail(nil, err)
	}
	r, err := newRouter(set, w.Commands)
	if err != nil {
		return fail(set, err)
	}
	handler, err := a.guards.protect(w, r)
	if err != nil {
		return fail(set, err)
	}
	handler = reportErrors(handler, w.Name, opts.OnError)
	var outbox bot.Outbox
	if a.guards.data != nil {
		outbox = store.Namespace(a.guards.data, outboxNamespace(a.cfg.Store, w.Name))
	}
	b, err := bot.New(bot.Config{
		Secrets:   secrets,
		Handler:   handler,
		Logger:    lg,
		Budget:    w.Budget,
		BodyLimit: w.BodyLimit,
		Observer:  a.metrics.Observer(w.Name),
		FollowUps: followUps,
		Outbox:    outbox,
		Jobs:      bot.JobsConfig{Timeout: w.FollowUp.Budget, Workers: w.FollowUp.Workers, Queue: w.FollowUp.Queue},
	})
	if err != nil {
		return fail(set, err)
	}
	if len(errs) > 0 {
		return fail(set, b.Shutdown(context.Background()))
	}
	return &Webhook{Name: w.Name, Path: w.Path, tokens: len(secrets), bot: b, router: r, handler: handler, plugins: set}, nil
}

// outboxNamespace is where a webhook's promised results wait in the data
// store. Replicas sharing Redis each take up their own: a replica that
// restarts posts what it promised, never what another one did.
func outboxNamespace(s config.Store, webhook string) string {
	ns := "outbox/" + webhook
	if s.Kind == config.StoreRedis {
		host, _ := os.Hostname()
		ns += "/" + host
	}
	return ns
}

// Webhooks returns the App's webhooks, in the configuration's order.
func (a *App) Webhooks() []*Webhook { return append([]*Webhook(nil), a.webhooks...) }

// Webhook returns the webhook called name, or nil.
func (a *App) Webhook(name string) *Webhook {
	for _, w := range a.webhooks {
		if w.Name == name {
			return w
		}
	}
	return nil
}

// Routes is where Mount registers the webhooks: *echo.Echo and
// *echo.Group both satisfy it.
type Routes interface {
	POST(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
	Group(prefix string, m ...echo.MiddlewareFunc) *echo.Group
}

// Mount registers every webhook on r at its path, with its metrics, and
// its plugins' own routes under the same path: App.Mount(e) serves
// POST /webhook; App.Mount(e.Group("/teams")) serves POST /teams/webhook.
// The host keeps its own middleware, error handler and IP extractor (set
// e.IPExtractor to trust only your proxies: see Serve).
func (a *App) Mount(r Routes) {
	a.resume()
	for _, w := range a.webhooks {
		// Wrapped once here: Echo applies a route's own middleware anew
		// on every request.
		r.POST(w.Path, a.metrics.Middleware(w.Name)(w.bot.ServeEcho))
		w.plugins.Routes(r.Group(w.Path))
	}
}

// resume takes up, once, what a previous run left in the webhooks'
// outboxes: results to post, askers to tell (bot.Bot.Resume).
func (a *App) resume() {
	a.resumeOnce.Do(func() {
		for _, w := range a.webhooks {
			n, err := w.bot.Resume(context.Background())
			switch {
			case err != nil:
				a.logger.Error().Err(err).Str("webhook", w.Name).Msg("taking up the outbox")
			case n > 0:
				a.logger.Info().Int("entries", n).Str("webhook", w.Name).Msg("took up what the last run left to post")
			}
		}
	})
}

// Healthz answers 200 while the process runs: a liveness check.
func (a *App) Healthz(c echo.Context) error { return c.String(http.StatusOK, "ok") }

// Readyz answers 200 while the App takes work, and 503 once it drains,
// while too many handlers still run past their time, or while the shared
// store (Redis) does not answer: a readiness check. With ?verbose it
// answers JSON with each webhook's state (bot.Status).
func (a *App) Readyz(c echo.Context) error {
	status, why := http.StatusOK, "ready"
	if a.draining.Load() {
		status, why = http.StatusServiceUnavailable, "not ready: shutting down"
	}
	detail := map[string]bot.Status{}
	for _, w := range a.webhooks {
		detail[w.Name] = w.bot.Status()
		if err := w.bot.Ready(); err != nil && status == http.StatusOK {
			status, why = http.StatusServiceUnavailable, fmt.Sprintf("webhook %s: %v", w.Name, err)
		}
	}
	if status == http.StatusOK {
		if err := a.guards.ready(c.Request().Context()); err != nil {
			status, why = http.StatusServiceUnavailable, "not ready: the store does not answer"
		}
	}
	if _, ok := c.QueryParams()["verbose"]; ok {
		return c.JSON(status, map[string]any{"status": why, "webhooks": detail})
	}
	return c.String(status, why)
}

// Drain marks the App as going away: Readyz answers 503 so that load
// balancers stop sending traffic, while requests and background jobs
// (c.Go included) are still served. Serve calls it at the start of its
// shutdown; an embedder calls it before stopping its HTTP server.
func (a *App) Drain() {
	a.draining.Store(true)
	for _, w := range a.webhooks {
		w.bot.Drain()
	}
}

// Shutdown releases the App once the HTTP server in front of it has
// stopped: background jobs and their follow-up posts drain until ctx is
// done (what is left is cancelled and reported), then the plugins, the
// store and the audit log are closed. It returns an error that says what
// was dropped, if anything. Call it once.
func (a *App) Shutdown(ctx context.Context) error {
	if a.closed.Swap(true) {
		return nil
	}
	a.Drain()
	var errs []error
	for _, w := range a.webhooks { // one deadline for all
		if err := w.bot.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("webhook %q: background jobs: %w", w.Name, err))
		}
	}
	errs = append(errs, a.release())
	return errors.Join(errs...)
}

// abandon releases an App that New will not return: its bots' job
// workers stop (none has run a job), then release.
func (a *App) abandon() error {
	for _, w := range a.webhooks {
		_ = w.bot.Shutdown(context.Background())
	}
	return a.release()
}

// release cleans up the plugins, then closes the store and the audit log.
func (a *App) release() error {
	var errs []error
	for _, w := range a.webhooks {
		if err := w.plugins.Cleanup(); err != nil {
			errs = append(errs, fmt.Errorf("webhook %q: %w", w.Name, err))
		}
	}
	if err := a.guards.close(); err != nil {
		errs = append(errs, fmt.Errorf("closing the store and audit log: %w", err))
	}
	return errors.Join(errs...)
}

// newRouter returns a router with the commands of the plugins in set,
// limited to the named commands when there are any. It fails on an unknown
// command.
func newRouter(set *plugins.Set, commands []string) (*router.Router, error) {
	all := router.New()
	set.Install(all)
	if len(commands) == 0 {
		return all, nil
	}
	r := router.New()
	for _, name := range commands {
		cmd := all.Lookup(name)
		if cmd == nil {
			return nil, fmt.Errorf("command %q is not offered by the enabled plugins", name)
		}
		if r.Lookup(cmd.Name) == nil {
			r.Add(cmd)
		}
	}
	return r, nil
}

// Catalog lists the plugins built into the binary and their commands, for
// checking a configuration file (config.File.Validate).
func Catalog() config.Catalog {
	c := config.Catalog{}
	for _, id := range plugins.IDs() {
		info, _ := plugins.Lookup(id)
		var names []string
		if info.Explicit {
			// Explicit plugins may take their commands from their
			// settings (trigger does): any name may be theirs.
			names = append(names, "*")
		}
		for _, cmd := range info.New().Commands() {
			names = append(names, cmd.Name)
			names = append(names, cmd.Aliases...)
		}
		c[id] = names
	}
	return c
}

// sources describes where a webhook's tokens are read from, without them.
func sources(w config.Webhook) string {
	var s []string
	if w.SecretEnv != "" {
		s = append(s, "$"+w.SecretEnv)
	}
	if w.SecretFile != "" {
		s = append(s, w.SecretFile)
	}
	if len(s) == 0 {
		return "no source (set secret_env or secret_file)"
	}
	return strings.Join(s, " or ")
}

// maxBudget returns the longest budget of the webhooks, for the server's
// write timeout.
func maxBudget(ws []config.Webhook) (d time.Duration) {
	for _, w := range ws {
		d = max(d, w.Budget)
	}
	return max(d, bot.DefaultBudget)
}

// HandlerError is an error or panic of a command, as Options.OnError
// receives it. The asker has already had a polite reply that shows Ref.
type HandlerError struct {
	// Webhook names the webhook that served the command.
	Webhook string
	// Command is the command's full path, such as "deploy run", or "".
	Command string
	// Ref is the activity id the asker was shown.
	Ref string
	// Panic is the value a panicking command panicked with, or nil.
	Panic any
	// Stack is the panicking goroutine's stack, or nil.
	Stack []byte
	// Err is the command's error (for a panic: one that describes it).
	Err error
}

func (e *HandlerError) Error() string {
	what := e.Command
	if what == "" {
		what = "command"
	}
	return fmt.Sprintf("webhook %q: %s (ref %s): %v", e.Webhook, what, e.Ref, e.Err)
}

func (e *HandlerError) Unwrap() error { return e.Err }

// reportErrors wraps h so that its errors that are not meant for the
// asker, and its panics, also reach report. Panics become errors, which
// the bot answers politely with a reference id.
func reportErrors(h bot.Handler, webhook string, report func(error)) bot.Handler {
	if report == nil {
		return h
	}
	return bot.HandlerFunc(func(c *bot.Context) (err error) {
		defer func() {
			if p := recover(); p != nil {
				stack := debug.Stack()
				err = fmt.Errorf("panic: %v", p)
				report(&HandlerError{Webhook: webhook, Command: c.Command(), Ref: c.Activity.ID,
					Panic: p, Stack: stack, Err: err})
			}
		}()
		err = h.Handle(c)
		var meant *bot.Error
		if err != nil && !(errors.As(err, &meant) && meant.Message != "") {
			report(&HandlerError{Webhook: webhook, Command: c.Command(), Ref: c.Activity.ID, Err: err})
		}
		return err
	})
}
