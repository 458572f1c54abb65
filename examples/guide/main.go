// Guide is the plugin built step by step in docs/plugins.md: "builds"
// lists a CI server's latest builds as a card, "rebuild <id>" starts one
// again and posts the result later as a follow-up. It shows settings from
// the configuration file, typed arguments and flags declared on structs, a
// card reply, a follow-up, and (in main_test.go) tests with bottest.
//
//	go run ./examples/guide serve --config outhook.yaml
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/card"
	"github.com/outhook/outhook/cmd"
	"github.com/outhook/outhook/plugins"
	_ "github.com/outhook/outhook/plugins/standard"
	"github.com/outhook/outhook/router"
)

// Step 1: register the plugin under an ID. New does no I/O.
func init() {
	plugins.Register(plugins.Info{
		ID:       "builds",
		Summary:  "Show and restart CI builds",
		New:      func() plugins.Plugin { return &Builds{} },
		Explicit: true, // it needs settings: enabled only where named
	})
}

// Builds is the plugin. Its exported fields are its settings, decoded from
// plugin_config.builds in the configuration file.
type Builds struct {
	// CI is the CI server's API base URL. Required.
	CI string `json:"ci"`
	// Timeout bounds each call to the CI. Optional; default 10s.
	Timeout time.Duration `json:"timeout"`
	// Poll is how often a rebuild asks the CI whether it has ended.
	// Optional; default 5s.
	Poll time.Duration `json:"poll"`

	base   *url.URL
	client *http.Client
}

// Interface guards: the compiler checks the optional abilities.
var (
	_ plugins.Plugin       = (*Builds)(nil)
	_ plugins.Provisioner  = (*Builds)(nil)
	_ plugins.Validator    = (*Builds)(nil)
	_ plugins.CleanerUpper = (*Builds)(nil)
)

// Step 2: set up once the settings are in, and check them.

// Provision fills in defaults and builds the HTTP client.
func (b *Builds) Provision(_ context.Context, _ plugins.Host) error {
	if b.Timeout <= 0 {
		b.Timeout = 10 * time.Second
	}
	if b.Poll <= 0 {
		b.Poll = 5 * time.Second
	}
	b.client = &http.Client{Timeout: b.Timeout}
	return nil
}

// Validate stops start-up on a bad setting, saying which.
func (b *Builds) Validate() error {
	u, err := url.Parse(b.CI)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("ci: %q is not an absolute http(s) URL", b.CI)
	}
	b.base = u
	return nil
}

// Cleanup releases idle connections; it copes with a half-done setup.
func (b *Builds) Cleanup() error {
	if b.client != nil {
		b.client.CloseIdleConnections()
	}
	return nil
}

// Step 3: the commands and their typed arguments.

// listArgs declares what "builds" takes. For each message the router fills
// a new listArgs and hands it to the handler as c.Parsed.
type listArgs struct {
	Count  int           `arg:"" optional:"" default:"5" min:"1" max:"20" help:"How many builds."`
	Branch string        `short:"b" placeholder:"BRANCH" help:"Only builds of this branch."`
	Status string        `short:"s" enum:"any,passed,failed,running" default:"any" help:"Only builds in this state."`
	By     router.Person `help:"Only builds this person started (@mention them)."`
}

// rebuildArgs declares what "rebuild" takes.
type rebuildArgs struct {
	Build buildID       `arg:"" help:"The build to run again, such as #41."`
	Wait  time.Duration `short:"w" default:"10m" help:"How long to wait for the result."`
}

// buildID is a build number, typed as "41" or "#41". As an
// encoding.TextUnmarshaler it can be an argument of its own type.
type buildID int

// UnmarshalText reads "41" or "#41".
func (id *buildID) UnmarshalText(text []byte) error {
	n, err := strconv.Atoi(strings.TrimPrefix(string(text), "#"))
	if err != nil || n < 1 {
		return errors.New("not a build number such as #41")
	}
	*id = buildID(n)
	return nil
}

// Commands returns builds and rebuild.
func (b *Builds) Commands() []*router.Command {
	return []*router.Command{
		{
			Name:     "builds",
			Summary:  "Show the latest CI builds",
			Examples: []string{"builds", "builds 10 --status failed", "builds -b main --by @Ana Lima"},
			Args:     listArgs{},
			Handler:  b.list,
		},
		{
			Name:     "rebuild",
			Summary:  "Start a build again; the result is posted when it ends",
			Examples: []string{"rebuild #41", "rebuild #41 --wait 30m"},
			Args:     rebuildArgs{},
			Handler:  b.rebuild,
		},
	}
}

