package cmd

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/outhook/outhook"
	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/config"
	"github.com/outhook/outhook/subscription"
)

// subscriptionsConfig is a webhook "ops" with the subscriptions plugin and
// a weather feed, whose default channel posts to a URL of its own (a
// secret), keeping its data in dir.
func subscriptionsConfig(dir, weather string) string {
	return `
store:
  kind: file
  dir: ` + dir + `
webhooks:
  - name: ops
    path: /teams/ops
    secret_env: TEST_SUBS_TOKEN
    followup:
      url_env: TEST_SUBS_FOLLOWUP
    plugins: [help, subscriptions]
    plugin_config:
      subscriptions:
        feeds:
          - name: weather
            url: "` + weather + `/forecast?city={{.city}}"
            template: "It is {{.Data.tomorrow.sky}} in {{.Data.city}}."
            options: [{name: city, required: true}]
        channels:
          - {channel: "` + bottest.DefaultChannel + `", url_env: TEST_SUBS_CHANNEL_URL}
`
}

// secretPath is in the channel's own URL: no listing may show it.
const secretPath = "chan-secret-7f3a"

// subscribeThroughServer serves the configuration as serve does (file
// store in dir), subscribes the default channel twice through signed
// messages, stops the server (releasing the data file) and returns the
// configuration file and the subscription ids.
func subscribeThroughServer(t *testing.T, dir string) (cfgFile string, ids []string) {
	t.Helper()
	cfgFile = filepath.Join(t.TempDir(), "outhook.yaml")
	if err := os.WriteFile(cfgFile, []byte(subscriptionsConfig(dir, "http://127.0.0.1:9")), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := config.Load(cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	token := bot.NewToken()
	env := map[string]string{
		"TEST_SUBS_TOKEN":       token,
		"TEST_SUBS_FOLLOWUP":    "http://127.0.0.1:9/followup",
		"TEST_SUBS_CHANNEL_URL": "http://127.0.0.1:9/" + secretPath,
	}
	app, err := outhook.New(f.Config, outhook.Options{
		Registerer: prometheus.NewRegistry(),
		LookupEnv:  func(k string) (string, bool) { v, ok := env[k]; return v, ok },
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Echo())
	idRE := regexp.MustCompile("as `([a-z0-9]{8})`")
	for _, text := range []string{
		"subscribe weather --opt city=Oslo --at 07:00 --on weekdays --tz Europe/Oslo",
		"subscribe weather --opt city=Lima --every 15m --missed once",
	} {
		got := say(t, srv.URL+"/teams/ops", token, bottest.Message{Text: text})
		m := idRE.FindStringSubmatch(got)
		if m == nil {
			t.Fatalf("%s: got %q; want a subscription id", text, got)
		}
		ids = append(ids, m[1])
	}
	srv.Close()
	if err := app.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	return cfgFile, ids
}

func TestSubscriptionsListExportImport(t *testing.T) {
	dir := t.TempDir()
	cfgFile, ids := subscribeThroughServer(t, dir)

	// The table, by --data-dir and by --config (whose store.dir counts
	// unless $OUTHOOK_DATA_DIR, set by TestMain, overrides it, as for serve).
	t.Setenv("OUTHOOK_DATA_DIR", "")
	os.Unsetenv("OUTHOOK_DATA_DIR")
	for _, args := range [][]string{
		{"subscriptions", "list", "--data-dir", dir, "--webhook", "ops"},
		{"subscriptions", "list", "--config", cfgFile, "--webhook", "ops"},
	} {
		code, out, errOut := run(t, "", args...)
		if code != 0 {
			t.Fatalf("%v: code %d, stderr %q", args, code, errOut)
		}
		for _, want := range append([]string{"ID", "FEED", "weather", "weekdays at 07:00 (Europe/Oslo)", bottest.DefaultChannel}, ids...) {
			if !strings.Contains(out, want) {
				t.Errorf("%v: no %q in\n%s", args, want, out)
			}
		}
		if strings.Contains(out, secretPath) {
			t.Errorf("%v shows the channel's URL:\n%s", args, out)
		}
	}

	code, out, errOut := run(t, "", "subscriptions", "list", "--data-dir", dir, "--webhook", "ops", "--json")
	if code != 0 {
		t.Fatalf("list --json: code %d, stderr %q", code, errOut)
	}
	var listed []subscription.Subscription
	if err := json.Unmarshal([]byte(out), &listed); err != nil {
		t.Fatalf("list --json: %v in %s", err, out)
	}
	if len(listed) != 2 || strings.Contains(out, secretPath) {
		t.Errorf("list --json: got %d subscriptions (want 2), secret shown: %v", len(listed), strings.Contains(out, secretPath))
	}
	for _, s := range listed {
		if s.Feed != "weather" || s.Channel != bottest.DefaultChannel || s.NextRun.IsZero() {
			t.Errorf("list --json: got %+v; want the weather feed in the default channel with a next run", s)
		}
	}

	// Another webhook has none; a webhook the configuration lacks is an error.
	if code, out, _ := run(t, "", "subscriptions", "list", "--data-dir", dir, "--webhook", "dev"); code != 0 || strings.TrimSpace(out) != "no subscriptions" {
		t.Errorf("list --webhook dev: code %d, out %q; want no subscriptions", code, out)
	}
	if code, _, errOut := run(t, "", "subscriptions", "list", "--config", cfgFile, "--webhook", "nosuch"); code != 1 || !strings.Contains(errOut, `no webhook "nosuch"`) {
		t.Errorf("list --webhook nosuch: code %d, stderr %q", code, errOut)
	}

	// export leaves the secret out unless asked for it.
	code, plain, errOut := run(t, "", "subscriptions", "export", "--data-dir", dir, "--webhook", "ops")
	if code != 0 || strings.Contains(plain, secretPath) || !strings.Contains(plain, ids[0]) {
		t.Fatalf("export: code %d, stderr %q, secret shown %v", code, errOut, strings.Contains(plain, secretPath))
	}
	code, full, errOut := run(t, "", "subscriptions", "export", "--data-dir", dir, "--webhook", "ops", "--secrets")
	if code != 0 || !strings.Contains(full, secretPath) {
		t.Fatalf("export --secrets: code %d, stderr %q; want the channel's URL in it", code, errOut)
	}

	// import into another data directory: from a file, and from stdin.
	other := t.TempDir()
	file := filepath.Join(t.TempDir(), "subs.json")
	if err := os.WriteFile(file, []byte(full), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = run(t, "", "subscriptions", "import", "--data-dir", other, "--webhook", "ops", file)
	if code != 0 || strings.TrimSpace(out) != "imported 2 subscription(s)" {
		t.Fatalf("import: code %d, out %q, stderr %q", code, out, errOut)
	}
	_, again, _ := run(t, "", "subscriptions", "export", "--data-dir", other, "--webhook", "ops", "--secrets")
	if again != full {
		t.Errorf("round trip: export after import differs:\n%s\nwant\n%s", again, full)
	}
	third := t.TempDir()
	if code, out, errOut := run(t, plain, "subscriptions", "import", "--data-dir", third, "--webhook", "ops", "-"); code != 0 || !strings.Contains(out, "imported 2") {
		t.Errorf("import -: code %d, out %q, stderr %q", code, out, errOut)
	}
	if _, out, _ := run(t, "", "subscriptions", "export", "--data-dir", third, "--webhook", "ops", "--secrets"); strings.Contains(out, secretPath) {
		t.Error("importing an export without secrets gave the channel's URL back")
	}
	if code, _, errOut := run(t, "[{\"id\": \"x\"}]", "subscriptions", "import", "--data-dir", third, "--webhook", "ops", "-"); code != 1 || errOut == "" {
		t.Errorf("import of a bad subscription: code %d, stderr %q; want an error", code, errOut)
	}
}

// TestSubscriptionsWhileServing: while another process (here: a store
// opened as serve opens it) holds the data file, the CLI fails within
// seconds and says why, instead of hanging.
func TestSubscriptionsWhileServing(t *testing.T) {
	dir := t.TempDir()
	st, closer, err := outhook.OpenStore(config.Store{Kind: config.StoreFile, Dir: dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	if st == nil {
		t.Fatal("OpenStore: no store")
	}
	for _, args := range [][]string{
		{"subscriptions", "list", "--data-dir", dir},
		{"subscriptions", "export", "--data-dir", dir},
		{"subscriptions", "import", "--data-dir", dir, "-"},
	} {
		start := time.Now()
		code, out, errOut := run(t, "[]", args...)
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("%v took %v; want an answer within seconds", args, took)
		}
		if code != 1 || out != "" || !strings.Contains(errOut, "in use") || !strings.Contains(errOut, "stop outhook first") {
			t.Errorf("%v: code %d, out %q, stderr %q; want a clear error", args, code, out, errOut)
		}
	}
}
