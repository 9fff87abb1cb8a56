package devtest

import (
	"os"

	"github.com/zkaccel/zkaccel/cgo"
	"github.com/zkaccel/zkaccel/cuda"
	"github.com/zkaccel/zkaccel/gpu"
)

// Driver is the CUDA driver of the emulated GPU (scripts/cuda-emu.sh:
// cuda/testdata/fakecuda.c), whose k-th call of those a GPU can fail
// (allocations, copies, launches, module loads, events, waits) can be made
// to fail with CUDA_ERROR_OUT_OF_MEMORY: faults below zkaccel's CUDA
// runtime, where a Faulty device's are above it.
type Driver struct{ lib *cgo.Library }

// FaultyDriver returns the driver of d where d is a CUDA device on the
// emulated GPU, whose driver (cuda.EnvDriver) can fail calls; else nil.
func FaultyDriver(d *gpu.Device) *Driver {
	path := os.Getenv(cuda.EnvDriver)
	if d.Runtime().Kind() != "cuda" || path == "" {
		return nil
	}
	lib, err := cgo.Open([]string{path}, []string{"fake_fail_at", "fake_fault_calls", "fake_live_allocs", "fake_live_host", "fake_live_events"})
	if err != nil {
		return nil
	}
	return &Driver{lib}
}

func (d *Driver) call(name string, args ...uintptr) int64 {
	f, err := d.lib.Func(name)
	if err != nil {
		panic(err) // opened with it
	}
	r, _ := f.Call(args...)
	return int64(r)
}

// Arm restarts the count of the calls that can fail and makes the k-th
// from now fail (0: none).
func (d *Driver) Arm(k int) { d.call("fake_fail_at", uintptr(k)) }

// Calls is the number of calls that can fail made since Arm.
func (d *Driver) Calls() int { return int(d.call("fake_fault_calls")) }

// Live is what the driver holds: device allocations, pinned host buffers
// and events.
func (d *Driver) Live() [3]int64 {
	return [3]int64{d.call("fake_live_allocs"), d.call("fake_live_host"), d.call("fake_live_events")}
}