// build is one build as the CI reports it.
type build struct {
	ID     int    `json:"id"`
	Branch string `json:"branch"`
	Status string `json:"status"`
	By     string `json:"requested_by"`
}

func (b *Builds) list(c *router.Context) error {
	args := router.Args[listArgs](c)
	q := url.Values{"limit": {strconv.Itoa(args.Count)}}
	if args.Branch != "" {
		q.Set("branch", args.Branch)
	}
	if args.Status != "any" {
		q.Set("status", args.Status)
	}
	if args.By.Name != "" {
		q.Set("requested_by", args.By.Name)
	}
	var builds []build
	if err := b.get(c, "builds", q, &builds); err != nil {
		return &bot.Error{Message: "The CI did not answer. Try again in a minute.", Internal: err}
	}
	if len(builds) == 0 {
		return c.Text("No builds match.")
	}
	rows := make([][]string, len(builds))
	for i, bd := range builds {
		rows[i] = []string{"#" + strconv.Itoa(bd.ID), bd.Branch, bd.Status, bd.By}
	}
	// Step 4: a card reply. Building validates it against what Teams
	// accepts from an outgoing webhook.
	heading := fmt.Sprintf("Latest %d builds", len(builds))
	if len(builds) == 1 {
		heading = "Latest build"
	}
	reply, err := card.Adaptive(
		card.Heading(heading),
		card.Table([]string{"Build", "Branch", "Status", "By"}, rows...),
	).Link("Open the CI", b.CI).Reply()
	if err != nil {
		return err
	}
	return c.Reply(reply)
}

func (b *Builds) rebuild(c *router.Context) error {
	args := router.Args[rebuildArgs](c)
	if args.Wait <= 0 {
		return c.UsageErrorf("`--wait` must be longer than 0s")
	}
	id := int(args.Build)
	// Step 5: a follow-up. Go answers at once and runs the work as a job;
	// its result is posted to the team's follow-up webhook when it ends.
	return c.Go(fmt.Sprintf("Rebuilding #%d.", id), func(ctx context.Context) (bot.Reply, error) {
		bd, err := b.rerun(ctx, id, args.Wait)
		if err != nil {
			return bot.Reply{}, &bot.Error{Message: fmt.Sprintf("Rebuilding #%d failed.", id), Internal: err}
		}
		if bd.Status == "running" {
			return bot.Textf("Build #%d (rebuild of #%d on %s) is still running after %s.", bd.ID, id, bot.Escape(bd.Branch), args.Wait), nil
		}
		return bot.Textf("Build #%d (rebuild of #%d on %s): **%s**", bd.ID, id, bot.Escape(bd.Branch), bot.Escape(bd.Status)), nil
	})
}

// rerun starts build id again and asks the CI every Poll how the new
// build went, until it ends or wait has passed; then it returns the build
// as last seen, "running" if it has not ended.
func (b *Builds) rerun(ctx context.Context, id int, wait time.Duration) (build, error) {
	var bd build
	if err := b.do(ctx, http.MethodPost, "builds/"+strconv.Itoa(id)+"/rebuild", nil, &bd); err != nil {
		return bd, err
	}
	waitCtx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	tick := time.NewTicker(b.Poll)
	defer tick.Stop()
	for bd.Status == "running" {
		select {
		case <-waitCtx.Done():
			return bd, ctx.Err() // nil when only wait has passed
		case <-tick.C:
		}
		if err := b.get(waitCtx, "builds/"+strconv.Itoa(bd.ID), nil, &bd); err != nil {
			if ctx.Err() == nil && waitCtx.Err() != nil {
				return bd, nil
			}
			return bd, err
		}
	}
	return bd, nil
}

func (b *Builds) get(ctx context.Context, path string, q url.Values, v any) error {
	return b.do(ctx, http.MethodGet, path, q, v)
}

func (b *Builds) do(ctx context.Context, method, path string, q url.Values, v any) error {
	u := b.base.JoinPath(path)
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return err
	}
	res, err := b.client.Do(req)
	if err != nil {
		return fmt.Errorf("calling the CI: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return errors.New("the CI answered " + res.Status)
	}
	return json.NewDecoder(http.MaxBytesReader(nil, res.Body, 1<<20)).Decode(v)
}

func main() { cmd.Main() }
