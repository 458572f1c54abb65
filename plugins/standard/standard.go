// Package standard imports the plugins that ship with outhook, so that they
// register themselves. A custom build imports it, or a subset of plugins,
// plus its own. The workflow plugins (runbook, status, trigger) need
// settings, so they are enabled only where a webhook names them.
package standard

import (
	// The standard plugin set.
	_ "github.com/outhook/outhook/plugins/echo"
	_ "github.com/outhook/outhook/plugins/help"
	_ "github.com/outhook/outhook/plugins/jobs"
	_ "github.com/outhook/outhook/plugins/ping"
	_ "github.com/outhook/outhook/plugins/runbook"
	_ "github.com/outhook/outhook/plugins/status"
	_ "github.com/outhook/outhook/plugins/subscriptions"
	_ "github.com/outhook/outhook/plugins/trigger"
	_ "github.com/outhook/outhook/plugins/whoami"
)
