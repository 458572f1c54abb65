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
	"github.com/outhook/outhook/config"
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

// followUps returns the Poster for the follow-up URL given by flag or
// environment, or nil when there is none (chat).
func (f *BotFlags) followUps(logger zerolog.Logger) (bot.Poster, error) {
	return followUpSender(followUpSource(f.FollowUpURLFile, f.JobTimeout), logger)
}

// followUpSource describes where the flags and environment say the
// follow-up URL is: $OUTHOOK_FOLLOWUP_URL or --followup-url-file.
func followUpSource(file string, timeout time.Duration) config.FollowUp {
	var fu config.FollowUp
	if strings.TrimSpace(os.Getenv(followUpEnv)) != "" {
		fu.URLEnv = followUpEnv
	}
	fu.URLFile = file
	if fu.Enabled() {
		fu.Budget = timeout
	}
	return fu
}

// followUpSource is where serve's flags put the default webhook's
// follow-up URL.
func (s *ServeCmd) followUpSource() config.FollowUp {
	return followUpSource(s.FollowUpURLFile, s.JobTimeout)
}

// followUpEnv holds the follow-up URL of a process serving one webhook.
const followUpEnv = "OUTHOOK_FOLLOWUP_URL"

// followUpSender returns the Poster for fu, or nil when fu is not enabled.
func followUpSender(fu config.FollowUp, logger zerolog.Logger) (bot.Poster, error) {
	if !fu.Enabled() {
		return nil, nil
	}
	u, err := config.ReadSecret(fu.URLEnv, fu.URLFile, nil)
	if err != nil {
		return nil, fmt.Errorf("follow-up URL: %w", err)
	}
	s, err := incoming.New(u, incoming.Config{Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("follow-up URL: %w", err)
	}
	logger.Info().Str("followups", s.String()).Str("kind", s.Kind().String()).
		Msg("results that miss the budget are posted later")
	return s, nil
}

// bots returns the bots of every webhook served.
func (s *server) bots() []*bot.Bot {
	bs := make([]*bot.Bot, len(s.hooks))
	for i, h := range s.hooks {
		bs[i] = h.bot
	}
	return bs
}

// drainJobs shuts the bots' background jobs down once ctx is done, giving them
// up to grace, so that they drain while the HTTP server does. The stop
// func it returns starts the drain if ctx is not done yet, waits for it,
// logs what was dropped and returns the outcome.
func drainJobs(ctx context.Context, bots []*bot.Bot, grace time.Duration, logger zerolog.Logger) (stop func() error) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		<-ctx.Done()
		gctx, gcancel := context.WithTimeout(context.Background(), grace)
		defer gcancel()
		var errs []error
		for _, b := range bots { // one deadline for all
			errs = append(errs, b.Shutdown(gctx))
		}
		done <- errors.Join(errs...)
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
