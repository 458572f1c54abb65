package subscription

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/outhook/outhook/store"
)

// MaxPerChannel is the default limit of subscriptions in one channel.
const MaxPerChannel = 25

// ErrNotFound is returned for a subscription that is not in the channel.
var ErrNotFound = errors.New("no such subscription in this channel")

// ErrTooMany is returned by Create when the channel has its limit.
var ErrTooMany = errors.New("this channel has as many subscriptions as it may have")

// Keys: subscriptions live under "sub/<channel>/<id>"; run claims under
// "claim/<id>/<unix seconds>".
const subPrefix = "sub/"

func key(channel, id string) string { return subPrefix + channel + "/" + id }

// List returns the subscriptions of channel, or of every channel when
// channel is empty, ordered by channel and id. Secrets are included: use
// Redacted before showing them.
func List(ctx context.Context, st store.Store, channel string) ([]Subscription, error) {
	prefix := subPrefix
	if channel != "" {
		prefix = key(channel, "")
	}
	es, err := st.List(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("listing subscriptions: %w", err)
	}
	out := make([]Subscription, 0, len(es))
	for _, e := range es {
		var s Subscription
		if err := json.Unmarshal(e.Value, &s); err != nil {
			return nil, fmt.Errorf("reading subscription %s: %w", e.Key, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// Get returns the subscription id of channel, or ErrNotFound.
func Get(ctx context.Context, st store.Store, channel, id string) (Subscription, error) {
	s, _, err := get(ctx, st, channel, id)
	return s, err
}

func get(ctx context.Context, st store.Store, channel, id string) (Subscription, []byte, error) {
	raw, ok, err := st.Get(ctx, key(channel, id))
	if err != nil {
		return Subscription{}, nil, fmt.Errorf("reading subscription: %w", err)
	}
	if !ok {
		return Subscription{}, nil, ErrNotFound
	}
	var s Subscription
	if err := json.Unmarshal(raw, &s); err != nil {
		return Subscription{}, nil, fmt.Errorf("reading subscription %s: %w", id, err)
	}
	return s, raw, nil
}

// Create stores s, a new subscription, with its NextRun computed from now
// when zero. It fails with ErrTooMany when the channel already has limit
// subscriptions (0: MaxPerChannel). The limit is checked, then the
// subscription added: two subscribers racing may pass it by one.
func Create(ctx context.Context, st store.Store, s Subscription, now time.Time, limit int) (Subscription, error) {
	if err := s.Validate(); err != nil {
		return s, err
	}
	if limit <= 0 {
		limit = MaxPerChannel
	}
	have, err := st.List(ctx, key(s.Channel, ""))
	if err != nil {
		return s, fmt.Errorf("counting subscriptions: %w", err)
	}
	if len(have) >= limit {
		return s, ErrTooMany
	}
	if s.Created.IsZero() {
		s.Created = now
	}
	if s.NextRun.IsZero() {
		if s.NextRun, err = s.Schedule.Next(now); err != nil {
			return s, err
		}
	}
	raw, err := json.Marshal(s)
	if err != nil {
		return s, err
	}
	ok, err := st.CompareAndSwap(ctx, key(s.Channel, s.ID), nil, raw, 0)
	if err != nil {
		return s, fmt.Errorf("storing subscription: %w", err)
	}
	if !ok {
		return s, fmt.Errorf("subscription %s exists already", s.ID)
	}
	return s, nil
}

// Update changes the subscription id of channel with fn, atomically: when
// another replica changed it in between, fn runs again on the new value.
// fn returning an error leaves it unchanged. It returns the result, or
// ErrNotFound.
func Update(ctx context.Context, st store.Store, channel, id string, fn func(*Subscription) error) (Subscription, error) {
	for {
		s, raw, err := get(ctx, st, channel, id)
		if err != nil {
			return s, err
		}
		if err := fn(&s); err != nil {
			return s, err
		}
		if err := s.Validate(); err != nil {
			return s, err
		}
		next, err := json.Marshal(s)
		if err != nil {
			return s, err
		}
		ok, err := st.CompareAndSwap(ctx, key(channel, id), raw, next, 0)
		if err != nil {
			return s, fmt.Errorf("storing subscription: %w", err)
		}
		if ok {
			return s, nil
		}
		if err := ctx.Err(); err != nil {
			return s, err
		}
	}
}

// Delete removes the subscription id of channel, or returns ErrNotFound.
func Delete(ctx context.Context, st store.Store, channel, id string) error {
	if _, err := Get(ctx, st, channel, id); err != nil {
		return err
	}
	if err := st.Delete(ctx, key(channel, id)); err != nil {
		return fmt.Errorf("deleting subscription: %w", err)
	}
	return nil
}

// Export writes every subscription as a JSON array, ordered by channel
// and id. Targets are secrets: without withSecrets they are written as
// "(set)", and such an export cannot restore them.
func Export(ctx context.Context, st store.Store, w io.Writer, withSecrets bool) error {
	subs, err := List(ctx, st, "")
	if err != nil {
		return err
	}
	if !withSecrets {
		for i := range subs {
			subs[i] = subs[i].Redacted()
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(subs)
}

// Import reads a JSON array as Export writes it and stores each
// subscription, replacing one with the same channel and id. A target
// written as "(set)" keeps the stored target, or is dropped. It returns how
// many it stored; it checks them all before storing any.
func Import(ctx context.Context, st store.Store, r io.Reader) (int, error) {
	var subs []Subscription
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&subs); err != nil {
		return 0, fmt.Errorf("reading subscriptions: %w", err)
	}
	for i, s := range subs {
		if err := s.Validate(); err != nil {
			return 0, fmt.Errorf("subscription %d (%s): %w", i, s.ID, err)
		}
	}
	for i, s := range subs {
		if s.Target == "(set)" {
			s.Target = ""
			if old, err := Get(ctx, st, s.Channel, s.ID); err == nil {
				s.Target = old.Target
			}
		}
		raw, err := json.Marshal(s)
		if err != nil {
			return i, err
		}
		if err := st.Put(ctx, key(s.Channel, s.ID), raw, 0); err != nil {
			return i, fmt.Errorf("storing subscription %s: %w", s.ID, err)
		}
	}
	return len(subs), nil
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
