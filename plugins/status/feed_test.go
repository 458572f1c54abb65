package status_test

import (
	"context"
	"strings"
	"testing"

	"github.com/outhook/outhook/bot/card"
	"github.com/outhook/outhook/plugins"
	"github.com/outhook/outhook/plugins/status"
	"github.com/outhook/outhook/subscription"
)

func TestDigestFeed(t *testing.T) {
	ok, fail, _ := endpoints(t)
	p := status.New().(*status.Plugin)
	if err := plugins.Configure(p, map[string]any{"endpoints": []any{
		map[string]any{"name": "web", "url": ok}, map[string]any{"name": "api", "url": fail},
	}}); err != nil {
		t.Fatal(err)
	}
	if err := p.Provision(context.Background(), plugins.Host{}); err != nil {
		t.Fatal(err)
	}
	defer p.Cleanup()
	feeds := p.Feeds()
	if len(feeds) != 1 || feeds[0].Name() != "status" {
		t.Fatalf("got %d feeds; want one called status", len(feeds))
	}
	tests := []struct{ endpoints, want, err string }{
		{"", "1 of 2 down", ""},
		{"web", "All 1 up", ""},
		{"web, nosuch", "", "nosuch"},
	}
	for _, tt := range tests {
		opts, err := subscription.Check(feeds[0], map[string]string{"endpoints": tt.endpoints})
		if err != nil {
			t.Fatal(err)
		}
		r, err := feeds[0].Render(context.Background(), opts)
		switch {
		case tt.err != "":
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: got %v; want an error naming %s", tt.endpoints, err, tt.err)
			}
		case err != nil || !strings.Contains(card.Render(r), tt.want):
			t.Errorf("%q: got %q %v; want %q", tt.endpoints, card.Render(r), err, tt.want)
		}
	}
}
