// Package trigger turns chat commands into HTTP calls, configured from the
// file: "deploy web staging" calls a CI pipeline or job runner with a
// request built from templates and the command's arguments, optionally
// after a confirmation step, and reports the result.
//
//	plugin_config:
//	  trigger:
//	    secret_env: OUTHOOK_TRIGGER_SECRET   # signs confirmation codes
//	    triggers:
//	      - name: deploy
//	        summary: Deploy a service
//	        args:
//	          - {name: service, enum: [web, api]}
//	          - {name: env, enum: [staging, prod]}
//	        confirm_when: {env: [prod]}
//	        request:
//	          method: POST
//	          url: "https://ci.example.com/api/jobs/deploy-{{.service}}/run"
//	          header_env: {Authorization: OUTHOOK_CI_AUTH}
//	          body: '{"env": {{.env}}, "by": {{.asker_name}}}'
//
// The router parses each trigger's words (positional arguments in order,
// and --confirm, a secret flag, anywhere), so access rules match the values
// the call receives. Redirects are never followed: header_env credentials
// go only to the configured URL.
//
// Values are escaped for where they go: in the URL each value is
// percent-encoded; in the body (JSON by default) each value becomes a JSON
// string, quotes included; in headers, values may not hold line breaks.
//
// Confirmation: outgoing-webhook cards cannot send anything back, so the
// bot answers with a short code, an HMAC over the asker, the command line
// and an expiry, and the asker confirms by sending the command again with
// --confirm CODE. Codes are stateless (any replica accepts them while the
// secret is shared), bound to the asker and the exact command, and used
// once: used codes go to Host.Store with compare-and-swap, so a shared
// store makes a code work once across replicas (without a store, once
// per process).
//
// A call that outlasts the reply budget is reported as a follow-up when
// the bot has a follow-up webhook (bot.Config.FollowUps); without one it
// is cancelled at the budget, and the reply says so. See
// docs/workflow-plugins.md.
package trigger

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"text/template"
	"time"
	"unicode/utf8"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/plugins"
	"github.com/outhook/outhook/router"
	"github.com/outhook/outhook/store"
)

func init() {
	plugins.Register(plugins.Info{
		ID:       "trigger",
		Summary:  "Call CI pipelines and job runners from chat commands",
		New:      New,
		Explicit: true,
	})
}

// Defaults for the settings.
const (
	DefaultConfirmTTL = 2 * time.Minute
	DefaultTimeout    = 30 * time.Second
	// maxExcerpt is how much of a response body a report quotes.
	maxExcerpt = 300
)

