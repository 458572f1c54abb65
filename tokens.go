package outhook

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/outhook/outhook/bot"
)

// tokenSize is the length of a Teams security token's key, once decoded:
// Teams shows 44 characters of base64 for 32 bytes.
const tokenSize = 32

// checkTokens explains the mistakes people make when they paste a Teams
// token, beyond what bot.DecodeToken refuses: quotes, the variable's name
// pasted with it, a token encoded twice, a key of the wrong size. The
// errors never hold the token.
func checkTokens(tokens []string) error {
	for i, t := range tokens {
		t = strings.TrimSpace(t)
		n := fmt.Sprintf("token %d of %d", i+1, len(tokens))
		switch {
		case strings.Trim(t, `"'`) != t:
			return fmt.Errorf("%s starts or ends with a quote: remove the quotes around it", n)
		case strings.Contains(strings.TrimRight(t, "="), "="):
			return fmt.Errorf("%s holds \"NAME=\": set the variable to the token alone, not to NAME=token", n)
		}
		key, err := bot.DecodeToken(t)
		if err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		if inner, err := base64.StdEncoding.DecodeString(string(key)); err == nil && len(inner) == tokenSize {
			return fmt.Errorf("%s is base64-encoded twice: use the token exactly as Teams showed it", n)
		}
		if len(key) != tokenSize {
			return fmt.Errorf("%s decodes to %d bytes; a Teams token decodes to %d (44 characters as Teams shows it): "+
				"copy the whole token", n, len(key), tokenSize)
		}
	}
	return nil
}
