// Package outhook turns a configuration into running, protected Microsoft
// Teams outgoing webhooks.
//
// It is the one assembly that "outhook serve", "outhook chat", "outhook
// config check", "outhook policy check" and embedders share: New reads a
// config.Config (the YAML file, or the same structure built in Go) and
// builds, for each webhook, its bot (HMAC verification, the five-second
// contract, follow-ups), its router with the enabled plugins and their
// settings, and the protections around it — tenant allow-list, replay
// protection and dedupe, rate limits, access rules, audit — with metrics
// on the host's Prometheus registry and logs through the host's zerolog
// logger.
//
// An existing Echo service mounts it in one call:
//
//	app, err := outhook.New(cfg, outhook.Options{Logger: &logger, Registerer: reg})
//	if err != nil { … }
//	app.Mount(e.Group("/teams"))   // POST /teams/webhook, plugins' routes beside it
//	…
//	srv.Shutdown(ctx)              // HTTP stops first,
//	app.Shutdown(ctx)              // then background jobs and posts drain.
//
// Or Serve runs the whole server as "outhook serve" does: health and
// readiness endpoints, metrics, TLS with certificate reload, a drain that
// keeps serving while /readyz answers 503, and the shutdown order above.
// Check is serve's start-up without the listening: what it passes, serve
// starts.
//
// The parts have packages of their own: bot (activities, replies, HMAC,
// the budget), router (commands), middleware (protections), plugins (the
// plugin life cycle), config (the file).
package outhook
