package console

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// maxIncoming is the largest follow-up accepted: well above the 28 KB
// Teams takes, so that a payload Teams would refuse still shows.
const maxIncoming = 256 << 10

// Kinds of follow-up payload.
const (
	kindWorkflows = "workflows" // {"type":"message","attachments":[…]}
	kindConnector = "connector" // {"@type":"MessageCard",…}
)

// followUp is a payload posted to the console's incoming webhook, as the
// page receives it.
type followUp struct {
	Kind     string          `json:"kind"`
	Received time.Time       `json:"received"`
	Payload  json.RawMessage `json:"payload"`
}

// parseIncoming checks that body is what bot/incoming posts: a message
// with card attachments (Workflows, or a connector's Adaptive Card
// envelope) or a MessageCard. It returns the kind.
func parseIncoming(body []byte) (string, error) {
	var v map[string]json.RawMessage
	if err := json.Unmarshal(body, &v); err != nil {
		return "", fmt.Errorf("not a JSON object: %w", err)
	}
	var typ, atType string
	if raw, ok := v["@type"]; ok {
		if err := json.Unmarshal(raw, &atType); err != nil {
			return "", errors.New(`"@type" is not a string`)
		}
	}
	if raw, ok := v["type"]; ok {
		if err := json.Unmarshal(raw, &typ); err != nil {
			return "", errors.New(`"type" is not a string`)
		}
	}
	switch {
	case strings.EqualFold(atType, "MessageCard"):
		return kindConnector, nil
	case typ == "message":
		var atts []struct {
			ContentType string          `json:"contentType"`
			Content     json.RawMessage `json:"content"`
		}
		if err := json.Unmarshal(v["attachments"], &atts); err != nil || len(atts) == 0 {
			return "", errors.New(`a message needs "attachments": a non-empty array of cards`)
		}
		for i, a := range atts {
			var content map[string]any
			if a.ContentType == "" || json.Unmarshal(a.Content, &content) != nil {
				return "", fmt.Errorf("attachment %d needs a contentType and an object as content", i)
			}
		}
		return kindWorkflows, nil
	}
	return "", errors.New(`neither a message with attachments nor a MessageCard`)
}

// incoming returns the handler of an incoming webhook that answers status
// with body once a payload is accepted and published to the page.
func (c *Console) incoming(status int, answer string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !isJSON(r) {
			http.Error(w, "Content-Type must be application/json", http.StatusUnsupportedMediaType)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxIncoming+1))
		switch {
		case err != nil:
			http.Error(w, "reading the body failed", http.StatusBadRequest)
			return
		case len(body) > maxIncoming:
			http.Error(w, "payload too large", http.StatusRequestEntityTooLarge)
			return
		}
		body = bytes.TrimSpace(body)
		kind, err := parseIncoming(body)
		if err != nil {
			http.Error(w, "bad payload: "+err.Error(), http.StatusBadRequest)
			return
		}
		data, err := json.Marshal(followUp{Kind: kind, Received: time.Now().UTC(), Payload: body})
		if err != nil { // cannot happen: body is valid JSON
			http.Error(w, "encoding the event failed", http.StatusBadRequest)
			return
		}
		n := c.events.publish(data)
		c.cfg.Logger.Info().Str("kind", kind).Int("bytes", len(body)).Int("pages", n).Msg("console: follow-up received")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}
}
