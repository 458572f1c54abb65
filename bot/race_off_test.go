//go:build !race

package bot_test

import "time"

// raceSlack is zero without the race detector: every notice must land
// within its budget.
func raceSlack(time.Duration) time.Duration { return 0 }
