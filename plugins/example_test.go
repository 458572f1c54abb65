package plugins_test

import (
	"context"
	"fmt"
	"time"

	"github.com/outhook/outhook/plugins"
	"github.com/outhook/outhook/router"
)

// greeter is a plugin whose exported fields are its settings.
type greeter struct {
	Greeting string        `json:"greeting"`
	Pause    time.Duration `json:"pause"`
}

func (g *greeter) Commands() []*router.Command {
	return []*router.Command{{Name: "greet", Handler: func(c *router.Context) error { return c.Text(g.Greeting) }}}
}

func ExampleConfigure() {
	g := &greeter{}
	// Settings as a configuration file holds them.
	err := plugins.Configure(g, map[string]any{"greeting": "Moin", "pause": "1m30s"})
	fmt.Println(g.Greeting, g.Pause, err)

	err = plugins.Configure(g, map[string]any{"greting": "Hi"})
	fmt.Println(err)
	// Output:
	// Moin 1m30s <nil>
	// unknown setting "greting"
}

func ExampleLoad() {
	plugins.Register(plugins.Info{ID: "greeter", New: func() plugins.Plugin { return &greeter{} }, Explicit: true})

	set, err := plugins.Load(context.Background(), plugins.Options{
		IDs:      []string{"greeter", "bare"},
		Webhook:  "ops",
		Settings: map[string]map[string]any{"greeter": {"greeting": "Hello, ops!"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer set.Cleanup()
	r := router.New()
	set.Install(r)
	fmt.Println(set.IDs(), r.Lookup("greet").Plugin)

	_, err = plugins.Load(context.Background(), plugins.Options{
		IDs:      []string{"greeter"},
		Settings: map[string]map[string]any{"greeter": {"greeting": 42}},
	})
	fmt.Println(err)
	// Output:
	// [greeter bare] greeter
	// plugin "greeter": setting "greeting": want text (got a number)
}
