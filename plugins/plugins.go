// Package plugins is the registry of outhook plugins and their life cycle.
//
// A plugin is a named set of commands. It registers itself from an init
// function with an ID and a constructor that does no I/O; a binary picks
// the plugins it wants by importing them (see plugins/standard) and
// enabling them by ID, per webhook, so each team gets its own set.
//
// Besides Plugin, a plugin may implement optional one-method interfaces,
// in the style of Caddy modules, for the abilities it needs:
//
//   - settings: the plugin's settings from the configuration file
//     (plugin_config.<id>) are decoded into the value New returned, which
//     must then be a pointer to a struct; unknown settings are errors (see
//     Configure);
//   - Provisioner: set up after the settings are in (read secrets, build
//     clients, compile templates);
//   - Validator: check the result, so a bad setting stops start-up;
//   - Linker: use the other plugins of the webhook once all are set up;
//   - RouteRegistrar: serve HTTP routes of its own next to the webhook;
//   - CleanerUpper: release what Provision took, when the server stops.
//
// Load runs that life cycle for a webhook and returns a Set; Install is a
// shortcut for plugins without settings. Embedders who want no registry
// add a plugin's commands to a router.Router with Add.
package plugins

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/router"
	"github.com/outhook/outhook/store"
)

// Plugin provides commands.
type Plugin interface {
	// Commands returns the plugin's commands. It is called once, when the
	// plugin is installed, after Provision.
	Commands() []*router.Command
}

// Provisioner is a plugin that sets itself up once its settings are in:
// reading secrets, building HTTP clients, compiling templates. Provision
// may do I/O; ctx bounds it. If it fails, Cleanup (if any) is still
// called, so it must cope with a half-done setup.
type Provisioner interface {
	Provision(ctx context.Context, h Host) error
}

// Validator is a plugin that checks its settings after Provision. An error
// stops start-up; it should say which setting is wrong and why.
type Validator interface {
	Validate() error
}

// CleanerUpper is a plugin that holds resources (connections, goroutines,
// files) to release when the server stops. Cleanup is called once, also
// after a failed Provision or Validate, so it must cope with a half-done
// setup.
type CleanerUpper interface {
	Cleanup() error
}

// Linker is a plugin that uses the other plugins of its webhook, such as
// the feeds they offer. Link is called once every plugin of the set is
// provisioned and validated, in load order, with the set; an error stops
// start-up like a failed Provision.
type Linker interface {
	Link(s *Set) error
}

// RouteRegistrar is a plugin that serves HTTP routes of its own, such as a
// callback for a CI pipeline. Its routes go on a group of the bot's Echo
// app reserved for it (see Set.Routes). These routes are not signed by
// Teams: the plugin authenticates their callers itself.
type RouteRegistrar interface {
	Routes(g *echo.Group)
}

// Host describes where a plugin runs, for Provision.
type Host struct {
	// ID is the plugin's ID.
	ID string
	// Webhook names the webhook the plugin serves ("default" when there is
	// one).
	Webhook string
	// Logger is the webhook's logger, with the plugin ID added.
	Logger zerolog.Logger
	// LookupEnv reads an environment variable, for settings that name
	// where a secret is (never the secret itself). Tests replace it.
	LookupEnv func(key string) (string, bool)
	// Store is the plugin's own key space in the server's store,
	// namespaced per webhook and plugin (store.ForPlugin), shared by all
	// replicas when the store is Redis. Nil when the host has none: a
	// plugin then keeps its state in memory or refuses to start. Plugins
	// that need it say so with Info.KeepsData.
	Store store.Store
	// FollowUps posts results to the webhook's channel after the reply
	// (the follow-up URL's sender, with its retries and de-duplication by
	// FollowUp.Key). Nil when the webhook has no follow-up URL.
	FollowUps bot.Poster
	// Registerer receives the plugin's Prometheus metrics, with a
	// "webhook" label naming the webhook already added
	// (prometheus.WrapRegistererWith), so two webhooks running the same
	// plugin count apart. Nil when the host serves no metrics: a plugin
	// then counts privately or not at all.
	Registerer prometheus.Registerer
}

// Secret returns the value of the environment variable name, trimmed,
// for a setting such as `secret_env`. setting names the setting in the
// error, which never holds the value.
func (h Host) Secret(setting, name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("%s: name an environment variable", setting)
	}
	lookup := h.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	v, ok := lookup(name)
	if v = strings.TrimSpace(v); !ok || v == "" {
		return "", fmt.Errorf("%s: environment variable %s is not set", setting, name)
	}
	return v, nil
}

// Info describes a registered plugin.
type Info struct {
	// ID names the plugin, such as "ping": lowercase letters, digits and
	// '-'. Required, unique.
	ID string
	// Summary describes the plugin in one line. Optional.
	Summary string
	// New returns a new, unconfigured instance. It must not do I/O: that
	// belongs in Provision. Required.
	New func() Plugin
	// Explicit plugins are enabled only when named: a webhook that lists
	// no plugins gets every plugin except these. Set it for plugins that
	// need settings to be useful, such as status or trigger.
	Explicit bool
	// KeepsData says the plugin needs Host.Store: the server opens its
	// store only when an enabled plugin keeps data.
	KeepsData bool
}

