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
	if r.textOnly() {
		// Room for the wrapping and a few escapes: one allocation.
		return r.appendJSON(make([]byte, 0, 64+len(r.Text)+len(r.Text)/8))
	}
	return r.appendJSON(nil)
}

// textOnly reports whether r is text alone, which appendJSON writes
// without encoding/json.
func (r Reply) textOnly() bool {
	return r.Text != "" && len(r.Attachments) == 0 && len(r.Entities) == 0
}

// appendJSON appends the encoding of MarshalJSON to dst. A reply of text
// alone, the usual answer, is written directly, as encoding/json would
// write it; anything else goes through encoding/json.
func (r Reply) appendJSON(dst []byte) ([]byte, error) {
	if r.textOnly() {
		dst = append(dst, `{"type":"message","text":`...)
		dst = appendJSONString(dst, r.Text)
		return append(dst, '}'), nil
	}
	w := replyWire{Type: "message", Text: r.Text, Attachments: r.Attachments, Entities: r.Entities}
	if r.Text == "" {
		w.Summary = r.Summary
	}
	if dst == nil {
		return json.Marshal(w)
	}
	data, err := json.Marshal(w)
	if err != nil {
		return dst, err
	}
	return append(dst, data...), nil
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
