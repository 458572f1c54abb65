package subscriptions

import "github.com/outhook/outhook/subscription"

// SetClock makes the plugins provisioned after it run on c, until the
// returned function restores the wall clock.
func SetClock(c subscription.Clock) (restore func()) {
	clock = c
	return func() { clock = subscription.Real }
}
