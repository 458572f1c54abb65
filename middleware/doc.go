// Package middleware holds outhook's middleware at three levels:
//
//   - Echo middleware, such as HMAC verification for routes of your own.
//   - Activity middleware, func(bot.Handler) bot.Handler, that acts on the
//     decoded activity before the router: Tenants (tenant allow-list),
//     Replay (stale and duplicate posts) and RateLimit (per user). Combine
//     them with Chain.
//   - Command middleware, router.MiddlewareFunc, added with Router.Use:
//     Audit (one event per command), Access (rules from package
//     middleware/access) and CommandRateLimit (per command).
//
// Order matters. Activity middleware: Tenants, then Replay, then
// RateLimit, so that foreign tenants cost nothing and duplicates are not
// counted. Command middleware: Audit, then Access, then CommandRateLimit,
// so that denials and limits are audited and denied attempts do not count.
//
// Replay memory and rate-limit counters live in a MemoryStore by default;
// package middleware/redisstore shares them between replicas.
//
// Every middleware follows one template: X() with defaults,
// XWithConfig(XConfig) for control, DefaultXConfig, and a Skipper as the
// first config field.
package middleware
