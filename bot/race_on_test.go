//go:build race

package bot_test

import "time"

// raceSlack is how much later than its budget a burst of timeout notices
// may land under the race detector. It slows the CPU-bound work of
// writing hundreds of notices at once many times over, more so when the
// whole suite shares two cores, so under it the test only proves that
// every request is answered, none hangs; the budget itself is checked
// without the race detector and measured by BenchmarkTimeoutNotice.
func raceSlack(time.Duration) time.Duration { return 2 * time.Second }
