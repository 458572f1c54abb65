package middleware

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/router"
)

// Outcomes recorded in audit events.
const (
	OutcomeOK      = "ok"      // the command answered
	OutcomeDenied  = "denied"  // Access refused it
	OutcomeLimited = "limited" // a rate limit refused it
	OutcomeRefused = "refused" // the command answered with a user error
	OutcomeError   = "error"   // the command failed
	OutcomePanic   = "panic"   // the command panicked
)

// Redacted replaces secret argument values in audit events.
const Redacted = router.Redacted

// Redact says which arguments of which commands are secret, on top of the
// flags a command declares secret. Keys are canonical command paths ("vault"
// also covers "vault put"), or "*" for every command; values are
// selectors, applied to the values the command receives (after flag
// parsing, router.Resolution):
//
//	"2"        the second positional value
//	"2+"       the second positional value and all after it
//	"*"        every positional value
//	"--token"  the value of flag --token, however written (-t, --TOKEN=…)
//	"password=" the value of a key=value argument: "password=VALUE"
//
// For example {"vault": {"2+"}, "*": {"--token", "password="}}. What is
// marked stays hidden wherever the line is quoted later: follow-ups and
// jobs too.
type Redact map[string][]string

// Validate checks every selector and, when known is not nil, that every
// command path is one of known.
func (r Redact) Validate(known []string) error {
	_, err := r.compile(known)
	return err
}

type selector struct {
	from, to int    // 1-based positions; to 0 means no end
	flag     string // "--token"
	key      string // "password="
}

func (r Redact) compile(known []string) (map[string][]selector, error) {
	knownSet := map[string]bool{}
	for _, k := range known {
		knownSet[strings.ToLower(k)] = true
	}
	out := map[string][]selector{}
	var errs []error
	cmds := make([]string, 0, len(r))
	for cmd := range r {
		cmds = append(cmds, cmd)
	}
	sort.Strings(cmds)
	for _, cmd := range cmds {
		name := strings.ToLower(strings.Join(strings.Fields(cmd), " "))
		if name == "" {
			errs = append(errs, errors.New("redact: empty command name"))
			continue
		}
		if name != "*" && known != nil && !knownSet[name] {
			errs = append(errs, fmt.Errorf("redact: unknown command %q", cmd))
			continue
		}
		for _, s := range r[cmd] {
			sel, err := parseSelector(s)
			if err != nil {
				errs = append(errs, fmt.Errorf("redact[%s]: %w", cmd, err))
				continue
			}
			out[name] = append(out[name], sel)
		}
	}
	return out, errors.Join(errs...)
}

func parseSelector(s string) (selector, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "*":
		return selector{from: 1}, nil
	case strings.HasPrefix(s, "-") && len(strings.TrimLeft(s, "-")) > 0 && !strings.Contains(s, "="):
		return selector{flag: s}, nil
	case strings.HasSuffix(s, "=") && len(s) > 1:
		return selector{key: s}, nil
	}
	open := strings.HasSuffix(s, "+")
	n, err := strconv.Atoi(strings.TrimSuffix(s, "+"))
	if err != nil || n < 1 {
		return selector{}, fmt.Errorf(`selector %q: want a position from 1 ("2"), "2+", "*", a flag ("--token") or "key="`, s)
	}
	if open {
		return selector{from: n}, nil
	}
	return selector{from: n, to: n}, nil
}

// mark marks what sels select as secret in res.
func mark(sels []selector, res *router.Resolution) {
	for _, s := range sels {
		switch {
		case s.flag != "":
			res.MarkSecret(s.flag)
		case s.key != "":
			res.MarkSecretKey(s.key)
		case s.from == 1 && s.to == 0:
			res.MarkSecretPositions(-1, -1)
		default:
			res.MarkSecretPositions(s.from-1, s.to-1)
		}
	}
}

// selectorsFor returns the selectors that apply to path: "*", the path's
// and its groups'.
func selectorsFor(sels map[string][]selector, path string) []selector {
	out := sels["*"]
	path = strings.ToLower(path)
	for {
		out = slices.Concat(out, sels[path])
		i := strings.LastIndexByte(path, ' ')
		if i < 0 {
			return out
		}
		path = path[:i]
	}
}

// AuditConfig configures the Audit middleware.
type AuditConfig struct {
	// Skipper decides which commands are not audited. Optional; default:
	// none skip.
	Skipper CommandSkipper
	// Logger receives the events: a dedicated logger, typically writing
	// to its own file or stream. Required.
	Logger zerolog.Logger
	// Redact marks secret arguments. Optional; default: none.
	Redact Redact
	// OnAnswerLine writes each event on the bot's one "answered" line of
	// the activity (bot.Context.LogWithAnswer) instead of on a line of its
	// own, when Logger writes to the same log as the bot: one line per
	// request, marked "audit":true, with the event's outcome, user_name,
	// tenant, args and reason added to what the line already says
	// (activity, user, team, channel, command, latency from arrival). An
	// event that cannot go there (its command outlived the reply budget,
	// or there is no HTTP post) is written to Logger as usual. Optional;
	// default false.
	OnAnswerLine bool
}

