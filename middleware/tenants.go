package middleware

import (
	"errors"
	"fmt"
	"strings"

	"github.com/outhook/outhook/bot"
)

// ErrTenant is the internal cause of a refusal by Tenants.
var ErrTenant = errors.New("tenant not allowed")

// TenantsConfig configures the Tenants middleware.
type TenantsConfig struct {
	// Skipper decides which activities skip the check. Optional; default:
	// none skip.
	Skipper Skipper
	// Tenants are the Azure AD tenant ids allowed, compared
	// case-insensitively. Required: an empty list would refuse everyone.
	Tenants []string
	// Message is what a refused asker reads. Optional; default
	// DefaultTenantsConfig.Message.
	Message string
}

// DefaultTenantsConfig is the default Tenants middleware config.
var DefaultTenantsConfig = TenantsConfig{
	Skipper: noSkip,
	Message: "Sorry, this bot does not serve your organisation.",
}

// Tenants returns activity middleware that refuses activities from tenants
// not in the list, and activities that name no tenant. Put it first: a
// refused activity costs nothing else. It panics on an empty list.
func Tenants(ids ...string) func(bot.Handler) bot.Handler {
	c := DefaultTenantsConfig
	c.Tenants = ids
	return TenantsWithConfig(c)
}

// TenantsWithConfig returns Tenants middleware with config. It panics on an
// empty list or an empty id, at wiring time.
func TenantsWithConfig(config TenantsConfig) func(bot.Handler) bot.Handler {
	if config.Skipper == nil {
		config.Skipper = DefaultTenantsConfig.Skipper
	}
	if config.Message == "" {
		config.Message = DefaultTenantsConfig.Message
	}
	if len(config.Tenants) == 0 {
		panic("middleware: Tenants: the allow-list is empty")
	}
	allowed := make(map[string]bool, len(config.Tenants))
	for i, id := range config.Tenants {
		id = strings.ToLower(strings.TrimSpace(id))
		if id == "" {
			panic(fmt.Sprintf("middleware: Tenants: tenant %d is empty", i+1))
		}
		allowed[id] = true
	}
	return func(next bot.Handler) bot.Handler {
		return bot.HandlerFunc(func(c *bot.Context) error {
			if config.Skipper(c) {
				return next.Handle(c)
			}
			tenant := c.Activity.Tenant()
			if !allowed[strings.ToLower(tenant)] {
				if tenant == "" {
					tenant = "(none)"
				}
				return &bot.Error{Message: config.Message, Internal: fmt.Errorf("%w: %q", ErrTenant, tenant)}
			}
			return next.Handle(c)
		})
	}
}
