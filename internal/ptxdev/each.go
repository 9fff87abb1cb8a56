package ptxdev

import (
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/devtest"
)

// Each runs f, as the subtest "ptx", on a new device over the interpreter
// (its scheduler seeded by devtest.Seed), then fails t if the device still
// holds a buffer once it has dropped its caches. Its signature is that of
// devtest.ForEachDevice, so that a check written for every device present
// runs on the interpreter too.
func Each(t *testing.T, f func(*testing.T, zkaccel.Device)) {
	t.Helper()
	d, rt := NewDevice(devtest.Seed(t))
	t.Run("ptx", func(t *testing.T) { f(t, d) })
	d.ReleaseCache()
	if n := rt.Live(); n != 0 {
		t.Errorf("%d device buffers left allocated", n)
	}
}
