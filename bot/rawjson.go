package bot

import (
	"bytes"
	"encoding/json"
	"errors"
)

// RawJSON is a raw, already encoded JSON value, like json.RawMessage, that
// can also be read as a string.
type RawJSON []byte

// MarshalJSON returns the raw value, or null when it is empty.
func (m RawJSON) MarshalJSON() ([]byte, error) {
	if len(m) == 0 {
		return []byte("null"), nil
	}
	return m, nil
}

// UnmarshalJSON keeps a copy of data; null leaves m empty.
func (m *RawJSON) UnmarshalJSON(data []byte) error {
	if m == nil {
		return errors.New("bot: RawJSON: UnmarshalJSON on nil pointer")
	}
	if bytes.Equal(data, []byte("null")) {
		*m = nil
		return nil
	}
	*m = append((*m)[:0], data...)
	return nil
}

// String decodes the value as a JSON string.
func (m RawJSON) String() (string, error) {
	var s string
	if err := json.Unmarshal(m, &s); err != nil {
		return "", err
	}
	return s, nil
}
