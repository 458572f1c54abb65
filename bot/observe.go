package bot

import (
	"net/http"
	"time"
)

// Observer is told what happens inside ServeEcho, for metrics. Its methods
// are called on the request's goroutine, once per request, and must be
// quick and safe for concurrent use. ObserverFuncs adapts functions.
type Observer interface {
	// Rejected is called for a post refused before any handler ran.
	Rejected(Rejection)
	// Answered is called once a verified activity has been answered.
	Answered(Answer)
}

// Rejection describes a refused post.
type Rejection struct {
	// Status is the HTTP status answered.
	Status int
	// Reason is one of the Reject… constants: a small, fixed set, fit for a
	// metric label.
	Reason string
}

// Reasons for a Rejection.
const (
	// RejectSignature: the Authorization header was missing or did not
	// verify against any token.
	RejectSignature = "signature"
	// RejectTooLarge: the body exceeded the limit.
	RejectTooLarge = "too_large"
	// RejectMalformed: the body could not be read or is not an activity.
	RejectMalformed = "malformed"
	// RejectBusy: a signed body larger than usual arrived while too many
	// large bodies were being read; it may be sent again.
	RejectBusy = "busy"
)

// Answer describes an answered activity.
type Answer struct {
	// Command is the command set with Context.SetCommand, or "".
	Command string
	// Outcome is one of the Outcome… constants.
	Outcome string
	// Latency is the time from the request's arrival to the answer.
	Latency time.Duration
}

// Outcomes of an Answer.
const (
	// OutcomeOK: the handler replied.
	OutcomeOK = "ok"
	// OutcomeUserError: the handler returned an error meant for the user.
	OutcomeUserError = "user_error"
	// OutcomeError: the handler failed, panicked or forgot to reply.
	OutcomeError = "error"
	// OutcomeTimeout: the budget ran out and the timeout notice was sent.
	OutcomeTimeout = "timeout"
	// OutcomeOverloaded: refused at once because Config.MaxHung handlers
	// and jobs were still running past their time.
	OutcomeOverloaded = "overloaded"
)

// ObserverFuncs is an Observer made of functions; nil ones are skipped.
type ObserverFuncs struct {
	OnRejected func(Rejection)
	OnAnswered func(Answer)
}

var _ Observer = ObserverFuncs{}

// Rejected calls OnRejected if set.
func (o ObserverFuncs) Rejected(r Rejection) {
	if o.OnRejected != nil {
		o.OnRejected(r)
	}
}

// Answered calls OnAnswered if set.
func (o ObserverFuncs) Answered(a Answer) {
	if o.OnAnswered != nil {
		o.OnAnswered(a)
	}
}

// rejectReason maps the status of a rejection to its reason.
func rejectReason(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return RejectSignature
	case http.StatusRequestEntityTooLarge:
		return RejectTooLarge
	case http.StatusServiceUnavailable:
		return RejectBusy
	default:
		return RejectMalformed
	}
}

// refine returns the outcome result() found for c (a user error), or
// outcome. It is called on the handler's goroutine.
func (c *Context) refine(outcome string) string {
	if c.outcome != "" {
		return c.outcome
	}
	return outcome
}
