package bot

import (
	"errors"
	"fmt"

	json "github.com/go-json-experiment/json"
)

// ErrNotMessage means a body decoded as JSON but is not a message activity.
var ErrNotMessage = errors.New("not a message activity")

// DecodeActivity decodes a Teams activity from its JSON body into a. It
// fails for a body that is not a JSON object or not a message activity.
//
// Decoding is the largest cost of answering a post. It uses
// github.com/go-json-experiment/json, the module behind Go's coming
// encoding/json/v2: about three times faster than encoding/json on a Teams
// activity, with 6 allocations instead of 42 (BenchmarkDecode). It is also
// strict where it matters: invalid UTF-8 and duplicate member names are
// errors. github.com/goccy/go-json was faster still, but it has open
// reports of panics on malformed object keys (goccy/go-json#604, #575),
// and a panic on client input is not acceptable here.
func DecodeActivity(data []byte, a *Activity) error {
	if decodeFast(data, a) {
		if a.Type != "message" {
			return ErrNotMessage
		}
		return nil
	}
	*a = Activity{} // whatever the fast path half-filled
	if err := json.Unmarshal(data, a); err != nil {
		return fmt.Errorf("malformed activity: %w", err)
	}
	if a.Type != "message" {
		return ErrNotMessage
	}
	return nil
}