// defaultPattern restricts an argument without enum or pattern, together
// with its length: at most maxDefaultValue bytes (the characters are all
// ASCII). The bound is checked apart because a counted repetition such as
// {0,99} compiles to a hundred copies of its class, 54 KB of regexp program
// that every garbage collection would scan for the life of the process.
var defaultPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$`)

const maxDefaultValue = 100

// argName is the form of an argument's name, at most maxArgName bytes
// (see defaultPattern).
var argName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

const maxArgName = 32

// Plugin is the trigger plugin. Its exported fields are its settings.
type Plugin struct {
	// Triggers are the commands. Required: at least one.
	Triggers []Trigger `json:"triggers"`
	// SecretEnv names the environment variable holding the key that signs
	// confirmation codes (any text; 32 random bytes in base64 is good).
	// Optional; default: a random key per process, so codes do not
	// survive a restart or cross replicas.
	SecretEnv string `json:"secret_env"`
	// ConfirmTTL is how long a confirmation code stays valid. Optional;
	// default DefaultConfirmTTL; at most a day.
	ConfirmTTL time.Duration `json:"confirm_ttl"`

	key    []byte
	client *http.Client
	now    func() time.Time

	store store.Store // used confirmation codes, shared by replicas; nil: used below
	mu    sync.Mutex
	used  map[string]time.Time // confirmation codes used, until they expire, without a store
}

// Trigger is one command and the HTTP call it makes.
type Trigger struct {
	// Name is the command's name, such as "deploy". Required, one word.
	Name string `json:"name"`
	// Summary describes the command in help. Optional.
	Summary string `json:"summary"`
	// Args are the command's positional arguments, in order. Optional.
	Args []Arg `json:"args"`
	// Confirm asks for a confirmation code before every call. Optional.
	Confirm bool `json:"confirm"`
	// ConfirmWhen asks for a confirmation only when an argument has one of
	// the listed values, such as {env: [prod]}. Optional.
	ConfirmWhen map[string][]string `json:"confirm_when"`
	// Request is the HTTP call. Required.
	Request Request `json:"request"`
	// Timeout bounds the call. Optional; default DefaultTimeout. Beyond the
	// reply budget only with follow-ups.
	Timeout time.Duration `json:"timeout"`

	url     *template.Template
	body    *template.Template
	headers map[string]*template.Template
	secrets map[string]string
	pattern []*regexp.Regexp
}

// Arg is a positional argument of a trigger.
type Arg struct {
	// Name is how templates refer to it ({{.service}}): up to 32
	// lowercase letters, digits and '_', starting with a letter. Required.
	Name string `json:"name"`
	// Help describes it in help. Optional.
	Help string `json:"help"`
	// Enum lists the allowed values, matched without regard to case.
	// Optional.
	Enum []string `json:"enum"`
	// Pattern is a regular expression the whole value must match.
	// Optional; without Enum or Pattern, values are one word of letters,
	// digits and ._/:@+-.
	Pattern string `json:"pattern"`
	// Default is used when the argument is left out; an argument without
	// a default is required. Optional.
	Default string `json:"default"`
}

// Request describes the HTTP call. Templates use text/template with the
// arguments by name and asker_name, asker_id, team and channel.
type Request struct {
	// Method is the HTTP method. Optional; default POST.
	Method string `json:"method"`
	// URL is the template of the absolute http(s) URL. Required.
	URL string `json:"url"`
	// Body is the template of the request body. Optional.
	Body string `json:"body"`
	// ContentType is the body's type. Optional; default
	// application/json, whose body must come out as valid JSON.
	ContentType string `json:"content_type"`
	// Headers are templates of extra headers. Optional.
	Headers map[string]string `json:"headers"`
	// HeaderEnv are headers whose values come from environment variables,
	// for credentials: {Authorization: CI_AUTH}. Optional.
	HeaderEnv map[string]string `json:"header_env"`
}

var (
	_ plugins.Plugin       = (*Plugin)(nil)
	_ plugins.Provisioner  = (*Plugin)(nil)
	_ plugins.Validator    = (*Plugin)(nil)
	_ plugins.CleanerUpper = (*Plugin)(nil)
)

// New returns an unconfigured trigger plugin.
func New() plugins.Plugin { return &Plugin{} }

// Provision reads the secrets, compiles the templates and builds the
// HTTP client.
func (p *Plugin) Provision(_ context.Context, h plugins.Host) error {
	if p.ConfirmTTL <= 0 {
		p.ConfirmTTL = DefaultConfirmTTL
	}
	if p.SecretEnv != "" {
		s, err := h.Secret("secret_env", p.SecretEnv)
		if err != nil {
			return err
		}
		p.key = []byte(s)
	} else {
		p.key = make([]byte, 32)
		rand.Read(p.key)
	}
	if p.now == nil {
		p.now = time.Now
	}
	p.used = map[string]time.Time{}
	p.store = h.Store
	p.client = &http.Client{
		Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, IdleConnTimeout: 90 * time.Second},
		// Never follow a redirect: it would carry the header_env
		// credentials (and the body, for 307/308) to another address,
		// with a Referer naming the first. A 3xx is reported as a failure.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	for i := range p.Triggers {
		if err := p.Triggers[i].compile(h); err != nil {
			return fmt.Errorf("triggers[%d]: %w", i, err)
		}
	}
	return nil
}

func (t *Trigger) compile(h plugins.Host) error {
	r := &t.Request
	r.Method = strings.ToUpper(r.Method)
	if r.Method == "" {
		r.Method = http.MethodPost
	}
	if r.ContentType == "" && r.Body != "" {
		r.ContentType = "application/json"
	}
	if t.Timeout <= 0 {
		t.Timeout = DefaultTimeout
	}
	var err error
	if t.url, err = template.New("url").Option("missingkey=error").Parse(r.URL); err != nil {
		return fmt.Errorf("request.url: %w", err)
	}
	if t.body, err = template.New("body").Option("missingkey=error").Parse(r.Body); err != nil {
		return fmt.Errorf("request.body: %w", err)
	}
	t.headers = map[string]*template.Template{}
	for k, v := range r.Headers {
		if t.headers[k], err = template.New(k).Option("missingkey=error").Parse(v); err != nil {
			return fmt.Errorf("request.headers.%s: %w", k, err)
		}
	}
	t.secrets = map[string]string{}
	for k, env := range r.HeaderEnv {
		v, err := h.Secret("request.header_env."+k, env)
		if err != nil {
			return err
		}
		t.secrets[k] = v
	}
	t.pattern = make([]*regexp.Regexp, len(t.Args))
	for i, a := range t.Args {
		if a.Pattern != "" {
			re, err := regexp.Compile("^(?:" + a.Pattern + ")$")
			if err != nil {
				return fmt.Errorf("args[%d].pattern: %w", i, err)
			}
			t.pattern[i] = re
		}
	}
	return nil
}

// Validate checks the triggers and renders each request once with sample
// values, so that a template that cannot work stops start-up.
func (p *Plugin) Validate() error {
	if len(p.Triggers) == 0 {
		return errors.New("triggers: list at least one trigger")
	}
	if p.ConfirmTTL > 24*time.Hour {
		return errors.New("confirm_ttl: at most 24h")
	}
	names := map[string]bool{"confirm": true}
	for i, t := range p.Triggers {
		at := fmt.Sprintf("triggers[%d]", i)
		n := strings.ToLower(t.Name)
		if n == "" || strings.ContainsAny(n, " \t\n\"'`") {
			return fmt.Errorf("%s.name: give the trigger a one-word name", at)
		}
		if names[n] {
			return fmt.Errorf("%s.name: %q is taken", at, t.Name)
		}
		names[n] = true
		if err := t.validate(); err != nil {
			return fmt.Errorf("%s.%w", at, err)
		}
	}
	return nil
}

