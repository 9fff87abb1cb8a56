package gpu_test

import (
	"os"
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/ptxdev"

	_ "github.com/zkaccel/zkaccel/opencl" // registers opencl:N
)

// forEachGPU runs fn on every device present that is a *gpu.Device (OpenCL,
// CUDA), as a subtest named by its spec; an absent kind is skipped, or fails
// where ZKACCEL_REQUIRE names it.
//
// With ZKACCEL_TEST_PTX=1 it also runs fn on a device whose kernels are
// the embedded CUDA PTX run by an interpreter (internal/ptxdev), named
// ptx:0: thousands of times slower than POCL, for a manual run of the
// whole package on the CUDA form of the kernels.
func forEachGPU(t *testing.T, fn func(t *testing.T, d *gpu.Device)) {
	t.Helper()
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		d, ok := dev.(*gpu.Device)
		if !ok {
			t.Skipf("%v is not a GPU runtime device", dev)
		}
		fn(t, d)
	})
	if os.Getenv("ZKACCEL_TEST_PTX") == "1" {
		t.Run("ptx:0", func(t *testing.T) {
			d, _ := ptxdev.NewDevice(devtest.Seed(t))
			fn(t, d)
		})
	}
}
