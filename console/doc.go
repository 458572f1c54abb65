// Package console is a local web console for plugin authors: a page that
// talks to an outhook bot exactly as Teams does (signed posts, the real
// HTTP path) and shows each reply as Teams renders it, Adaptive Cards
// through Microsoft's renderer with a Teams host config (light and dark),
// Hero, Thumbnail, List and connector cards, markdown and mentions,
// beside the raw reply, the activity sent and the time taken against the
// five-second budget.
//
// The console is also an incoming webhook: point the bot's follow-ups at
// IncomingPath (Workflows-style, answered 202) or ConnectorPath
// (connector-style, answered 200 "1") and late results appear on the page
// live, through Server-Sent Events at EventsPath.
//
// Every asset is embedded: the console works offline. "outhook dev"
// serves it beside a bot; an embedder mounts a Console anywhere an
// http.Handler goes:
//
//	c, err := console.New(console.Config{BotURL: botURL, Token: token})
//	if err != nil { … }
//	defer c.Close()
//	http.ListenAndServe("127.0.0.1:8081", c)
//
// The console signs whatever its page asks it to with the bot's token, so
// it answers only requests addressed to a loopback host name (a guard
// against DNS rebinding) and only JSON posts (which a foreign page cannot
// send without a CORS preflight the console never grants). Serve it on
// loopback only.
package console
