package bot

import (
	"encoding/json"
	"errors"
	"fmt"
)

// ErrNotMessage means a body decoded as JSON but is not a message activity.
var ErrNotMessage = errors.New("not a message activity")

// DecodeActivity decodes a Teams activity from its JSON body into a. It
// fails for a body that is not a JSON object or not a message activity.
func DecodeActivity(data []byte, a *Activity) error {
	if err := json.Unmarshal(data, a); err != nil {
		return fmt.Errorf("malformed activity: %w", err)
	}
	if a.Type != "message" {
		return ErrNotMessage
	}
	return nil
}
