package subscription

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics counts runs, deliveries and failures.
type metrics struct {
	runs       *prometheus.CounterVec
	deliveries prometheus.Counter
	failures   *prometheus.CounterVec
}

// newMetrics registers the counters on reg, reusing the ones another
// scheduler registered there. A nil reg counts in private counters.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outhook_subscription_runs_total",
			Help: "Scheduled subscription runs by result: posted, failed, skipped (missed during downtime).",
		}, []string{"result"}),
		deliveries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "outhook_subscription_deliveries_total",
			Help: "Subscription posts delivered to an incoming webhook.",
		}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outhook_subscription_failures_total",
			Help: "Failed subscription runs by stage: feed (rendering), post (delivery), store.",
		}, []string{"stage"}),
	}
	if reg == nil {
		return m, nil
	}
	var err error
	if m.runs, err = register(reg, m.runs); err != nil {
		return nil, err
	}
	if m.deliveries, err = register(reg, m.deliveries); err != nil {
		return nil, err
	}
	if m.failures, err = register(reg, m.failures); err != nil {
		return nil, err
	}
	return m, nil
}

// register registers c on reg, or returns the collector of the same name
// registered before.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if !errors.As(err, &are) {
			return c, err
		}
		existing, ok := are.ExistingCollector.(C)
		if !ok {
			return c, err
		}
		return existing, nil
	}
	return c, nil
}
