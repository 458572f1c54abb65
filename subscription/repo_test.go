package subscription_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/outhook/outhook/store"
	"github.com/outhook/outhook/subscription"
)

func TestCreateListUpdateDelete(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	a := newSub(t, st, now, subscription.Subscription{Channel: "19:a", Options: map[string]string{"name": "a"}, Schedule: subscription.Schedule{At: "07:00"}})
	newSub(t, st, now, subscription.Subscription{Channel: "19:b", Options: map[string]string{"name": "b"}, Schedule: subscription.Schedule{At: "07:00"}})
	if subs, _ := subscription.List(ctx, st, "19:a"); len(subs) != 1 || subs[0].ID != a.ID {
		t.Fatalf("list of 19:a: got %v; want only %s", subs, a.ID)
	}
	if subs, _ := subscription.List(ctx, st, ""); len(subs) != 2 {
		t.Fatalf("list of all: got %d; want 2", len(subs))
	}
	got, err := subscription.Update(ctx, st, "19:a", a.ID, func(s *subscription.Subscription) error { s.Paused = true; return nil })
	if err != nil || !got.Paused {
		t.Fatalf("pause: got %+v %v", got, err)
	}
	if _, err := subscription.Update(ctx, st, "19:a", a.ID, func(s *subscription.Subscription) error {
		s.Schedule.Every = "1m"
		return nil
	}); err == nil {
		t.Fatal("an update to a bad schedule was stored")
	}
	if err := subscription.Delete(ctx, st, "19:b", a.ID); !errors.Is(err, subscription.ErrNotFound) {
		t.Fatalf("delete from another channel: got %v; want ErrNotFound", err)
	}
	if err := subscription.Delete(ctx, st, "19:a", a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := subscription.Get(ctx, st, "19:a", a.ID); !errors.Is(err, subscription.ErrNotFound) {
		t.Fatalf("get after delete: got %v; want ErrNotFound", err)
	}
}

func TestCreateLimit(t *testing.T) {
	st := store.NewMemory()
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	for i := range 3 {
		newSub(t, st, now, subscription.Subscription{Options: map[string]string{"name": fmt.Sprint(i)}, Schedule: subscription.Schedule{Every: "1h"}})
	}
	_, err := subscription.Create(context.Background(), st, subscription.Subscription{
		ID: "extra", Channel: "19:ops@thread.tacv2", Feed: "echo", Schedule: subscription.Schedule{Every: "1h"},
	}, now, 3)
	if !errors.Is(err, subscription.ErrTooMany) {
		t.Fatalf("got %v; want ErrTooMany", err)
	}
}

func TestExportImport(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	sub := newSub(t, st, now, subscription.Subscription{Options: map[string]string{"name": "x"}, Schedule: subscription.Schedule{Every: "1h"},
		Target: "https://example.com/workflows?sig=sekrit"})
	if s := sub.String(); strings.Contains(s, "sekrit") {
		t.Errorf("String shows the target: %s", s)
	}

	var redacted, full bytes.Buffer
	if err := subscription.Export(ctx, st, &redacted, false); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(redacted.String(), "sekrit") || !strings.Contains(redacted.String(), `"target": "(set)"`) {
		t.Errorf("export without secrets: got %s", redacted.String())
	}
	if err := subscription.Export(ctx, st, &full, true); err != nil {
		t.Fatal(err)
	}

	// Into an empty store: the full export restores the target; the
	// redacted one cannot.
	for _, tt := range []struct {
		name, in, target string
	}{{"full", full.String(), sub.Target}, {"redacted", redacted.String(), ""}} {
		other := store.NewMemory()
		n, err := subscription.Import(ctx, other, strings.NewReader(tt.in))
		if err != nil || n != 1 {
			t.Fatalf("%s: import: got %d %v", tt.name, n, err)
		}
		got, _ := subscription.Get(ctx, other, sub.Channel, sub.ID)
		if got.Target != tt.target || !got.NextRun.Equal(sub.NextRun) {
			t.Errorf("%s: got target %q next %v; want %q %v", tt.name, got.Target, got.NextRun, tt.target, sub.NextRun)
		}
	}
	// Into the same store, the redacted export keeps the stored target.
	if _, err := subscription.Import(ctx, st, strings.NewReader(redacted.String())); err != nil {
		t.Fatal(err)
	}
	if got, _ := subscription.Get(ctx, st, sub.Channel, sub.ID); got.Target != sub.Target {
		t.Errorf("reimport: got target %q; want it kept", got.Target)
	}
	if _, err := subscription.Import(ctx, st, strings.NewReader(`[{"id":"x","channel":"c","feed":"f","schedule":{"every":"1m"}}]`)); err == nil {
		t.Error("import of a bad schedule succeeded")
	}
}