func (t *Trigger) validate() error {
	seen := map[string]bool{}
	optional := false
	for i, a := range t.Args {
		if len(a.Name) > maxArgName || !argName.MatchString(a.Name) || reserved[a.Name] {
			return fmt.Errorf("args[%d].name: %q: use up to %d lowercase letters, digits and _, starting with a letter (and not %s)", i, a.Name, maxArgName, strings.Join(reservedNames, ", "))
		}
		if seen[a.Name] {
			return fmt.Errorf("args[%d].name: %q is used twice", i, a.Name)
		}
		seen[a.Name] = true
		if a.Default != "" {
			optional = true
			if _, err := t.check(i, a.Default); err != nil {
				return fmt.Errorf("args[%d].default: %v", i, err)
			}
		} else if optional {
			return fmt.Errorf("args[%d]: a required argument cannot follow one with a default", i)
		}
	}
	for name, values := range t.ConfirmWhen {
		if !seen[name] {
			return fmt.Errorf("confirm_when: %q is not an argument", name)
		}
		if len(values) == 0 {
			return fmt.Errorf("confirm_when.%s: list the values that need a confirmation", name)
		}
	}
	if t.Request.URL == "" {
		return errors.New("request.url: required")
	}
	for k := range t.Request.Headers {
		if _, dup := t.Request.HeaderEnv[k]; dup {
			return fmt.Errorf("request.headers.%s: also in header_env", k)
		}
	}
	sample := map[string]string{"asker_name": "Ada Lovelace", "asker_id": "00000000-0000-0000-0000-000000000000", "team": "19:team", "channel": "19:channel"}
	for _, a := range t.Args {
		v := a.Default
		if len(a.Enum) > 0 {
			v = a.Enum[0]
		}
		if v == "" {
			v = "sample"
		}
		sample[a.Name] = v
	}
	if _, err := t.build(context.Background(), sample); err != nil {
		return err
	}
	return nil
}

var reservedNames = []string{"asker_name", "asker_id", "team", "channel"}
var reserved = map[string]bool{"asker_name": true, "asker_id": true, "team": true, "channel": true}

// Cleanup closes idle connections.
func (p *Plugin) Cleanup() error {
	if p.client != nil {
		p.client.CloseIdleConnections()
	}
	return nil
}

