// Package standard imports the plugins that ship with outhook, so that they
// register themselves. A custom build imports it, or a subset of plugins,
// plus its own.
package standard

import (
	// The standard plugin set.
	_ "github.com/outhook/outhook/plugins/echo"
	_ "github.com/outhook/outhook/plugins/help"
	_ "github.com/outhook/outhook/plugins/jobs"
	_ "github.com/outhook/outhook/plugins/ping"
	_ "github.com/outhook/outhook/plugins/whoami"
)
