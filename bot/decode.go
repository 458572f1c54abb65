package bot

import (
	"errors"
	"fmt"

	json "github.com/go-json-experiment/json"
)

// ErrNotMessage means a body decoded as JSON but is not a message activity.
var ErrNotMessage = errors.New("not a message activity")

// DecodeActivity decodes a Teams activity from its JSON body into a,
// overwriting all of *a. It fails for a body that is not a JSON object or
// not a message activity. a keeps no reference to data, which may be
// reused.
//
// Decoding is the largest cost of answering a post that outhook controls,
// so the shapes Teams sends take a hand-written fast path (decodeFast, in
// decodefast.go): on the 1.7 KB body of the load benchmark it takes 2.5 to
// 3.6 µs and 4 allocations where github.com/go-json-experiment/json takes
// 6 to 7 µs and 6, on a 2-core machine shared with other load (go test
// -run '^$' -bench Decode -benchmem -count 5 ./bot; BenchmarkDecode also
// runs the pretty-printed channel-ping fixture and encoding/json). Its
// bytes per call are higher there (1920 against 1040): the reference keeps
// a cache of recent strings, which a benchmark decoding one body over and
// over always hits.
//
// The fast path only answers when it is sure. For any input it does not
// take (malformed JSON, escaped member names, a number where a string
// belongs, an unusual timestamp, deep unknown values, ...) it says so and
// the reference decoder, go-json-experiment's json.Unmarshal with default
// options, decodes the body and reports the error. Whenever the fast path
// takes a body, the reference succeeds on it with a reflect.DeepEqual
// result: FuzzDecodeFast checks that differentially (run for over 14
// minutes, seeded with the fixtures and mutations of them), and
// TestDecodeFastFixtures checks that every fixture takes the fast path.
//
// The reference was chosen over encoding/json for being about three times
// faster on a Teams activity, with 6 allocations instead of 42, and strict
// where it matters: invalid UTF-8 and duplicate member names are errors
// (the fast path mirrors both). github.com/goccy/go-json was faster still,
// but it has open reports of panics on malformed object keys
// (goccy/go-json#604, #575), and a panic on client input is not acceptable
// here.
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
