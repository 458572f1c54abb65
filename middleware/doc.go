// Package middleware holds outhook's Echo middleware, such as HMAC
// verification for routes of your own, and its command middleware.
//
// Every middleware follows one template: X() with defaults,
// XWithConfig(XConfig) for control, DefaultXConfig, and a Skipper as the
// first config field.
package middleware
