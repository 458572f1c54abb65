// Package metrics exports outhook's Prometheus metrics: requests by
// status, commands by name and outcome, a latency histogram with buckets
// around the five seconds Teams waits, budget misses, follow-ups,
// signature failures and denials, each labelled with the webhook's name.
//
// A Metrics value registers its collectors once; each webhook then gets a
// request middleware (Middleware) and a bot.Observer (Observer) carrying
// its name. Other parts of outhook report follow-ups and denials through
// FollowUp and Denied. Package bot does not import Prometheus: it only
// talks to the bot.Observer interface.
//
//	reg := prometheus.NewRegistry()
//	m, err := metrics.New(reg)
//	b, err := bot.New(bot.Config{..., Observer: m.Observer("ops")})
//	e.POST("/teams/ops", b.ServeEcho, m.Middleware("ops"))
//	e.GET("/metrics", echo.WrapHandler(metrics.Handler(reg)))
package metrics

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/outhook/outhook/bot"
)

// Namespace prefixes every metric name.
const Namespace = "outhook"

// Buckets are the latency histogram's upper bounds, in seconds: dense
// around the reply budget (4 s by default) and Teams' 5 s limit, so that
// a dashboard shows how close answers come to being lost.
var Buckets = []float64{.05, .1, .25, .5, 1, 2, 3, 4, 4.5, 5, 7.5, 10}

// Metrics holds outhook's collectors. Create it with New; it is safe for
// concurrent use.
type Metrics struct {
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	commands   *prometheus.CounterVec
	misses     *prometheus.CounterVec
	rejections *prometheus.CounterVec
	signature  *prometheus.CounterVec
	followUps  *prometheus.CounterVec
	denials    *prometheus.CounterVec
}

// New creates the collectors and registers them with reg. It fails if
// they are already registered there.
func New(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "http_requests_total",
			Help: "Webhook requests answered, by webhook and HTTP status code.",
		}, []string{"webhook", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Name: "http_request_duration_seconds",
			Help:    "Time from a webhook request's arrival to its answer, by webhook.",
			Buckets: Buckets,
		}, []string{"webhook"}),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "commands_total",
			Help: "Activities answered, by webhook, command and outcome (ok, user_error, error, timeout).",
		}, []string{"webhook", "command", "outcome"}),
		misses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "budget_misses_total",
			Help: "Commands that overran their reply budget and were answered with a timeout notice, by webhook.",
		}, []string{"webhook"}),
		rejections: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "rejections_total",
			Help: "Posts refused before any command ran, by webhook and reason (signature, too_large, malformed).",
		}, []string{"webhook", "reason"}),
		signature: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "signature_failures_total",
			Help: "Posts whose HMAC signature was missing or did not verify, by webhook.",
		}, []string{"webhook"}),
		followUps: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "followups_total",
			Help: "Follow-up messages posted after the synchronous reply, by webhook and outcome.",
		}, []string{"webhook", "outcome"}),
		denials: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "denials_total",
			Help: "Commands refused by access rules, tenant checks, replay protection or rate limits, by webhook and reason.",
		}, []string{"webhook", "reason"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.latency, m.commands, m.misses,
		m.rejections, m.signature, m.followUps, m.denials} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("registering metrics: %w", err)
		}
	}
	return m, nil
}

// Handler serves the metrics gathered by g in the Prometheus text format.
func Handler(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{})
}

// Middleware counts the requests of the webhook called name, by status
// code, and observes their latency. Put it on the webhook's route.
func (m *Metrics) Middleware(name string) echo.MiddlewareFunc {
	latency := m.latency.WithLabelValues(name)
	var byStatus counters[int]
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			status := c.Response().Status
			if err != nil {
				var he *echo.HTTPError
				if errors.As(err, &he) {
					status = he.Code
				} else {
					status = http.StatusInternalServerError
				}
			}
			byStatus.get(status, func() prometheus.Counter {
				return m.requests.WithLabelValues(name, strconv.Itoa(status))
			}).Inc()
			latency.Observe(time.Since(start).Seconds())
			return err
		}
	}
}

// Observer returns the bot.Observer of the webhook called name: it counts
// commands by outcome, budget misses, rejections and signature failures.
func (m *Metrics) Observer(name string) bot.Observer {
	signature := m.signature.WithLabelValues(name)
	misses := m.misses.WithLabelValues(name)
	var byCommand counters[[2]string]
	return bot.ObserverFuncs{
		OnRejected: func(r bot.Rejection) {
			m.rejections.WithLabelValues(name, r.Reason).Inc()
			if r.Reason == bot.RejectSignature {
				signature.Inc()
			}
		},
		OnAnswered: func(a bot.Answer) {
			cmd := a.Command
			if cmd == "" {
				cmd = "none"
			}
			byCommand.get([2]string{cmd, a.Outcome}, func() prometheus.Counter {
				return m.commands.WithLabelValues(name, cmd, a.Outcome)
			}).Inc()
			if a.Outcome == bot.OutcomeTimeout {
				misses.Inc()
			}
		},
	}
}

// FollowUp counts one follow-up message of the webhook called name, with
// its outcome, such as "sent", "failed" or "dropped". Keep the set of
// outcomes small: each is a time series.
func (m *Metrics) FollowUp(webhook, outcome string) {
	m.followUps.WithLabelValues(webhook, outcome).Inc()
}

// Poster wraps p, the follow-up poster of the webhook called name, so that
// every follow-up is counted as "sent" or "failed".
func (m *Metrics) Poster(name string, p bot.Poster) bot.Poster {
	sent := m.followUps.WithLabelValues(name, "sent")
	failed := m.followUps.WithLabelValues(name, "failed")
	return bot.PosterFunc(func(ctx context.Context, f *bot.FollowUp) error {
		err := p.Post(ctx, f)
		if err != nil {
			failed.Inc()
		} else {
			sent.Inc()
		}
		return err
	})
}

// Denied counts one refused command of the webhook called name, with the
// reason, such as "rule", "tenant", "replay", "stale" or "rate_limit".
// Keep the set of reasons small: each is a time series.
func (m *Metrics) Denied(webhook, reason string) {
	m.denials.WithLabelValues(webhook, reason).Inc()
}

// BudgetMissed counts one budget miss of the webhook called name that the
// bot's Observer does not see, such as a follow-up that overran its own
// budget.
func (m *Metrics) BudgetMissed(webhook string) {
	m.misses.WithLabelValues(webhook).Inc()
}

// counters caches the counters of a vector by their labels, so that
// counting a request costs a map lookup instead of hashing its label
// values into the vector each time. The labels are few: status codes,
// and commands by outcome.
type counters[K comparable] struct {
	mu sync.RWMutex
	m  map[K]prometheus.Counter
}

// get returns the counter for k, made by mk the first time.
func (c *counters[K]) get(k K, mk func() prometheus.Counter) prometheus.Counter {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return v
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.m[k]; ok {
		return v
	}
	if c.m == nil {
		c.m = map[K]prometheus.Counter{}
	}
	v = mk()
	c.m[k] = v
	return v
}
