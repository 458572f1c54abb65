package subscriptions_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/bot/incoming"
	"github.com/outhook/outhook/plugins"
	"github.com/outhook/outhook/plugins/subscriptions"
	"github.com/outhook/outhook/router"
	"github.com/outhook/outhook/store"
	"github.com/outhook/outhook/subscription"
)

// pageSetup serves the plugin with its page behind a real bot.
type pageSetup struct {
	srv   *bottest.Server
	hook  *webhook
	clock *subscription.Fake
}

func startPage(t *testing.T) *pageSetup {
	t.Helper()
	weather, _ := services(t)
	ps := &pageSetup{hook: newWebhook(t), clock: subscription.NewFake(time.Date(2026, 11, 27, 6, 50, 0, 0, berlin))}
	t.Cleanup(subscriptions.SetClock(ps.clock))
	r := router.New()
	ps.srv = bottest.NewServer(bot.Config{Handler: r})
	t.Cleanup(ps.srv.Close)
	sender, err := incoming.New(ps.hook.URL, incoming.Config{Limits: []incoming.Limit{{Requests: 100, Per: time.Second}}})
	if err != nil {
		t.Fatal(err)
	}
	set, err := plugins.Load(context.Background(), plugins.Options{
		IDs: []string{"subscriptions"},
		Settings: map[string]map[string]any{"subscriptions": {
			"page_url":        ps.srv.URL + "/subscriptions",
			"page_secret_env": "PAGE_KEY",
			"feeds": []any{map[string]any{
				"name": "weather", "summary": "tomorrow's forecast", "url": weather + "/?city={{.city}}",
				"template_file": "testdata/weather-card.tmpl",
				"options":       []any{map[string]any{"name": "city", "required": true, "help": "the city"}},
			}},
		}},
		Store:     store.NewMemory(),
		FollowUps: sender,
		LookupEnv: func(k string) (string, bool) { return strings.Repeat("k", 40), k == "PAGE_KEY" },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = set.Cleanup() })
	set.Install(r)
	set.Routes(ps.srv.Echo.Group(bottest.Path))
	return ps
}

var linkRE = regexp.MustCompile(`\]\((http://[^)\s]+/subscriptions/open\?t=[^)\s]+)\)`)

// link asks for a configuration link in chat.
func (ps *pageSetup) link(t *testing.T) string {
	t.Helper()
	r, err := ps.srv.Say("configure")
	if err != nil {
		t.Fatal(err)
	}
	m := linkRE.FindStringSubmatch(r.Text)
	if m == nil || !strings.Contains(r.Text, "works once, for 10m0s") {
		t.Fatalf("configure: got %q; want a link that works once for 10m", r.Text)
	}
	return m[1]
}

// browser is an HTTP client with cookies that does not follow redirects
// to other hosts.
func browser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 5 * time.Second}
}

type page struct {
	status int
	body   string
	doc    *html.Node
}

func get(t *testing.T, c *http.Client, u string) page {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, resp)
}

func read(t *testing.T, resp *http.Response) page {
	t.Helper()
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	doc, err := html.Parse(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy: got %q", csp)
	}
	if rp := resp.Header.Get("Referrer-Policy"); rp != "no-referrer" {
		t.Errorf("Referrer-Policy: got %q; want no-referrer (the link is in the URL)", rp)
	}
	return page{resp.StatusCode, string(b), doc}
}

