// Package bot is the heart of outhook: the Teams message activity and reply
// model, HMAC verification of outgoing-webhook posts, the five-second reply
// contract and the Echo handler that ties them together.
//
// A Bot receives a signed POST from Teams, verifies it against one or more
// security tokens, decodes the activity, runs a Handler under a deadline and
// always answers with a Teams message in time. The command router
// (package router) is one such Handler; any value implementing Handler will do.
//
//	b, err := bot.New(bot.Config{
//		Secrets: []string{os.Getenv("OUTHOOK_SECRET")},
//		Handler: bot.HandlerFunc(func(c *bot.Context) error {
//			return c.Text("hello, " + c.Activity.From.Name)
//		}),
//	})
//	if err != nil { ... }
//	e := echo.New()
//	b.Mount(e, "/webhook")
//
// # The five-second contract
//
// Every request has a budget counted from its arrival (Config.Budget, 4 s
// by default, at most MaxBudget; a command may set its own with
// Context.SetBudget). Install Arrivals on the http.Server so that arrival
// means the connection's, accept and TLS and headers included; without it
// the budget counts from when the bot got the request. The handler's
// context carries it as its deadline. When it is spent, the bot answers
// Teams itself with a clear note, a little before the budget ends so the
// note is written in time, and cancels the handler.
//
// # Hung handlers
//
// A handler that ignores its context cannot be stopped: Go has no way to
// end a goroutine. Once its notice is written, the bot closes the
// connection (HTTP/1.1 is hijacked; the client has its complete answer
// and sees the connection end), so the socket and its descriptor are
// freed, and it counts the handler in Hung until it returns. Jobs that
// run JobsConfig.StopGrace past their deadline or cancellation give up
// their worker and count too. Past Config.MaxHung (256), new activities are
// answered "I'm overloaded, try again in a few minutes" (a 200: Teams never
// sees an error) and Ready says why, for /readyz. HTTP/2 streams cannot be
// hijacked: there the stream ends when the handler returns.
//
// With Config.FollowUps (an incoming webhook, see package bot/incoming)
// results can arrive later: Context.Go answers at once and runs a bounded
// background job whose result is posted when ready, and a handler that
// misses its budget goes on as a job instead of being cancelled, its
// result posted as a new message that names the asker and quotes the
// command. Bot.Shutdown drains jobs and posts within a grace period.
//
// # Nothing promised is lost
//
// A promised result (a job's result, a late handler's, a failure notice)
// is written to the outbox (Config.Outbox, a store.Store) before the asker
// is told "I'll post it", and removed only once posted. A Poster's answer
// decides what happens next (see package bot/incoming for the table):
// posted, it is removed; surely not posted (the endpoint is down, 429), it
// is tried again with backoff for JobsConfig.GiveUp (10 min); maybe posted
// (a 502 after the body, a timeout after the write, a panicking Poster,
// ErrMaybePosted), it is never posted again. Either failure is reported
// where the asker looks next: the next reply the bot gives in that channel
// carries "Note: I could not post the result of `deploy prod` (job 3) that
// Ada asked for at 10:02 UTC: …", and the jobs list shows it until then.
//
// The process's life, as the server assembly drives it:
//
//	b.Resume(ctx)        // at start: post what the last run left, report the rest
//	srv.ListenAndServe() // with new(bot.Arrivals).Install(srv)
//	b.Drain()            // on SIGTERM: /readyz fails, requests and c.Go still served
//	srv.Shutdown(ctx)    // the HTTP server stops
//	err := b.Shutdown(ctx) // jobs drain; the rest is cut off, noted in the outbox
//	// a *ShutdownError means work was cut off: exit 1
//
// With the default in-memory outbox a restart forgets; give a durable
// store for results to survive one.
//
// # Goroutines and panics
//
// Every goroutine the bot starts (the timeout notice, jobs, their
// watchdogs, deliveries, the outbox's retries) recovers a panic, logs it
// with a reference (panic_ref) and goes on; a panicking handler or job
// becomes an error the user is told about. A goroutine a plugin starts
// itself with a bare go statement is outside the bot's reach: a panic
// there ends the process. Use Context.Go for background work.
//
// Package bot imports no other outhook package.
package bot
