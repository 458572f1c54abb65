package plugins_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/outhook/outhook/plugins"
	"github.com/outhook/outhook/router"
)

// journal records life-cycle calls across plugins, in order.
type journal []string

func (j *journal) add(s string) { *j = append(*j, s) }

var calls journal

// life is a plugin with every optional ability, and knobs to make each
// step fail.
type life struct {
	Greeting string        `json:"greeting"`
	Wait     time.Duration `json:"wait"`
	Tags     []string      `json:"tags"`
	Limits   struct {
		Max int `json:"max"`
	} `json:"limits"`
	FailProvision bool `json:"fail_provision"`
	FailValidate  bool `json:"fail_validate"`

	id          string
	provisioned bool
}

var (
	_ plugins.Plugin         = (*life)(nil)
	_ plugins.Provisioner    = (*life)(nil)
	_ plugins.Validator      = (*life)(nil)
	_ plugins.CleanerUpper   = (*life)(nil)
	_ plugins.RouteRegistrar = (*life)(nil)
)

func (l *life) Commands() []*router.Command {
	return []*router.Command{{Name: "hello-" + l.id, Handler: func(c *router.Context) error { return c.Text(l.Greeting) }}}
}

func (l *life) Provision(_ context.Context, h plugins.Host) error {
	l.id = h.ID
	calls.add("provision " + h.ID + "@" + h.Webhook)
	if l.FailProvision {
		return errors.New("cannot reach the moon")
	}
	l.provisioned = true
	return nil
}

func (l *life) Validate() error {
	calls.add("validate " + l.id)
	if l.FailValidate {
		return errors.New("greeting must not be empty")
	}
	return nil
}

func (l *life) Cleanup() error {
	calls.add("cleanup " + l.id)
	return nil
}

func (l *life) Routes(g *echo.Group) {
	g.GET("/hello", func(c echo.Context) error { return c.String(http.StatusOK, l.Greeting) })
}

// bare has no settings and no abilities.
type bare struct{}

func (bare) Commands() []*router.Command {
	return []*router.Command{{Name: "bare", Handler: func(c *router.Context) error { return c.Text("bare") }}}
}

func init() {
	plugins.Register(plugins.Info{ID: "life-a", New: func() plugins.Plugin { return &life{} }})
	plugins.Register(plugins.Info{ID: "life-b", New: func() plugins.Plugin { return &life{} }, Explicit: true})
	plugins.Register(plugins.Info{ID: "bare", New: func() plugins.Plugin { return bare{} }})
}

func TestConfigure(t *testing.T) {
	tests := []struct {
		name     string
		settings map[string]any
		want     string // error text, or "" for success
		check    func(*life) bool
	}{
		{"empty", nil, "", func(l *life) bool { return l.Greeting == "" }},
		{"typed values as YAML decodes them", map[string]any{
			"greeting": "hi", "wait": "1m30s", "tags": []any{"a", "b"}, "limits": map[string]any{"max": uint64(3)},
		}, "", func(l *life) bool {
			return l.Greeting == "hi" && l.Wait == 90*time.Second && slices.Equal(l.Tags, []string{"a", "b"}) && l.Limits.Max == 3
		}},
		{"unknown setting", map[string]any{"greting": "hi"}, `unknown setting "greting"`, nil},
		{"unknown nested setting", map[string]any{"limits": map[string]any{"maximum": 3}}, `unknown setting "limits.maximum"`, nil},
		{"names match exactly", map[string]any{"Greeting": "hi"}, `unknown setting "Greeting"`, nil},
		{"wrong type", map[string]any{"greeting": 3}, `setting "greeting": want text (got a number)`, nil},
		{"wrong type in list", map[string]any{"tags": []any{"a", true}}, `setting "tags[1]": want text (got true or false)`, nil},
		{"duration without unit", map[string]any{"wait": 5}, `setting "wait"`, nil},
		{"bad duration", map[string]any{"wait": "soon"}, `"soon" is not a duration`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := &life{}
			err := plugins.Configure(l, tt.settings)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("got error %v; want none", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("got error %v; want it to contain %q", err, tt.want)
			case tt.check != nil && !tt.check(l):
				t.Errorf("got %+v; want the settings decoded", l)
			}
		})
	}
}

func TestConfigureNoSettings(t *testing.T) {
	err := plugins.Configure(bare{}, map[string]any{"x": 1})
	if err == nil || !strings.Contains(err.Error(), `takes no settings, but has "x"`) {
		t.Errorf("got %v; want a plugin without settings to refuse them", err)
	}
	if err := plugins.Configure(bare{}, nil); err != nil {
		t.Errorf("got %v; want no settings to be fine", err)
	}
}