// submit posts a form of the page: the first form with a button op=op
// (and a hidden id=id when id is set), with fields changed by set.
func (pg page) submit(t *testing.T, c *http.Client, base, op, id string, set map[string]string) page {
	t.Helper()
	var form *html.Node
	walk(pg.doc, func(n *html.Node) {
		if form == nil && n.Type == html.ElementNode && n.Data == "form" {
			var hasOp, hasID bool
			walk(n, func(m *html.Node) {
				if m.Data == "button" && attr(m, "value") == op {
					hasOp = true
				}
				if m.Data == "input" && attr(m, "name") == "id" && attr(m, "value") == id {
					hasID = true
				}
			})
			if hasOp && (id == "" || hasID) {
				form = n
			}
		}
	})
	if form == nil {
		t.Fatalf("no form for %s %s", op, id)
	}
	vals := url.Values{"op": {op}}
	walk(form, func(n *html.Node) {
		switch n.Data {
		case "input":
			vals.Set(attr(n, "name"), attr(n, "value"))
		case "textarea":
			if n.FirstChild != nil {
				vals.Set(attr(n, "name"), n.FirstChild.Data)
			} else {
				vals.Set(attr(n, "name"), "")
			}
		case "select":
			walk(n, func(o *html.Node) {
				if o.Data == "option" && hasAttr(o, "selected") {
					vals.Set(attr(n, "name"), attr(o, "value"))
				}
			})
		}
	})
	for k, v := range set {
		vals.Set(k, v)
	}
	resp, err := c.PostForm(base+"/page", vals)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, resp)
}

