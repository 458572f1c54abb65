package outhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/config"
	"github.com/outhook/outhook/middleware"
	"github.com/outhook/outhook/middleware/access"
	"github.com/outhook/outhook/middleware/metrics"
	"github.com/outhook/outhook/middleware/redisstore"
	"github.com/outhook/outhook/router"
	"github.com/outhook/outhook/store"
)

// Readiness of the shared store: how long a ping may take, and how long
// its answer is reused, so that a busy /readyz does not hammer Redis.
const (
	storePingTimeout = 500 * time.Millisecond
	storePingEvery   = time.Second
)

// guards is what protects the webhooks of one process: the store of
// replay memory and rate-limit counters (shared by all webhooks, each in
// its own key space), where audit events go, and the denial metrics.
type guards struct {
	store replayStore
	data  store.Store                 // nil: nothing needs one
	ping  func(context.Context) error // nil: the store cannot fail (memory)
	audit *zerolog.Logger             // nil: audit off
	// auditOnAnswer: audit events go to the main log, on the bot's
	// answered lines (one line per request).
	auditOnAnswer bool
	metrics       *metrics.Metrics
	closers       []io.Closer
	logger        zerolog.Logger

	mu      sync.Mutex
	checked time.Time
	err     error
}

// replayStore keeps replay memory and counts rate limits.
type replayStore interface {
	middleware.ReplayStore
	middleware.Limiter
}

// newGuards opens the store and the audit log the configuration names.
// The Redis URL is read from its variable or file and never logged. When
// only the audit log fails to open, it returns the error with usable
// guards (audit off), which the caller must still close.
func newGuards(cfg config.Config, logger zerolog.Logger, m *metrics.Metrics, lookup func(string) (string, bool), needData bool) (*guards, error) {
	g := &guards{metrics: m, logger: logger}
	st, err := openStore(cfg.Store, lookup, logger, needData)
	if err != nil {
		return nil, err
	}
	g.store, g.data, g.ping = st.replay, st.data, st.ping
	if st.closer != nil {
		g.closers = append(g.closers, st.closer)
	}
	switch f := cfg.Audit.File; f {
	case config.AuditOff:
	case "":
		// The main log, whatever its level: audit events are not chatter.
		l := logger.Level(zerolog.InfoLevel).With().Bool("audit", true).Logger()
		g.audit, g.auditOnAnswer = &l, true
	default:
		file, err := os.OpenFile(f, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			// g is still usable, audit off, so that New reports the
			// webhooks' problems in the same run.
			return g, fmt.Errorf("audit log: %w", err)
		}
		g.closers = append(g.closers, file)
		l := zerolog.New(file).With().Timestamp().Logger()
		g.audit = &l
	}
	return g, nil
}

// opened is a store opened for the configuration: replay memory and
// rate-limit counters, and the data store when one was asked for.
type opened struct {
	replay replayStore
	data   store.Store                 // nil unless asked for
	ping   func(context.Context) error // nil: cannot fail
	closer io.Closer                   // nil: nothing to close
}

