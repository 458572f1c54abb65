package status

import (
	"context"
	"strings"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/subscription"
)

var _ subscription.Provider = (*Plugin)(nil)

// Feeds offers the status check as a subscription feed, "status": a
// digest card of every endpoint, or of those named in the option
// endpoints ("web,api"). The subscriptions plugin of the same webhook
// picks it up.
func (p *Plugin) Feeds() []subscription.Feed { return []subscription.Feed{digest{p}} }

type digest struct{ p *Plugin }

func (digest) Name() string    { return "status" }
func (digest) Summary() string { return "a digest of the team's endpoints: up or down, code, latency" }
func (d digest) Options() []subscription.Option {
	return []subscription.Option{{Name: "endpoints", Help: "Endpoints to check, with commas: " + strings.Join(d.p.names(), ", ") + ". Default: all."}}
}

func (d digest) Render(ctx context.Context, opts map[string]string) (bot.Reply, error) {
	var names []string
	for n := range strings.SplitSeq(opts["endpoints"], ",") {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	eps, err := d.p.pick(names)
	if err != nil {
		return bot.Reply{}, err
	}
	return Card(d.p.Check(ctx, eps))
}