// DefaultAuditConfig is the default Audit middleware config.
var DefaultAuditConfig = AuditConfig{Skipper: noCommandSkip}

// Audit returns command middleware that writes one event per command run
// (and per unknown command, as "unknown" without its words) to logger, at
// info level with message "command":
//
//	{"level":"info","activity":"1681…","user":"6b8f…","user_name":"Ada Lovelace",
//	 "team":"19:…","channel":"19:…","tenant":"72f9…","command":"deploy run",
//	 "args":["prod","--token=[redacted]"],"outcome":"ok","latency":812.4,
//	 "message":"command"}
//
// outcome is one of the Outcome constants; "reason" says why for denied,
// limited, refused, error and panic; "rule" is the deciding rule's index
// for denials; "deadline_missed" is true when the command outlived the
// reply budget; latency is in milliseconds. Put it first with Use, so it
// sees denials and rate limits. It panics on an invalid Redact.
func Audit(logger zerolog.Logger) router.MiddlewareFunc {
	c := DefaultAuditConfig
	c.Logger = logger
	return AuditWithConfig(c)
}

// AuditWithConfig returns Audit middleware with config. It panics on an
// invalid Redact, at wiring time.
func AuditWithConfig(config AuditConfig) router.MiddlewareFunc {
	if config.Skipper == nil {
		config.Skipper = DefaultAuditConfig.Skipper
	}
	sels, err := config.Redact.compile(nil)
	if err != nil {
		panic("middleware: Audit: " + err.Error())
	}
	log := config.Logger
	return func(next router.HandlerFunc) router.HandlerFunc {
		return func(c *router.Context) (err error) {
			if config.Skipper(c) {
				return next(c)
			}
			start := time.Now()
			res := c.Resolution()
			if !res.NotFound {
				mark(selectorsFor(sels, res.Path), res)
			}
			defer func() {
				p := recover()
				ev := auditEvent{a: c.Activity, res: res, missed: c.Context.Context().Err() != nil}
				switch {
				case p != nil:
					ev.outcome, ev.reason = OutcomePanic, fmt.Sprint(p)
				case err == nil:
					ev.outcome = OutcomeOK
				default:
					ev.outcome, ev.reason, ev.rule, ev.hasRule = auditFailure(err)
				}
				if !config.OnAnswerLine || !c.Context.LogWithAnswer(&ev, ev.outcome) {
					ev.log(log, start)
				}
				if p != nil {
					panic(p)
				}
			}()
			return next(c)
		}
	}
}

// auditEvent is one audit event, the fields apart from those the bot's
// answered line has too.
type auditEvent struct {
	a               *bot.Activity
	res             *router.Resolution
	outcome, reason string
	rule            int
	hasRule, missed bool
}

// MarshalZerologObject writes e's fields onto the bot's answered line.
func (e *auditEvent) MarshalZerologObject(ev *zerolog.Event) {
	ev.Bool("audit", true).
		Str("user_name", e.a.From.Name).
		Str("tenant", e.a.Tenant()).
		Strs("args", e.res.RedactedArgs())
	e.fields(ev)
}

// fields writes the reason, rule and missed deadline, when there are.
func (e *auditEvent) fields(ev *zerolog.Event) {
	if e.reason != "" {
		ev.Str("reason", e.reason)
	}
	if e.hasRule {
		ev.Int("rule", e.rule)
	}
	if e.missed {
		ev.Bool("deadline_missed", true)
	}
}

// log writes e as an event of its own.
func (e *auditEvent) log(log zerolog.Logger, start time.Time) {
	a := e.a
	ev := log.Info().
		Str("activity", a.ID).
		Str("user", userKey(a)).
		Str("user_name", a.From.Name).
		Str("team", a.Team()).
		Str("channel", a.Channel()).
		Str("tenant", a.Tenant()).
		Str("command", cmp.Or(e.res.Path, "unknown")).
		Strs("args", e.res.RedactedArgs()).
		Str("outcome", e.outcome)
	e.fields(ev)
	ev.Dur("latency", time.Since(start)).Msg("command")
}

// auditFailure returns the outcome, reason and deciding rule, if any, of
// a handler's error. It is apart so that the targets of errors.As,
// which escape to the heap, are allocated only when there is an error.
func auditFailure(err error) (outcome, reason string, rule int, hasRule bool) {
	var denied *DeniedError
	var uerr *bot.Error
	switch {
	case errors.As(err, &denied):
		return OutcomeDenied, denied.Decision.Reason, denied.Decision.Rule, true
	case errors.Is(err, ErrRateLimited):
		return OutcomeLimited, err.Error(), 0, false
	case router.IsUsageError(err):
		return OutcomeRefused, "usage: the words do not fit the command", 0, false
	case errors.As(err, &uerr) && uerr.Message != "":
		return OutcomeRefused, err.Error(), 0, false
	default:
		return OutcomeError, err.Error(), 0, false
	}
}
