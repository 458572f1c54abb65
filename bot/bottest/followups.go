package bottest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/outhook/outhook/bot"
)

// FollowUps is a bot.Poster that keeps what it is given, for tests of
// commands whose results arrive later: set it as bot.Config.FollowUps and
// wait for results with Next.
//
//	out := bottest.NewFollowUps()
//	s := bottest.NewServer(t, bot.Config{Handler: r, FollowUps: out})
//	s.Say("deploy web")              // "On it (job 1)"
//	f, err := out.Next(time.Second)  // the result, with asker and command
type FollowUps struct {
	mu     sync.Mutex
	posted []bot.FollowUp
	seen   int
	signal chan struct{}
}

var _ bot.Poster = (*FollowUps)(nil)

// NewFollowUps returns an empty recorder.
func NewFollowUps() *FollowUps { return &FollowUps{signal: make(chan struct{}, 1)} }

// Post records f.
func (p *FollowUps) Post(_ context.Context, f *bot.FollowUp) error {
	p.mu.Lock()
	p.posted = append(p.posted, *f)
	p.mu.Unlock()
	select {
	case p.signal <- struct{}{}:
	default:
	}
	return nil
}

// All returns every follow-up posted so far.
func (p *FollowUps) All() []bot.FollowUp {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]bot.FollowUp(nil), p.posted...)
}

// Next returns the next follow-up not returned yet, waiting up to within
// for it; it fails when none arrives in time.
func (p *FollowUps) Next(within time.Duration) (bot.FollowUp, error) {
	timer := time.NewTimer(within)
	defer timer.Stop()
	for {
		p.mu.Lock()
		if p.seen < len(p.posted) {
			f := p.posted[p.seen]
			p.seen++
			p.mu.Unlock()
			return f, nil
		}
		p.mu.Unlock()
		select {
		case <-p.signal:
		case <-timer.C:
			return bot.FollowUp{}, fmt.Errorf("bottest: no follow-up posted within %v", within)
		}
	}
}
