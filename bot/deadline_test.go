package bot_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/outhook/outhook/bot"
)

// TestBudgetContext checks, through the real server, what a handler's
// context says when the budget runs out without follow-ups: its deadline
// is the reply deadline, it ends then with context.DeadlineExceeded and
// the cause ErrBudgetSpent, and so do contexts derived from it. A context
// taken before SetBudget lengthened the budget still ends at its own
// deadline.
func TestBudgetContext(t *testing.T) {
	type seen struct {
		deadlineOK            bool
		err, cause, childErr  error
		earlyErr, earlyCause  error
		earlyEnded, lateEnded time.Duration
	}
	got := make(chan seen, 1)
	s := newServer(t, bot.HandlerFunc(func(c *bot.Context) error {
		var v seen
		early := c.Context()
		c.SetBudget(150 * time.Millisecond)
		ctx := c.Context()
		d, ok := ctx.Deadline()
		v.deadlineOK = ok && d.Equal(c.ReplyDeadline())
		child, cancel := context.WithCancel(c)
		defer cancel()
		<-early.Done()
		v.earlyEnded = time.Since(c.Received())
		v.earlyErr, v.earlyCause = early.Err(), context.Cause(early)
		<-ctx.Done()
		v.lateEnded = time.Since(c.Received())
		<-child.Done()
		v.err, v.cause, v.childErr = ctx.Err(), context.Cause(ctx), child.Err()
		got <- v
		return ctx.Err()
	}), func(c *bot.Config) { c.Budget = 50 * time.Millisecond })
	r := s.signed(t, fixture(t, "channel-ping.json"))
	if !strings.Contains(r.reply.Text, "took longer than Teams allows") {
		t.Errorf("got %q; want a timeout notice", r.reply.Text)
	}
	var v seen
	select {
	case v = <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("the handler's context never ended")
	}
	if !v.deadlineOK {
		t.Error("the context's deadline is not the reply deadline")
	}
	if !errors.Is(v.err, context.DeadlineExceeded) || !errors.Is(v.cause, bot.ErrBudgetSpent) {
		t.Errorf("got err %v, cause %v; want %v, %v", v.err, v.cause, context.DeadlineExceeded, bot.ErrBudgetSpent)
	}
	if v.childErr == nil {
		t.Error("a derived context outlived the budget")
	}
	if !errors.Is(v.earlyErr, context.DeadlineExceeded) || !errors.Is(v.earlyCause, bot.ErrBudgetSpent) {
		t.Errorf("earlier context: got err %v, cause %v", v.earlyErr, v.earlyCause)
	}
	if v.earlyEnded > 120*time.Millisecond || v.lateEnded < 120*time.Millisecond {
		t.Errorf("earlier context ended after %v, later one after %v; want about 45ms and 135ms", v.earlyEnded, v.lateEnded)
	}
}
