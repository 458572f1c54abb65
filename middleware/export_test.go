package middleware

import "time"

// SetClock sets the clock of a MemoryStore, for tests.
func SetClock(m *MemoryStore, now func() time.Time) { m.now = now }