func walk(n *html.Node, f func(*html.Node)) {
	f(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// text returns the page's visible text, spaces squeezed.
func (pg page) text() string {
	var b strings.Builder
	walk(pg.doc, func(n *html.Node) {
		if n.Type == html.TextNode && (n.Parent == nil || n.Parent.Data != "style") {
			b.WriteString(n.Data + " ")
		}
	})
	return strings.Join(strings.Fields(b.String()), " ")
}

// checkAccessible checks what the page promises: a viewport, a language,
// no script, a label for every field, a CSRF token in every form.
func checkAccessible(t *testing.T, pg page) {
	t.Helper()
	var viewport, lang bool
	labels := map[string]bool{}
	walk(pg.doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		switch n.Data {
		case "meta":
			viewport = viewport || attr(n, "name") == "viewport"
		case "html":
			lang = attr(n, "lang") != ""
		case "script":
			t.Error("the page has a script")
		case "label":
			labels[attr(n, "for")] = true
		}
	})
	if !viewport || !lang {
		t.Errorf("viewport %v, lang %v; want both", viewport, lang)
	}
	walk(pg.doc, func(n *html.Node) {
		switch {
		case n.Type != html.ElementNode:
		case (n.Data == "input" && attr(n, "type") != "hidden") || n.Data == "select" || n.Data == "textarea":
			if !labels[attr(n, "id")] {
				t.Errorf("field %s (id %q) has no label", attr(n, "name"), attr(n, "id"))
			}
		case n.Data == "form":
			var csrf bool
			walk(n, func(m *html.Node) {
				csrf = csrf || (m.Data == "input" && attr(m, "name") == "csrf" && attr(m, "value") != "")
			})
			if !csrf {
				t.Error("a form has no CSRF token")
			}
		}
	})
}

func TestConfigurationPage(t *testing.T) {
	ps := startPage(t)
	base := ps.srv.URL + "/subscriptions"
	link := ps.link(t)
	c := browser(t)

	pg := get(t, c, link)
	if pg.status != http.StatusOK || !strings.Contains(pg.text(), "Subscriptions (0)") {
		t.Fatalf("opening the link: got %d %q", pg.status, pg.text())
	}
	checkAccessible(t, pg)

	// A bad schedule is explained, and the form keeps what was typed.
	pg = pg.submit(t, c, base, "create", "", map[string]string{"feed": "weather", "options": "city=Oslo", "every": "1m"})
	if pg.status != http.StatusUnprocessableEntity || !strings.Contains(pg.text(), "at least 5m0s apart") || !strings.Contains(pg.body, `value="1m"`) {
		t.Fatalf("bad schedule: got %d %q", pg.status, pg.text())
	}

	pg = pg.submit(t, c, base, "create", "", map[string]string{"feed": "weather", "options": "city=Oslo", "every": "", "at": "07:00", "on": "weekdays"})
	if pg.status != http.StatusOK || !strings.Contains(pg.text(), "Subscribed.") || !strings.Contains(pg.text(), "weekdays at 07:00 (Europe/Berlin)") {
		t.Fatalf("create: got %d %q", pg.status, pg.text())
	}
	checkAccessible(t, pg)
	id := regexp.MustCompile(`weather \(([a-z0-9]{8})\)`).FindStringSubmatch(pg.text())
	if id == nil {
		t.Fatalf("no subscription id in %q", pg.text())
	}

	step(t, ps.clock, time.Date(2026, 11, 27, 7, 0, 5, 0, berlin))
	if posts := ps.hook.Posts(); len(posts) != 1 || !strings.Contains(posts[0], "Tomorrow in Oslo") {
		t.Fatalf("at 07:00: got %v; want the forecast", posts)
	}
	pg = get(t, c, base+"/page")
	if !strings.Contains(pg.text(), "posted (Fri 27 Nov 07:00 CET)") {
		t.Errorf("after the run: got %q; want the last outcome", pg.text())
	}

	pg = pg.submit(t, c, base, "edit", id[1], map[string]string{"at": "08:30", "options": "city=Bergen"})
	if !strings.Contains(pg.text(), "Saved.") || !strings.Contains(pg.text(), "weekdays at 08:30") || !strings.Contains(pg.text(), "city=Bergen") {
		t.Fatalf("edit: got %q", pg.text())
	}
	pg = pg.submit(t, c, base, "pause", id[1], nil)
	if !strings.Contains(pg.text(), "State paused") {
		t.Fatalf("pause: got %q", pg.text())
	}
	if r, _ := ps.srv.Say("subscriptions"); !strings.Contains(r.Text, "**paused**") {
		t.Errorf("chat after pausing on the page: got %q", r.Text)
	}
	pg = pg.submit(t, c, base, "resume", id[1], nil)
	if !strings.Contains(pg.text(), "Resumed.") || !strings.Contains(pg.text(), "next post Fri 27 Nov 08:30 CET") {
		t.Fatalf("resume: got %q", pg.text())
	}
	pg = pg.submit(t, c, base, "delete", id[1], nil)
	if !strings.Contains(pg.text(), "Deleted.") || !strings.Contains(pg.text(), "Subscriptions (0)") {
		t.Fatalf("delete: got %q", pg.text())
	}

	// A forged form (no or another CSRF token) changes nothing.
	resp, err := c.PostForm(base+"/page", url.Values{"op": {"create"}, "csrf": {"guess"}, "feed": {"weather"}, "options": {"city=X"}, "at": {"07:00"}})
	if err != nil {
		t.Fatal(err)
	}
	if pg := read(t, resp); pg.status != http.StatusForbidden || strings.Contains(pg.text(), "Subscriptions (") {
		t.Errorf("forged form: got %d %q", pg.status, pg.text())
	}
}

func TestConfigurationLinkRefused(t *testing.T) {
	ps := startPage(t)
	base := ps.srv.URL + "/subscriptions"
	used := ps.link(t)
	get(t, browser(t), used)
	tampered := ps.link(t)
	tampered = tampered[:len(tampered)-3] + "AAA"
	expired := ps.link(t)

	tests := []struct {
		name, url string
		status    int
		want      string
		advance   time.Duration
	}{
		{"reused", used, http.StatusGone, "This link was used already", 0},
		{"tampered", tampered, http.StatusForbidden, "This link is not valid", 0},
		{"garbage", base + "/open?t=nonsense", http.StatusForbidden, "This link is not valid", 0},
		{"expired", expired, http.StatusGone, "This link has expired", 11 * time.Minute},
		{"no session", base + "/page", http.StatusUnauthorized, "This page has expired", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps.clock.Advance(tt.advance)
			pg := get(t, browser(t), tt.url)
			if pg.status != tt.status || !strings.Contains(pg.text(), tt.want) {
				t.Errorf("got %d %q; want %d %q", pg.status, pg.text(), tt.status, tt.want)
			}
			if strings.Contains(pg.body, "<form") || strings.Contains(pg.text(), "Subscriptions (") {
				t.Errorf("a refused link shows the page: %q", pg.text())
			}
		})
	}
}
