// Package status provides the status command, configured from the file: it
// checks a list of HTTP endpoints in parallel, within the reply's deadline,
// and answers with a card saying for each whether it is up, with its
// status code and latency.
//
//	plugin_config:
//	  status:
//	    timeout: 2s
//	    endpoints:
//	      - {name: web, url: "https://www.example.com/healthz"}
//	      - {name: api, url: "https://api.example.com/ping", expect: [200, 204]}
//
// "status" checks every endpoint; "status web api" (or "status web,api")
// checks those named.
// See docs/workflow-plugins.md.
package status

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/card"
	"github.com/outhook/outhook/plugins"
	"github.com/outhook/outhook/router"
)

func init() {
	plugins.Register(plugins.Info{
		ID:       "status",
		Summary:  "Check that the team's HTTP endpoints are up",
		New:      New,
		Explicit: true,
	})
}

// Defaults for the settings.
const (
	// DefaultTimeout bounds one check; the reply's deadline may cut it
	// shorter.
	DefaultTimeout = 3 * time.Second
	// margin is kept between the checks' end and the reply deadline, for
	// building and writing the card.
	margin = 150 * time.Millisecond
)

// Plugin is the status plugin. Its exported fields are its settings.
type Plugin struct {
	// Endpoints are the endpoints to check. Required: at least one.
	Endpoints []Endpoint `json:"endpoints"`
	// Timeout bounds each check. Optional; default DefaultTimeout. A check
	// also ends when the reply is due.
	Timeout time.Duration `json:"timeout"`
	// Command is the command's name. Optional; default "status".
	Command string `json:"command"`

	client *http.Client
}

// Endpoint is one HTTP endpoint to check.
type Endpoint struct {
	// Name identifies the endpoint in the card and in "status <name>".
	// Required, unique.
	Name string `json:"name"`
	// URL is the absolute http(s) URL to request. Required.
	URL string `json:"url"`
	// Method is GET or HEAD. Optional; default GET.
	Method string `json:"method"`
	// Expect lists the status codes that mean up. Optional; default any
	// 2xx or 3xx.
	Expect []int `json:"expect"`
}

var (
	_ plugins.Plugin       = (*Plugin)(nil)
	_ plugins.Provisioner  = (*Plugin)(nil)
	_ plugins.Validator    = (*Plugin)(nil)
	_ plugins.CleanerUpper = (*Plugin)(nil)
)

// New returns an unconfigured status plugin.
func New() plugins.Plugin { return &Plugin{} }

// Provision fills in defaults and builds the HTTP client.
func (p *Plugin) Provision(context.Context, plugins.Host) error {
	if p.Timeout <= 0 {
		p.Timeout = DefaultTimeout
	}
	if p.Command == "" {
		p.Command = "status"
	}
	for i := range p.Endpoints {
		e := &p.Endpoints[i]
		e.Method = strings.ToUpper(e.Method)
		if e.Method == "" {
			e.Method = http.MethodGet
		}
	}
	p.client = &http.Client{
		Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			MaxIdleConnsPerHost: 2,
			IdleConnTimeout:     90 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return nil
}

// Validate checks the endpoints.
func (p *Plugin) Validate() error {
	if len(p.Endpoints) == 0 {
		return errors.New("endpoints: list at least one endpoint to check")
	}
	seen := map[string]bool{}
	for i, e := range p.Endpoints {
		at := fmt.Sprintf("endpoints[%d]", i)
		if strings.TrimSpace(e.Name) == "" || strings.ContainsAny(e.Name, " \t\n,") {
			return fmt.Errorf("%s.name: give each endpoint a one-word name, without commas", at)
		}
		if seen[strings.ToLower(e.Name)] {
			return fmt.Errorf("%s.name: %q is used twice", at, e.Name)
		}
		seen[strings.ToLower(e.Name)] = true
		u, err := url.Parse(e.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%s.url: %q is not an absolute http(s) URL", at, e.URL)
		}
		if e.Method != http.MethodGet && e.Method != http.MethodHead {
			return fmt.Errorf("%s.method: %q is not GET or HEAD", at, e.Method)
		}
		for _, code := range e.Expect {
			if code < 100 || code > 599 {
				return fmt.Errorf("%s.expect: %d is not an HTTP status code", at, code)
			}
		}
	}
	return nil
}

// Cleanup closes idle connections.
func (p *Plugin) Cleanup() error {
	if p.client != nil {
		p.client.CloseIdleConnections()
	}
	return nil
}

// Args are the status command's arguments.
type Args struct {
	// Endpoints names the endpoints to check; none means all.
	Endpoints []string `arg:"" optional:"" name:"endpoint" help:"Endpoints to check, by name (any case; several with spaces or commas). Without: all."`
}

// Commands returns the status command.
func (p *Plugin) Commands() []*router.Command {
	name := p.Command
	if name == "" {
		name = "status"
	}
	cmd := &router.Command{
		Name:     name,
		Summary:  "Check that the team's endpoints are up",
		Examples: []string{name},
		Args:     Args{},
		Handler:  p.handle,
	}
	if len(p.Endpoints) > 0 {
		cmd.Description = "Checks " + strings.Join(p.names(), ", ") + " in parallel and answers with a card: up or down, status code, latency."
		cmd.Examples = append(cmd.Examples, name+" "+p.Endpoints[0].Name)
	}
	return []*router.Command{cmd}
}

// Result is the outcome of one check.
type Result struct {
	// Endpoint is what was checked.
	Endpoint Endpoint
	// Up is true when the endpoint answered with an expected status.
	Up bool
	// Code is the HTTP status code, or 0 when there was no answer.
	Code int
	// Latency is how long the answer took, or the time spent waiting.
	Latency time.Duration
	// Problem explains a failed check without an answer ("timed out",
	// "connection refused").
	Problem string
}

func (p *Plugin) handle(c *router.Context) error {
	eps, err := p.pick(c.Parsed.(*Args).Endpoints)
	if err != nil {
		return &router.UsageError{Command: c.Command, Err: err}
	}
	ctx := c.Context.Context()
	if d := c.ReplyDeadline(); !d.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d.Add(-margin))
		defer cancel()
	}
	results := p.Check(ctx, eps)
	r, err := Card(results)
	if err != nil {
		return err
	}
	return c.Reply(r)
}