// KeepData reports whether any of the plugins with the given IDs keeps
// data (Info.KeepsData), so the server needs a store. With no IDs it
// looks at DefaultIDs. Unknown IDs are ignored: Load reports them.
func KeepData(ids ...string) bool {
	if len(ids) == 0 {
		ids = DefaultIDs()
	}
	for _, id := range ids {
		if info, ok := Lookup(id); ok && info.KeepsData {
			return true
		}
	}
	return false
}

var (
	mu       sync.RWMutex
	registry = map[string]Info{}
)

// Register adds a plugin to the registry. It panics on a bad, empty or
// duplicate ID or a nil constructor; call it from an init function.
func Register(info Info) {
	mu.Lock()
	defer mu.Unlock()
	if info.ID == "" || info.New == nil {
		panic("plugins: Register needs an ID and a New function")
	}
	if !validID(info.ID) {
		panic(fmt.Sprintf("plugins: plugin ID %q: use lowercase letters, digits and '-'", info.ID))
	}
	if _, dup := registry[info.ID]; dup {
		panic(fmt.Sprintf("plugins: plugin %q registered twice", info.ID))
	}
	registry[info.ID] = info
}

func validID(id string) bool {
	for _, r := range id {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

// Lookup returns the registered plugin with the given ID.
func Lookup(id string) (Info, bool) {
	mu.RLock()
	defer mu.RUnlock()
	info, ok := registry[id]
	return info, ok
}

// IDs returns the IDs of all registered plugins, sorted.
func IDs() []string {
	mu.RLock()
	defer mu.RUnlock()
	ids := make([]string, 0, len(registry))
	for id := range registry {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// DefaultIDs returns the IDs of the plugins enabled when none are named:
// every registered plugin that is not Explicit, sorted.
func DefaultIDs() []string {
	var ids []string
	for _, id := range IDs() {
		if info, _ := Lookup(id); !info.Explicit {
			ids = append(ids, id)
		}
	}
	return ids
}

// Install enables the plugins with the given IDs, without settings, and
// adds their commands to r. With no IDs it enables DefaultIDs. It fails on
// an unknown ID or a plugin whose Provision or Validate fails. Plugins
// that need settings or hold resources are loaded with Load instead, which
// returns the Set to clean up.
func Install(r *router.Router, ids ...string) error {
	s, err := Load(context.Background(), Options{IDs: ids})
	if err != nil {
		return err
	}
	s.Install(r)
	return nil
}

// Add adds the commands of p to r, recording id as their owner. It runs
// no life cycle: p is used as it is.
func Add(r *router.Router, id string, p Plugin) {
	for _, cmd := range p.Commands() {
		cmd.Plugin = id
		r.Add(cmd)
	}
}

// Options says which plugins Load enables and with what settings.
type Options struct {
	// IDs are the plugins to enable, in order. Optional; default
	// DefaultIDs.
	IDs []string
	// Settings holds each plugin's settings by plugin ID, as the
	// configuration file has them (plugin_config). Settings for a plugin
	// that is not enabled are an error: it is most likely a typo.
	// Optional.
	Settings map[string]map[string]any
	// Webhook names the webhook, for Host and logs. Optional; default
	// "default".
	Webhook string
	// Logger is handed to each plugin with its ID added. Optional;
	// default: no logging.
	Logger zerolog.Logger
	// LookupEnv reads environment variables for Host.Secret. Optional;
	// default os.LookupEnv.
	LookupEnv func(key string) (string, bool)
	// Store is the server's store; each plugin gets its own namespace of
	// it as Host.Store. Optional; default none (Host.Store is nil). Open
	// it only when a plugin keeps data (Info.KeepsData).
	Store store.Store
	// FollowUps is the webhook's follow-up poster, handed to plugins as
	// Host.FollowUps. Optional; default none.
	FollowUps bot.Poster
	// Registerer receives the plugins' metrics; each plugin gets it
	// wrapped with the label webhook=<Webhook> as Host.Registerer.
	// Optional; default none (Host.Registerer is nil).
	Registerer prometheus.Registerer
}

// Set is the plugins enabled for one webhook, configured and provisioned:
// install their commands on the webhook's router, mount their routes, and
// clean them up when the server stops.
type Set struct {
	ids     []string
	plugins []Plugin
}

// Load creates the plugins named in opts, decodes each one's settings into
// it (Configure), provisions and validates it, in order. On the first
// failure it cleans up what it set up, the failing plugin included, and
// returns an error naming the plugin. ctx bounds provisioning.
func Load(ctx context.Context, opts Options) (*Set, error) {
	ids := opts.IDs
	if len(ids) == 0 {
		ids = DefaultIDs()
	}
	if opts.Webhook == "" {
		opts.Webhook = "default"
	}
	if opts.LookupEnv == nil {
		opts.LookupEnv = os.LookupEnv
	}
	enabled := map[string]bool{}
	for _, id := range ids {
		if enabled[id] {
			return nil, fmt.Errorf("plugin %q is enabled twice", id)
		}
		enabled[id] = true
		if _, ok := Lookup(id); !ok {
			return nil, fmt.Errorf("unknown plugin %q (this binary has: %s)", id, strings.Join(IDs(), ", "))
		}
	}
	var stray []string
	for id := range opts.Settings {
		if !enabled[id] {
			stray = append(stray, id)
		}
	}
	if len(stray) > 0 {
		sort.Strings(stray)
		return nil, fmt.Errorf("settings for plugins that are not enabled: %s (enabled: %s)",
			strings.Join(stray, ", "), strings.Join(ids, ", "))
	}

	s := &Set{}
	for _, id := range ids {
		info, _ := Lookup(id)
		p := info.New()
		if p == nil {
			_ = s.Cleanup()
			return nil, fmt.Errorf("plugin %q: New returned nil", id)
		}
		host := Host{
			ID:        id,
			Webhook:   opts.Webhook,
			Logger:    opts.Logger.With().Str("plugin", id).Logger(),
			LookupEnv: opts.LookupEnv,
			FollowUps: opts.FollowUps,
		}
		if opts.Registerer != nil {
			host.Registerer = prometheus.WrapRegistererWith(prometheus.Labels{"webhook": opts.Webhook}, opts.Registerer)
		}
		if opts.Store != nil {
			host.Store = store.ForPlugin(opts.Store, opts.Webhook, id)
		}
		if err := setUp(ctx, p, host, opts.Settings[id]); err != nil {
			err = fmt.Errorf("plugin %q: %w", id, err)
			if c, ok := p.(CleanerUpper); ok {
				if cerr := c.Cleanup(); cerr != nil {
					err = errors.Join(err, fmt.Errorf("plugin %q: cleanup: %w", id, cerr))
				}
			}
			if cerr := s.Cleanup(); cerr != nil {
				err = errors.Join(err, cerr)
			}
			return nil, err
		}
		s.ids = append(s.ids, id)
		s.plugins = append(s.plugins, p)
	}
	for i, p := range s.plugins {
		if l, ok := p.(Linker); ok {
			if err := l.Link(s); err != nil {
				err = fmt.Errorf("plugin %q: link: %w", s.ids[i], err)
				if cerr := s.Cleanup(); cerr != nil {
					err = errors.Join(err, cerr)
				}
				return nil, err
			}
		}
	}
	return s, nil
}

// setUp runs the life cycle of one plugin up to validation.
func setUp(ctx context.Context, p Plugin, h Host, settings map[string]any) error {
	if err := Configure(p, settings); err != nil {
		return err
	}
	if pr, ok := p.(Provisioner); ok {
		if err := pr.Provision(ctx, h); err != nil {
			return fmt.Errorf("provision: %w", err)
		}
	}
	if v, ok := p.(Validator); ok {
		if err := v.Validate(); err != nil {
			return fmt.Errorf("settings: %w", err)
		}
	}
	return nil
}

// IDs returns the IDs of the plugins in the set, in the order loaded.
func (s *Set) IDs() []string { return append([]string(nil), s.ids...) }

// Plugin returns the plugin with the given ID, and whether it is in the set.
func (s *Set) Plugin(id string) (Plugin, bool) {
	for i, sid := range s.ids {
		if sid == id {
			return s.plugins[i], true
		}
	}
	return nil, false
}

// Install adds the commands of every plugin in the set to r. Like
// router.Router.Add it panics on a command name taken twice.
func (s *Set) Install(r *router.Router) {
	for i, p := range s.plugins {
		Add(r, s.ids[i], p)
	}
}

// Routes lets every RouteRegistrar in the set add its routes, each on its
// own group g.Group("/<plugin id>"): with g the webhook's path, the status
// plugin's routes are under /teams/ops/status/….
func (s *Set) Routes(g *echo.Group) {
	for i, p := range s.plugins {
		if rr, ok := p.(RouteRegistrar); ok {
			rr.Routes(g.Group("/" + s.ids[i]))
		}
	}
}

// Cleanup calls Cleanup on every CleanerUpper in the set, in reverse
// order, and returns their errors joined. It is safe to call on a nil or
// empty set, and more than once: the set is empty afterwards.
func (s *Set) Cleanup() error {
	if s == nil {
		return nil
	}
	var errs []error
	for i := len(s.plugins) - 1; i >= 0; i-- {
		if c, ok := s.plugins[i].(CleanerUpper); ok {
			if err := c.Cleanup(); err != nil {
				errs = append(errs, fmt.Errorf("plugin %q: cleanup: %w", s.ids[i], err))
			}
		}
	}
	s.ids, s.plugins = nil, nil
	return errors.Join(errs...)
}
