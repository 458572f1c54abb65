// Package subscriptions provides the connector scenario in chat: a
// channel subscribes to a feed on a schedule, and outhook posts it there
// through the webhook's follow-up URL (or a URL configured for the
// channel).
//
//	@Bot subscribe weather --opt city=Oslo --at 07:00 --on weekdays
//	@Bot subscriptions
//	@Bot pause k3x9q2ma
//	@Bot resume k3x9q2ma
//	@Bot unsubscribe k3x9q2ma
//
// Feeds come from the settings (HTTP feeds: a URL and a card template)
// and from the other plugins of the webhook that offer them, such as the
// status digest. Subscriptions live in the server's store (Host.Store),
// one list per channel; the engine is package subscription.
//
//	plugin_config:
//	  subscriptions:
//	    feeds:
//	      - name: weather
//	        url: "https://weather.example.com/forecast?city={{.city}}"
//	        template_file: cards/weather.tmpl
//	        options: [{name: city, required: true}]
//
// See docs/subscriptions.md.
package subscriptions

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/incoming"
	"github.com/outhook/outhook/plugins"
	"github.com/outhook/outhook/store"
	"github.com/outhook/outhook/subscription"
)

func init() {
	plugins.Register(plugins.Info{
		ID:        "subscriptions",
		Summary:   "Post feeds to a channel on a schedule, like Office 365 connectors",
		New:       New,
		Explicit:  true,
		KeepsData: true,
	})
}

// Plugin is the subscriptions plugin. Its exported fields with json tags
// are its settings.
type Plugin struct {
	// Feeds are HTTP feeds: JSON from a URL rendered through a template.
	// Optional.
	Feeds []FeedConfig `json:"feeds"`
	// Channels give a channel its own incoming-webhook URL, read from an
	// environment variable, instead of the webhook's follow-up URL.
	// Optional.
	Channels []Channel `json:"channels"`
	// MaxPerChannel limits the subscriptions of one channel. Optional;
	// default subscription.MaxPerChannel (25).
	MaxPerChannel int `json:"max_per_channel"`
	// Interval is how often the scheduler looks for due runs. Optional;
	// default 30s.
	Interval time.Duration `json:"interval"`
	// PageURL is the public URL under which the plugin's routes are
	// served: the webhook's URL followed by /subscriptions, such as
	// "https://bot.example.com/teams/ops/subscriptions". Optional; with
	// it, "configure" answers with a link to the configuration page.
	PageURL string `json:"page_url"`
	// PageSecretEnv names the environment variable holding the key that
	// signs configuration links, at least 32 characters, the same on
	// every replica. Optional; default: a random key per process, so a
	// link works only on the replica that made it and until it restarts.
	PageSecretEnv string `json:"page_secret_env"`
	// LinkTTL is how long a configuration link stays valid. Optional;
	// default DefaultLinkTTL (10m), at most an hour.
	LinkTTL time.Duration `json:"link_ttl"`

	host    plugins.Host
	store   store.Store
	feeds   *subscription.Feeds
	targets map[string]string // channel → URL
	linkKey []byte            // signs configuration links; nil: no page
	sched   *subscription.Scheduler

	mu      sync.Mutex
	senders map[string]*incoming.Sender
}

// FeedConfig is an HTTP feed in the settings; see
// subscription.HTTPFeedConfig for the fields.
type FeedConfig struct {
	// Name is the feed's name in "subscribe <name>". Required.
	Name string `json:"name"`
	// Summary says what it posts. Optional.
	Summary string `json:"summary"`
	// URL is the URL template, with the options as {{.name}}. Required.
	URL string `json:"url"`
	// Template renders the JSON answer into a card or markdown. Required
	// unless TemplateFile is given.
	Template string `json:"template"`
	// TemplateFile is a file holding Template. Optional.
	TemplateFile string `json:"template_file"`
	// Options are the options subscribers give. Optional.
	Options []subscription.Option `json:"options"`
	// Headers are sent with the request. Optional.
	Headers map[string]string `json:"headers"`
	// Timeout bounds the request. Optional; default 10s.
	Timeout time.Duration `json:"timeout"`
	// MaxBody is the largest answer read, in bytes. Optional; default
	// 1 MiB.
	MaxBody int64 `json:"max_body"`
}

// Channel gives a channel its own incoming-webhook URL.
type Channel struct {
	// Channel is the channel's id, "19:…@thread.tacv2". Required.
	Channel string `json:"channel"`
	// URLEnv names the environment variable that holds the URL (a
	// secret). Required.
	URLEnv string `json:"url_env"`
}

var (
	_ plugins.Provisioner  = (*Plugin)(nil)
	_ plugins.Linker       = (*Plugin)(nil)
	_ plugins.CleanerUpper = (*Plugin)(nil)
)

// clock is the schedulers' clock; tests replace it (export_test.go).
var clock subscription.Clock = subscription.Real

// New returns an unconfigured plugin.
func New() plugins.Plugin { return &Plugin{} }

