package opencl_test

import (
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
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

// failFor makes the n calls from the armed one fail.
func (h faultHooks) failFor(n int) { h.call("faultcl_fail_for", uintptr(n)) }

// stick makes the failing call lose its context.
func (h faultHooks) stick(on bool) {
	var v uintptr
	if on {
		v = 1
	}
	h.call("faultcl_stick", v)
}

// live is what the library holds: buffers, programs, kernels, events,
// contexts, queues.
func (h faultHooks) live() [6]int64 {
	return [6]int64{h.call("faultcl_live_mems"), h.call("faultcl_live_programs"), h.call("faultcl_live_kernels"),
		h.call("faultcl_live_events"), h.call("faultcl_live_contexts"), h.call("faultcl_live_queues")}
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
	lib, err := cgo.Open([]string{faultPath}, []string{"faultcl_fail_at", "faultcl_fail_with", "faultcl_fail_for", "faultcl_stick", "faultcl_fault_calls",
		"faultcl_live_mems", "faultcl_live_programs", "faultcl_live_kernels", "faultcl_live_events", "faultcl_live_contexts", "faultcl_live_queues", "faultcl_profiling_late", "faultcl_item_size"})
	if err != nil {
		t.Fatal(err)
	}
	h := faultHooks{lib}
	t.Cleanup(func() {
		h.arm(0)
		h.failWith(0)
		h.failFor(1)
		h.stick(false)
		h.call("faultcl_profiling_late", 0)
		h.call("faultcl_item_size", 0)
	})
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
		gen := rt.Generation()
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
			if errors.Is(err, gpu.ErrDeviceReset) || rt.Generation() != gen {
				t.Fatalf("call %d of %d failed, the context still working: the runtime reset it (%v)", k, calls, err)
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

// TestContextLost fails each OpenCL call of a run in turn with the call's
// context lost (as a kernel fault or a lost device leaves it: every later
// call on it fails). The runtime must see that its queue no longer runs
// commands, release everything it made in that context (buffers, programs,
// kernels, events, the queue, the context), make a new one, and return an
// error wrapping gpu.ErrDeviceReset and the call's; buffers and programs
// of the old context are then refused with gpu.ErrDeviceReset (freeing
// them does nothing), and the next run, the program loaded again from the
// disk cache, succeeds. Where the new context cannot be made at once, the
// next call makes it.
func TestContextLost(t *testing.T) {
	rt, h := faultRuntime(t)
	t.Setenv(opencl.EnvCacheDir, t.TempDir())
	t.Setenv(opencl.EnvCache, "")
	rng := rand.New(rand.NewSource(devtest.Seed(t)))
	src := uniqueSource(t, rng)
	run := func() error {
		p, err := rt.Compile(src)
		if err != nil {
			return err
		}
		if err := checkVecAdd(rt, p, rng, 300, 64); err != nil {
			return err
		}
		_, err = rt.KernelTimes()
		return err
	}
	calls := 0
	for range 2 { // the first builds the program
		h.arm(0)
		if err := run(); err != nil {
			t.Fatal(err)
		}
		calls = h.calls()
	}
	rt.ResetKernelTime()
	base := h.live()
	h.stick(true)
	for k := 1; k <= calls; k++ {
		what := fmt.Sprintf("call %d of %d lost the context", k, calls)
		kept, err := rt.Alloc(64) // a buffer of the old context
		if err != nil {
			t.Fatal(err)
		}
		prog, err := rt.Compile(src)
		if err != nil {
			t.Fatal(err)
		}
		gen, built, loaded := rt.Generation(), opencl.GetStats(rt).Built, opencl.GetStats(rt).Loaded
		h.arm(k)
		err = run()
		h.arm(0)
		if !errors.Is(err, gpu.ErrDeviceReset) || !injected(err, -5) {
			t.Fatalf("%s: the run returned %v, want CL_OUT_OF_RESOURCES wrapped with gpu.ErrDeviceReset", what, err)
		}
		if errors.Is(err, gpu.ErrOutOfMemory) {
			t.Errorf("%s: %v wraps gpu.ErrOutOfMemory: the device's memory is not what failed", what, err)
		}
		if g := rt.Generation(); g != gen+1 {
			t.Fatalf("%s: generation %d, was %d: want one reset", what, g, gen)
		}
		// Nothing of the old context stays: kept and the program went with
		// it (both made before the base was counted, so not in it).
		rt.ResetKernelTime()
		if got, want := h.live(), [6]int64{base[0], base[1] - 1, base[2] - 1, base[3], base[4], base[5]}; got != want {
			t.Fatalf("%s: buffers, programs, kernels, events, contexts, queues live %v, want %v (those of a clean run, less its program)", what, got, want)
		}
		if n := opencl.GetStats(rt).Live; n != 0 {
			t.Fatalf("%s: the runtime counts %d live buffers", what, n)
		}
		if err := rt.Write(kept, 0, make([]byte, 8)); !errors.Is(err, gpu.ErrDeviceReset) || injected(err, -5) {
			t.Fatalf("%s: a write to a buffer of the old context returned %v, want a refusal wrapping gpu.ErrDeviceReset", what, err)
		}
		rt.Free(kept) // does nothing: the reset released it
		if _, err := prog.Kernel("vec_add"); !errors.Is(err, gpu.ErrDeviceReset) {
			t.Fatalf("%s: a kernel of a program of the old context: %v, want a refusal wrapping gpu.ErrDeviceReset", what, err)
		}
		if err := run(); err != nil {
			t.Fatalf("%s: the run after the reset: %v", what, err)
		}
		if st := opencl.GetStats(rt); st.Built != built || st.Loaded != loaded+1 {
			t.Fatalf("%s: %d programs built, %d loaded since the reset; want the one loaded from the disk cache", what, st.Built-built, st.Loaded-loaded)
		}
	}
	h.stick(false)

	// The new context cannot be made at the reset (its probe buffer's
	// creation, the third call, fails too) nor at the next call: the call
	// after that makes it.
	b, err := rt.Alloc(8)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Free(b)
	h.stick(true)
	h.failFor(4)
	h.arm(1)
	err = rt.Write(b, 0, make([]byte, 8)) // 1: the write; 2: the probe's write; 3: the probe's creation
	if !errors.Is(err, gpu.ErrDeviceReset) {
		t.Fatalf("a write that lost the context: %v, want gpu.ErrDeviceReset", err)
	}
	if _, err := rt.Alloc(8); err == nil || !strings.Contains(err.Error(), "could not be made again") { // 4: the probe's creation again
		t.Fatalf("an allocation while no context can be made: %v", err)
	}
	h.arm(0)
	h.failFor(1)
	h.stick(false)
	if err := run(); err != nil {
		t.Fatalf("the run after the context was made again: %v", err)
	}
	if got := h.live(); got[4] != base[4] || got[5] != base[5] {
		t.Fatalf("contexts and queues live %v, want those of a clean run %v", got[4:], base[4:])
	}
	t.Logf("%d calls, each lost the context in turn", calls)
}

// TestContextLostConcurrent runs vec_add on several goroutines while one
// call loses the context: each run must succeed or fail with an error
// wrapping gpu.ErrDeviceReset (its call met the lost context, or its
// buffers went with it), the runtime must reset once, and every run after
// must succeed. With -race (CI), the runtime's locks around a reset are
// checked too.
func TestContextLostConcurrent(t *testing.T) {
	rt, h := faultRuntime(t)
	t.Setenv(opencl.EnvCacheDir, t.TempDir())
	t.Setenv(opencl.EnvCache, "")
	seed := devtest.Seed(t)
	src := uniqueSource(t, rand.New(rand.NewSource(seed)))
	if _, err := rt.Compile(src); err != nil {
		t.Fatal(err)
	}
	const workers, runs = 4, 8
	round := func(fail bool) (resets int, errs []error) {
		gen := rt.Generation()
		if fail {
			h.stick(true)
			h.arm(40) // some way into the first runs
		}
		var wg sync.WaitGroup
		out := make(chan error, workers*runs)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewSource(seed + int64(w)))
				for range runs {
					p, err := rt.Compile(src)
					if err == nil {
						err = checkVecAdd(rt, p, rng, 100+w, 0)
					}
					out <- err
				}
			}()
		}
		wg.Wait()
		close(out)
		h.arm(0)
		h.stick(false)
		for err := range out {
			if err != nil {
				errs = append(errs, err)
			}
		}
		return int(rt.Generation() - gen), errs
	}
	resets, errs := round(true)
	for _, err := range errs {
		if !errors.Is(err, gpu.ErrDeviceReset) {
			t.Errorf("a run beside a lost context: %v, want success or gpu.ErrDeviceReset", err)
		}
	}
	if resets != 1 || len(errs) == 0 {
		t.Fatalf("%d resets and %d failed runs of %d; want one reset and the runs it met failed", resets, len(errs), workers*runs)
	}
	if resets, errs := round(false); resets != 0 || len(errs) != 0 {
		t.Fatalf("the runs after the reset: %d resets, errors %v", resets, errs)
	}
	t.Logf("%d of %d runs met the lost context", len(errs), workers*runs)
}

