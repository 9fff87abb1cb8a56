package gpu_test

import (
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/devtest"

	_ "github.com/zkaccel/zkaccel/opencl" // registers opencl:N
)

// forEachGPU runs fn on every device present that is a *gpu.Device (OpenCL,
// CUDA), as a subtest named by its spec; an absent kind is skipped, or fails
// where ZKACCEL_REQUIRE names it.
func forEachGPU(t *testing.T, fn func(t *testing.T, d *gpu.Device)) {
	t.Helper()
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		d, ok := dev.(*gpu.Device)
		if !ok {
			t.Skipf("%v is not a GPU runtime device", dev)
		}
		fn(t, d)
	})
}
