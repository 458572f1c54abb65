package subscription

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/outhook/outhook/bot"
)

// Feed is something a channel can subscribe to: it renders a reply (text
// or a card) from its options. Render runs under the deadline of ctx and
// must return by then.
type Feed interface {
	// Name is the feed's name in "subscribe <name>": lowercase letters,
	// digits and '-'.
	Name() string
	// Summary says in one line what the feed posts.
	Summary() string
	// Options are the options the feed takes.
	Options() []Option
	// Render produces one post. opts have been checked with Check.
	Render(ctx context.Context, opts map[string]string) (bot.Reply, error)
}

// OptionType is the type of an option's value.
type OptionType string

// The option types.
const (
	String OptionType = "string"
	Int    OptionType = "int"
	Bool   OptionType = "bool"
)

// Option is one option of a feed, set with "--opt name=value".
type Option struct {
	// Name is the option's name. Required.
	Name string `json:"name"`
	// Help says what it is, for the subscriptions help. Optional.
	Help string `json:"help"`
	// Type is String (the default), Int or Bool.
	Type OptionType `json:"type"`
	// Required options must be given.
	Required bool `json:"required"`
	// Default is the value when the option is left out. Optional.
	Default string `json:"default"`
	// Choices, when set, are the only values allowed.
	Choices []string `json:"choices"`
}

// MaxOptionLength is the longest option value accepted.
const MaxOptionLength = 200

// Check validates opts against the feed's options and returns them with
// defaults filled in: unknown options, missing required ones, values of
// the wrong type or not among the choices are errors a user can read.
func Check(f Feed, opts map[string]string) (map[string]string, error) {
	out := map[string]string{}
	known := map[string]Option{}
	for _, o := range f.Options() {
		known[o.Name] = o
	}
	for k, v := range opts {
		o, ok := known[k]
		if !ok {
			return nil, fmt.Errorf("feed %s has no option %q (it has: %s)", f.Name(), k, optionNames(f))
		}
		if len(v) > MaxOptionLength {
			return nil, fmt.Errorf("option %s: at most %d characters", k, MaxOptionLength)
		}
		switch o.Type {
		case Int:
			if _, err := strconv.Atoi(v); err != nil {
				return nil, fmt.Errorf("option %s: %q is not a whole number", k, v)
			}
		case Bool:
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, fmt.Errorf("option %s: use true or false", k)
			}
			v = strconv.FormatBool(b)
		}
		if len(o.Choices) > 0 && !slices.Contains(o.Choices, v) {
			return nil, fmt.Errorf("option %s: use one of %s", k, strings.Join(o.Choices, ", "))
		}
		out[k] = v
	}
	for _, o := range f.Options() {
		if _, ok := out[o.Name]; ok {
			continue
		}
		if o.Required {
			return nil, fmt.Errorf("feed %s needs --opt %s=…", f.Name(), o.Name)
		}
		if o.Default != "" {
			out[o.Name] = o.Default
		}
	}
	return out, nil
}

func optionNames(f Feed) string {
	var names []string
	for _, o := range f.Options() {
		names = append(names, o.Name)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// Feeds is a registry of feeds by name. The zero value is empty and ready
// to use; it is safe for concurrent use.
type Feeds struct {
	mu sync.RWMutex
	m  map[string]Feed
}

// NewFeeds returns a registry holding fs. It panics on a duplicate name.
func NewFeeds(fs ...Feed) *Feeds {
	r := &Feeds{}
	for _, f := range fs {
		r.Add(f)
	}
	return r
}

// Add registers f. It panics on an empty or duplicate name: feeds are
// registered while wiring.
func (r *Feeds) Add(f Feed) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if f.Name() == "" {
		panic("subscription: a feed needs a name")
	}
	if _, dup := r.m[f.Name()]; dup {
		panic(fmt.Sprintf("subscription: feed %q added twice", f.Name()))
	}
	if r.m == nil {
		r.m = map[string]Feed{}
	}
	r.m[f.Name()] = f
}

// Lookup returns the feed called name.
func (r *Feeds) Lookup(name string) (Feed, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	f, ok := r.m[name]
	return f, ok
}

// Names returns the registered names, sorted.
func (r *Feeds) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.m))
	for n := range r.m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Provider offers feeds: a plugin that implements it, such as status,
// adds its feeds to the subscriptions plugin of the same webhook.
type Provider interface {
	Feeds() []Feed
}
