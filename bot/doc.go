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
// Package bot imports no other outhook package.
package bot
