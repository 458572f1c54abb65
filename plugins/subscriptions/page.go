package subscriptions

import (
	"context"
	"crypto/subtle"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/plugins"
	"github.com/outhook/outhook/subscription"
)

// The configuration page: "configure" in chat answers with a link to
// <page_url>/open?t=<token>. The token is signed, short-lived and bound to
// the team, channel and asker; opening it spends it and starts a session
// (a cookie) in which that channel's subscriptions are listed, created,
// edited, paused and deleted with plain HTML forms, each carrying the
// session's CSRF token.

// Defaults for the page.
const (
	DefaultLinkTTL    = 10 * time.Minute
	DefaultSessionTTL = 30 * time.Minute
	cookieName        = "outhook_subscriptions"
	maxForm           = 64 << 10
)

//go:embed page.html
var pageHTML string

// pageTmpl is parsed when the page is first asked for, so that a bot whose
// people never open it does not keep the parsed template (35 KB the
// garbage collector would scan again and again).
var pageTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("page").Parse(pageHTML))
})

var _ plugins.RouteRegistrar = (*Plugin)(nil)

// session is what an opened link grants, kept in the store.
type session struct {
	Link link   `json:"link"`
	CSRF string `json:"csrf"`
}

// Routes serves the configuration page: GET open (spends a link), GET
// page, POST page.
func (p *Plugin) Routes(g *echo.Group) {
	g.GET("/open", p.open)
	g.GET("/page", p.page)
	g.POST("/page", p.post)
}

func headers(c echo.Context) {
	h := c.Response().Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
}

// refuse answers with a page that explains, and shows no data.
func refuse(c echo.Context, status int, title, message string) error {
	headers(c)
	var b strings.Builder
	if err := pageTmpl().ExecuteTemplate(&b, "refused", map[string]string{"Title": title, "Message": message}); err != nil {
		return err
	}
	return c.HTML(status, b.String())
}

func (p *Plugin) open(c echo.Context) error {
	if p.linkKey == nil {
		return refuse(c, http.StatusNotFound, "No configuration page", "This bot has no configuration page.")
	}
	now := p.now()
	l, err := verify(p.linkKey, c.QueryParam("t"), now)
	switch {
	case errors.Is(err, errExpired):
		return refuse(c, http.StatusGone, "This link has expired", "The link is older than "+p.linkTTL().String()+".")
	case err != nil:
		return refuse(c, http.StatusForbidden, "This link is not valid", "The link is damaged or was not made by this bot.")
	}
	ctx := c.Request().Context()
	ttl := time.Unix(l.Expires, 0).Sub(now) + time.Minute
	won, err := p.store.CompareAndSwap(ctx, "link/"+l.Nonce, nil, []byte("used"), ttl)
	if err != nil {
		return fmt.Errorf("subscriptions page: spending a link: %w", err)
	}
	if !won {
		return refuse(c, http.StatusGone, "This link was used already", "Each link opens the page once.")
	}
	sid := randomID(32)
	raw, _ := json.Marshal(session{Link: l, CSRF: randomID(32)})
	if err := p.store.Put(ctx, "session/"+sid, raw, p.sessionTTL()); err != nil {
		return fmt.Errorf("subscriptions page: starting a session: %w", err)
	}
	dir := strings.TrimSuffix(c.Request().URL.Path, "open")
	c.SetCookie(&http.Cookie{
		Name: cookieName, Value: sid, Path: dir, MaxAge: int(p.sessionTTL() / time.Second),
		HttpOnly: true, Secure: strings.HasPrefix(p.PageURL, "https:"), SameSite: http.SameSiteLaxMode,
	})
	headers(c)
	return c.Redirect(http.StatusSeeOther, "page")
}

// session returns the session of the request's cookie.
func (p *Plugin) session(c echo.Context) (session, bool) {
	ck, err := c.Cookie(cookieName)
	if err != nil || ck.Value == "" || len(ck.Value) > 100 {
		return session{}, false
	}
	raw, ok, err := p.store.Get(c.Request().Context(), "session/"+ck.Value)
	if err != nil || !ok {
		return session{}, false
	}
	var s session
	if json.Unmarshal(raw, &s) != nil {
		return session{}, false
	}
	return s, true
}

