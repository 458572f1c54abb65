package bot

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// ErrTooLarge is returned by ReadBody for a body over its limit.
var ErrTooLarge = errors.New("request body too large")

// ReadBody reads all of r into buf, refusing more than limit bytes with
// ErrTooLarge. Reading the body once, bounded, and verifying those exact
// bytes is what makes HMAC verification sound.
func ReadBody(buf *bytes.Buffer, r io.Reader, limit int64) error {
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return fmt.Errorf("reading request body: %w", err)
	}
	if n > limit {
		return ErrTooLarge
	}
	return nil
}
