package cmd

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// VersionCmd prints the version and build information.
type VersionCmd struct{}

// Run prints the build information of the running binary.
func (VersionCmd) Run(g *Globals) error {
	bi, _ := debug.ReadBuildInfo()
	writeVersion(g.stdout, bi)
	return nil
}

// writeVersion prints the module version, the VCS revision, time and
// modified flag where the build recorded them, and the Go version. bi may
// be nil (a binary built without module support).
func writeVersion(w io.Writer, bi *debug.BuildInfo) {
	version, goVersion := "(unknown)", runtime.Version()
	if bi != nil {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		if bi.GoVersion != "" {
			goVersion = bi.GoVersion
		}
	}
	fmt.Fprintf(w, "outhook %s\n", version)
	if bi != nil {
		settings := map[string]string{}
		for _, s := range bi.Settings {
			settings[s.Key] = s.Value
		}
		if rev := settings["vcs.revision"]; rev != "" {
			if settings["vcs.modified"] == "true" {
				rev += " (modified)"
			}
			fmt.Fprintf(w, "revision: %s\n", rev)
		}
		if t := settings["vcs.time"]; t != "" {
			fmt.Fprintf(w, "committed: %s\n", t)
		}
		if bi.Main.Path != "" {
			fmt.Fprintf(w, "module: %s\n", bi.Main.Path)
		}
	}
	fmt.Fprintf(w, "go: %s %s/%s\n", goVersion, runtime.GOOS, runtime.GOARCH)
}
