package cmd

import (
	"strings"
	"testing"
)

func TestListenAddr(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{":8080", ":8080", ""},
		{" 127.0.0.1:8443 ", "127.0.0.1:8443", ""},
		{"[::1]:8080", "[::1]:8080", ""},
		{"8080", "", `listen address "8080" has no colon: did you mean :8080?`},
		{"", "", "listen address is empty: give host:port"},
		{"  ", "", "listen address is empty"},
		{"http://0.0.0.0:8080", "", "is a URL: give host:port"},
		{"localhost", "", `listen address "localhost": give host:port`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := listenAddr(tt.in)
			switch {
			case tt.err == "" && (err != nil || got != tt.want):
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Errorf("got %q, %v; want an error containing %q", got, err, tt.err)
			}
		})
	}
	code, _, errs := run(t, "", "serve", "--listen", "8080")
	if code != 1 || !strings.Contains(errs, "did you mean :8080?") {
		t.Errorf("serve --listen 8080: got %d %q; want 1 and the hint", code, errs)
	}
}
