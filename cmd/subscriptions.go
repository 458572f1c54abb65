package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/outhook/outhook"
	"github.com/outhook/outhook/config"
	"github.com/outhook/outhook/store"
	"github.com/outhook/outhook/subscription"
)

// SubscriptionsCmd reads and writes the subscriptions outhook keeps, in
// the store the configuration names (opened as serve opens it). A file
// store is used by one process at a time: stop outhook first, or use
// Redis; in chat, "subscriptions" lists a channel's own.
type SubscriptionsCmd struct {
	List   SubscriptionsListCmd   `cmd:"" help:"List the subscriptions, with their next and last runs."`
	Export SubscriptionsExportCmd `cmd:"" help:"Write the subscriptions as JSON, for a backup or a move."`
	Import SubscriptionsImportCmd `cmd:"" help:"Read subscriptions written by export."`
}

// storeFlags say which store and webhook the subscriptions are in.
type storeFlags struct {
	Config  string `help:"Configuration file (YAML): its store section says where the data is." env:"OUTHOOK_CONFIG" type:"path"`
	DataDir string `name:"data-dir" help:"Data directory of the file store, without a --config file." env:"OUTHOOK_DATA_DIR" type:"path"`
	Webhook string `help:"Whose subscriptions: the webhook's name." default:"default"`
}

// open opens the subscriptions plugin's key space of the webhook.
func (f *storeFlags) open() (store.Store, func() error, error) {
	var s config.Store
	if f.Config != "" {
		file, err := config.Load(f.Config)
		if err != nil {
			return nil, nil, err
		}
		s = file.Config.Store
		if len(file.Config.Webhooks) > 0 && !f.hasWebhook(file.Config.Webhooks) {
			return nil, nil, fmt.Errorf("%s has no webhook %q: say which with --webhook", f.Config, f.Webhook)
		}
	}
	if f.DataDir != "" {
		s.Dir = f.DataDir
	}
	st, closer, err := outhook.OpenStore(s, nil)
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, nil, fmt.Errorf("%w: the data file is in use, most likely by outhook serve; "+
			"a file store is used by one process at a time: stop outhook first (or use a redis store)", err)
	}
	if err != nil {
		return nil, nil, err
	}
	return store.ForPlugin(st, f.Webhook, "subscriptions"), closer.Close, nil
}

// with opens the store, runs fn on it with a bounded context, and closes
// it: what each subscriptions command does around its own work.
func (f *storeFlags) with(fn func(ctx context.Context, st store.Store) error) error {
	st, closeStore, err := f.open()
	if err != nil {
		return err
	}
	defer closeStore()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return fn(ctx, st)
}

func (f *storeFlags) hasWebhook(ws []config.Webhook) bool {
	for _, w := range ws {
		if w.Name == f.Webhook {
			return true
		}
	}
	return false
}

// SubscriptionsListCmd lists subscriptions.
type SubscriptionsListCmd struct {
	storeFlags
	Channel string `help:"Only this channel's (its id)."`
	JSON    bool   `help:"Print JSON (secrets left out) instead of a table."`
}

// Run prints the subscriptions.
func (c *SubscriptionsListCmd) Run(g *Globals) error {
	var subs []subscription.Subscription
	err := c.with(func(ctx context.Context, st store.Store) (err error) {
		subs, err = subscription.List(ctx, st, c.Channel)
		return err
	})
	if err != nil {
		return err
	}
	if c.JSON {
		for i := range subs {
			subs[i].Target = "" // a secret
		}
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(subs)
	}
	if len(subs) == 0 {
		fmt.Fprintln(g.stdout, "no subscriptions")
		return nil
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tFEED\tSCHEDULE\tCHANNEL\tNEXT RUN\tLAST RUN\tLAST OUTCOME\tPAUSED")
	for _, s := range subs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%v\n", s.ID, s.Feed, s.Schedule, s.Channel,
			when(s.NextRun), when(s.LastRun), dash(s.LastOutcome), s.Paused)
	}
	return tw.Flush()
}

func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04 MST")
}

func dash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

// SubscriptionsExportCmd writes subscriptions as JSON.
type SubscriptionsExportCmd struct {
	storeFlags
	Secrets bool `help:"Include each channel's own webhook URL (a secret): for a move, not for a backup you share."`
}

// Run writes the JSON to standard output.
func (c *SubscriptionsExportCmd) Run(g *Globals) error {
	return c.with(func(ctx context.Context, st store.Store) error {
		return subscription.Export(ctx, st, g.stdout, c.Secrets)
	})
}

// SubscriptionsImportCmd reads subscriptions written by export.
type SubscriptionsImportCmd struct {
	storeFlags
	File string `arg:"" help:"The JSON file export wrote (- for standard input)."`
}

// Run imports the file.
func (c *SubscriptionsImportCmd) Run(g *Globals) error {
	return c.with(func(ctx context.Context, st store.Store) error {
		in := g.stdin
		if c.File != "-" {
			f, err := os.Open(c.File)
			if err != nil {
				return fmt.Errorf("reading %s: %w", c.File, err)
			}
			defer f.Close()
			in = f
		}
		n, err := subscription.Import(ctx, st, in)
		if err != nil {
			return errors.Join(fmt.Errorf("imported %d before", n), err)
		}
		fmt.Fprintf(g.stdout, "imported %d subscription(s)\n", n)
		return nil
	})
}
