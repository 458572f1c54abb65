// Package deploy_test proves that the shipped deployment starts as shipped:
// deploy/outhook.service with outhook.example.yaml, the container image's
// configuration deploy/outhook.container.yaml, and the files and variables
// docs/deploy.md tells an operator to create agree, and the binary starts
// from exactly those. No systemd and no container engine run here: the
// tests do what systemd does with the unit's credentials and directories in
// a temporary root, and read the Dockerfile.
package deploy_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"
)

// outhookBin is the outhook binary TestMain builds, outside the repository.
// (go test puts its own toolchain first on PATH.)
var outhookBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "outhook-deploy-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	outhookBin = filepath.Join(dir, "outhook")
	build := exec.Command("go", append(append([]string{"build"}, buildFlags...), "-o", outhookBin, "../cmd/outhook")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building outhook:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.RemoveAll(dir)
	os.Exit(code)
}
