package cmd

import (
	"testing"

	"go.uber.org/goleak"

	_ "github.com/outhook/outhook/plugins/standard"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
