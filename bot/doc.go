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
// Context.SetBudget). The handler's context carries it as its deadline.
// When it is spent, the bot answers Teams itself with a clear note, a
// little before the budget ends so the note is written in time, and
// cancels the handler.
//
// With Config.FollowUps (an incoming webhook, see package bot/incoming)
// results can arrive later: Context.Go answers at once and runs a bounded
// background job whose result is posted when ready, and a handler that
// misses its budget goes on as a job instead of being cancelled, its
// result posted as a new message that names the asker and quotes the
// command. Bot.Shutdown drains jobs and posts within a grace period.
//
// Package bot imports no other outhook package.
package bot
