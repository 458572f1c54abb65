// Package router turns a Teams message into a command and runs it. It knows
// nothing of HTTP: a Router is a bot.Handler, so it runs behind bot.Bot, in
// a test or in a REPL.
//
// # From message to command line
//
// A Normalizer (DefaultNormalizer unless WithNormalizer says otherwise)
// reduces the activity to an Input: the line the person typed, and the
// people they mentioned. The default reads the markup with the
// golang.org/x/net/html tokenizer, never with regular expressions:
//
//   - The bot's own mention goes, wherever it stands. The bot is the mention
//     entity whose id starts "28:"; without one, the first mention (Teams
//     puts the webhook's first). Mentions are found by their tags (<at> in
//     Activity.Text; <span itemtype="http://schema.skype.com/Mention"
//     itemid="N"> in the HTML copy) and matched to entities by itemid, name
//     (any case) or position, because entities may be missing or lack their
//     text (a name with "&"). An emoji inside a mention (<img alt>) is part
//     of the name.
//   - Other mentions stay as Person values (name, Teams id, AAD object id
//     when known) and as their names in the text.
//   - Entities are decoded exactly once ("&amp;lt;" stays "&lt;");
//     non-breaking and other unicode spaces become spaces; <br>, <p>, <div>
//     and other blocks become line breaks; other tags drop and keep their
//     text; Teams emoji (<emoji alt>, emoji <img>) keep their character;
//     zero-width characters and direction marks go (the zero-width joiner
//     stays, it holds emoji together); curly and low quotes (“ ” „ ‘ ’ ‚ « »)
//     become straight ones.
//
// Text or attachment: Teams sends the message twice, as Activity.Text and as
// a text/html attachment. Text is lossy: something typed in angle brackets
// ("<data>") vanishes from it, while the attachment keeps it escaped
// ("&lt;data&gt;"). The attachment is therefore the authority. Most messages
// are plain, though, and then both say the same thing: when the raw
// attachment holds nothing Text could have lost (no escaped angle brackets,
// no line structure, code, emoji or images), Normalize reads Text, which
// takes a tenth of the time (no JSON string to decode, and <at> tags are
// read without the tokenizer, by a path fuzz-tested to agree with it).
// Without an attachment, or when the attachment has no mention markup while
// Text does, Text is used too. Input.Source says which one was read.
//
// # Splitting
//
// Split splits the line into words with github.com/google/shlex, adapted to
// chat: quotes keep spaces, '#' is a letter ("#123", "C#"), an apostrophe in
// a word is a letter ("don't"), and a backslash escapes only quotes,
// backslashes and spaces ("C:\temp" survives). An unclosed quote is a
// *QuoteError that says which quote and where.
//
// # Commands
//
// A Command is a value: name, aliases (names match in any case), summary,
// description, examples, and either Subcommands (a group: "deploy run
// web"), Raw (the rest of the message untouched, for text and code blocks)
// or typed Args. Unknown commands, subcommands and flags get "did you mean
// …?" by edit distance. "--help" or "-h" after any command shows its help.
//
// # Typed arguments
//
// Args is a struct whose fields declare the arguments, with the tags kong
// uses, so a struct reads the same here and in the CLI:
//
//	type DeployArgs struct {
//		Service string        `arg:"" enum:"web,api" help:"What to deploy."`
//		Env     string        `arg:"" optional:"" default:"staging"`
//		Reason  string        `short:"r" required:"" help:"Why."`
//		Force   bool          `short:"f"`
//		Timeout time.Duration `default:"5m" min:"1m" max:"1h"`
//		Tags    []string      `sep:","`
//		Notify  []router.Person
//	}
//
// Fields with arg:"" are positional, in order (required unless optional:""
// or with a default; a list takes the rest); other exported fields are
// flags named in kebab case (--dry-run for DryRun, or name:""), with
// short:"x", default:"", required:"", enum:"a,b", placeholder:"", sep:""
// (for lists, default ","; "none" to keep commas), hidden:"", secret:""
// (never logged or quoted: see Resolution.Redacted), min:"" and max:""
// (bounds of a number or duration: a value outside is a usage error that
// names the range, and help shows it). Types: string,
// ints, uints, floats, bool (--force, --no-force, --force=false), time.Duration,
// Person (filled from a mention), encoding.TextUnmarshaler, and slices of
// these. Flags may come anywhere, in any case; "--" ends them; a leading
// "—" or "–" (phones turn "--" into a dash) counts as "--"; "-5" is a
// number. The parser is the router's own: built once per command by
// reflection, it costs about 1.4 µs and 13 allocations per message, where
// a kong parser built per message costs about 70 µs and 770 allocations
// (BenchmarkArgsReflect, BenchmarkArgsKong).
//
// A message that does not fit gets a *UsageError, which the user reads as
// the problem, the usage line and a pointer to help. Read the parsed
// struct with Args[T](c); answer a rule the tags cannot state with
// c.UsageErrorf, as the parser would.
//
// # One resolution
//
// Before any command middleware runs, the router resolves the message once
// into a Resolution (Context.Resolution): the command's canonical path
// ("runbook search" for "faq SEARCH", aliases and case resolved) and the
// values it will receive after flag parsing, by canonical flag name, with
// which flags are secret. Access rules, audit and its redaction, rate
// limits, help, did-you-mean and jobs all decide on it, so no two of them
// can disagree about what runs; Resolution.Redacted is the one form in
// which a line is logged, audited or quoted back. A line whose values
// cannot be known (a Raw command, an unclosed quote, words that do not
// fit) says so (Resolution.Known), and decisions about values fail closed.
//
// DryRun runs a message through the real chain — activity middleware,
// router, command middleware — and stops where the command's handler would
// run: "outhook policy check" answers with it.
//
// # Middleware
//
// Middleware wraps commands at three levels, outermost first: the router's
// (Use), a group's (Router.Group), and a command's (Command.Middleware,
// which also wraps its subcommands). It runs after the router has resolved
// the message (Context.Resolution) and before the handler; its errors,
// such as an access denial, come before the parser's. An unknown command
// runs through the router's middleware (not a group's or a command's) as
// the command "unknown", whose Resolution is NotFound.
package router
