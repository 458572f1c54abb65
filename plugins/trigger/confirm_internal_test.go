package trigger

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/outhook/outhook/store"
)

func TestConfirmationCodes(t *testing.T) {
	t.Run("in memory", func(t *testing.T) { testConfirmationCodes(t, nil) })
	t.Run("in the store", func(t *testing.T) { testConfirmationCodes(t, store.NewMemory()) })
}

func testConfirmationCodes(t *testing.T, s store.Store) {
	now := time.Date(2026, 11, 28, 12, 0, 30, 0, time.UTC)
	p := &Plugin{key: []byte("k"), ConfirmTTL: 2 * time.Minute, used: map[string]time.Time{}, store: s, now: func() time.Time { return now }}
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
			err := p.redeem(context.Background(), tt.asker, tt.line, tt.code)
			if (err == nil) != tt.wantOK {
				t.Errorf("got %v; want ok=%v", err, tt.wantOK)
			}
		})
	}
}

// TestCodeWorksOnceAcrossReplicas: two replicas share the key and a
// store; a code redeemed on one is refused on the other.
func TestCodeWorksOnceAcrossReplicas(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 30, 0, time.UTC)
	shared := store.NewMemory()
	replica := func() *Plugin {
		return &Plugin{key: []byte("k"), ConfirmTTL: 2 * time.Minute, used: map[string]time.Time{},
			store: store.ForPlugin(shared, "default", "trigger"), now: func() time.Time { return now }}
	}
	a, b := replica(), replica()
	code := a.code("aad-ada", "deploy web prod", now.Add(a.ConfirmTTL))
	ctx := context.Background()
	if err := a.redeem(ctx, "aad-ada", "deploy web prod", code); err != nil {
		t.Fatalf("first use on replica a: got %v; want nil", err)
	}
	if err := b.redeem(ctx, "aad-ada", "deploy web prod", code); err != errBadCode {
		t.Fatalf("second use on replica b: got %v; want errBadCode", err)
	}
	shared.Close()
	other := a.code("aad-ada", "deploy web staging", now.Add(a.ConfirmTTL))
	if err := a.redeem(ctx, "aad-ada", "deploy web staging", other); err == nil || err == errBadCode {
		t.Fatalf("with a broken store: got %v; want the store's error", err)
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

// TestLengthBounds: an argument without enum or pattern takes up to 100
// characters, as the counted repetition this bound replaced did
// (TestArgNameLength checks the names').
func TestLengthBounds(t *testing.T) {
	tr := &Trigger{Name: "go", Args: []Arg{{Name: "v"}}, pattern: []*regexp.Regexp{nil}}
	for _, tt := range []struct {
		value string
		ok    bool
	}{
		{"a", true},
		{strings.Repeat("a", 100), true},
		{strings.Repeat("a", 101), false},
		{"-a", false},
		{"a b", false},
	} {
		if _, err := tr.check(0, tt.value); (err == nil) != tt.ok {
			t.Errorf("check(%d characters %.8q): got %v; want ok %v", len(tt.value), tt.value, err, tt.ok)
		}
	}
}
