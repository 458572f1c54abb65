package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/incoming"
)

// secretURL reads an incoming-webhook URL from the first non-empty of the
// environment variables, or else from file. It never echoes the URL.
func secretURL(file string, envs ...string) (string, error) {
	for _, env := range envs {
		if v := strings.TrimSpace(os.Getenv(env)); v != "" {
			return v, nil
		}
	}
	if file == "" {
		return "", nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("reading webhook URL file: %w", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			return line, nil
		}
	}
	return "", fmt.Errorf("webhook URL file %s is empty", file)
}

// followUps returns the Poster for the configured follow-up URL, or nil
// when there is none.
func (f *BotFlags) followUps(logger zerolog.Logger) (bot.Poster, error) {
	u, err := secretURL(f.FollowUpURLFile, "OUTHOOK_FOLLOWUP_URL")
	if err != nil || u == "" {
		return nil, err
	}
	s, err := incoming.New(u, incoming.Config{Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("follow-up URL: %w", err)
	}
	logger.Info().Str("followups", s.String()).Str("kind", s.Kind().String()).Msg("results that miss the budget are posted later")
	return s, nil
}

// drainJobs shuts b's background jobs down once ctx is done, giving them
// up to grace, so that they drain while the HTTP server does. The stop
// func it returns starts the drain if ctx is not done yet, waits for it,
// logs what was dropped and returns the outcome.
func drainJobs(ctx context.Context, b *bot.Bot, grace time.Duration, logger zerolog.Logger) (stop func() error) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		<-ctx.Done()
		gctx, gcancel := context.WithTimeout(context.Background(), grace)
		defer gcancel()
		done <- b.Shutdown(gctx)
	}()
	return func() error {
		cancel()
		err := <-done
		if err != nil && !errors.Is(err, context.Canceled) {
			logger.Error().Err(err).Msg("background jobs dropped at shutdown")
		}
		return err
	}
}
