package devtest

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/cgo"
	"github.com/zkaccel/zkaccel/cuda"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/opencl"
)

// Driver is the library below a device's runtime where it can fail its
// k-th call of those a device can fail: a fault below zkaccel's runtime,
// where a Faulty device's are above it. Two exist:
//
//   - the CUDA driver of the emulated GPU (scripts/cuda-emu.sh:
//     cuda/testdata/fakecuda.c), whose allocations, copies, launches,
//     module loads, events and waits fail with CUDA_ERROR_OUT_OF_MEMORY, or
//     with a sticky error (Stick), after which every call fails until the
//     runtime resets the device's context;
//   - an OpenCL library that forwards to the machine's (scripts/opencl-faults.sh:
//     opencl/testdata/faultcl.c), whose buffer, program and kernel
//     creations, builds, kernel arguments, copies, launches and waits fail
//     with CL_OUT_OF_RESOURCES, or lose their context too (Stick), after
//     which every call on it fails until the runtime makes a new one.
type Driver struct {
	lib    *cgo.Library
	kind   string // the runtime's: "cuda" or "opencl"
	prefix string // of the library's test hooks
}

// faultLibraries are, by runtime kind, the variable naming the library
// below the runtime, the prefix of its test hooks and the hooks.
var faultLibraries = map[string]struct {
	env, prefix string
	hooks       []string
}{
	"cuda":   {cuda.EnvDriver, "fake_", []string{"fail_at", "fail_with", "fault_calls", "live_allocs", "live_host", "live_events"}},
	"opencl": {opencl.EnvLibrary, "faultcl_", []string{"fail_at", "fail_with", "stick", "fault_calls", "live_mems", "live_programs", "live_kernels", "live_events", "live_contexts", "live_queues"}},
}

// FaultyDriver returns the library below d's runtime where it can fail
// calls: d on the emulated GPU (its driver is cuda.EnvDriver), or an
// OpenCL device opened through faultcl.c (opencl.EnvLibrary); else nil.
func FaultyDriver(d *gpu.Device) *Driver {
	kind := d.Runtime().Kind()
	fl, ok := faultLibraries[kind]
	path := os.Getenv(fl.env)
	if !ok || path == "" {
		return nil
	}
	var names []string
	for _, h := range fl.hooks {
		names = append(names, fl.prefix+h)
	}
	lib, err := cgo.Open([]string{path}, names)
	if err != nil {
		return nil // a library without the hooks: a real driver
	}
	return &Driver{lib: lib, kind: kind, prefix: fl.prefix}
}

func (d *Driver) call(name string, args ...uintptr) int64 {
	f, err := d.lib.Func(d.prefix + name)
	if err != nil {
		panic(err) // opened with it
	}
	r, _ := f.Call(args...)
	return int64(r)
}

// Arm restarts the count of the calls that can fail and makes the k-th
// from now fail (0: none).
func (d *Driver) Arm(k int) { d.call("fail_at", uintptr(k)) }

// Calls is the number of calls that can fail made since Arm.
func (d *Driver) Calls() int { return int(d.call("fault_calls")) }

// CanStick reports whether the library can fail with a sticky error (both
// can).
func (d *Driver) CanStick() bool { return d.kind == "cuda" || d.kind == "opencl" }

// Stick makes the failing call's error sticky, as after a kernel fault:
// every later call fails until the runtime resets the device's context
// (CUDA: CUDA_ERROR_ILLEGAL_ADDRESS; OpenCL: CL_OUT_OF_RESOURCES, and the
// call's context lost until the runtime makes a new one), or not
// (CUDA_ERROR_OUT_OF_MEMORY or CL_OUT_OF_RESOURCES alone, the default).
// Only a library that CanStick can.
func (d *Driver) Stick(on bool) {
	if !d.CanStick() {
		panic("devtest: " + d.kind + "'s library cannot fail with a sticky error")
	}
	if d.kind == "opencl" {
		var v uintptr
		if on {
			v = 1
		}
		d.call("stick", v)
		return
	}
	code := 2
	if on {
		code = 700
	}
	d.call("fail_with", uintptr(code))
}

