package logwriter_test

import (
	"fmt"
	"os"

	"github.com/rs/zerolog"

	"github.com/outhook/outhook/logwriter"
)

// A logger whose lines are batched on their way to stdout; audit events
// are never dropped. Close writes what is left: call it before exiting.
func Example() {
	w := logwriter.New(os.Stdout, logwriter.Options{Keep: logwriter.AuditLines})
	log := zerolog.New(w)
	log.Info().Str("command", "ping").Msg("answered")
	log.Info().Bool("audit", true).Str("command", "deploy").Msg("command")
	w.Close()
	fmt.Println("dropped:", w.Dropped())
	// Output:
	// {"level":"info","command":"ping","message":"answered"}
	// {"level":"info","audit":true,"command":"deploy","message":"command"}
	// dropped: 0
}
