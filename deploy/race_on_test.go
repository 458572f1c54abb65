//go:build race

package deploy_test

// buildFlags build outhook as the tests are built: under -race the
// packages are already compiled for it, and a race in serve fails the run.
var buildFlags = []string{"-race"}
