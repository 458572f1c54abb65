package middleware

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"

	"github.com/outhook/outhook/bot"
)

// HMACConfig configures the HMAC middleware.
type HMACConfig struct {
	// Skipper decides which requests skip verification. Optional; default:
	// none skip.
	Skipper echomw.Skipper
	// Secrets are the Teams security tokens, base64 as Teams showed them.
	// Required unless Verifier is set.
	Secrets []string
	// Verifier checks signatures. Optional; default: one built from
	// Secrets. Set it to handle token errors yourself (bot.NewVerifier).
	Verifier *bot.Verifier
	// BodyLimit is the largest body read, in bytes; larger requests get
	// 413. Optional; default bot.DefaultBodyLimit.
	BodyLimit int64
}

// DefaultHMACConfig is the default HMAC middleware config.
var DefaultHMACConfig = HMACConfig{
	Skipper:   echomw.DefaultSkipper,
	BodyLimit: bot.DefaultBodyLimit,
}

// HMAC returns middleware that accepts only requests signed, as Teams signs
// outgoing-webhook posts, with one of the given tokens. It panics on an
// invalid token, at wiring time.
func HMAC(secrets ...string) echo.MiddlewareFunc {
	c := DefaultHMACConfig
	c.Secrets = secrets
	return HMACWithConfig(c)
}

// HMACWithConfig returns HMAC middleware with config. A request with a
// missing or wrong signature gets 401, an oversize one 413, both with a
// short JSON error. On success the body is restored for the next handler.
// It panics on an invalid config, at wiring time.
func HMACWithConfig(config HMACConfig) echo.MiddlewareFunc {
	if config.Skipper == nil {
		config.Skipper = DefaultHMACConfig.Skipper
	}
	if config.BodyLimit <= 0 {
		config.BodyLimit = DefaultHMACConfig.BodyLimit
	}
	v := config.Verifier
	if v == nil {
		var err error
		if v, err = bot.NewVerifier(config.Secrets...); err != nil {
			panic("middleware: HMAC: " + err.Error())
		}
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if config.Skipper(c) {
				return next(c)
			}
			req := c.Request()
			if req.ContentLength > config.BodyLimit {
				return c.JSON(http.StatusRequestEntityTooLarge, map[string]string{"error": bot.ErrTooLarge.Error()})
			}
			var buf bytes.Buffer
			if err := bot.ReadBody(&buf, req.Body, config.BodyLimit); err != nil {
				if errors.Is(err, bot.ErrTooLarge) {
					return c.JSON(http.StatusRequestEntityTooLarge, map[string]string{"error": err.Error()})
				}
				return c.JSON(http.StatusBadRequest, map[string]string{"error": "cannot read request body"})
			}
			if err := v.Verify(buf.Bytes(), req.Header.Get(echo.HeaderAuthorization)); err != nil {
				return c.JSON(http.StatusUnauthorized, map[string]string{"error": err.Error()})
			}
			req.Body = io.NopCloser(&buf)
			return next(c)
		}
	}
}
