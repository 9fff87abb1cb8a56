package opencl_test

import (
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/zkaccel/zkaccel/cgo"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/opencl"
)

// The tests in this file run the runtime over testdata/faultcl.c, an
// OpenCL library built here with the C compiler that forwards each call to
// the machine's OpenCL (POCL in CI) and fails the k-th of those a device
// can fail: the runtime's own handling of failed OpenCL calls, below what
// devtest's Faulty twins (above the runtime) reach.

var (
	faultOnce sync.Once
	faultPath string
	faultErr  error
)

// faultHooks are faultcl.c's test entry points.
type faultHooks struct{ lib *cgo.Library }

func (h faultHooks) call(name string, args ...uintptr) int64 {
	f, err := h.lib.Func(name)
	if err != nil {
		panic(err) // opened with it
	}
	r, _ := f.Call(args...)
	return int64(r)
}

// arm restarts the count of the calls that can fail and fails the k-th
// (0: none).
func (h faultHooks) arm(k int) { h.call("faultcl_fail_at", uintptr(k)) }

// calls is the number of calls that can fail since arm.
func (h faultHooks) calls() int { return int(h.call("faultcl_fault_calls")) }

// failWith sets the failing call's status.
func (h faultHooks) failWith(code int32) { h.call("faultcl_fail_with", uintptr(int64(code))) }

// live is what the library holds: buffers, programs, kernels, events.
func (h faultHooks) live() [4]int64 {
	return [4]int64{h.call("faultcl_live_mems"), h.call("faultcl_live_programs"), h.call("faultcl_live_kernels"), h.call("faultcl_live_events")}
}

// faultRuntime returns a runtime of the machine's first OpenCL device
// opened through faultcl.c (built once per test process), and its hooks.
func faultRuntime(t *testing.T) (*opencl.Runtime, faultHooks) {
	t.Helper()
	runtime0(t) // the machine has an OpenCL device, or the test skips
	if !cgo.Available {
		t.Skip("built without cgo")
	}
	if _, err := devtest.CC(); err != nil {
		t.Skip(err)
	}
	faultOnce.Do(func() {
		dir, err := os.MkdirTemp("", "zkaccel-faultcl-")
		if err != nil {
			faultErr = err
			return
		}
		faultPath = filepath.Join(dir, "libfaultcl.so")
		faultErr = devtest.BuildLibrary(faultPath, filepath.Join("testdata", "faultcl.c"), "-ldl", "-lpthread")
	})
	if faultErr != nil {
		t.Fatal(faultErr)
	}
	rts, err := opencl.OpenRuntimes(faultPath)
	if err != nil || len(rts) == 0 {
		t.Fatalf("OpenCL through %s: %d runtimes, %v", faultPath, len(rts), err)
	}
	lib, err := cgo.Open([]string{faultPath}, []string{"faultcl_fail_at", "faultcl_fail_with", "faultcl_fault_calls", "faultcl_live_mems", "faultcl_live_programs", "faultcl_live_kernels", "faultcl_live_events"})
	if err != nil {
		t.Fatal(err)
	}
	h := faultHooks{lib}
	t.Cleanup(func() { h.arm(0); h.failWith(0) })
	return rts[0], h
}

// injected reports whether err is the library's failed call: an *Error
// with the armed status.
func injected(err error, code int32) bool {
	var e *opencl.Error
	return errors.As(err, &e) && e.Code == code
}

