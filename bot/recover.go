package bot

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"runtime/debug"

	"github.com/rs/zerolog"
)

// panicRef returns a short id that ties a recovered panic's log line to
// what the user is told.
func panicRef() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "p-" + hex.EncodeToString(b[:])
}

func stack() string { return string(debug.Stack()) }

// recoverAs is deferred at the top of every goroutine the bot starts: a
// panic there is logged with a reference and the stack, and the process
// goes on. what names the goroutine in the log.
func recoverAs(lg zerolog.Logger, what string) {
	if p := recover(); p != nil {
		lg.Error().Str("panic_ref", panicRef()).Str("panic", fmt.Sprint(p)).Str("stack", stack()).
			Str("in", what).Msg("panic recovered; the bot goes on")
	}
}