// Provision builds the feeds and the scheduler. The scheduler starts in
// Link, once the feeds of the other plugins are in.
func (p *Plugin) Provision(_ context.Context, h plugins.Host) error {
	p.host = h
	if h.Store == nil {
		return errors.New("the subscriptions plugin keeps data: configure a store (store: in the configuration)")
	}
	p.store = h.Store
	p.feeds = subscription.NewFeeds()
	for i, fc := range p.Feeds {
		if fc.TemplateFile != "" {
			if fc.Template != "" {
				return fmt.Errorf("feeds[%d]: give template or template_file, not both", i)
			}
			b, err := os.ReadFile(fc.TemplateFile)
			if err != nil {
				return fmt.Errorf("feeds[%d].template_file: %w", i, err)
			}
			fc.Template = string(b)
		}
		f, err := subscription.NewHTTPFeed(subscription.HTTPFeedConfig{
			Name: fc.Name, Summary: fc.Summary, URL: fc.URL, Template: fc.Template, Options: fc.Options,
			Headers: fc.Headers, Timeout: fc.Timeout, MaxBody: fc.MaxBody,
		}, nil)
		if err != nil {
			return fmt.Errorf("feeds[%d]: %w", i, err)
		}
		if _, dup := p.feeds.Lookup(f.Name()); dup {
			return fmt.Errorf("feeds[%d]: feed %q is defined twice", i, f.Name())
		}
		p.feeds.Add(f)
	}
	p.targets = map[string]string{}
	for i, c := range p.Channels {
		if c.Channel == "" {
			return fmt.Errorf("channels[%d].channel is required", i)
		}
		u, err := h.Secret(fmt.Sprintf("channels[%d].url_env", i), c.URLEnv)
		if err != nil {
			return err
		}
		if _, err := incoming.New(u, incoming.Config{}); err != nil {
			return fmt.Errorf("channels[%d]: %w", i, err)
		}
		p.targets[c.Channel] = u
	}
	if err := p.provisionPage(h); err != nil {
		return err
	}
	p.senders = map[string]*incoming.Sender{}
	var err error
	p.sched, err = subscription.NewScheduler(subscription.SchedulerConfig{
		Store: p.store, Feeds: p.feeds, Poster: h.FollowUps, PosterFor: p.posterFor,
		Clock: clock, Interval: p.Interval, Logger: h.Logger, Registerer: h.Registerer,
	})
	return err
}

func (p *Plugin) provisionPage(h plugins.Host) error {
	if p.LinkTTL < 0 || p.LinkTTL > time.Hour {
		return errors.New("link_ttl: at most 1h")
	}
	if p.PageURL == "" {
		if p.PageSecretEnv != "" {
			return errors.New("page_secret_env is set but page_url is not")
		}
		return nil
	}
	u, err := url.Parse(p.PageURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" {
		return errors.New("page_url: give the absolute http(s) URL of the plugin's routes, such as https://bot.example.com/teams/ops/subscriptions")
	}
	p.PageURL = strings.TrimSuffix(p.PageURL, "/")
	if p.PageSecretEnv == "" {
		p.linkKey = []byte(randomID(32))
		return nil
	}
	k, err := h.Secret("page_secret_env", p.PageSecretEnv)
	if err != nil {
		return err
	}
	if len(k) < 32 {
		return errors.New("page_secret_env: the key must be at least 32 characters")
	}
	p.linkKey = []byte(k)
	return nil
}

func (p *Plugin) linkTTL() time.Duration {
	if p.LinkTTL > 0 {
		return p.LinkTTL
	}
	return DefaultLinkTTL
}

func (p *Plugin) sessionTTL() time.Duration { return DefaultSessionTTL }

// Link adds the feeds of the webhook's other plugins (subscription.Provider,
// such as status) and starts the scheduler.
func (p *Plugin) Link(s *plugins.Set) error {
	for _, id := range s.IDs() {
		peer, _ := s.Plugin(id)
		fp, ok := peer.(subscription.Provider)
		if !ok {
			continue
		}
		for _, f := range fp.Feeds() {
			if _, dup := p.feeds.Lookup(f.Name()); dup {
				return fmt.Errorf("feed %q of plugin %s has the name of another feed", f.Name(), id)
			}
			p.feeds.Add(f)
		}
	}
	p.sched.Start()
	return nil
}

// Cleanup stops the scheduler, waiting for runs under way.
func (p *Plugin) Cleanup() error {
	if p.sched != nil {
		p.sched.Stop()
	}
	return nil
}

// Scheduler returns the plugin's scheduler (nil before Provision), for
// tests that step a fake clock.
func (p *Plugin) Scheduler() *subscription.Scheduler { return p.sched }

// posterFor returns the sender of a channel's own URL, one per URL.
func (p *Plugin) posterFor(target string) (bot.Poster, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.senders[target]; ok {
		return s, nil
	}
	s, err := incoming.New(target, incoming.Config{Logger: p.host.Logger})
	if err != nil {
		return nil, err
	}
	p.senders[target] = s
	return s, nil
}
