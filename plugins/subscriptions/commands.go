package subscriptions

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/router"
	"github.com/outhook/outhook/subscription"
)

// SubscribeArgs are the arguments of subscribe.
type SubscribeArgs struct {
	Feed   string   `arg:"" help:"The feed to post, such as weather."`
	Opt    []string `sep:"none" placeholder:"NAME=VALUE" help:"A feed option, such as --opt city=Oslo; repeat it for more."`
	At     string   `placeholder:"HH:MM" help:"Post at this time of day (24-hour clock)."`
	On     string   `placeholder:"DAYS" help:"With --at: daily (the default), weekdays, weekends, or days such as mon,wed."`
	Every  string   `placeholder:"DURATION" help:"Post at this interval, such as 15m or 2h (at least 5m)."`
	Cron   string   `placeholder:"EXPR" help:"Post on a cron schedule, such as '30 6 * * 1-5'."`
	TZ     string   `name:"tz" placeholder:"ZONE" help:"Time zone, such as Europe/Berlin. Default: yours, as Teams tells it, else UTC."`
	Missed string   `enum:"skip,once" default:"skip" help:"After downtime: skip the missed runs, or post once."`
}

// IDArgs are the arguments of unsubscribe, pause and resume.
type IDArgs struct {
	ID string `arg:"" help:"The subscription's id, as subscriptions lists it."`
}

// Commands returns subscribe, subscriptions, unsubscribe, pause and
// resume.
func (p *Plugin) Commands() []*router.Command {
	cmds := []*router.Command{
		{
			Name:        "subscribe",
			Summary:     "Post a feed to this channel on a schedule",
			Description: "Feeds: " + p.feedList() + ". Give one schedule: --at (with --on), --every or --cron.",
			Examples: []string{
				"subscribe weather --opt city=Oslo --at 07:00 --on weekdays",
				"subscribe status --every 1h",
				"subscribe weather --opt city=Lima --cron '0 6 * * 1-5' --tz America/Lima",
			},
			Args:    SubscribeArgs{},
			Handler: p.subscribe,
		},
		{
			Name:    "subscriptions",
			Summary: "List this channel's subscriptions: schedule, next run, last outcome",
			Handler: p.list,
		},
		{
			Name:    "unsubscribe",
			Summary: "Delete one of this channel's subscriptions",
			Args:    IDArgs{},
			Handler: p.unsubscribe,
		},
		{
			Name:    "pause",
			Summary: "Pause one of this channel's subscriptions",
			Args:    IDArgs{},
			Handler: func(c *router.Context) error { return p.setPaused(c, true) },
		},
		{
			Name:    "resume",
			Summary: "Resume a paused subscription",
			Args:    IDArgs{},
			Handler: func(c *router.Context) error { return p.setPaused(c, false) },
		},
	}
	if p.linkKey != nil {
		cmds = append(cmds, &router.Command{
			Name:    "configure",
			Summary: "Get a link to a page that manages this channel's subscriptions",
			Handler: p.configure,
		})
	}
	return cmds
}

// configure answers with a link to the configuration page, signed, for
// this channel and asker, valid once for LinkTTL.
func (p *Plugin) configure(c *router.Context) error {
	if c.Channel() == "" {
		return bot.UserError("Subscriptions belong to a channel: ask me in the channel you want to configure.")
	}
	from := c.Activity.From
	tok := sign(p.linkKey, link{
		Tenant: c.Tenant(), Team: c.Team(), Channel: c.Channel(),
		AskerID: from.ID, AskerName: from.Name, AskerAAD: from.AADObjectID,
		TZ: c.Activity.ClientInfo().Timezone, Expires: p.now().Add(p.linkTTL()).Unix(), Nonce: randomID(16),
	})
	return c.Textf("[Open the subscriptions page for this channel](%s/open?t=%s). The link works once, for %s.",
		p.PageURL, tok, p.linkTTL())
}