func refuseSession(c echo.Context) error {
	return refuse(c, http.StatusUnauthorized, "This page has expired",
		"The page stays open for "+DefaultSessionTTL.String()+" after its link is used, in this browser only.")
}

// Views for the template.
type (
	pageView struct {
		Title, Asker, CSRF, Done, Error string
		Subs                            []subView
		Feeds                           []feedView
		New                             formView
	}
	subView struct {
		ID, Feed, Options, Schedule, Next, Last, OptionLines string
		Paused                                               bool
		Form                                                 formView
	}
	feedView struct{ Name, Summary, Options string }
	formView struct {
		Key, Feed, OptionLines, At, On, Every, Cron, TZ, Missed string
	}
)

var doneMessages = map[string]string{
	"create": "Subscribed.", "edit": "Saved.", "pause": "Paused.", "resume": "Resumed.", "delete": "Deleted.",
}

func (p *Plugin) page(c echo.Context) error {
	s, ok := p.session(c)
	if !ok {
		return refuseSession(c)
	}
	return p.render(c, s, http.StatusOK, doneMessages[c.QueryParam("done")], "", formView{Key: "new", TZ: s.Link.TZ})
}

func (p *Plugin) render(c echo.Context, s session, status int, done, problem string, form formView) error {
	subs, err := subscription.List(c.Request().Context(), p.store, s.Link.Channel)
	if err != nil {
		return err
	}
	sort.Slice(subs, func(i, j int) bool { return subs[i].Created.Before(subs[j].Created) })
	v := pageView{Title: "Channel subscriptions", Asker: s.Link.AskerName, CSRF: s.CSRF, Done: done, Error: problem, New: form}
	if v.Asker == "" {
		v.Asker = "you"
	}
	for _, sub := range subs {
		sv := subView{
			ID: sub.ID, Feed: sub.Feed, Options: optionText(sub.Options), Schedule: sub.Schedule.String(),
			Next: when(sub.NextRun, sub.Schedule), Paused: sub.Paused, OptionLines: optionLines(sub.Options),
			Form: formView{Key: sub.ID, At: sub.Schedule.At, On: sub.Schedule.On, Every: sub.Schedule.Every, Cron: sub.Schedule.Cron, TZ: sub.Schedule.TZ},
		}
		if sub.LastOutcome != "" {
			sv.Last = sub.LastOutcome
			if !sub.LastRun.IsZero() {
				sv.Last += " (" + when(sub.LastRun, sub.Schedule) + ")"
			}
		}
		v.Subs = append(v.Subs, sv)
	}
	for _, name := range p.feeds.Names() {
		f, _ := p.feeds.Lookup(name)
		var opts []string
		for _, o := range f.Options() {
			d := o.Name
			if o.Required {
				d += " (required)"
			}
			if o.Help != "" {
				d += " – " + o.Help
			}
			opts = append(opts, d)
		}
		v.Feeds = append(v.Feeds, feedView{Name: name, Summary: f.Summary(), Options: strings.Join(opts, "; ")})
	}
	headers(c)
	var b strings.Builder
	if err := pageTmpl().ExecuteTemplate(&b, "page", v); err != nil {
		return err
	}
	return c.HTML(status, b.String())
}