func TestLoadLifeCycle(t *testing.T) {
	tests := []struct {
		name     string
		opts     plugins.Options
		wantErr  string
		wantLogs []string
	}{
		{
			name: "both set up in order",
			opts: plugins.Options{IDs: []string{"life-a", "life-b"}, Webhook: "ops", Settings: map[string]map[string]any{
				"life-a": {"greeting": "a"}, "life-b": {"greeting": "b"},
			}},
			wantLogs: []string{"provision life-a@ops", "validate life-a", "provision life-b@ops", "validate life-b"},
		},
		{
			name: "failed provision cleans up the half-done plugin and the ones before",
			opts: plugins.Options{IDs: []string{"life-a", "life-b"}, Settings: map[string]map[string]any{
				"life-b": {"fail_provision": true},
			}},
			wantErr: `plugin "life-b": provision: cannot reach the moon`,
			wantLogs: []string{"provision life-a@default", "validate life-a", "provision life-b@default",
				"cleanup life-b", "cleanup life-a"},
		},
		{
			name:     "failed validation",
			opts:     plugins.Options{IDs: []string{"life-a"}, Settings: map[string]map[string]any{"life-a": {"fail_validate": true}}},
			wantErr:  `plugin "life-a": settings: greeting must not be empty`,
			wantLogs: []string{"provision life-a@default", "validate life-a", "cleanup life-a"},
		},
		{
			name:     "bad settings stop before provisioning",
			opts:     plugins.Options{IDs: []string{"life-a"}, Settings: map[string]map[string]any{"life-a": {"nope": 1}}},
			wantErr:  `plugin "life-a": unknown setting "nope"`,
			wantLogs: []string{"cleanup "}, // Cleanup runs on the unprovisioned plugin too
		},
		{
			name:    "settings for a plugin not enabled",
			opts:    plugins.Options{IDs: []string{"bare"}, Settings: map[string]map[string]any{"life-a": {"greeting": "x"}}},
			wantErr: "settings for plugins that are not enabled: life-a (enabled: bare)",
		},
		{name: "unknown plugin", opts: plugins.Options{IDs: []string{"nope"}}, wantErr: `unknown plugin "nope"`},
		{name: "enabled twice", opts: plugins.Options{IDs: []string{"bare", "bare"}}, wantErr: `plugin "bare" is enabled twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls = nil
			s, err := plugins.Load(context.Background(), tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v; want %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatalf("got error %v; want none", err)
			}
			if !slices.Equal(calls, tt.wantLogs) {
				t.Errorf("got calls %q; want %q", calls, tt.wantLogs)
			}
			if err := s.Cleanup(); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestSetInstallRoutesCleanup(t *testing.T) {
	calls = nil
	s, err := plugins.Load(context.Background(), plugins.Options{
		IDs:      []string{"life-a", "bare"},
		Settings: map[string]map[string]any{"life-a": {"greeting": "hello from a"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.IDs(); !slices.Equal(got, []string{"life-a", "bare"}) {
		t.Errorf("got IDs %v; want [life-a bare]", got)
	}
	r := router.New()
	s.Install(r)
	if c := r.Lookup("hello-life-a"); c == nil || c.Plugin != "life-a" {
		t.Errorf("got command %+v; want hello-life-a owned by life-a", c)
	}

	e := echo.New()
	s.Routes(e.Group("/teams/ops"))
	srv := httptest.NewServer(e)
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/teams/ops/life-a/hello")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "hello from a" {
		t.Errorf("got %d %q; want 200 %q", resp.StatusCode, body, "hello from a")
	}

	calls = nil
	if err := s.Cleanup(); err != nil {
		t.Fatal(err)
	}
	if err := s.Cleanup(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(calls, []string{"cleanup life-a"}) {
		t.Errorf("got %q; want one cleanup", calls)
	}
}

func TestDefaultIDsLeaveOutExplicit(t *testing.T) {
	ids := plugins.DefaultIDs()
	if slices.Contains(ids, "life-b") || !slices.Contains(ids, "life-a") {
		t.Errorf("got %v; want life-a and not the explicit life-b", ids)
	}
	if !slices.Contains(plugins.IDs(), "life-b") {
		t.Errorf("IDs() = %v; want every plugin", plugins.IDs())
	}
}

func TestHostSecret(t *testing.T) {
	h := plugins.Host{LookupEnv: func(k string) (string, bool) {
		v, ok := map[string]string{"SET": " s3cret \n", "EMPTY": ""}[k]
		return v, ok
	}}
	if v, err := h.Secret("secret_env", "SET"); err != nil || v != "s3cret" {
		t.Errorf("got %q, %v; want s3cret", v, err)
	}
	for _, name := range []string{"EMPTY", "UNSET", ""} {
		_, err := h.Secret("secret_env", name)
		if err == nil || !strings.HasPrefix(err.Error(), "secret_env: ") {
			t.Errorf("%q: got %v; want an error naming the setting", name, err)
		}
	}
}

func TestRegisterPanics(t *testing.T) {
	for _, info := range []plugins.Info{
		{ID: "", New: func() plugins.Plugin { return bare{} }},
		{ID: "x"},
		{ID: "Bad ID", New: func() plugins.Plugin { return bare{} }},
		{ID: "bare", New: func() plugins.Plugin { return bare{} }},
	} {
		func() {
			defer func() {
				if p := recover(); p == nil || !strings.HasPrefix(p.(string), "plugins: ") {
					t.Errorf("Register(%q): got panic %v; want one prefixed plugins:", info.ID, p)
				}
			}()
			plugins.Register(info)
		}()
	}
}