// Commands returns one command per trigger, and confirm, which explains
// how confirmation works.
func (p *Plugin) Commands() []*router.Command {
	var cmds []*router.Command
	for i := range p.Triggers {
		t := &p.Triggers[i]
		summary := t.Summary
		if summary == "" {
			summary = "Run " + t.Name
		}
		cmds = append(cmds, &router.Command{
			Name:    t.Name,
			Summary: summary,
			Args:    t.argsType(),
			Handler: func(c *router.Context) error { return p.run(c, t) },
		})
	}
	return cmds
}

// argsType declares the trigger's arguments to the router as an Args
// struct: one string argument per Arg, in order (those with a default
// optional), and --confirm, a secret flag. The router parses them, so
// access rules, audit and the handler see the same values, and the
// confirmation code is never logged or quoted.
func (t *Trigger) argsType() any {
	var fields []reflect.StructField
	for i, a := range t.Args {
		tag := fmt.Sprintf(`arg:"" name:%q help:%q`, a.Name, a.Help)
		if a.Default != "" {
			tag += fmt.Sprintf(` optional:"" default:%q`, a.Default)
		}
		if len(a.Enum) > 0 {
			tag += fmt.Sprintf(` placeholder:%q`, strings.Join(a.Enum, "|"))
		}
		fields = append(fields, reflect.StructField{Name: fmt.Sprintf("A%d", i), Type: reflect.TypeFor[string](), Tag: reflect.StructTag(tag)})
	}
	fields = append(fields, reflect.StructField{Name: "Confirm", Type: reflect.TypeFor[string](),
		Tag: `name:"confirm" secret:"" hidden:"" placeholder:"CODE" help:"The confirmation code the bot sent you."`})
	return reflect.New(reflect.StructOf(fields)).Interface()
}

// run handles one trigger command: the router has parsed its words.
func (p *Plugin) run(c *router.Context, t *Trigger) error {
	res := c.Resolution()
	confirm, given := res.Flag("confirm")
	code := ""
	if given {
		code = confirm[len(confirm)-1]
		if strings.TrimSpace(code) == "" {
			return &router.UsageError{Command: c.Command, Err: errors.New("flag `--confirm` needs the code I sent you")}
		}
	}
	values, err := t.parse(res.Positionals)
	if err != nil {
		// The router's usage error: the problem, the usage line, help.
		return &router.UsageError{Command: c.Command, Err: err}
	}
	line := t.line(values)
	asker := c.Activity.From.AADObjectID
	if asker == "" {
		asker = c.Activity.From.ID
	}
	if t.needsConfirm(values) {
		if code == "" {
			expiry := p.now().Add(p.ConfirmTTL)
			return c.Textf("This runs %s. To go ahead, send %s within %s.",
				bot.Code(line), bot.Code(line+" --confirm "+p.code(asker, line, expiry)), p.ConfirmTTL)
		}
		if err := p.redeem(c.Context.Context(), asker, line, code); err != nil {
			return err
		}
	}
	data := map[string]string{
		"asker_name": c.Activity.From.Name,
		"asker_id":   asker,
		"team":       c.Activity.Team(),
		"channel":    c.Activity.Channel(),
	}
	for i, a := range t.Args {
		data[a.Name] = values[i]
	}
	ctx, cancel := context.WithTimeout(c.Context.Context(), t.Timeout)
	defer cancel()
	req, err := t.build(ctx, data)
	if err != nil {
		return &bot.Error{Message: "Sorry, " + bot.Code(line) + " could not be sent: its request does not build.", Internal: err}
	}
	start := p.now()
	resp, err := p.client.Do(req)
	took := p.now().Sub(start).Round(time.Millisecond)
	if err != nil {
		c.Logger().Warn().Str("trigger", t.Name).Msg("trigger call failed: " + redact(err))
		if ctx.Err() != nil {
			return bot.UserError(fmt.Sprintf("❌ %s got no answer within %s.", bot.Code(line), t.Timeout))
		}
		return bot.UserError(fmt.Sprintf("❌ %s could not reach its endpoint.", bot.Code(line)))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	c.Logger().Info().Str("trigger", t.Name).Int("status", resp.StatusCode).Dur("took", took).Msg("trigger called")
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return c.Textf("✅ %s: %s (%s)", bot.Code(line), resp.Status, took)
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return c.Textf("❌ %s failed: the endpoint answered %s, a redirect, which is not followed: "+
			"its credentials would go to another address. Point the trigger's URL at the final address.", bot.Code(line), resp.Status)
	}
	msg := fmt.Sprintf("❌ %s failed: %s (%s)", bot.Code(line), resp.Status, took)
	if ex := excerpt(body); ex != "" {
		msg += "\n\n" + bot.CodeBlock("", ex)
	}
	return c.Text(msg)
}