// openStore opens what s names, the data store only when needData: the
// one way outhook opens its state, for serve and for the CLI.
func openStore(s config.Store, lookup func(string) (string, bool), logger zerolog.Logger, needData bool) (*opened, error) {
	switch s.Kind {
	case "", config.StoreFile:
		o := &opened{replay: middleware.NewMemoryStore(0)}
		if needData {
			f, err := store.OpenFile(DataFile(s))
			if err != nil {
				return nil, fmt.Errorf("store: %w (only one outhook at a time may use a data directory)", err)
			}
			o.data, o.closer = f, f
		}
		return o, nil
	case config.StoreMemory:
		o := &opened{replay: middleware.NewMemoryStore(0)}
		if needData {
			o.data = store.NewMemory()
		}
		return o, nil
	case config.StoreRedis:
		url, err := config.ReadSecret(s.RedisURLEnv, s.RedisURLFile, lookup)
		if err != nil {
			return nil, fmt.Errorf("store: the Redis URL (from %s): %w", sources(config.Webhook{
				SecretEnv: s.RedisURLEnv, SecretFile: s.RedisURLFile}), err)
		}
		// go-redis logs pool failures with the standard library's logger,
		// in plain text: send them to ours, at debug level, since the
		// failures that matter come back as errors and are logged there.
		redis.SetLogger(redisLogger{logger})
		opts, err := redis.ParseURL(url)
		if err != nil {
			return nil, errors.New("store: redis: the URL does not parse (expected redis://[user:password@]host:port/db)")
		}
		client := redis.NewClient(opts)
		prefix := s.Prefix
		if prefix == "" {
			prefix = redisstore.DefaultPrefix
		}
		rs := redisstore.New(client, prefix)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := rs.Ping(ctx); err != nil {
			client.Close()
			return nil, fmt.Errorf("store: %w", err)
		}
		return &opened{replay: rs, data: store.NewRedis(client, prefix+"data:"), ping: rs.Ping, closer: client}, nil
	}
	return nil, fmt.Errorf("store: unknown kind %q", s.Kind)
}

// OpenStore opens the data store the configuration names — the file
// under its data directory, or Redis — as serve opens it, for tools that
// read or write what outhook keeps (outhook subscriptions). A file store
// can be opened by one process at a time. Close the store when done.
func OpenStore(s config.Store, lookup func(string) (string, bool)) (store.Store, io.Closer, error) {
	if s.Kind == config.StoreMemory {
		return nil, nil, errors.New("store: the memory store keeps nothing outside the process")
	}
	if lookup == nil {
		lookup = os.LookupEnv
	}
	o, err := openStore(s, lookup, zerolog.Nop(), true)
	if err != nil {
		return nil, nil, err
	}
	return o.data, o.closer, nil
}

// DataFile is the file of a "file" store: outhook.db in its data
// directory.
func DataFile(s config.Store) string {
	dir := s.Dir
	if dir == "" {
		dir = DefaultDataDir
	}
	return filepath.Join(dir, "outhook.db")
}

// DefaultDataDir is the data directory of a "file" store that names none.
const DefaultDataDir = "data"

// redisLogger writes go-redis's own messages to a zerolog logger.
type redisLogger struct{ l zerolog.Logger }

// Printf implements go-redis's logging interface.
func (r redisLogger) Printf(_ context.Context, format string, v ...any) {
	r.l.Debug().Str("component", "redis").Msgf(format, v...)
}

// close closes the store's connections and the audit log.
func (g *guards) close() error {
	var errs []error
	for _, c := range g.closers {
		errs = append(errs, c.Close())
	}
	g.closers = nil
	return errors.Join(errs...)
}

