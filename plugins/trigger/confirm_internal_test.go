package trigger

import (
	"testing"
	"time"
)

func TestConfirmationCodes(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 30, 0, time.UTC)
	p := &Plugin{key: []byte("k"), ConfirmTTL: 2 * time.Minute, used: map[string]time.Time{}, now: func() time.Time { return now }}
	code := p.code("aad-ada", "deploy web prod", now.Add(p.ConfirmTTL))
	if len(code) != 11 || code[5] != '-' {
		t.Fatalf("got code %q; want the form ABCDE-FGHJK", code)
	}
	tests := []struct {
		name   string
		asker  string
		line   string
		code   string
		at     time.Duration // after issue
		wantOK bool
	}{
		{"valid", "aad-ada", "deploy web prod", code, time.Minute, true},
		{"used twice", "aad-ada", "deploy web prod", code, time.Minute, false},
		{"another person", "aad-grace", "deploy web prod", code, 0, false},
		{"another command", "aad-ada", "deploy api prod", code, 0, false},
		{"expired", "aad-ada", "deploy web prod", p.code("aad-ada", "deploy web prod", now.Add(p.ConfirmTTL)), 4 * time.Minute, false},
		{"lower case, no dash", "aad-ada", "deploy web staging", lowerNoDash(p.code("aad-ada", "deploy web staging", now.Add(p.ConfirmTTL))), 0, true},
		{"garbage", "aad-ada", "deploy web prod", "hello", 0, false},
		{"forged expiry", "aad-ada", "deploy web prod", "ZZZZZ-ZZZZZ", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := now.Add(tt.at)
			p.now = func() time.Time { return at }
			err := p.redeem(tt.asker, tt.line, tt.code)
			if (err == nil) != tt.wantOK {
				t.Errorf("got %v; want ok=%v", err, tt.wantOK)
			}
		})
	}
}

func lowerNoDash(s string) string {
	b := []byte(s)
	out := b[:0]
	for _, c := range b {
		if c == '-' {
			continue
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out = append(out, c)
	}
	return string(out)
}

func TestEscapeURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"web", "web"},
		{"a b&c=d/e?f#g", "a%20b%26c%3Dd%2Fe%3Ff%23g"},
		{"Grüße", "Gr%C3%BC%C3%9Fe"},
		{"v1.2_3~x-y", "v1.2_3~x-y"},
	}
	for _, tt := range tests {
		if got := escapeURL(tt.in); got != tt.want {
			t.Errorf("escapeURL(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
