package cmd

import (
	"fmt"
	"os"
	"strings"
	"time"

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
