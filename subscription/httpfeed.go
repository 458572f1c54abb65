package subscription

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/template"
	"time"

	"github.com/outhook/outhook/bot"
)

// HTTPFeedConfig describes a feed built from configuration alone: fetch
// JSON from a URL and render it through a template.
type HTTPFeedConfig struct {
	// Name is the feed's name. Required.
	Name string `json:"name"`
	// Summary says what it posts. Optional.
	Summary string `json:"summary"`
	// URL is a text/template of the URL to GET, with the options as
	// {{.name}}, already escaped for a URL ("Bad Homburg" is
	// "Bad%20Homburg"). Required; http or https.
	URL string `json:"url"`
	// Template is a text/template that renders the JSON response (as
	// .Data, with the options as .Options and the run's time as .Now)
	// into an Adaptive Card (when it renders a JSON object) or markdown
	// text. The function json writes a value as a JSON string, so
	// "text": {{json .Data.city}} is safe. Required.
	Template string `json:"template"`
	// Options are the options subscribers give. Optional.
	Options []Option `json:"options"`
	// Headers are sent with the request, such as Accept. Optional.
	Headers map[string]string `json:"headers"`
	// Timeout bounds the request. Optional; default 10s.
	Timeout time.Duration `json:"timeout"`
	// MaxBody is the largest response read, in bytes. Optional; default
	// 1 MiB.
	MaxBody int64 `json:"max_body"`
}

// HTTPFeed is a Feed that fetches JSON over HTTP and renders it through a
// template. Redirects are not followed.
type HTTPFeed struct {
	cfg    HTTPFeedConfig
	url    *template.Template
	tmpl   *template.Template
	client *http.Client
}

var _ Feed = (*HTTPFeed)(nil)

var tmplFuncs = template.FuncMap{
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
	"upper": strings.ToUpper,
	"lower": strings.ToLower,
}

// NewHTTPFeed checks cfg and compiles its templates. client is used for
// the requests (its transport and proxy; redirects are refused whatever
// it says); nil means a client of its own.
func NewHTTPFeed(cfg HTTPFeedConfig, client *http.Client) (*HTTPFeed, error) {
	if cfg.Name == "" {
		return nil, errors.New("http feed: name is required")
	}
	if cfg.URL == "" || cfg.Template == "" {
		return nil, fmt.Errorf("http feed %s: url and template are required", cfg.Name)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 1 << 20
	}
	for i, o := range cfg.Options {
		if o.Name == "" {
			return nil, fmt.Errorf("http feed %s: options[%d]: name is required", cfg.Name, i)
		}
		switch o.Type {
		case "", String, Int, Bool:
		default:
			return nil, fmt.Errorf("http feed %s: option %s: type %q: use string, int or bool", cfg.Name, o.Name, o.Type)
		}
	}
	u, err := template.New("url").Option("missingkey=zero").Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("http feed %s: url: %w", cfg.Name, err)
	}
	t, err := template.New(cfg.Name).Funcs(tmplFuncs).Option("missingkey=zero").Parse(cfg.Template)
	if err != nil {
		return nil, fmt.Errorf("http feed %s: template: %w", cfg.Name, err)
	}
	f := &HTTPFeed{cfg: cfg, url: u, tmpl: t}
	// The URL with placeholder options must be a good http(s) URL.
	probe := map[string]string{}
	for _, o := range cfg.Options {
		probe[o.Name] = "x"
	}
	if _, err := f.requestURL(probe); err != nil {
		return nil, fmt.Errorf("http feed %s: %w", cfg.Name, err)
	}
	var c http.Client
	if client != nil {
		c = *client
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	f.client = &c
	return f, nil
}

// Name implements Feed.
func (f *HTTPFeed) Name() string { return f.cfg.Name }

// Summary implements Feed.
func (f *HTTPFeed) Summary() string { return f.cfg.Summary }

// Options implements Feed.
func (f *HTTPFeed) Options() []Option { return f.cfg.Options }

func (f *HTTPFeed) requestURL(opts map[string]string) (string, error) {
	esc := make(map[string]string, len(opts))
	for k, v := range opts {
		esc[k] = strings.ReplaceAll(url.QueryEscape(v), "+", "%20")
	}
	var b strings.Builder
	if err := f.url.Execute(&b, esc); err != nil {
		return "", fmt.Errorf("url: %w", err)
	}
	u, err := url.Parse(b.String())
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errors.New("url: must be an absolute http or https URL")
	}
	return u.String(), nil
}

// Render implements Feed: GET the URL, decode the JSON, run the template.
// Errors name the feed and the HTTP status, never the URL (which may hold
// a key).
func (f *HTTPFeed) Render(ctx context.Context, opts map[string]string) (bot.Reply, error) {
	u, err := f.requestURL(opts)
	if err != nil {
		return bot.Reply{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, f.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return bot.Reply{}, fmt.Errorf("feed %s: %w", f.cfg.Name, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "outhook-subscriptions")
	for k, v := range f.cfg.Headers {
		req.Header.Set(k, v)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL may hold a key: leave it out
		}
		return bot.Reply{}, fmt.Errorf("feed %s: fetching: %w", f.cfg.Name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return bot.Reply{}, fmt.Errorf("feed %s: the service answered %s", f.cfg.Name, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.cfg.MaxBody+1))
	if err != nil {
		return bot.Reply{}, fmt.Errorf("feed %s: reading: %w", f.cfg.Name, err)
	}
	if int64(len(body)) > f.cfg.MaxBody {
		return bot.Reply{}, fmt.Errorf("feed %s: the answer is larger than %d bytes", f.cfg.Name, f.cfg.MaxBody)
	}
	var data any
	if err := json.Unmarshal(body, &data); err != nil {
		return bot.Reply{}, fmt.Errorf("feed %s: the answer is not JSON: %w", f.cfg.Name, err)
	}
	return Template(f.tmpl, map[string]any{"Data": data, "Options": opts, "Now": time.Now()})
}

// Template runs t on data and makes a reply of the result: an Adaptive
// Card when it is a JSON object, markdown text otherwise.
func Template(t *template.Template, data any) (bot.Reply, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return bot.Reply{}, fmt.Errorf("feed %s: template: %w", t.Name(), err)
	}
	out := bytes.TrimSpace(b.Bytes())
	if len(out) == 0 {
		return bot.Reply{}, fmt.Errorf("feed %s: the template rendered nothing", t.Name())
	}
	if out[0] != '{' {
		return bot.Reply{Text: string(out)}, nil
	}
	var card map[string]any
	if err := json.Unmarshal(out, &card); err != nil {
		return bot.Reply{}, fmt.Errorf("feed %s: the template rendered a card that is not JSON: %w", t.Name(), err)
	}
	if card["type"] != "AdaptiveCard" {
		return bot.Reply{}, fmt.Errorf("feed %s: the template rendered JSON that is not an Adaptive Card (\"type\": \"AdaptiveCard\")", t.Name())
	}
	summary, _ := card["fallbackText"].(string)
	return bot.Reply{
		Attachments: []bot.Attachment{{ContentType: "application/vnd.microsoft.card.adaptive", Content: bot.RawJSON(out)}},
		Summary:     summary,
	}, nil
}
