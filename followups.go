package outhook

import (
	"fmt"

	"github.com/rs/zerolog"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/incoming"
	"github.com/outhook/outhook/config"
)

// followUpSender returns the Poster for fu, or nil when fu is not enabled.
// The URL is a secret: the error names where it was expected, never it.
func followUpSender(fu config.FollowUp, logger zerolog.Logger, lookup func(string) (string, bool)) (bot.Poster, error) {
	if !fu.Enabled() {
		return nil, nil
	}
	u, err := config.ReadSecret(fu.URLEnv, fu.URLFile, lookup)
	if err != nil {
		return nil, fmt.Errorf("follow-up URL (from %s): %w", urlSources(fu), err)
	}
	s, err := incoming.New(u, incoming.Config{Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("follow-up URL (from %s): %w", urlSources(fu), err)
	}
	logger.Info().Str("followups", s.String()).Str("kind", s.Kind().String()).
		Msg("results that miss the budget are posted later")
	return s, nil
}

// urlSources describes where a follow-up URL is read from.
func urlSources(fu config.FollowUp) string {
	return sources(config.Webhook{SecretEnv: fu.URLEnv, SecretFile: fu.URLFile})
}