// TestItemSizes checks a device whose first work-item dimension
// (CL_DEVICE_MAX_WORK_ITEM_SIZES[0]) is narrower than its
// CL_DEVICE_MAX_WORK_GROUP_SIZE, as faultcl_item_size makes POCL's, where
// a wider 1-D work-group fails with CL_INVALID_WORK_ITEM_SIZE: the runtime
// reports the narrower limit (MaxGroupSize, and its kernels'), chooses
// within it, refuses a wider group before the driver, and computes right.
func TestItemSizes(t *testing.T) {
	rt0, h := faultRuntime(t)
	const narrow = 40
	if rt0.MaxGroupSize() <= narrow {
		t.Skipf("the device's work-groups are already at most %d", rt0.MaxGroupSize())
	}
	h.call("faultcl_item_size", narrow)
	rts, err := opencl.OpenRuntimes(faultPath)
	if err != nil || len(rts) == 0 {
		t.Fatalf("OpenCL through %s: %d runtimes, %v", faultPath, len(rts), err)
	}
	rt := rts[0]
	if g := rt.MaxGroupSize(); g != narrow {
		t.Fatalf("MaxGroupSize %d, want the first dimension's %d (the device's group: %d)", g, narrow, rt0.MaxGroupSize())
	}
	p, k, b := vecAddSetup(t, rt)
	if m := k.MaxGroupSize(); m > narrow {
		t.Errorf("vec_add's MaxGroupSize %d, above the first dimension's %d", m, narrow)
	}
	rng := rand.New(rand.NewSource(devtest.Seed(t)))
	for _, local := range []int{0, narrow, 8} {
		if err := checkVecAdd(rt, p, rng, 300, local); err != nil {
			t.Errorf("work-groups of %d (0: the runtime's choice): %v", local, err)
		}
	}
	before := h.calls()
	if err := rt.Launch(k, 64, 64, b, b, b, uint64(1), uint32(8)); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("exceed the kernel's limit of %d", k.MaxGroupSize())) {
		t.Errorf("a launch in work-groups of 64, the first dimension %d: %v", narrow, err)
	}
	if n := h.calls() - before; n != 0 {
		t.Errorf("the refused launch made %d calls", n)
	}
}

