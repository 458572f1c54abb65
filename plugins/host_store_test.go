package plugins_test

import (
	"context"
	"testing"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/plugins"
	"github.com/outhook/outhook/router"
	"github.com/outhook/outhook/store"
)

// keeper is a plugin that keeps data: it writes a key in Provision and
// remembers its host.
type keeper struct{ host plugins.Host }

func (k *keeper) Commands() []*router.Command { return nil }

func (k *keeper) Provision(ctx context.Context, h plugins.Host) error {
	k.host = h
	if h.Store == nil {
		return nil
	}
	return h.Store.Put(ctx, "k", []byte(h.ID), 0)
}

func init() {
	plugins.Register(plugins.Info{ID: "keeper-a", New: func() plugins.Plugin { return &keeper{} }, Explicit: true, KeepsData: true})
	plugins.Register(plugins.Info{ID: "keeper-b", New: func() plugins.Plugin { return &keeper{} }, Explicit: true, KeepsData: true})
}

func TestLoadGivesEachPluginItsStore(t *testing.T) {
	ctx := context.Background()
	s := store.NewMemory()
	poster := bot.PosterFunc(func(context.Context, *bot.FollowUp) error { return nil })
	set, err := plugins.Load(ctx, plugins.Options{IDs: []string{"keeper-a", "keeper-b"}, Webhook: "ops", Store: s, FollowUps: poster})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Cleanup()
	es, err := s.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Entry{{Key: "plugin/ops/keeper-a/k", Value: []byte("keeper-a")}, {Key: "plugin/ops/keeper-b/k", Value: []byte("keeper-b")}}
	if len(es) != len(want) {
		t.Fatalf("got %v; want %v", es, want)
	}
	for i := range want {
		if es[i].Key != want[i].Key || string(es[i].Value) != string(want[i].Value) {
			t.Errorf("entry %d: got %s=%s; want %s=%s", i, es[i].Key, es[i].Value, want[i].Key, want[i].Value)
		}
	}
	p, _ := set.Plugin("keeper-a")
	if p.(*keeper).host.FollowUps == nil {
		t.Error("Host.FollowUps: got nil; want the poster from Options")
	}

	bare, err := plugins.Load(ctx, plugins.Options{IDs: []string{"keeper-a"}})
	if err != nil {
		t.Fatal(err)
	}
	defer bare.Cleanup()
	p, _ = bare.Plugin("keeper-a")
	if h := p.(*keeper).host; h.Store != nil || h.FollowUps != nil {
		t.Errorf("without a store or poster: got %v %v; want nil nil", h.Store, h.FollowUps)
	}
}

func TestKeepData(t *testing.T) {
	tests := []struct {
		ids  []string
		want bool
	}{
		{[]string{"bare"}, false},
		{[]string{"bare", "keeper-b"}, true},
		{[]string{"no-such-plugin"}, false},
	}
	for _, tt := range tests {
		if got := plugins.KeepData(tt.ids...); got != tt.want {
			t.Errorf("KeepData(%v): got %v; want %v", tt.ids, got, tt.want)
		}
	}
}