func (p *Plugin) feedList() string {
	if p.feeds == nil {
		return "none yet"
	}
	names := p.feeds.Names()
	if len(names) == 0 {
		return "none configured"
	}
	return strings.Join(names, ", ")
}

func (p *Plugin) subscribe(c *router.Context) error {
	a := c.Parsed.(*SubscribeArgs)
	raw := map[string]string{}
	for _, o := range a.Opt {
		k, v, ok := strings.Cut(o, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return &router.UsageError{Command: c.Command, Err: fmt.Errorf("--opt %s: write NAME=VALUE, such as --opt city=Oslo", bot.Code(o))}
		}
		raw[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	sub, err := p.create(c.Context.Context(), request{
		Feed: a.Feed, Options: raw,
		Schedule: subscription.Schedule{At: a.At, On: a.On, Every: a.Every, Cron: a.Cron, TZ: a.TZ},
		Missed:   a.Missed, DefaultTZ: c.Activity.ClientInfo().Timezone,
		Tenant: c.Tenant(), Team: c.Team(), Channel: c.Channel(), Creator: c.Activity.From,
	})
	var ie *inputError
	if errors.As(err, &ie) {
		return &router.UsageError{Command: c.Command, Err: ie.error}
	}
	if err != nil {
		return err
	}
	return c.Textf("Subscribed this channel to %s as %s: %s. Next post: %s.\n\n`pause %s`, `resume %s` and `unsubscribe %s` manage it.",
		describe(sub), bot.Code(sub.ID), bot.Escape(sub.Schedule.String()), when(sub.NextRun, sub.Schedule), sub.ID, sub.ID, sub.ID)
}

// request is a new subscription as asked for in chat or on the page.
type request struct {
	Feed      string
	Options   map[string]string
	Schedule  subscription.Schedule
	Missed    string
	DefaultTZ string // the asker's time zone, used when Schedule.TZ is empty
	Tenant    string
	Team      string
	Channel   string
	Creator   bot.Account
}

// inputError is a problem with what the user typed or filled in.
type inputError struct{ error }

// create checks r and stores the subscription. Problems with the input
// are *inputError; refusals the user should read are *bot.Error.
func (p *Plugin) create(ctx context.Context, r request) (subscription.Subscription, error) {
	feed, ok := p.feeds.Lookup(strings.ToLower(strings.TrimSpace(r.Feed)))
	if !ok {
		return subscription.Subscription{}, &inputError{fmt.Errorf("there is no feed called %s; there are: %s", bot.Code(r.Feed), p.feedList())}
	}
	opts, err := subscription.Check(feed, r.Options)
	if err != nil {
		return subscription.Subscription{}, &inputError{err}
	}
	if r.Schedule.TZ == "" {
		if _, err := (subscription.Schedule{TZ: r.DefaultTZ}).Location(); err == nil {
			r.Schedule.TZ = r.DefaultTZ
		}
	}
	if err := r.Schedule.Validate(); err != nil {
		return subscription.Subscription{}, &inputError{err}
	}
	missed := subscription.Missed(r.Missed)
	if err := missed.Validate(); err != nil {
		return subscription.Subscription{}, &inputError{err}
	}
	if r.Channel == "" {
		return subscription.Subscription{}, bot.UserError("Subscriptions belong to a channel: ask me in the channel that should get the posts.")
	}
	target := p.targets[r.Channel]
	if target == "" && p.host.FollowUps == nil {
		return subscription.Subscription{}, bot.UserError("I can't post subscriptions from this webhook: it has no follow-up URL " +
			"(an incoming webhook or Workflows URL for the channel). Ask whoever runs outhook to set one.")
	}
	sub, err := subscription.Create(ctx, p.store, subscription.Subscription{
		ID: subscription.NewID(), Feed: feed.Name(), Options: opts, Schedule: r.Schedule, Missed: missed,
		Tenant: r.Tenant, Team: r.Team, Channel: r.Channel, Creator: r.Creator, Target: target,
	}, p.now(), p.MaxPerChannel)
	if errors.Is(err, subscription.ErrTooMany) {
		max := p.MaxPerChannel
		if max <= 0 {
			max = subscription.MaxPerChannel
		}
		return sub, bot.UserError(fmt.Sprintf("This channel has %d subscriptions, as many as it may have. Unsubscribe from one first (`subscriptions` lists them).", max))
	}
	return sub, err
}

func (p *Plugin) list(c *router.Context) error {
	subs, err := subscription.List(c.Context.Context(), p.store, c.Channel())
	if err != nil {
		return err
	}
	if len(subs) == 0 {
		return c.Textf("This channel has no subscriptions. Feeds: %s. Try %s.", p.feedList(),
			bot.Code("subscribe <feed> --at 07:00 --on weekdays"))
	}
	sort.Slice(subs, func(i, j int) bool { return subs[i].Created.Before(subs[j].Created) })
	var b strings.Builder
	fmt.Fprintf(&b, "This channel has %d subscription(s):\n\n", len(subs))
	for _, s := range subs {
		fmt.Fprintf(&b, "- %s %s, %s", bot.Code(s.ID), describe(s), bot.Escape(s.Schedule.String()))
		if s.Paused {
			b.WriteString(", **paused**")
		} else {
			fmt.Fprintf(&b, ", next: %s", when(s.NextRun, s.Schedule))
		}
		if !s.LastRun.IsZero() || s.LastOutcome != "" {
			fmt.Fprintf(&b, ", last: %s", bot.Escape(s.LastOutcome))
			if !s.LastRun.IsZero() {
				fmt.Fprintf(&b, " (%s)", when(s.LastRun, s.Schedule))
			}
		}
		b.WriteString("\n")
	}
	return c.Text(b.String())
}

func (p *Plugin) unsubscribe(c *router.Context) error {
	id := c.Parsed.(*IDArgs).ID
	if err := subscription.Delete(c.Context.Context(), p.store, c.Channel(), id); err != nil {
		return notFound(err, id)
	}
	return c.Textf("Unsubscribed: %s will post no more.", bot.Code(id))
}

func (p *Plugin) setPaused(c *router.Context, paused bool) error {
	id := c.Parsed.(*IDArgs).ID
	sub, err := subscription.Update(c.Context.Context(), p.store, c.Channel(), id, func(s *subscription.Subscription) error {
		return p.pauseOrResume(s, paused)
	})
	if err != nil {
		return notFound(err, id)
	}
	if paused {
		return c.Textf("Paused %s. `resume %s` starts it again.", bot.Code(id), id)
	}
	return c.Textf("Resumed %s. Next post: %s.", bot.Code(id), when(sub.NextRun, sub.Schedule))
}

func (p *Plugin) now() time.Time { return clock.Now() }

func notFound(err error, id string) error {
	if errors.Is(err, subscription.ErrNotFound) {
		return bot.UserError(fmt.Sprintf("This channel has no subscription %s. `subscriptions` lists them.", bot.Code(id)))
	}
	return err
}

// describe names the feed and its options: **weather** (city=Oslo).
func describe(s subscription.Subscription) string {
	var opts []string
	for k, v := range s.Options {
		opts = append(opts, k+"="+v)
	}
	sort.Strings(opts)
	out := "**" + bot.Escape(s.Feed) + "**"
	if len(opts) > 0 {
		out += " (" + bot.Escape(strings.Join(opts, ", ")) + ")"
	}
	return out
}

// when shows a time in the schedule's zone: "Mon 30 Nov 07:00 CET".
func when(t time.Time, s subscription.Schedule) string {
	if loc, err := s.Location(); err == nil {
		t = t.In(loc)
	}
	return t.Format("Mon 2 Jan 15:04 MST")
}
