//go:build race

package bot_test

import "time"

// raceSlack is how much later than its budget a burst of timeout notices
// may land under the race detector, which slows the CPU-bound work of
// writing hundreds of them at once several times over.
func raceSlack(budget time.Duration) time.Duration { return budget }
