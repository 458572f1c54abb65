// Package router turns a Teams message into a command line and dispatches it
// to the command that owns its first word. It knows nothing of HTTP: a
// Router is a bot.Handler, so it runs behind bot.Bot, in a test or in a REPL.
package router