// TestFirstUse: a driver that allocates a buffer's memory at its first use
// (the specification allows it: copies and launches list
// CL_MEM_OBJECT_ALLOCATION_FAILURE) fails a write, a read or a launch with
// that code when the device is full. The error must wrap
// gpu.ErrOutOfMemory (resident points then stay in host memory), and the
// context, which still runs commands, must not be reset. CL_OUT_OF_RESOURCES
// on a write says nothing of memory. A launch in work-groups larger than
// the kernel allows (CL_KERNEL_WORK_GROUP_SIZE) is refused, naming the
// limit, before the driver is called.
func TestFirstUse(t *testing.T) {
	rt, h := faultRuntime(t)
	p, k, b := vecAddSetup(t, rt)
	gen := rt.Generation()
	h.failWith(-4) // CL_MEM_OBJECT_ALLOCATION_FAILURE
	for _, c := range []struct {
		what string
		at   int // the failing call: vec_add's five arguments are set first
		call func() error
	}{
		{"write", 1, func() error { return rt.Write(b, 0, make([]byte, 8)) }},
		{"read", 1, func() error { return rt.Read(make([]byte, 8), b, 0) }},
		{"launch", 6, func() error { return rt.Launch(k, 8, 0, b, b, b, uint64(1), uint32(8)) }},
	} {
		h.arm(c.at)
		err := c.call()
		h.arm(0)
		if !errors.Is(err, gpu.ErrOutOfMemory) || errors.Is(err, gpu.ErrDeviceReset) || !injected(err, -4) {
			t.Errorf("a %s that found the device full: %v, want CL_MEM_OBJECT_ALLOCATION_FAILURE wrapped with gpu.ErrOutOfMemory", c.what, err)
		}
	}
	h.failWith(0)
	h.arm(1)
	err := rt.Write(b, 0, make([]byte, 8))
	h.arm(0)
	if errors.Is(err, gpu.ErrOutOfMemory) || !injected(err, -5) {
		t.Errorf("a write that failed with CL_OUT_OF_RESOURCES: %v, want it as it is", err)
	}
	if g := rt.Generation(); g != gen {
		t.Errorf("generation %d, was %d: a context that runs commands was reset", g, gen)
	}
	max := k.(*opencl.Kernel).MaxGroupSize()
	before := h.calls()
	if err := rt.Launch(k, 2*max, 2*max, b, b, b, uint64(1), uint32(8)); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("work-groups of %d exceed the kernel's limit of %d", 2*max, max)) {
		t.Errorf("a launch in work-groups of %d, the kernel's limit %d: %v", 2*max, max, err)
	}
	if n := h.calls() - before; n != 0 {
		t.Errorf("the refused launch made %d calls", n)
	}
	if err := checkVecAdd(rt, p, rand.New(rand.NewSource(devtest.Seed(t))), 300, 64); err != nil {
		t.Fatalf("a run after: %v", err)
	}
}

