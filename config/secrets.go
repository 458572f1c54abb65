package config

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
)

// ErrNoSecret is returned by ReadSecrets when its sources hold nothing.
var ErrNoSecret = errors.New("no secret found")

// ReadSecrets collects secrets from the environment variable named env
// (comma-separated values) and from file (one per line; blank lines and
// lines starting with '#' are ignored). Either name may be empty. lookup
// reads the environment; nil means os.LookupEnv. Errors name the variable
// or file, never a value; with both sources empty it returns ErrNoSecret.
func ReadSecrets(env, file string, lookup func(string) (string, bool)) ([]string, error) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	var out []string
	if env != "" {
		v, _ := lookup(env)
		for s := range strings.SplitSeq(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("reading secret file: %w", err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			s := strings.TrimSpace(sc.Text())
			if s != "" && !strings.HasPrefix(s, "#") {
				out = append(out, s)
			}
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("reading secret file %s: %w", file, err)
		}
	}
	if len(out) == 0 {
		return nil, ErrNoSecret
	}
	return out, nil
}

// ReadSecret is ReadSecrets for a single value, such as a URL: it fails
// when the sources hold more than one.
func ReadSecret(env, file string, lookup func(string) (string, bool)) (string, error) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	var vals []string
	if env != "" {
		if v, _ := lookup(env); strings.TrimSpace(v) != "" {
			vals = append(vals, strings.TrimSpace(v))
		}
	}
	if file != "" {
		vs, err := ReadSecrets("", file, lookup)
		if err != nil && !errors.Is(err, ErrNoSecret) {
			return "", err
		}
		vals = append(vals, vs...)
	}
	switch len(vals) {
	case 0:
		return "", ErrNoSecret
	case 1:
		return vals[0], nil
	default:
		return "", errors.New("more than one value: set only one of the variable and the file, with one line")
	}
}
