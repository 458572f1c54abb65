// Package plugins is the registry of outhook plugins. A plugin is a named
// set of commands; it registers itself from an init function, and a binary
// picks the plugins it wants by importing them (see plugins/standard) and
// installing them by ID.
//
// Embedders that do not want a registry can add a plugin's commands to a
// router.Router directly.
package plugins

import (
	"fmt"
	"sort"
	"sync"

	"github.com/outhook/outhook/router"
)

// Plugin provides commands.
type Plugin interface {
	// Commands returns the plugin's commands. It is called once, when the
	// plugin is installed.
	Commands() []*router.Command
}

// Info describes a registered plugin.
type Info struct {
	// ID names the plugin, such as "ping". Required, unique.
	ID string
	// Summary describes the plugin in one line. Optional.
	Summary string
	// New returns a new instance. It must not do I/O. Required.
	New func() Plugin
}

var (
	mu       sync.RWMutex
	registry = map[string]Info{}
)

// Register adds a plugin to the registry. It panics on an empty or duplicate
// ID or a nil constructor; call it from an init function.
func Register(info Info) {
	mu.Lock()
	defer mu.Unlock()
	if info.ID == "" || info.New == nil {
		panic("plugins: Register needs an ID and a New function")
	}
	if _, dup := registry[info.ID]; dup {
		panic(fmt.Sprintf("plugins: plugin %q registered twice", info.ID))
	}
	registry[info.ID] = info
}

// Lookup returns the registered plugin with the given ID.
func Lookup(id string) (Info, bool) {
	mu.RLock()
	defer mu.RUnlock()
	info, ok := registry[id]
	return info, ok
}

// IDs returns the IDs of all registered plugins, sorted.
func IDs() []string {
	mu.RLock()
	defer mu.RUnlock()
	ids := make([]string, 0, len(registry))
	for id := range registry {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Install creates the plugins with the given IDs and adds their commands to
// r. With no IDs it installs every registered plugin. It fails on an
// unknown ID.
func Install(r *router.Router, ids ...string) error {
	if len(ids) == 0 {
		ids = IDs()
	}
	for _, id := range ids {
		info, ok := Lookup(id)
		if !ok {
			return fmt.Errorf("unknown plugin %q (registered: %v)", id, IDs())
		}
		Add(r, id, info.New())
	}
	return nil
}

// Add adds the commands of p to r, recording id as their owner.
func Add(r *router.Router, id string, p Plugin) {
	for _, cmd := range p.Commands() {
		cmd.Plugin = id
		r.Add(cmd)
	}
}