// parse checks the words against the trigger's arguments and returns one
// value per argument, enum values in their configured spelling. Its errors
// name the problem in the router's words.
func (t *Trigger) parse(words []string) ([]string, error) {
	if len(words) > len(t.Args) {
		if len(t.Args) == 0 {
			return nil, fmt.Errorf("unexpected argument %s: this command takes no arguments", bot.Code(words[0]))
		}
		return nil, fmt.Errorf("unexpected argument %s", bot.Code(words[len(t.Args)]))
	}
	values := make([]string, len(t.Args))
	for i, a := range t.Args {
		if i >= len(words) {
			if a.Default == "" {
				return nil, fmt.Errorf("missing argument %s", bot.Code("<"+a.Name+">"))
			}
			values[i] = a.Default
			continue
		}
		v, err := t.check(i, words[i])
		if err != nil {
			return nil, err
		}
		values[i] = v
	}
	return values, nil
}

// check validates value for argument i.
func (t *Trigger) check(i int, value string) (string, error) {
	a := t.Args[i]
	if len(a.Enum) > 0 {
		for _, e := range a.Enum {
			if strings.EqualFold(e, value) {
				return e, nil
			}
		}
		return "", fmt.Errorf("%s must be one of %s, not %s", bot.Code("<"+a.Name+">"), strings.Join(a.Enum, ", "), bot.Code(value))
	}
	re := t.pattern[i]
	if re == nil {
		if len(value) > maxDefaultValue {
			return "", fmt.Errorf("%s is not a valid %s", bot.Code(value), bot.Code("<"+a.Name+">"))
		}
		re = defaultPattern
	}
	if !re.MatchString(value) || !utf8.ValidString(value) {
		return "", fmt.Errorf("%s is not a valid %s", bot.Code(value), bot.Code("<"+a.Name+">"))
	}
	return value, nil
}

// line is the canonical command line: what confirmation codes sign and
// replies quote.
func (t *Trigger) line(values []string) string {
	return strings.Join(append([]string{t.Name}, values...), " ")
}

func (t *Trigger) needsConfirm(values []string) bool {
	if t.Confirm {
		return true
	}
	for i, a := range t.Args {
		for _, v := range t.ConfirmWhen[a.Name] {
			if strings.EqualFold(v, values[i]) {
				return true
			}
		}
	}
	return false
}

// build renders the request for data: URL values percent-encoded, body
// values as JSON strings (for a JSON body), header values checked for line
// breaks.
func (t *Trigger) build(ctx context.Context, data map[string]string) (*http.Request, error) {
	r := t.Request
	escaped := make(map[string]string, len(data))
	for k, v := range data {
		escaped[k] = escapeURL(v)
	}
	var u bytes.Buffer
	if err := t.url.Execute(&u, escaped); err != nil {
		return nil, fmt.Errorf("request.url: %w", err)
	}
	pu, err := url.Parse(u.String())
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return nil, fmt.Errorf("request.url: %q is not an absolute http(s) URL", u.String())
	}
	isJSON := strings.Contains(r.ContentType, "json")
	for k, v := range data {
		if isJSON {
			q, _ := json.Marshal(v)
			escaped[k] = string(q)
		} else {
			escaped[k] = v
		}
	}
	var body bytes.Buffer
	if err := t.body.Execute(&body, escaped); err != nil {
		return nil, fmt.Errorf("request.body: %w", err)
	}
	if isJSON && body.Len() > 0 && !json.Valid(body.Bytes()) {
		return nil, fmt.Errorf("request.body: not valid JSON once filled in: %s (values are filled in as JSON strings, quotes included)", shorten(body.String(), 200))
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, u.String(), bytes.NewReader(body.Bytes()))
	if err != nil {
		return nil, fmt.Errorf("request: %w", err)
	}
	if body.Len() > 0 {
		req.Header.Set("Content-Type", r.ContentType)
	}
	req.Header.Set("User-Agent", "outhook-trigger/1")
	for k, tpl := range t.headers {
		var v bytes.Buffer
		if err := tpl.Execute(&v, data); err != nil {
			return nil, fmt.Errorf("request.headers.%s: %w", k, err)
		}
		if strings.ContainsAny(v.String(), "\r\n\x00") {
			return nil, fmt.Errorf("request.headers.%s: a value holds a line break", k)
		}
		req.Header.Set(k, v.String())
	}
	for k, v := range t.secrets {
		req.Header.Set(k, v)
	}
	return req, nil
}

