package bot

import "errors"

// Error is an error with a message meant for the Teams user. Handlers
// return it to tell the user what went wrong in their words; Internal, if
// set, is logged and never shown.
//
//	return &bot.Error{Message: "no such environment: " + env}
type Error struct {
	// Message is shown to the user as the reply text. Required.
	Message string
	// Internal is the underlying cause, logged with the activity id.
	// Optional.
	Internal error
}

// Error returns the user-facing message, followed by the internal cause.
func (e *Error) Error() string {
	if e.Internal != nil {
		return e.Message + ": " + e.Internal.Error()
	}
	return e.Message
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.Internal }

// UserError returns an *Error whose message the user reads.
func UserError(message string) error { return &Error{Message: message} }

// userMessage returns the message for the user if err carries one.
func userMessage(err error) (string, bool) {
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message, true
	}
	return "", false
}
