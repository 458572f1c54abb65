package subscription

import (
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/outhook/outhook/bot"
)

// Subscription is one channel's standing order for a feed on a schedule.
type Subscription struct {
	// ID names the subscription within its channel, such as "k3x9q2ma".
	ID string `json:"id"`
	// Feed is the name of the feed to render.
	Feed string `json:"feed"`
	// Options are the feed's options, validated against the feed.
	Options map[string]string `json:"options,omitempty"`
	// Schedule says when it runs.
	Schedule Schedule `json:"schedule"`
	// Missed says what happens to a run missed while no replica was up.
	Missed Missed `json:"missed,omitempty"`
	// Tenant, Team and Channel are where it posts (and was asked for).
	Tenant  string `json:"tenant,omitempty"`
	Team    string `json:"team,omitempty"`
	Channel string `json:"channel"`
	// Creator is who subscribed.
	Creator bot.Account `json:"creator"`
	// Target is an incoming-webhook URL to post to instead of the
	// webhook's follow-up URL. It is a secret: String, Redacted and
	// Export without secrets leave it out.
	Target string `json:"target,omitempty"`
	// Paused subscriptions do not run.
	Paused bool `json:"paused,omitempty"`
	// Created is when it was made.
	Created time.Time `json:"created"`
	// NextRun is the next scheduled run; LastRun the last one that ran
	// (or was skipped), and LastOutcome what happened then.
	NextRun     time.Time `json:"next_run"`
	LastRun     time.Time `json:"last_run,omitzero"`
	LastOutcome string    `json:"last_outcome,omitempty"`
}

// Missed is what to do with runs missed during downtime.
type Missed string

const (
	// MissedSkip drops missed runs and waits for the next one (the
	// default): a forecast for yesterday helps no one.
	MissedSkip Missed = "skip"
	// MissedOnce runs once for all the runs missed, as soon as a replica
	// is up.
	MissedOnce Missed = "once"
)

// Validate checks the value.
func (m Missed) Validate() error {
	switch m {
	case "", MissedSkip, MissedOnce:
		return nil
	}
	return fmt.Errorf("--missed %q: use skip or once", string(m))
}

// Redacted returns a copy without the secret target, for listing and
// logging: a set target shows as "(set)".
func (s Subscription) Redacted() Subscription {
	if s.Target != "" {
		s.Target = "(set)"
	}
	s.Options = cloneMap(s.Options)
	return s
}

// String describes the subscription in one line, without secrets.
func (s Subscription) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", s.ID, s.Feed)
	for _, k := range sortedKeys(s.Options) {
		fmt.Fprintf(&b, " %s=%s", k, s.Options[k])
	}
	fmt.Fprintf(&b, ", %s", s.Schedule)
	if s.Paused {
		b.WriteString(", paused")
	}
	return b.String()
}

// Validate checks what a subscription needs before it is stored; the
// feed's options are checked by the caller against its Feeds.
func (s Subscription) Validate() error {
	switch {
	case s.ID == "" || strings.ContainsAny(s.ID, "/ "):
		return errors.New("subscription: bad id")
	case s.Channel == "":
		return errors.New("subscription: no channel")
	case s.Feed == "":
		return errors.New("subscription: no feed")
	}
	if err := s.Missed.Validate(); err != nil {
		return err
	}
	return s.Schedule.Validate()
}

var idEncoding = base32.NewEncoding("abcdefghijkmnpqrstuvwxyz23456789").WithPadding(base32.NoPadding)

// NewID returns a fresh random subscription id of eight letters and
// digits.
func NewID() string {
	b := make([]byte, 5)
	rand.Read(b)
	return idEncoding.EncodeToString(b)
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
