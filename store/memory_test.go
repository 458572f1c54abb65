package store_test

import (
	"testing"

	"github.com/outhook/outhook/store"
	"github.com/outhook/outhook/store/storetest"
)

func TestMemoryConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) store.Store { return store.NewMemory() })
}
