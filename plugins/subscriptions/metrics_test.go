package subscriptions_test

import (
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/outhook/outhook"
	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/config"
	"github.com/outhook/outhook/plugins/subscriptions"
	"github.com/outhook/outhook/subscription"
)

// TestMetricsOfAServedApp: the scheduler's counters reach the App's
// registry, labelled with the webhook (two webhooks with the plugin count
// apart), and /metrics serves them after a run posted through the
// webhook's follow-up URL.
func TestMetricsOfAServedApp(t *testing.T) {
	hook := newWebhook(t)
	weather, _ := services(t)
	clock := subscription.NewFake(time.Date(2026, 11, 27, 6, 50, 0, 0, berlin))
	t.Cleanup(subscriptions.SetClock(clock))
	f, err := config.Parse("outhook.yaml", []byte(`
store:
  kind: memory
metrics:
  path: /metrics
webhooks:
  - name: ops
    path: /webhook
    secret_env: OPS_TOKEN
    followup:
      url_env: OPS_FOLLOWUP_URL
    plugins: [subscriptions]
    plugin_config:
      subscriptions:
        interval: 1m
        feeds:
          - name: weather
            url: "`+weather+`/forecast?city={{.city}}"
            template: "It is {{.Data.tomorrow.sky}} in {{.Data.city}}."
            options: [{name: city, required: true}]
  - name: dev
    path: /dev
    secret_env: DEV_TOKEN
    plugins: [subscriptions]
    plugin_config:
      subscriptions: {interval: 1m}
`))
	if err != nil {
		t.Fatal(err)
	}
	token := bot.NewToken()
	env := map[string]string{"OPS_TOKEN": token, "OPS_FOLLOWUP_URL": hook.URL, "DEV_TOKEN": bot.NewToken()}
	reg := prometheus.NewRegistry()
	app, err := outhook.New(f.Config, outhook.Options{
		Registerer: reg,
		LookupEnv:  func(k string) (string, bool) { v, ok := env[k]; return v, ok },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Shutdown(context.Background()) })
	srv := httptest.NewServer(app.Echo())
	t.Cleanup(srv.Close)

	r, err := bottest.Post(srv.Client(), srv.URL+"/webhook", token, bottest.Message{Text: "subscribe weather --opt city=Oslo --every 5m"}.JSON())
	if err != nil || !strings.Contains(r.Text, "Subscribed") {
		t.Fatalf("subscribe: got %q, %v", r.Text, err)
	}
	for range 5 { // 06:51 … 06:55: one run, at 06:55
		// Both webhooks' schedulers sleep on the clock.
		waitFor(t, func() bool { return clock.Waiters() == 2 })
		clock.Advance(time.Minute)
		waitFor(t, func() bool { return clock.Waiters() == 2 })
	}
	if posts := hook.Posts(); len(posts) != 1 || !strings.Contains(posts[0], "It is sunny in Oslo.") {
		t.Fatalf("posts: got %v; want one forecast", posts)
	}

	resp, err := srv.Client().Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, want := range []string{
		`outhook_subscription_runs_total{result="posted",webhook="ops"} 1`,
		`outhook_subscription_deliveries_total{webhook="ops"} 1`,
		`outhook_subscription_deliveries_total{webhook="dev"} 0`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("/metrics: no %q in\n%s", want, grepLines(string(b), "outhook_subscription"))
		}
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
