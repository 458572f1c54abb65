package bot

import (
	"encoding/json"
	"fmt"
)

// Reply is the message an outgoing webhook answers with: text, cards, or
// both. Build one with Text, Textf or a card builder; the zero Reply is not
// a valid answer (Teams rejects an empty message).
type Reply struct {
	// Text is the message text. Teams renders a subset of markdown.
	Text string
	// Attachments are cards. Each needs a ContentType and Content.
	Attachments []Attachment
	// Entities carry mention entities that match <at> tags in Text.
	Entities []Entity
	// Summary is a plain-text fallback shown where cards cannot render,
	// such as notifications. It is not sent to Teams when Text is set.
	Summary string
}

// Text returns a Reply that holds only text.
func Text(s string) Reply { return Reply{Text: s} }

// Textf returns a text Reply formatted as with fmt.Sprintf.
func Textf(format string, args ...any) Reply { return Reply{Text: fmt.Sprintf(format, args...)} }

// IsZero reports whether the reply has nothing to show.
func (r Reply) IsZero() bool {
	return r.Text == "" && len(r.Attachments) == 0 && r.Summary == ""
}

// replyWire is the JSON shape of a Reply.
type replyWire struct {
	Type        string       `json:"type"`
	Text        string       `json:"text,omitempty"`
	Summary     string       `json:"summary,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
	Entities    []Entity     `json:"entities,omitempty"`
}

// MarshalJSON encodes the reply as a Teams message activity:
// {"type":"message","text":…,"attachments":[…]}.
func (r Reply) MarshalJSON() ([]byte, error) {
	w := replyWire{Type: "message", Text: r.Text, Attachments: r.Attachments, Entities: r.Entities}
	if r.Text == "" {
		w.Summary = r.Summary
	}
	return json.Marshal(w)
}

// UnmarshalJSON decodes a Teams message activity into r, for clients such
// as "outhook say" that read replies.
func (r *Reply) UnmarshalJSON(data []byte) error {
	var w replyWire
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*r = Reply{Text: w.Text, Attachments: w.Attachments, Entities: w.Entities, Summary: w.Summary}
	return nil
}