// Injected reports whether err is (or wraps) the failing call's error,
// not a sticky one: a cuda.Error of CUDA_ERROR_OUT_OF_MEMORY, an
// opencl.Error of CL_OUT_OF_RESOURCES.
func (d *Driver) Injected(err error) bool {
	var ce *cuda.Error
	var oe *opencl.Error
	switch d.kind {
	case "cuda":
		return errors.As(err, &ce) && ce.Code == 2
	case "opencl":
		return errors.As(err, &oe) && oe.Code == -5
	}
	return false
}

// Live is what the library holds, by kind (each to compare with what it
// held after a clean run): for CUDA device allocations, pinned host
// buffers and events; for OpenCL buffers, then programs, kernels,
// contexts and queues, then events.
func (d *Driver) Live() [3]int64 {
	if d.kind == "opencl" {
		objs := d.call("live_programs") + d.call("live_kernels") + d.call("live_contexts") + d.call("live_queues")
		return [3]int64{d.call("live_mems"), objs, d.call("live_events")}
	}
	return [3]int64{d.call("live_allocs"), d.call("live_host"), d.call("live_events")}
}

// Held is Live as one number of what nothing should hold after a run:
// all of it for OpenCL; for CUDA the allocations and pinned buffers, and
// the events beyond one for each of those (a buffer keeps the event of
// its last copy, a staging buffer its own).
func (d *Driver) Held() int {
	l := d.Live()
	if d.kind == "opencl" {
		return int(l[0] + l[1] + l[2])
	}
	return int(l[0] + l[1] + max(0, l[2]-l[0]-l[1]))
}

// SetTiming turns the timing of rt's launches (and copies) on or off:
// CUDA's SetTiming, OpenCL's SetProfiling. It reports whether rt can.
func SetTiming(rt gpu.Runtime, on bool) bool {
	switch r := rt.(type) {
	case interface{ SetTiming(on bool) }:
		r.SetTiming(on)
	case interface{ SetProfiling(on bool) }:
		r.SetProfiling(on)
	default:
		return false
	}
	return true
}

// DriverFaults is a device whose library below zkaccel's runtime fails
// its calls (Driver) as Faults: the emulated GPU, or an OpenCL device
// through faultcl.c. A run under an armed fault must return the library's
// error (a cuda.Error of CUDA_ERROR_OUT_OF_MEMORY, an opencl.Error of
// CL_OUT_OF_RESOURCES) or none, where the device recovered (a fallback
// for want of memory, a wait in a Free); the emulated GPU stops the
// process at any stream hazard or host race either way.
type DriverFaults struct {
	*gpu.Device
	drv    *Driver
	sticky bool        // the driver fails with a sticky error
	kept   keptDevices // devices over its runtime whose caches ReleaseCache drops too
}

// NewDriverFaults returns d (FaultyDriver(d) not nil) as Faults; sticky
// makes each fault a kernel fault's sticky error (Driver.Stick).
// On CUDA the runtime's timing is off until the test ends (a timing event
// that fails, fails no operation, which would make most faults quiet);
// OpenCL's profiling stays on (its queries are not failed).
func NewDriverFaults(t testing.TB, d *gpu.Device, sticky bool) *DriverFaults {
	drv := FaultyDriver(d)
	if drv == nil {
		t.Fatalf("%v has no library below its runtime that can fail calls", d)
	}
	if sticky {
		drv.Stick(true)
		t.Cleanup(func() { drv.Stick(false) })
	}
	if drv.kind == "cuda" && SetTiming(d.Runtime(), false) {
		t.Cleanup(func() { SetTiming(d.Runtime(), true) })
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

// Live is what the library holds that nothing should after a run
// (Driver.Held).
func (d *DriverFaults) Live() int { return d.drv.Held() }

// KeptOn is [KeptOn] on the device, whose caches ReleaseCache then frees
// too. Call release when done.
func (d *DriverFaults) KeptOn(k Keep, all int64) (on *gpu.Device, release func(), err error) {
	return d.kept.keptOn(d.Device, k, all)
}

// Failed returns nil where err is the driver's injected error, or nil;
// with a sticky error, one that says the device was reset.
func (d *DriverFaults) Failed(err error) error {
	switch {
	case err == nil:
	case d.sticky && !errors.Is(err, zkaccel.ErrDeviceReset): // what callers test, gpu.ErrDeviceReset
		return fmt.Errorf("the error does not say the device was reset: %w", err)
	case !d.sticky && !d.drv.Injected(err):
		return fmt.Errorf("the error does not wrap the driver's: %w", err)
	}
	return nil
}