// pick returns the endpoints named, each once, in the order named; or all
// of them when none is named.
func (p *Plugin) pick(names []string) ([]Endpoint, error) {
	if len(names) == 0 {
		return p.Endpoints, nil
	}
	var out []Endpoint
	seen := make([]bool, len(p.Endpoints))
	for _, n := range names {
		i := slices.IndexFunc(p.Endpoints, func(e Endpoint) bool { return strings.EqualFold(e.Name, n) })
		if i < 0 {
			//lint:ignore ST1005 the reply is the bot speaking, in the first person
			return nil, fmt.Errorf("I don't check an endpoint called %s; I check %s", bot.Code(n), strings.Join(p.names(), ", "))
		}
		if !seen[i] {
			seen[i] = true
			out = append(out, p.Endpoints[i])
		}
	}
	return out, nil
}

// names returns the endpoints' names.
func (p *Plugin) names() []string {
	names := make([]string, len(p.Endpoints))
	for i, e := range p.Endpoints {
		names[i] = e.Name
	}
	return names
}

// Check checks eps in parallel, each within the plugin's timeout and ctx,
// and returns their results in the same order. It returns when every
// check has ended.
func (p *Plugin) Check(ctx context.Context, eps []Endpoint) []Result {
	results := make([]Result, len(eps))
	var wg sync.WaitGroup
	for i, e := range eps {
		wg.Go(func() { results[i] = p.check(ctx, e) })
	}
	wg.Wait()
	return results
}

func (p *Plugin) check(ctx context.Context, e Endpoint) Result {
	ctx, cancel := context.WithTimeout(ctx, p.Timeout)
	defer cancel()
	res := Result{Endpoint: e}
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, e.Method, e.URL, nil)
	if err != nil {
		res.Problem = "bad request"
		return res
	}
	req.Header.Set("User-Agent", "outhook-status/1")
	resp, err := p.client.Do(req)
	res.Latency = time.Since(start)
	if err != nil {
		res.Problem = problem(ctx, err)
		return res
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	res.Code = resp.StatusCode
	res.Up = expected(e.Expect, resp.StatusCode)
	return res
}

func expected(codes []int, code int) bool {
	if len(codes) == 0 {
		return code >= 200 && code < 400
	}
	for _, c := range codes {
		if c == code {
			return true
		}
	}
	return false
}

// problem describes a failed request in a few words, without the URL
// (which may hold a credential).
func problem(ctx context.Context, err error) string {
	switch {
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case strings.Contains(err.Error(), "connection refused"):
		return "connection refused"
	case strings.Contains(err.Error(), "no such host"):
		return "unknown host"
	case strings.Contains(err.Error(), "certificate"):
		return "TLS certificate problem"
	}
	return "no answer"
}

// Card builds the reply for results: a heading that counts what is up and
// down, and a table with one row per endpoint.
func Card(results []Result) (bot.Reply, error) {
	up := 0
	rows := make([][]string, len(results))
	for i, r := range results {
		state, code := "🔴 down", "–"
		if r.Up {
			state = "🟢 up"
			up++
		}
		if r.Code != 0 {
			code = strconv.Itoa(r.Code)
		} else if r.Problem != "" {
			code = r.Problem
		}
		rows[i] = []string{r.Endpoint.Name, state, code, formatLatency(r.Latency)}
	}
	heading := fmt.Sprintf("All %d up", len(results))
	color := card.Good
	if down := len(results) - up; down > 0 {
		heading = fmt.Sprintf("%d of %d down", down, len(results))
		color = card.Attention
	}
	return card.Adaptive(
		card.Heading(heading).Color(color),
		card.Table([]string{"Endpoint", "State", "Code", "Latency"}, rows...),
	).Summary("Status: " + strings.ToLower(heading[:1]) + heading[1:]).Reply()
}

func formatLatency(d time.Duration) string {
	switch {
	case d <= 0:
		return "–"
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}
