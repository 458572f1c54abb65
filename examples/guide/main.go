// Guide is the plugin built step by step in docs/plugins.md: "builds"
// lists a CI server's latest builds as a card, "rebuild <id>" starts one
// again and posts the result later as a follow-up. It shows settings from
// the configuration file, typed arguments, a card reply, a follow-up, and
// (in main_test.go) tests with bottest.
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

// Step 3: the commands.

// Commands returns builds and rebuild.
func (b *Builds) Commands() []*router.Command {
	return []*router.Command{
		{Name: "builds", Summary: "Show the latest CI builds: builds [count]", Usage: "[count 1-20]", Handler: b.list},
		{Name: "rebuild", Summary: "Start a build again; the result is posted when it ends", Usage: "<build id>", Handler: b.rebuild},
	}
}

// listArgs are the typed arguments of builds.
type listArgs struct {
	Count int // how many builds, 1 to 20; default 5
}

// parseList turns the words after "builds" into listArgs, with an answer
// for the user when they do not fit.
func parseList(words []string) (listArgs, error) {
	a := listArgs{Count: 5}
	if len(words) > 1 {
		return a, bot.UserError("Usage: `builds [count]`")
	}
	if len(words) == 1 {
		n, err := strconv.Atoi(words[0])
		if err != nil || n < 1 || n > 20 {
			return a, bot.UserError(fmt.Sprintf("count must be a number from 1 to 20, not %s", bot.Code(words[0])))
		}
		a.Count = n
	}
	return a, nil
}

// build is one build as the CI reports it.
type build struct {
	ID     int    `json:"id"`
	Branch string `json:"branch"`
	Status string `json:"status"`
	URL    string `json:"url"`
}

func (b *Builds) list(c *router.Context) error {
	args, err := parseList(c.Args)
	if err != nil {
		return err
	}
	var builds []build
	if err := b.get(c.Context.Context(), "builds?limit="+strconv.Itoa(args.Count), &builds); err != nil {
		return &bot.Error{Message: "The CI did not answer. Try again in a minute.", Internal: err}
	}
	if len(builds) == 0 {
		return c.Text("No builds yet.")
	}
	rows := make([][]string, len(builds))
	for i, bd := range builds {
		rows[i] = []string{"#" + strconv.Itoa(bd.ID), bd.Branch, bd.Status}
	}
	// Step 4: a card reply. Building validates it against what Teams
	// accepts from an outgoing webhook.
	reply, err := card.Adaptive(
		card.Heading(fmt.Sprintf("Latest %d builds", len(builds))),
		card.Table([]string{"Build", "Branch", "Status"}, rows...),
	).Link("Open the CI", b.CI).Reply()
	if err != nil {
		return err
	}
	return c.Reply(reply)
}

func (b *Builds) rebuild(c *router.Context) error {
	if len(c.Args) != 1 {
		return bot.UserError("Usage: `rebuild <build id>`")
	}
	id, err := strconv.Atoi(strings.TrimPrefix(c.Args[0], "#"))
	if err != nil || id < 1 {
		return bot.UserError(fmt.Sprintf("%s is not a build id", bot.Code(c.Args[0])))
	}
	// Step 5: a follow-up. Go answers at once and runs the work as a job;
	// its result is posted to the team's follow-up webhook when it ends.
	return c.Go(fmt.Sprintf("Rebuilding #%d.", id), func(ctx context.Context) (bot.Reply, error) {
		var bd build
		if err := b.post(ctx, "builds/"+strconv.Itoa(id)+"/rebuild", &bd); err != nil {
			return bot.Reply{}, &bot.Error{Message: fmt.Sprintf("Rebuilding #%d failed.", id), Internal: err}
		}
		return bot.Textf("Build #%d (rebuild of #%d on %s): **%s**", bd.ID, id, bot.Escape(bd.Branch), bot.Escape(bd.Status)), nil
	})
}

func (b *Builds) get(ctx context.Context, path string, v any) error {
	return b.do(ctx, http.MethodGet, path, v)
}

func (b *Builds) post(ctx context.Context, path string, v any) error {
	return b.do(ctx, http.MethodPost, path, v)
}

func (b *Builds) do(ctx context.Context, method, path string, v any) error {
	u := b.base.JoinPath(strings.Split(path, "?")[0])
	if _, q, ok := strings.Cut(path, "?"); ok {
		u.RawQuery = q
	}
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