// ready reports whether the store answers: a ping with a short timeout,
// its answer reused for a second.
func (g *guards) ready(ctx context.Context) error {
	if g.ping == nil {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.checked.IsZero() && time.Since(g.checked) < storePingEvery {
		return g.err
	}
	ctx, cancel := context.WithTimeout(ctx, storePingTimeout)
	defer cancel()
	err := g.ping(ctx)
	switch {
	case err != nil && g.err == nil:
		g.logger.Error().Err(err).Msg("store does not answer: not ready")
	case err == nil && g.err != nil:
		g.logger.Info().Msg("store answers again: ready")
	}
	g.checked, g.err = time.Now(), err
	return err
}

// protect adds the access, audit and abuse checks of webhook w to its
// router r and returns the handler for its bot, in the documented order:
// activity middleware Tenants, Replay, RateLimit before the router, then
// command middleware Audit, Access, CommandRateLimit in it. Denials and
// rate-limit refusals are counted in the metrics. It fails on rules or
// redaction that do not compile against r's commands: rules never silently
// allow.
func (g *guards) protect(w config.Webhook, r *router.Router) (bot.Handler, error) {
	names := middleware.CommandNames(r)
	policy, err := access.Compile(w.Access.Rules, names)
	if err != nil {
		return nil, &RulesError{Webhook: w.Name, Known: names, Err: err}
	}
	if err := w.Audit.Redact.Validate(names); err != nil {
		return nil, &RulesError{Webhook: w.Name, Known: names, Err: fmt.Errorf("audit: %w", err)}
	}
	st := scoped{store: g.store, prefix: w.Name + ":"}
	a := w.Access
	if g.audit != nil {
		r.Use(middleware.AuditWithConfig(middleware.AuditConfig{
			Logger:       g.audit.With().Str("webhook", w.Name).Logger(),
			Redact:       w.Audit.Redact,
			OnAnswerLine: g.auditOnAnswer,
		}))
	}
	if a.Default != "" || len(a.Rules.Rules) > 0 {
		r.Use(middleware.Access(policy))
	}
	if n := a.RateLimit.PerCommand; n > 0 {
		r.Use(middleware.CommandRateLimitWithConfig(middleware.CommandRateLimitConfig{
			Limit: n, Window: a.RateLimit.Window, Store: st}))
	}
	mw := []func(bot.Handler) bot.Handler{g.countDenials(w.Name)}
	if len(a.Tenants) > 0 {
		mw = append(mw, middleware.Tenants(a.Tenants...))
	}
	mw = append(mw, middleware.ReplayWithConfig(middleware.ReplayConfig{
		// The prefix in the key, not a scoped store: one string built
		// per activity instead of three.
		Window: a.ReplayWindow, Store: g.store, KeyPrefix: st.prefix}))
	if n := a.RateLimit.PerUser; n > 0 {
		mw = append(mw, middleware.RateLimitWithConfig(middleware.RateLimitConfig{
			Limit: n, Window: a.RateLimit.Window, Store: st}))
	}
	return middleware.Chain(r, mw...), nil
}

// countDenials counts the activities of the webhook called name that the
// checks refused, by reason: rule, tenant, stale, replay or rate_limit.
func (g *guards) countDenials(name string) func(bot.Handler) bot.Handler {
	return func(next bot.Handler) bot.Handler {
		return bot.HandlerFunc(func(c *bot.Context) error {
			err := next.Handle(c)
			if reason := denial(c, err); reason != "" {
				g.metrics.Denied(name, reason)
			}
			return err
		})
	}
}

// duplicateCommand is the command middleware.Replay records for a
// duplicate delivery, which it answers without running it.
const duplicateCommand = "duplicate"

// denial returns why the checks refused an activity, or "".
func denial(c *bot.Context, err error) string {
	if err == nil {
		if c.Command() == duplicateCommand {
			return "replay"
		}
		return ""
	}
	return errDenial(err)
}

// errDenial is denial for an error. It is apart so that the target of
// errors.As, which escapes to the heap, is allocated only for an error.
func errDenial(err error) string {
	var denied *middleware.DeniedError
	switch {
	case errors.As(err, &denied):
		return "rule"
	case errors.Is(err, middleware.ErrTenant):
		return "tenant"
	case errors.Is(err, middleware.ErrStale):
		return "stale"
	case errors.Is(err, middleware.ErrRateLimited):
		return "rate_limit"
	}
	return ""
}

// scoped gives one webhook's rate limits their own key space in the
// shared store, so that each webhook counts its own. Replay takes the same
// prefix as its KeyPrefix, so that two webhooks mentioned in one message
// both run it.
type scoped struct {
	store  middleware.Limiter
	prefix string
}

// Take implements middleware.Limiter.
func (s scoped) Take(ctx context.Context, key string, window time.Duration) (int64, time.Duration, error) {
	return s.store.Take(ctx, s.prefix+key, window)
}

// RulesError is a webhook's access rules or audit redaction that do not
// compile against its commands. Check turns it into the problems the
// configuration file locates (config.File.CheckAccess).
type RulesError struct {
	// Webhook names the webhook.
	Webhook string
	// Known are the names of the webhook's commands.
	Known []string
	// Err says what does not compile.
	Err error
}

func (e *RulesError) Error() string { return e.Err.Error() }
func (e *RulesError) Unwrap() error { return e.Err }