// TestLibraryFaults fails each OpenCL call a device can fail, in turn, of
// a run (allocations, copies, kernel arguments, a launch, its timing), of
// a program's build and first kernel, and of a program's load from the
// disk cache. Each must return the call's error (a runtime call that
// failed is never taken for success), or succeed where the runtime can do
// without the call (a program binary it could not read is not cached);
// no buffer, program, kernel or event may stay behind; the next run must
// succeed; and a cache entry the device could not load for want of
// resources must be kept, where one it refuses is replaced.
func TestLibraryFaults(t *testing.T) {
	rt, h := faultRuntime(t)
	t.Setenv(opencl.EnvCacheDir, t.TempDir())
	t.Setenv(opencl.EnvCache, "")
	rng := rand.New(rand.NewSource(devtest.Seed(t)))
	const code = -5 // CL_OUT_OF_RESOURCES

	// settle collects the launches' pending timing events (a failed run
	// may leave some), so that the library's count is of what stays.
	settle := func() { rt.ResetKernelTime() }

	t.Run("run", func(t *testing.T) {
		p, err := rt.Compile(uniqueSource(t, rng))
		if err != nil {
			t.Fatal(err)
		}
		run := func() error {
			if err := checkVecAdd(rt, p, rng, 300, 64); err != nil {
				return err
			}
			_, err := rt.KernelTimes()
			return err
		}
		calls := 0
		for range 2 { // the first creates the kernel
			h.arm(0)
			if err := run(); err != nil {
				t.Fatal(err)
			}
			calls = h.calls()
		}
		settle()
		base := h.live()
		for k := 1; k <= calls; k++ {
			h.arm(k)
			err := run()
			h.arm(0)
			if !injected(err, code) {
				t.Fatalf("call %d of %d failed: the run returned %v", k, calls, err)
			}
			if k == 1 && !errors.Is(err, gpu.ErrOutOfMemory) {
				t.Errorf("a failed clCreateBuffer: %v does not wrap gpu.ErrOutOfMemory", err)
			}
			settle()
			if got := h.live(); got != base {
				t.Fatalf("call %d of %d failed: buffers, programs, kernels, events live %v; %v after a clean run", k, calls, got, base)
			}
			if n := opencl.GetStats(rt).Live; n != 0 {
				t.Fatalf("call %d of %d failed: the runtime counts %d live buffers", k, calls, n)
			}
		}
		if err := run(); err != nil {
			t.Fatalf("run after the faults: %v", err)
		}
		t.Logf("%d calls, each failed in turn", calls)
	})

	t.Run("build", func(t *testing.T) {
		build := func(src string) error {
			p, err := rt.Compile(src)
			if err != nil {
				return err
			}
			_, err = p.Kernel("vec_add")
			return err
		}
		before := h.live()
		h.arm(0)
		if err := build(uniqueSource(t, rng)); err != nil {
			t.Fatal(err)
		}
		calls := h.calls()
		if got := h.live(); got[1] != before[1]+1 || got[2] != before[2]+1 {
			t.Fatalf("a build: programs and kernels %v, %v before; want one more of each", got, before)
		}
		quiet := 0
		for k := 1; k <= calls; k++ {
			src := uniqueSource(t, rng)
			before := h.live()
			h.arm(k)
			err := build(src)
			h.arm(0)
			got := h.live()
			switch {
			case err == nil:
				quiet++ // the binary could not be read for the cache: not cached
			case !injected(err, code):
				t.Fatalf("call %d of %d failed: the build returned %v", k, calls, err)
			case got[1] != before[1] && got[1] != before[1]+1, got[2] != before[2]:
				// a program that failed to build is released; one built
				// whose kernel failed stays cached in memory
				t.Fatalf("call %d of %d failed: programs and kernels %v, %v before", k, calls, got, before)
			}
			if err := build(src); err != nil {
				t.Fatalf("call %d of %d failed: the build after it: %v", k, calls, err)
			}
		}
		if quiet == 0 {
			t.Error("every failed call failed the build: the program binary's reads for the cache were never failed")
		}
		t.Logf("%d calls, each failed in turn, %d failing no build", calls, quiet)
	})

	t.Run("cache", func(t *testing.T) {
		src := uniqueSource(t, rng)
		entry := opencl.CacheEntry(rt, src)
		compileRun(t, rt, rng, src)
		if _, err := os.Stat(entry); err != nil {
			t.Fatalf("no cache entry: %v", err)
		}
		for k := 1; k <= 2; k++ { // clCreateProgramWithBinary, clBuildProgram
			opencl.ForgetPrograms(rt)
			before := opencl.GetStats(rt)
			h.arm(k)
			_, err := rt.Compile(src)
			h.arm(0)
			if !injected(err, code) {
				t.Fatalf("call %d of a load from the cache failed: Compile returned %v", k, err)
			}
			if _, serr := os.Stat(entry); serr != nil {
				t.Fatalf("call %d of a load from the cache failed for want of resources: the good entry is gone (%v)", k, serr)
			}
			if after := opencl.GetStats(rt); after.Rejected != before.Rejected || after.Built != before.Built {
				t.Fatalf("call %d failed for want of resources: stats %+v -> %+v, want no rejection, no build", k, before, after)
			}
		}
		opencl.ForgetPrograms(rt)
		before := opencl.GetStats(rt)
		compileRun(t, rt, rng, src)
		if after := opencl.GetStats(rt); after.Loaded != before.Loaded+1 {
			t.Fatalf("after the faults: stats %+v -> %+v, want a load from the cache", before, after)
		}
		// A binary the device refuses (CL_INVALID_BINARY) is replaced.
		opencl.ForgetPrograms(rt)
		before = opencl.GetStats(rt)
		h.failWith(-42)
		h.arm(1)
		compileRun(t, rt, rng, src)
		h.arm(0)
		h.failWith(0)
		if after := opencl.GetStats(rt); after.Rejected != before.Rejected+1 || after.Built != before.Built+1 {
			t.Fatalf("a refused binary: stats %+v -> %+v, want it rejected and built again", before, after)
		}
	})
}