// TestLazyContext: listing the devices makes no context (a process that
// uses CUDA on an NVIDIA GPU must not hold an OpenCL context there too);
// a runtime makes its context and queue at its first call.
func TestLazyContext(t *testing.T) {
	_, h := faultRuntime(t)
	before := h.live()
	rts, err := opencl.OpenRuntimes(faultPath)
	if err != nil || len(rts) == 0 {
		t.Fatalf("%d runtimes, %v", len(rts), err)
	}
	if got := h.live(); got[4] != before[4] || got[5] != before[5] {
		t.Fatalf("contexts and queues live %v after listing %d devices, want %v", got[4:], len(rts), before[4:])
	}
	b, err := rts[0].Alloc(8)
	if err != nil {
		t.Fatal(err)
	}
	defer rts[0].Free(b)
	if got := h.live(); got[4] != before[4]+1 || got[5] != before[5]+1 {
		t.Fatalf("contexts and queues live %v after the first call, want one more of each than %v", got[4:], before[4:])
	}
}

// TestProfilingLate: a driver may mark a launch's event complete after the
// blocking read (or clFinish) that followed it returned, so that its
// profiling query says CL_PROFILING_INFO_NOT_AVAILABLE. The launch's time
// must still be counted, by a later collect, and its event released.
func TestProfilingLate(t *testing.T) {
	rt, h := faultRuntime(t)
	_, k, b := vecAddSetup(t, rt)
	rt.ResetKernelTime()
	base := h.live()
	for late := 1; late <= 3; late++ { // the read's query; then Finish's; then the wait's too (released, not counted)
		rt.ResetKernelTime()
		if err := rt.Launch(k, 8, 0, b, b, b, uint64(1), uint32(8)); err != nil {
			t.Fatal(err)
		}
		h.call("faultcl_profiling_late", uintptr(late))
		if err := rt.Read(make([]byte, 8), b, 0); err != nil {
			t.Fatal(err)
		}
		ks, err := rt.KernelTimes()
		if err != nil {
			t.Fatal(err)
		}
		want := 1
		if late == 3 {
			want = 0 // never available, even after waiting: dropped
		}
		got := 0
		for _, kt := range ks {
			if kt.Name == "vec_add" {
				got = kt.Launches
			}
		}
		if got != want {
			t.Errorf("%d late queries: vec_add counted %d times, want %d (%+v)", late, got, want, ks)
		}
		if live := h.live(); live[3] != base[3] {
			t.Errorf("%d late queries: %d events live, want %d", late, live[3], base[3])
		}
	}
}
