package trigger_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/plugins"
	_ "github.com/outhook/outhook/plugins/help"
	_ "github.com/outhook/outhook/plugins/trigger"
	"github.com/outhook/outhook/router"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// call is a request the fake CI received.
type call struct {
	method, path, query, auth, body string
}

// ci is a fake CI endpoint on 127.0.0.1: it records calls and answers as
// the path asks: /slow waits, /fail answers 500.
type ci struct {
	*httptest.Server
	mu    sync.Mutex
	calls []call
}

func newCI(t *testing.T) *ci {
	c := &ci{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.calls = append(c.calls, call{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Get("Authorization"), string(body)})
		c.mu.Unlock()
		switch {
		case strings.HasSuffix(r.URL.Path, "/slow"):
			select {
			case <-time.After(300 * time.Millisecond):
			case <-r.Context().Done():
				return
			}
		case strings.HasSuffix(r.URL.Path, "/fail"):
			http.Error(w, "pipeline deploy-web is locked by Grace", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	t.Cleanup(c.Close)
	return c
}

func (c *ci) taken() []call {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.calls
	c.calls = nil
	return out
}

func settings(ciURL string) map[string]any {
	return map[string]any{
		"secret_env": "TRIGGER_SECRET",
		"triggers": []any{
			map[string]any{
				"name":    "deploy",
				"summary": "Deploy a service",
				"args": []any{
					map[string]any{"name": "service", "enum": []any{"web", "api"}},
					map[string]any{"name": "env", "enum": []any{"staging", "prod"}, "default": "staging"},
				},
				"confirm_when": map[string]any{"env": []any{"prod"}},
				"request": map[string]any{
					"url":        ciURL + "/api/jobs/deploy-{{.service}}/run",
					"header_env": map[string]any{"Authorization": "CI_AUTH"},
					"body":       `{"env": {{.env}}, "by": {{.asker_name}}}`,
				},
			},
			map[string]any{
				"name": "note",
				"args": []any{map[string]any{"name": "text", "pattern": ".{1,200}"}},
				"request": map[string]any{
					"url":  ciURL + "/notes?text={{.text}}&by={{.asker_id}}",
					"body": `{"text": {{.text}}}`,
				},
			},
			map[string]any{"name": "build", "request": map[string]any{"url": ciURL + "/build/slow"}},
			map[string]any{"name": "release", "confirm": true, "request": map[string]any{"url": ciURL + "/release/fail"}},
		},
	}
}

var env = map[string]string{"TRIGGER_SECRET": "c2VjcmV0LWtleS1mb3ItY29kZXM=", "CI_AUTH": "Bearer ci-token-123"}

func lookup(k string) (string, bool) { v, ok := env[k]; return v, ok }

// serve loads the trigger plugin as outhook serve does and serves it.
func serve(t *testing.T, s map[string]any, cfg bot.Config) *bottest.Server {
	t.Helper()
	set, err := plugins.Load(context.Background(), plugins.Options{
		IDs: []string{"trigger", "help"}, Settings: map[string]map[string]any{"trigger": s}, LookupEnv: lookup,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = set.Cleanup() })
	r := router.New()
	set.Install(r)
	cfg.Handler = r
	srv := bottest.NewServer(cfg)
	t.Cleanup(srv.Close)
	return srv
}

var ada = bot.Account{ID: "29:ada", Name: "Ada Lovelace", AADObjectID: "aad-ada"}
var grace = bot.Account{ID: "29:grace", Name: "Grace \"Amazing\" Hopper", AADObjectID: "aad-grace"}

func TestTrigger(t *testing.T) {
	c := newCI(t)
	s := serve(t, settings(c.URL), bot.Config{Budget: time.Second})

	tests := []struct {
		name  string
		from  bot.Account
		text  string
		want  string // regexp on the reply text, or its card rendered
		calls []call
	}{
		{"runs with the default", ada, "deploy web", "^✅ `deploy web staging`: 201 Created \\(",
			[]call{{"POST", "/api/jobs/deploy-web/run", "", "Bearer ci-token-123", `{"env": "staging", "by": "Ada Lovelace"}`}}},
		{"enum in any case, JSON-escaped asker", grace, "DEPLOY API Staging", "^✅ `deploy api staging`",
			[]call{{"POST", "/api/jobs/deploy-api/run", "", "Bearer ci-token-123", `{"env": "staging", "by": "Grace \"Amazing\" Hopper"}`}}},
		{"values escaped for URL and JSON", ada, `note "50% done & <b>ok</b>?"`, "^✅ `note 50% done & <b>ok</b>\\?`",
			[]call{{"POST", "/notes", "text=50%25%20done%20%26%20%3Cb%3Eok%3C%2Fb%3E%3F&by=aad-ada", "", `{"text": "50% done \u0026 \u003cb\u003eok\u003c/b\u003e?"}`}}},
		{"unknown enum value", ada, "deploy db", "^`<service>` must be one of web, api, not `db`.\n\nUsage: `deploy <service> \\[<env>\\]`\n\nSend `help deploy` for details.$", nil},
		{"missing argument", ada, "deploy", "^Missing argument `<service>`.\n\nUsage: `deploy <service> \\[<env>\\]`", nil},
		{"too many", ada, "deploy web prod now", "^Unexpected argument `now`.\n\nUsage: ", nil},
		{"forged code", ada, "release --confirm XXXXX-XXXXX", "^That confirmation code is not valid", nil},
		{"help lists triggers", ada, "help", "(?m)^\\[Adaptive Card\\]\n(.*\n)*deploy: +Deploy a service", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := s.Send(bottest.Message{Text: tt.text, From: tt.from})
			if err != nil {
				t.Fatal(err)
			}
			reply := r.Text
			if len(r.Attachments) > 0 {
				reply = r.String() // the card, rendered
			}
			if !regexp.MustCompile(tt.want).MatchString(reply) {
				t.Errorf("got %q; want match %q", reply, tt.want)
			}
			got := c.taken()
			if len(got) != len(tt.calls) {
				t.Fatalf("got calls %+v; want %+v", got, tt.calls)
			}
			for i := range got {
				if got[i] != tt.calls[i] {
					t.Errorf("got call %+v; want %+v", got[i], tt.calls[i])
				}
			}
		})
	}
}

var codeRE = regexp.MustCompile("--confirm ([A-Z2-9]{5}-[A-Z2-9]{5})`")

func TestTriggerConfirmation(t *testing.T) {
	c := newCI(t)
	s := serve(t, settings(c.URL), bot.Config{Budget: time.Second})

	ask, err := s.Send(bottest.Message{Text: "deploy web prod", From: ada})
	if err != nil {
		t.Fatal(err)
	}
	m := codeRE.FindStringSubmatch(ask.Text)
	if m == nil || !strings.HasPrefix(ask.Text, "This runs `deploy web prod`. To go ahead, send `deploy web prod --confirm ") {
		t.Fatalf("got %q; want a confirmation request with a code", ask.Text)
	}
	if calls := c.taken(); len(calls) != 0 {
		t.Fatalf("got calls %+v before confirmation; want none", calls)
	}
	code := m[1]
	steps := []struct {
		from bot.Account
		text string
		want string
		runs bool
	}{
		{grace, "deploy web prod --confirm " + code, "That confirmation code is not valid", false},
		{ada, "deploy api prod --confirm " + code, "That confirmation code is not valid", false},
		{ada, "deploy web prod --confirm=" + strings.ToLower(code), "✅ `deploy web prod`: 201 Created", true},
		{ada, "deploy web prod --confirm " + code, "That confirmation code is not valid", false},
		{ada, "deploy web prod --confirm", "Flag `--confirm` needs a value (CODE).\n\nUsage: `deploy <service> [<env>]`", false},
		// Issue 10 #2: an empty code is a usage error, never a new code.
		{ada, "deploy web prod --confirm=", "Flag `--confirm` needs the code I sent you.\n\nUsage: `deploy <service> [<env>]`", false},
		{ada, "deploy web prod --CONFIRM= ", "Flag `--confirm` needs the code I sent you.", false},
	}
	for _, st := range steps {
		r, err := s.Send(bottest.Message{Text: st.text, From: st.from})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(r.Text, st.want) {
			t.Errorf("%s as %s: got %q; want %q", st.text, st.from.Name, r.Text, st.want)
		}
		if n := len(c.taken()); (n == 1) != st.runs {
			t.Errorf("%s as %s: got %d calls; want runs=%v", st.text, st.from.Name, n, st.runs)
		}
	}

	// A failing endpoint is reported with the start of its answer.
	ask, err = s.Send(bottest.Message{Text: "release", From: ada})
	if err != nil {
		t.Fatal(err)
	}
	m = codeRE.FindStringSubmatch(ask.Text)
	if m == nil {
		t.Fatalf("got %q; want a confirmation request", ask.Text)
	}
	r, err := s.Send(bottest.Message{Text: "release --confirm " + m[1], From: ada})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.Text, "❌ `release` failed: 500 Internal Server Error (") || !strings.Contains(r.Text, "pipeline deploy-web is locked by Grace") {
		t.Errorf("got %q; want the failure with an excerpt", r.Text)
	}
}

func TestTriggerSlowEndpoint(t *testing.T) {
	c := newCI(t)
	t.Run("follow-up", func(t *testing.T) {
		out := bottest.NewFollowUps()
		s := serve(t, settings(c.URL), bot.Config{Budget: 100 * time.Millisecond, FollowUps: out})
		r, err := s.Say("build")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(r.Text, "I'll post the result as a new message") {
			t.Errorf("got %q; want the note that the result comes later", r.Text)
		}
		f, err := out.Next(2 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(f.Reply.Text, "✅ `build`: 201 Created") || f.Line != "build" || f.Asker.Name != "Ada Lovelace" {
			t.Errorf("got follow-up %+v; want the result for Ada's build", f)
		}
	})
	t.Run("no follow-ups", func(t *testing.T) {
		s := serve(t, settings(c.URL), bot.Config{Budget: 100 * time.Millisecond})
		r, err := s.Say("build")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(r.Text, "Sorry, `build` took longer than Teams allows and was stopped.") {
			t.Errorf("got %q; want the timeout note", r.Text)
		}
	})
	c.taken()
}

func TestTriggerSettings(t *testing.T) {
	trig := func(kv ...any) map[string]any {
		m := map[string]any{"name": "go", "request": map[string]any{"url": "http://127.0.0.1/x"}}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name string
		s    map[string]any
		want string
	}{
		{"no triggers", map[string]any{"confirm_ttl": "1m"}, "triggers: list at least one trigger"},
		{"secret env unset", map[string]any{"secret_env": "NOPE", "triggers": []any{trig()}}, "secret_env: environment variable NOPE is not set"},
		{"header env unset", map[string]any{"triggers": []any{trig("request", map[string]any{"url": "http://x.example", "header_env": map[string]any{"X-Token": "NOPE"}})}}, "triggers[0]: request.header_env.X-Token: environment variable NOPE is not set"},
		{"bad template", map[string]any{"triggers": []any{trig("request", map[string]any{"url": "http://x/{{.a"})}}, "triggers[0]: request.url: template"},
		{"unknown argument in template", map[string]any{"triggers": []any{trig("request", map[string]any{"url": "http://x.example/{{.nope}}"})}}, `triggers[0].request.url: template: url:1:19: executing "url" at <.nope>: map has no entry for key "nope"`},
		{"body not JSON", map[string]any{"triggers": []any{trig("args", []any{map[string]any{"name": "v"}}, "request", map[string]any{"url": "http://x.example", "body": `{"v": "{{.v}}"}`})}}, "request.body: not valid JSON once filled in"},
		{"relative URL", map[string]any{"triggers": []any{trig("request", map[string]any{"url": "/run"})}}, `request.url: "/run" is not an absolute http(s) URL`},
		{"confirm_when names no argument", map[string]any{"triggers": []any{trig("confirm_when", map[string]any{"env": []any{"prod"}})}}, `triggers[0].confirm_when: "env" is not an argument`},
		{"reserved argument name", map[string]any{"triggers": []any{trig("args", []any{map[string]any{"name": "team"}})}}, `triggers[0].args[0].name: "team"`},
		{"required after default", map[string]any{"triggers": []any{trig("args", []any{map[string]any{"name": "a", "default": "x"}, map[string]any{"name": "b"}})}}, "args[1]: a required argument cannot follow one with a default"},
		{"bad pattern", map[string]any{"triggers": []any{trig("args", []any{map[string]any{"name": "a", "pattern": "("}})}}, "triggers[0]: args[0].pattern: error parsing regexp"},
		{"name taken", map[string]any{"triggers": []any{trig(), trig("name", "GO")}}, `triggers[1].name: "GO" is taken`},
		{"confirm is reserved", map[string]any{"triggers": []any{trig("name", "confirm")}}, `triggers[0].name: "confirm" is taken`},
		{"typo", map[string]any{"triggers": []any{trig("confirm_if", true)}}, `unknown setting "triggers[0].confirm_if"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := plugins.Load(context.Background(), plugins.Options{
				IDs: []string{"trigger"}, Settings: map[string]map[string]any{"trigger": tt.s}, LookupEnv: lookup,
			})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v; want an error containing %q", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "ci-token-123") {
				t.Errorf("got %v; the error shows a secret", err)
			}
		})
	}
}

// TestArgNameLength: an argument's name may be 32 characters long, not 33.
func TestArgNameLength(t *testing.T) {
	for _, n := range []int{1, 32, 33} {
		name := strings.Repeat("a", n)
		_, err := plugins.Load(context.Background(), plugins.Options{
			IDs: []string{"trigger"}, LookupEnv: lookup,
			Settings: map[string]map[string]any{"trigger": {"triggers": []any{map[string]any{
				"name": "go", "args": []any{map[string]any{"name": name}},
				"request": map[string]any{"url": "http://127.0.0.1/{{." + name + "}}"},
			}}}},
		})
		if want := n <= 32; (err == nil) != want {
			t.Errorf("name of %d characters: got %v; want ok %v", n, err, want)
		}
	}
}

// TestTriggerRedirects: a redirect from the CI endpoint is reported as a
// failure and never followed, so the header_env credentials, the body and
// a Referer never reach the other address (issue 10 #3).
func TestTriggerRedirects(t *testing.T) {
	var mu sync.Mutex
	var elsewhere []http.Header
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		elsewhere = append(elsewhere, r.Header.Clone())
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(other.Close)
	for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			ci := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other.URL+"/steal", status)
			}))
			t.Cleanup(ci.Close)
			s := serve(t, settings(ci.URL), bot.Config{Budget: time.Second})
			r, err := s.Send(bottest.Message{Text: "deploy web", From: ada})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(r.Text, "❌ `deploy web staging` failed: the endpoint answered") || !strings.Contains(r.Text, "redirect") {
				t.Errorf("got %q; want a failure naming the redirect", r.Text)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(elsewhere) != 0 {
				t.Errorf("got %d requests at the redirect target (first headers %v); want none", len(elsewhere), elsewhere[0])
			}
		})
	}
}
