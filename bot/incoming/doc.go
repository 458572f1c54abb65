// Package incoming posts messages to Microsoft Teams incoming webhooks:
// Workflows URLs (Power Automate, the current kind) and legacy Office 365
// connector URLs. A Sender is bound to one URL; it builds the payload that
// URL takes (an Adaptive Card envelope for Workflows, a MessageCard for a
// connector), respects its rate limits, retries throttling and
// unavailability with backoff and Retry-After, posts each keyed message at most
// once, and never puts the URL — a secret — in an error or a log line.
//
// A Sender is a bot.Poster: give it to bot.Config.FollowUps and results
// that miss the five-second reply are posted through it, addressed to the
// asker and quoting their command.
//
//	s, err := incoming.New(os.Getenv("OUTHOOK_FOLLOWUP_URL"), incoming.Config{Logger: logger})
//	if err != nil { ... }
//	b, err := bot.New(bot.Config{Secrets: secrets, Handler: r, FollowUps: s})
//
// Mentions: a Message's Text may mention people with <at>Name</at> tags
// whose entities are in Entities (bot.At, bot.Reply.Mention), and an
// Adaptive Card in Attachments may carry its own in msteams.entities. On
// Workflows URLs they all become entities of the posted card, merged with
// the asker's mention, one per person and tag (a Teams id of the asker
// counts as their AAD object id); entities whose tag appears nowhere are
// dropped. Connector MessageCards cannot mention, so there, and for a tag
// without an entity, the name is shown in bold, escaped.
//
// At most once: a try is repeated only when the endpoint surely did not
// post it. The exact table:
//
//	answer                                        retried   outcome when it is the last
//	2xx (a connector's 200 with body "1")         -         posted
//	connector 200 "HTTP error 429" in the body    yes       not posted
//	429 Too Many Requests                         yes       not posted
//	408 Request Timeout                           yes       not posted
//	503 with Retry-After                          yes       not posted
//	503 without Retry-After, 500, 502, 504, 5xx   no        unknown (the body was sent)
//	other 4xx                                     no        not posted
//	connector 200 with another body               no        unknown
//	no connection (refused, DNS, dial timeout)    yes       not posted
//	error or timeout once the request went out    no        unknown
//
// Retry-After (seconds or a date) is honoured and capped at MaxRetryAfter
// (1 minute); it pauses every post to that URL. An "unknown" outcome is an
// *Error with Uncertain set, which matches bot.ErrMaybePosted: the bot's
// outbox never posts it again and tells the asker instead. A keyed message
// whose outcome is posted or unknown is refused with ErrDuplicate if sent
// again.
//
// Why not github.com/atc0005/go-teams-notify: it retries every error
// (400s included, and timeouts after the request went out, so it can post
// twice), waits a fixed number of whole seconds with time.Sleep instead of
// honouring Retry-After and the context, has no rate limiting or
// idempotency, logs through a package-global logger, and puts the webhook
// URL in its validation errors.
package incoming
