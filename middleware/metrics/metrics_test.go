package metrics_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/middleware/metrics"
)

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := metrics.New(reg); err == nil {
		t.Error("got nil error registering twice; want one")
	}

	e := echo.New()
	e.POST("/a", func(c echo.Context) error { return c.String(http.StatusOK, "ok") }, m.Middleware("a"))
	e.POST("/b", func(c echo.Context) error { return echo.NewHTTPError(http.StatusTeapot) }, m.Middleware("b"))
	for _, path := range []string{"/a", "/a", "/b"} {
		e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, path, nil))
	}
	obs := m.Observer("a")
	obs.Answered(bot.Answer{Command: "ping", Outcome: bot.OutcomeOK})
	obs.Answered(bot.Answer{Command: "deploy", Outcome: bot.OutcomeTimeout})
	obs.Answered(bot.Answer{Outcome: bot.OutcomeOK})
	obs.Rejected(bot.Rejection{Status: 401, Reason: bot.RejectSignature})
	obs.Rejected(bot.Rejection{Status: 413, Reason: bot.RejectTooLarge})
	poster := m.Poster("a", bot.PosterFunc(func(_ context.Context, f *bot.FollowUp) error {
		if f.Line == "fail" {
			return errors.New("webhook answered 500")
		}
		return nil
	}))
	for _, line := range []string{"ok", "ok", "fail"} {
		_ = poster.Post(context.Background(), &bot.FollowUp{Line: line})
	}
	m.Denied("a", "rule")
	m.Denied("a", "rule")
	m.BudgetMissed("b")

	want := `
# HELP outhook_budget_misses_total Commands that overran their reply budget and were answered with a timeout notice, by webhook.
# TYPE outhook_budget_misses_total counter
outhook_budget_misses_total{webhook="a"} 1
outhook_budget_misses_total{webhook="b"} 1
# HELP outhook_commands_total Activities answered, by webhook, command and outcome (ok, user_error, error, timeout).
# TYPE outhook_commands_total counter
outhook_commands_total{command="deploy",outcome="timeout",webhook="a"} 1
outhook_commands_total{command="none",outcome="ok",webhook="a"} 1
outhook_commands_total{command="ping",outcome="ok",webhook="a"} 1
# HELP outhook_denials_total Commands refused by access rules, tenant checks, replay protection or rate limits, by webhook and reason.
# TYPE outhook_denials_total counter
outhook_denials_total{reason="rule",webhook="a"} 2
# HELP outhook_followups_total Follow-up messages posted after the synchronous reply, by webhook and outcome.
# TYPE outhook_followups_total counter
outhook_followups_total{outcome="failed",webhook="a"} 1
outhook_followups_total{outcome="sent",webhook="a"} 2
# HELP outhook_http_requests_total Webhook requests answered, by webhook and HTTP status code.
# TYPE outhook_http_requests_total counter
outhook_http_requests_total{code="200",webhook="a"} 2
outhook_http_requests_total{code="418",webhook="b"} 1
# HELP outhook_rejections_total Posts refused before any command ran, by webhook and reason (signature, too_large, malformed).
# TYPE outhook_rejections_total counter
outhook_rejections_total{reason="signature",webhook="a"} 1
outhook_rejections_total{reason="too_large",webhook="a"} 1
# HELP outhook_signature_failures_total Posts whose HMAC signature was missing or did not verify, by webhook.
# TYPE outhook_signature_failures_total counter
outhook_signature_failures_total{webhook="a"} 1
`
	names := []string{"outhook_budget_misses_total", "outhook_commands_total", "outhook_denials_total",
		"outhook_followups_total", "outhook_http_requests_total", "outhook_rejections_total",
		"outhook_signature_failures_total"}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
	if got := testutil.CollectAndCount(reg, "outhook_http_request_duration_seconds"); got != 2 {
		t.Errorf("got %d latency series; want 2", got)
	}

	rec := httptest.NewRecorder()
	metrics.Handler(reg).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for _, s := range []string{`outhook_http_request_duration_seconds_bucket{webhook="a",le="4.5"} 2`, `le="7.5"`} {
		if !strings.Contains(rec.Body.String(), s) {
			t.Errorf("got /metrics without %q", s)
		}
	}
}