// escapeURL percent-encodes every byte but the unreserved ones, so a value
// is safe anywhere in a URL: path segment, query key or value, fragment.
func escapeURL(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// excerpt returns the start of a response body, for a failure report.
func excerpt(body []byte) string {
	s := strings.TrimSpace(strings.ToValidUTF8(string(body), "�"))
	return shorten(s, maxExcerpt)
}

func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// redact describes a failed call without its URL, which may carry a
// credential.
func redact(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Op + ": " + ue.Err.Error()
	}
	return err.Error()
}

// Confirmation codes: 2 bytes of the expiry (unix minutes, low bits) and 4
// bytes of HMAC-SHA256 over asker, command line and full expiry, in a
// base32 alphabet without look-alikes: "ABCDE-FGHJK".
var codeEncoding = base32.NewEncoding("ABCDEFGHJKLMNPQRSTUVWXYZ23456789").WithPadding(base32.NoPadding)

func (p *Plugin) mac(asker, line string, expiry int64) []byte {
	m := hmac.New(sha256.New, p.key)
	fmt.Fprintf(m, "outhook-trigger-confirm-v1\x00%s\x00%s\x00%d", asker, line, expiry)
	return m.Sum(nil)[:4]
}

// code returns the confirmation code for asker running line, valid until
// expiry (rounded up to the minute).
func (p *Plugin) code(asker, line string, expiry time.Time) string {
	m := (expiry.Unix() + 59) / 60
	b := append([]byte{byte(m >> 8), byte(m)}, p.mac(asker, line, m)...)
	s := codeEncoding.EncodeToString(b)
	return s[:5] + "-" + s[5:]
}

// errBadCode is the answer to a code that is wrong, expired, used, or
// someone else's: which one is not told.
var errBadCode = bot.UserError("That confirmation code is not valid: it is for another command or person, " +
	"has expired, or was used. Send the command again without --confirm for a new one.")

// redeem checks code for asker running line and marks it used: in the
// host's store when there is one, so that a code works once across
// replicas, else in memory.
func (p *Plugin) redeem(ctx context.Context, asker, line, code string) error {
	norm := strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(code))
	b, err := codeEncoding.DecodeString(norm)
	if err != nil || len(b) != 6 {
		return errBadCode
	}
	now := p.now()
	nowMin := now.Unix() / 60
	low := int64(b[0])<<8 | int64(b[1])
	// The expiry closest after a minute ago with these low bits.
	base := nowMin - 1
	expiry := base + ((low-base)%65536+65536)%65536
	ttlMin := int64(p.ConfirmTTL/time.Minute) + 2
	if expiry-nowMin > ttlMin || now.Unix() > expiry*60 {
		return errBadCode
	}
	if !hmac.Equal(b[2:], p.mac(asker, line, expiry)) {
		return errBadCode
	}
	until := time.Unix(expiry*60, 0)
	if p.store != nil {
		// Kept a minute past the code's expiry, after which the code is
		// refused anyway.
		ok, err := p.store.CompareAndSwap(ctx, "used/"+norm, nil, []byte("1"), until.Sub(now)+time.Minute)
		if err != nil {
			return fmt.Errorf("recording a used confirmation code: %w", err)
		}
		if !ok {
			return errBadCode
		}
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for c, until := range p.used {
		if now.After(until) {
			delete(p.used, c)
		}
	}
	if _, dup := p.used[norm]; dup {
		return errBadCode
	}
	p.used[norm] = until
	return nil
}
