//go:build !race

package deploy_test

// buildFlags build outhook as the tests are built.
var buildFlags []string