func (p *Plugin) post(c echo.Context) error {
	s, ok := p.session(c)
	if !ok {
		return refuseSession(c)
	}
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		return refuse(c, http.StatusBadRequest, "That form could not be read", "Go back and try again.")
	}
	if subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(s.CSRF)) != 1 {
		return refuse(c, http.StatusForbidden, "That form is not from this page", "Open the page again from its link and try again.")
	}
	ctx := r.Context()
	op, id := r.PostForm.Get("op"), r.PostForm.Get("id")
	form := formView{
		Key: "new", Feed: r.PostForm.Get("feed"), OptionLines: r.PostForm.Get("options"),
		At: r.PostForm.Get("at"), On: r.PostForm.Get("on"), Every: r.PostForm.Get("every"), Cron: r.PostForm.Get("cron"),
		TZ: r.PostForm.Get("tz"), Missed: r.PostForm.Get("missed"),
	}
	sched := subscription.Schedule{At: strings.TrimSpace(form.At), On: strings.TrimSpace(form.On), Every: strings.TrimSpace(form.Every),
		Cron: strings.TrimSpace(form.Cron), TZ: strings.TrimSpace(form.TZ)}
	var err error
	switch op {
	case "create":
		var opts map[string]string
		if opts, err = parseOptionLines(form.OptionLines); err == nil {
			_, err = p.create(ctx, request{
				Feed: form.Feed, Options: opts, Schedule: sched, Missed: form.Missed, DefaultTZ: s.Link.TZ,
				Tenant: s.Link.Tenant, Team: s.Link.Team, Channel: s.Link.Channel,
				Creator: bot.Account{ID: s.Link.AskerID, Name: s.Link.AskerName, AADObjectID: s.Link.AskerAAD},
			})
		}
	case "edit":
		form.Key = id
		err = p.edit(ctx, s.Link.Channel, id, form.OptionLines, sched)
	case "pause", "resume":
		_, err = subscription.Update(ctx, p.store, s.Link.Channel, id, func(sub *subscription.Subscription) error {
			return p.pauseOrResume(sub, op == "pause")
		})
	case "delete":
		err = subscription.Delete(ctx, p.store, s.Link.Channel, id)
	default:
		return refuse(c, http.StatusBadRequest, "That form could not be read", "Go back and try again.")
	}
	if err != nil {
		msg, ok := pageMessage(err)
		if !ok {
			return err
		}
		if op != "create" {
			form = formView{Key: "new", TZ: s.Link.TZ}
		}
		return p.render(c, s, http.StatusUnprocessableEntity, "", msg, form)
	}
	return c.Redirect(http.StatusSeeOther, "page?done="+op)
}

// pageMessage returns what the page shows for err, if it is the user's
// to read.
func pageMessage(err error) (string, bool) {
	var ie *inputError
	var be *bot.Error
	switch {
	case errors.As(err, &ie):
		return strings.ReplaceAll(ie.Error(), "`", ""), true
	case errors.As(err, &be):
		return strings.ReplaceAll(be.Message, "`", ""), true
	case errors.Is(err, subscription.ErrNotFound):
		return "That subscription is gone: someone deleted it.", true
	}
	return "", false
}

func (p *Plugin) edit(ctx context.Context, channel, id, optionLines string, sched subscription.Schedule) error {
	opts, err := parseOptionLines(optionLines)
	if err != nil {
		return err
	}
	now := p.now()
	_, err = subscription.Update(ctx, p.store, channel, id, func(sub *subscription.Subscription) error {
		feed, ok := p.feeds.Lookup(sub.Feed)
		if !ok {
			return &inputError{fmt.Errorf("the feed %s is gone", sub.Feed)}
		}
		checked, err := subscription.Check(feed, opts)
		if err != nil {
			return &inputError{err}
		}
		if err := sched.Validate(); err != nil {
			return &inputError{err}
		}
		next, err := sched.Next(now)
		if err != nil {
			return &inputError{err}
		}
		sub.Options, sub.Schedule, sub.NextRun = checked, sched, next
		return nil
	})
	return err
}

// pauseOrResume is the one place that says what pausing and resuming
// do: resuming starts from the next scheduled time, owing nothing.
func (p *Plugin) pauseOrResume(sub *subscription.Subscription, pause bool) error {
	sub.Paused = pause
	if pause {
		return nil
	}
	next, err := sub.Schedule.Next(p.now())
	if err != nil {
		return err
	}
	sub.NextRun = next
	return nil
}

func parseOptionLines(s string) (map[string]string, error) {
	out := map[string]string{}
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, &inputError{fmt.Errorf("options: write one NAME=VALUE a line, not %q", line)}
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out, nil
}

func optionText(m map[string]string) string {
	return strings.ReplaceAll(optionLines(m), "\n", ", ")
}

func optionLines(m map[string]string) string {
	var kv []string
	for k, v := range m {
		kv = append(kv, k+"="+v)
	}
	sort.Strings(kv)
	return strings.Join(kv, "\n")
}
