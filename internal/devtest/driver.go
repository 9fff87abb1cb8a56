package devtest

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/zkaccel/zkaccel/cgo"
	"github.com/zkaccel/zkaccel/cuda"
	"github.com/zkaccel/zkaccel/gpu"
)

// Driver is the CUDA driver of the emulated GPU (scripts/cuda-emu.sh:
// cuda/testdata/fakecuda.c), whose k-th call of those a GPU can fail
// (allocations, copies, launches, module loads, events, waits) can be made
// to fail with CUDA_ERROR_OUT_OF_MEMORY or a sticky error (FailWith):
// faults below zkaccel's CUDA runtime, where a Faulty device's are above
// it.
type Driver struct{ lib *cgo.Library }

// FaultyDriver returns the driver of d where d is a CUDA device on the
// emulated GPU, whose driver (cuda.EnvDriver) can fail calls; else nil.
func FaultyDriver(d *gpu.Device) *Driver {
	path := os.Getenv(cuda.EnvDriver)
	if d.Runtime().Kind() != "cuda" || path == "" {
		return nil
	}
	lib, err := cgo.Open([]string{path}, []string{"fake_fail_at", "fake_fail_with", "fake_fault_calls", "fake_live_allocs", "fake_live_host", "fake_live_events"})
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

// FailWith sets the error of the failing call: 2, CUDA_ERROR_OUT_OF_MEMORY
// (the default), or 700, CUDA_ERROR_ILLEGAL_ADDRESS, which is sticky (as
// after a kernel fault: every later call fails until the runtime resets
// the device's context).
func (d *Driver) FailWith(code int) { d.call("fake_fail_with", uintptr(code)) }

// Live is what the driver holds: device allocations, pinned host buffers
// and events.
func (d *Driver) Live() [3]int64 {
	return [3]int64{d.call("fake_live_allocs"), d.call("fake_live_host"), d.call("fake_live_events")}
}

// DriverFaults is the emulated GPU as Faults: the device itself, whose
// driver's calls fail (Driver), below zkaccel's CUDA runtime. A run under
// an armed fault must return the driver's error (a cuda.Error of
// CUDA_ERROR_OUT_OF_MEMORY) or none, where the device recovered (a
// fallback for want of memory, a wait in a Free); the emulated GPU stops
// the process at any stream hazard or host race either way.
type DriverFaults struct {
	*gpu.Device
	drv    *Driver
	sticky bool        // the driver fails with a sticky error
	kept   keptDevices // devices over its runtime whose caches ReleaseCache drops too
}

// NewDriverFaults returns d, the emulated GPU (FaultyDriver(d) not nil), as
// Faults, with its runtime's timing off until the test ends (a timing
// event that fails, fails no operation, which would make most faults
// quiet).
func NewDriverFaults(t testing.TB, d *gpu.Device, sticky bool) *DriverFaults {
	drv := FaultyDriver(d)
	if drv == nil {
		t.Fatalf("%v is not the emulated GPU", d)
	}
	if sticky {
		drv.FailWith(700)
		t.Cleanup(func() { drv.FailWith(2) })
	}
	if timed, ok := d.Runtime().(interface{ SetTiming(on bool) }); ok {
		timed.SetTiming(false)
		t.Cleanup(func() { timed.SetTiming(true) })
	}
	return &DriverFaults{Device: d, drv: drv, sticky: sticky}
}

// GPU is the device itself.
func (d *DriverFaults) GPU() *gpu.Device { return d.Device }

// Recovers is true with a sticky error: after each reset, the next run
// must succeed.
func (d *DriverFaults) Recovers() bool { return d.sticky }

// Arm restarts the count of the driver's calls that can fail and makes
// the k-th from now fail (0: none).
func (d *DriverFaults) Arm(k int) { d.drv.Arm(k) }

// Calls is the number of such calls since Arm.
func (d *DriverFaults) Calls() int { return d.drv.Calls() }

// ReleaseCache frees the device's caches and those of the devices made by
// KeptOn, and collects the runtime's pending timing events (Times waits
// for all the work), so that Live counts what stays.
func (d *DriverFaults) ReleaseCache() {
	d.Device.ReleaseCache()
	d.kept.releaseCaches()
	_, _, _ = d.Device.Times()
}

// Live is the number of device allocations and pinned host buffers the
// driver holds, plus its events beyond one for each of those (a buffer
// keeps the event of its last copy, a staging buffer its own): the events
// that nothing holds.
func (d *DriverFaults) Live() int {
	l := d.drv.Live()
	return int(l[0] + l[1] + max(0, l[2]-l[0]-l[1]))
}

// KeptOn is [KeptOn] on the device, whose caches ReleaseCache then frees
// too. Call release when done.
func (d *DriverFaults) KeptOn(k Keep, all int64) (on *gpu.Device, release func(), err error) {
	return d.kept.keptOn(d.Device, k, all)
}

// Failed returns nil where err is the driver's injected error, or nil;
// with a sticky error, one that says the device was reset.
func (d *DriverFaults) Failed(err error) error {
	var ce *cuda.Error
	switch {
	case err == nil:
	case d.sticky && !errors.Is(err, gpu.ErrDeviceReset):
		return fmt.Errorf("the error does not say the device was reset: %w", err)
	case !d.sticky && (!errors.As(err, &ce) || ce.Code != 2):
		return fmt.Errorf("the error does not wrap the driver's: %w", err)
	}
	return nil
}
