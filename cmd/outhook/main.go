// Command outhook is the standalone Microsoft Teams outgoing-webhook bot.
// Run "outhook chat" to try it, "outhook serve" to run it; see README.md.
package main

import (
	"github.com/outhook/outhook/cmd"
	_ "github.com/outhook/outhook/plugins/standard"
)

func main() { cmd.Main() }
