package console_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that event streams, the bot's jobs and the browser's
// connections all end with their tests.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
