package cuda_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/cgo"
	"github.com/zkaccel/zkaccel/cuda"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/devtest"
)

// The tests in this file run the runtime's host logic over
// testdata/fakecuda.c, a test double of the CUDA driver built here with the
// C compiler: contexts made current per call and thread, staged copies in
// chunks, kernel arguments, timing, errors and the reset after a sticky
// error. They need no GPU; the same logic on a real GPU is checked by
// runtime_test.go where one is present.

var (
	fakeOnce sync.Once
	fakePath string
	fakeDir  string
	fakeErr  error
	fakeRT   *cuda.Runtime
	fakeLib  *cgo.Library
)

// fake returns the runtime of the fake driver's one device and its test
// hooks, building the library once per test process.
func fake(t *testing.T) (*cuda.Runtime, *fakeHooks) {
	t.Helper()
	if !cgo.Available {
		t.Skip("built without cgo: no library can be loaded")
	}
	if _, err := devtest.CC(); err != nil {
		t.Skip(err)
	}
	fakeOnce.Do(func() {
		dir, err := os.MkdirTemp("", "zkaccel-fakecuda-")
		if err != nil {
			fakeErr = err
			return
		}
		fakeDir = dir
		fakePath = filepath.Join(dir, "libcuda.so.1")
		if fakeErr = devtest.BuildLibrary(fakePath, filepath.Join("testdata", "fakecuda.c"), "-lpthread"); fakeErr != nil {
			return
		}
		if fakeErr = devtest.BuildLibrary(filepath.Join(dir, "libnvidia-ml.so.1"), filepath.Join("testdata", "fakenvml.c")); fakeErr != nil {
			return
		}
		if fakeErr = devtest.BuildLibrary(filepath.Join(dir, "libnvidia-ml-new.so"), filepath.Join("testdata", "fakenvml.c"), "-DFAKENVML_NEW"); fakeErr != nil {
			return
		}
		rts, err := cuda.OpenDriver(fakePath)
		if err != nil {
			fakeErr = err
			return
		}
		fakeRT = rts[0]
		fakeLib, fakeErr = cgo.Open([]string{fakePath}, []string{"fake_live_allocs", "fake_ctx_errors", "fake_bad_pointers", "fake_launches", "fake_hazards", "fake_clear_hazards", "fake_streams", "fake_largest_copy", "fake_host_races", "fake_clear_host_races", "fake_in_flight", "fake_live_events", "fake_live_modules", "fake_live_host", "fake_fail_at", "fake_fail_with", "fake_fault_calls", "fake_poison"})
	})
	if fakeErr != nil {
		t.Fatal(fakeErr)
	}
	return fakeRT, &fakeHooks{fakeLib}
}

type fakeHooks struct{ lib *cgo.Library }

func (h *fakeHooks) get(name string, args ...uintptr) int64 {
	f, err := h.lib.Func(name)
	if err != nil {
		panic(err) // a hook missing from fake's list: a bug of the test
	}
	r, _ := f.Call(args...)
	return int64(r)
}

// failWith sets the error the failing call returns: 2
// (CUDA_ERROR_OUT_OF_MEMORY, the default) or 700
// (CUDA_ERROR_ILLEGAL_ADDRESS, sticky until the context is reset).
func (h *fakeHooks) failWith(code int) { h.get("fake_fail_with", uintptr(code)) }

// poison sets how a sticky error outlives the context's reset (fakecuda.c's
// fake_poison): 0 not (and clears it), 1 the fresh context's first
// allocation fails with it, 2 its retain too.
func (h *fakeHooks) poison(mode int) { h.get("fake_poison", uintptr(mode)) }

// failAt restarts the driver's count of the calls that can fail and makes
// the k-th from now fail with CUDA_ERROR_OUT_OF_MEMORY (0: none).
func (h *fakeHooks) failAt(k int) { h.get("fake_fail_at", uintptr(k)) }

// check fails t if the driver saw a call without a current context, a bad
// device pointer, an access a GPU would race on, host memory touched under
// a copy the host had not waited for, or (with wantLive ≥ 0) a different
// number of live allocations.
func (h *fakeHooks) check(t *testing.T, wantLive int64) {
	t.Helper()
	if n := h.get("fake_ctx_errors"); n != 0 {
		t.Errorf("the driver saw %d calls without a current context", n)
	}
	if n := h.get("fake_bad_pointers"); n != 0 {
		t.Errorf("the driver saw %d bad device pointers", n)
	}
	if n := h.get("fake_hazards"); n != 0 {
		t.Errorf("the driver saw %d accesses a GPU would race on (streams not ordered)", n)
	}
	if n := h.get("fake_host_races"); n != 0 {
		t.Errorf("the driver saw %d races between the host and copies of pinned memory", n)
	}
	if n := h.get("fake_live_allocs"); wantLive >= 0 && n != wantLive {
		t.Errorf("%d device allocations live, want %d", n, wantLive)
	}
}

func TestFakeDiscovery(t *testing.T) {
	rt, h := fake(t)
	maj, mnr := rt.ComputeCapability()
	sm, mem, bus := rt.Clocks()
	if rt.Name() != "zkaccel fake GPU" || rt.Memory() != 256<<20 || maj != 9 || mnr != 0 || rt.Multiprocessors() != 4 ||
		rt.MaxGroupSize() != 1024 || sm != 1980 || mem != 2619 || bus != 5120 || rt.PCIBusID() != "0000:65:00.0" {
		t.Errorf("properties: %q %d cc %d.%d SMs %d threads %d clocks %d/%d/%d PCI %s",
			rt.Name(), rt.Memory(), maj, mnr, rt.Multiprocessors(), rt.MaxGroupSize(), sm, mem, bus, rt.PCIBusID())
	}
	if info := rt.DriverInfo(); !strings.HasPrefix(info, "CUDA driver 12.4, ") || !strings.Contains(info, "sm_90, 4 SMs") {
		t.Errorf("DriverInfo = %q", info)
	}
	free, total, err := rt.MemoryInfo()
	if err != nil || total != 256<<20 || free > total {
		t.Errorf("MemoryInfo = %d, %d, %v", free, total, err)
	}
	h.check(t, 0)
}

func TestFakeRoundTrip(t *testing.T) {
	rt, h := fake(t)
	st := cuda.StagingSize
	for _, n := range []int{1, 1000, st - 3, st, st + 1, 2*st + 17} {
		for _, off := range []int{0, 5} {
			b, err := rt.Alloc(n + off)
			if err != nil {
				t.Fatal(err)
			}
			data := make([]byte, n)
			for i := range data {
				data[i] = byte(i*7 + n)
			}
			if err := rt.Write(b, off, data); err != nil {
				t.Fatal(err)
			}
			got := bytes.Repeat([]byte{0xEE}, n)
			if err := rt.Read(got, b, off); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, data) {
				t.Errorf("%d bytes at %d: differ", n, off)
			}
			rt.Free(b)
		}
	}
	h.check(t, 0)
}

// TestFakeCopyChunk: copies go through the staging buffers in chunks of
// cuda.EnvCopyChunk MiB (8 by default), and a bad setting is an error.
func TestFakeCopyChunk(t *testing.T) {
	for _, tc := range []struct {
		env   string
		chunk int
	}{{"", 8 << 20}, {"1", 1 << 20}, {"32", 32 << 20}} {
		t.Run("chunk="+tc.env, func(t *testing.T) {
			t.Setenv(cuda.EnvCopyChunk, tc.env)
			rt, h := fake(t)
			if err := cuda.FreeStaging(rt); err != nil { // allocated again at the next copy
				t.Fatal(err)
			}
			defer cuda.FreeStaging(rt)
			n := 5*tc.chunk/2 + 3
			b, err := rt.Alloc(n + 5)
			if err != nil {
				t.Fatal(err)
			}
			defer rt.Free(b)
			data := make([]byte, n)
			for i := range data {
				data[i] = byte(i * 13)
			}
			h.get("fake_largest_copy") // reset
			if err := rt.Write(b, 5, data); err != nil {
				t.Fatal(err)
			}
			got := make([]byte, n)
			if err := rt.Read(got, b, 5); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, data) {
				t.Fatal("the round trip differs")
			}
			if largest := h.get("fake_largest_copy"); largest != int64(tc.chunk) {
				t.Errorf("largest copy %d bytes, want chunks of %d", largest, tc.chunk)
			}
		})
	}
	for _, bad := range []string{"0", "33", "8M"} {
		t.Run("bad="+bad, func(t *testing.T) {
			t.Setenv(cuda.EnvCopyChunk, bad)
			rt, _ := fake(t)
			if err := cuda.FreeStaging(rt); err != nil {
				t.Fatal(err)
			}
			b, err := rt.Alloc(16)
			if err != nil {
				t.Fatal(err)
			}
			defer rt.Free(b)
			if err := rt.Write(b, 0, make([]byte, 16)); err == nil || !strings.Contains(err.Error(), cuda.EnvCopyChunk) {
				t.Errorf("%s=%s: %v, want an error naming the variable", cuda.EnvCopyChunk, bad, err)
			}
		})
	}
}

// TestFakeResetTimesPending: a copy whose timing events are still pending
// at ResetTimes does not count in the times after it.
func TestFakeResetTimesPending(t *testing.T) {
	rt, _ := fake(t)
	b, err := rt.Alloc(4096)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Free(b)
	if err := rt.Write(b, 0, make([]byte, 4096)); err != nil { // its pair stays pending
		t.Fatal(err)
	}
	rt.ResetTimes()
	if k, x, err := rt.Times(); err != nil || k != 0 || x != 0 {
		t.Errorf("Times after ResetTimes = %v, %v, %v; want 0, 0", k, x, err)
	}
}

func TestFakeLaunchAndTiming(t *testing.T) {
	rt, h := fake(t)
	prog := fakeProgram(t, rt)
	add, err := prog.Kernel("add_u32")
	if err != nil {
		t.Fatal(err)
	}
	mul, _ := prog.Kernel("mul_u64")
	rt.ResetTimes()
	const n = 1000
	b, err := rt.Alloc(8 * n)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Free(b)
	in := make([]byte, 8*n)
	for i := 0; i < n; i++ {
		binary.LittleEndian.PutUint64(in[8*i:], uint64(i)<<33|uint64(i))
	}
	if err := rt.Write(b, 0, in); err != nil {
		t.Fatal(err)
	}
	before := h.get("fake_launches")
	if err := rt.Launch(mul, n, 0, b, uint32(n), uint64(3)); err != nil {
		t.Fatal(err)
	}
	if err := rt.Launch(add, 2*n, 64, b, uint32(2*n), int32(-1)); err != nil {
		t.Fatal(err)
	}
	if err := rt.Launch(add, 0, 0, b, uint32(0), uint32(1)); err != nil {
		t.Fatal(err)
	}
	// Sizes past the grid's bounds are refused before the driver.
	for _, c := range []struct {
		global, local int
		want          string
	}{{1 << 31, 1, "grid of 2^31-1 blocks"}, {1<<32 - 1, 2, "2^32-1 that kernels index"}} {
		if err := rt.Launch(add, c.global, c.local, b, uint32(0), uint32(1)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("a launch of %d threads in blocks of %d: %v, want an error naming the %s", c.global, c.local, err, c.want)
		}
	}
	if got := h.get("fake_launches") - before; got != 2 {
		t.Errorf("%d launches reached the driver, want 2 (an empty launch is none)", got)
	}
	out := make([]byte, 8*n)
	if err := rt.Read(out, b, 0); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		x := (uint64(i)<<33 | uint64(i)) * 3
		want := uint64(uint32(x)-1) | uint64(uint32(x>>32)-1)<<32
		if got := binary.LittleEndian.Uint64(out[8*i:]); got != want {
			t.Fatalf("word %d = %#x, want %#x", i, got, want)
		}
	}
	kern, copies, err := rt.Times()
	// The fake reports 0.5 ms for every timed pair: 2 launches, 2 copies.
	if err != nil || kern.Microseconds() != 1000 || copies.Microseconds() != 1000 {
		t.Errorf("Times = %v, %v, %v; want 1ms, 1ms", kern, copies, err)
	}
	// Each kernel apart: one launch of each (the empty one is none), equal
	// times, so by name.
	ks, err := rt.KernelTimes()
	if err != nil || len(ks) != 2 || ks[0].Name != "add_u32" || ks[1].Name != "mul_u64" ||
		ks[0].Launches != 1 || ks[1].Launches != 1 || ks[0].Time.Microseconds() != 500 || ks[1].Time.Microseconds() != 500 {
		t.Errorf("KernelTimes = %+v, %v; want add_u32 and mul_u64, one launch of 0.5 ms each", ks, err)
	}
	if err := rt.Launch(add, n, 0, b, uint32(n), uint32(1)); err != nil {
		t.Fatal(err)
	}
	if ks, err = rt.KernelTimes(); err != nil || len(ks) != 2 || ks[0].Name != "add_u32" || ks[0].Launches != 2 || ks[0].Time.Microseconds() != 1000 {
		t.Errorf("KernelTimes after a second add_u32 = %+v, %v", ks, err)
	}
	rt.ResetTimes()
	if ks, err = rt.KernelTimes(); err != nil || len(ks) != 0 {
		t.Errorf("KernelTimes after ResetTimes = %+v, %v; want none", ks, err)
	}
	h.check(t, 1)
}

// fakeProgram compiles the test program; the fake driver accepts any
// image, so this checks the compile path (NVRTC or the embedded PTX) and
// the module calls.
func fakeProgram(t *testing.T, rt *cuda.Runtime) gpu.Program {
	t.Helper()
	if _, err := cuda.LoadNVRTC(); err != nil {
		nvrtc(t) // skips, or fails where NVRTC is required
	}
	t.Setenv("ZKACCEL_CACHE", "off")
	prog, err := rt.Compile(gpu.Source(addSrc))
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

func TestFakeErrors(t *testing.T) {
	rt, h := fake(t)
	prog := fakeProgram(t, rt)
	add, _ := prog.Kernel("add_u32")
	if _, err := prog.Kernel("nope"); err == nil || !strings.Contains(err.Error(), "CUDA_ERROR_NOT_FOUND") {
		t.Errorf("unknown kernel: %v", err)
	}
	_, err := rt.Alloc(300 << 20)
	if !errors.Is(err, gpu.ErrOutOfMemory) || !strings.Contains(err.Error(), "out of device memory (need 300.0 MiB, free 256.0 MiB)") || !strings.Contains(err.Error(), "cuda:0") {
		t.Errorf("oversized alloc: %v", err)
	}
	var ce *cuda.Error
	if !errors.As(err, &ce) || ce.Code != 2 || ce.Name != "CUDA_ERROR_OUT_OF_MEMORY" || ce.Detail != "out of memory" || ce.Sticky() {
		t.Errorf("oversized alloc: %#v", ce)
	}
	b, err := rt.Alloc(16)
	if err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"int argument":  rt.Launch(add, 4, 0, b, 4, uint32(1)),
		"block too big": rt.Launch(add, 4, 2048, b, uint32(4), uint32(1)),
		"overrun":       rt.Write(b, 10, make([]byte, 7)),
		"foreign":       rt.Read(make([]byte, 1), fakeBuffer{}, 0),
	} {
		if err == nil || !strings.Contains(err.Error(), "cuda:0") {
			t.Errorf("%s: %v", name, err)
		}
	}
	rt.Free(b)
	rt.Free(b)
	if err := rt.Write(b, 0, []byte{1}); err == nil || !strings.Contains(err.Error(), "freed") {
		t.Errorf("write after free: %v", err)
	}
	err = cuda.LoadImage(rt, []byte("BADIMAGE\x00"))
	if err == nil || !strings.Contains(err.Error(), "CUDA_ERROR_INVALID_IMAGE") || !strings.Contains(err.Error(), "JIT log:\nfake JIT: line 1: this is not PTX") {
		t.Errorf("bad image: %v", err)
	}
	h.check(t, 0)
}

type fakeBuffer struct{}

func (fakeBuffer) Size() int { return 1 }

// faultSetup compiles the fake's program and allocates a buffer of 64
// bytes, for a test of a kernel fault: the program, its kernel "fault"
// and the buffer.
func faultSetup(t *testing.T, rt *cuda.Runtime) (gpu.Program, gpu.Kernel, gpu.Buffer) {
	t.Helper()
	prog := fakeProgram(t, rt)
	fault, err := prog.Kernel("fault")
	if err != nil {
		t.Fatal(err)
	}
	b, err := rt.Alloc(64)
	if err != nil {
		t.Fatal(err)
	}
	return prog, fault, b
}

// TestFakeReset: a kernel fault leaves a sticky error; the runtime resets
// the context, says so (gpu.ErrDeviceReset), refuses the lost buffers and
// programs, and the next calls work.
func TestFakeReset(t *testing.T) {
	rt, h := fake(t)
	prog, fault, b := faultSetup(t, rt)
	if err := rt.Launch(fault, 1, 0); err != nil {
		t.Fatal(err) // launches are asynchronous: the fault shows later
	}
	err := rt.Finish()
	var ce *cuda.Error
	if !errors.Is(err, gpu.ErrDeviceReset) || !errors.As(err, &ce) || !ce.Sticky() || ce.Name != "CUDA_ERROR_ILLEGAL_ADDRESS" {
		t.Fatalf("Finish after a fault: %v", err)
	}
	if err := rt.Write(b, 0, []byte{1}); err == nil || !strings.Contains(err.Error(), "lost when the device was reset") {
		t.Errorf("old buffer after the reset: %v", err)
	}
	rt.Free(b) // lost with the context: a no-op, not a bad free
	if _, err := prog.Kernel("add_u32"); err == nil || !strings.Contains(err.Error(), "reset") {
		t.Errorf("old program after the reset: %v", err)
	}
	h.check(t, 0)
	// Everything works again.
	prog = fakeProgram(t, rt)
	add, err := prog.Kernel("add_u32")
	if err != nil {
		t.Fatal(err)
	}
	b, err = rt.Alloc(16)
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Write(b, 0, make([]byte, 16)); err != nil {
		t.Fatal(err)
	}
	if err := rt.Launch(add, 4, 0, b, uint32(4), uint32(9)); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 16)
	if err := rt.Read(got, b, 0); err != nil || binary.LittleEndian.Uint32(got[12:]) != 9 {
		t.Errorf("after the reset: %v, %x", err, got)
	}
	rt.Free(b)
	h.check(t, 0)
}

// TestFakeLost: a kernel fault whose sticky error outlives the context's
// reset (cuda.h: "the process must be terminated and relaunched"), the
// fresh context failing at its first allocation (poison 1) or at its
// retain (poison 2). The call's error wraps gpu.ErrDeviceLost and the
// driver's error, not gpu.ErrDeviceReset (a retry cannot help); every
// later call fails at once with gpu.ErrDeviceLost, making no driver call
// that needs the context; stale buffers free as no-ops.
func TestFakeLost(t *testing.T) {
	rt, h := fake(t)
	for _, mode := range []int{1, 2} {
		t.Run(fmt.Sprintf("poison%d", mode), func(t *testing.T) {
			t.Cleanup(func() {
				h.poison(0)
				cuda.Revive(rt)
			})
			_, fault, b := faultSetup(t, rt)
			h.poison(mode)
			if err := rt.Launch(fault, 1, 0); err != nil {
				t.Fatal(err)
			}
			err := rt.Finish()
			var ce *cuda.Error
			if !errors.Is(err, gpu.ErrDeviceLost) || errors.Is(err, gpu.ErrDeviceReset) || !errors.As(err, &ce) || ce.Name != "CUDA_ERROR_ILLEGAL_ADDRESS" ||
				!strings.Contains(err.Error(), "restarted") {
				t.Fatalf("Finish after a fault that outlives the reset: %v", err)
			}
			gen := rt.Generation()
			before := h.get("fake_fault_calls")
			for what, call := range map[string]func() error{
				"Alloc":  func() error { _, err := rt.Alloc(16); return err },
				"Write":  func() error { return rt.Write(b, 0, []byte{1}) },
				"Finish": rt.Finish,
				"Compile": func() error {
					src, err := gpu.ProgramSource("keccak")
					if err == nil {
						_, err = rt.Compile(src)
					}
					return err
				},
			} {
				if err := call(); !errors.Is(err, gpu.ErrDeviceLost) || !strings.Contains(err.Error(), "cuda:0 is lost to this process") {
					t.Errorf("%s on the lost device: %v", what, err)
				}
			}
			if n := h.get("fake_fault_calls") - before; n != 0 {
				t.Errorf("the lost device's runtime made %d driver calls", n)
			}
			rt.Free(b) // gone with the context: a no-op
			if rt.Generation() != gen {
				t.Errorf("generation %d, then %d with no reset", gen, rt.Generation())
			}
			h.check(t, 0)
			// Cured (a new process, as far as the runtime knows), the
			// device works again.
			h.poison(0)
			cuda.Revive(rt)
			concurrentRoundTrips(t, rt, 2, 64)
			h.check(t, 0)
		})
	}
}

// TestFakePTXVersion: a driver too old for the embedded PTX refuses it
// (CUDA_ERROR_UNSUPPORTED_PTX_VERSION); the error says which CUDA the
// PTX needs, which the driver supports, and the two cures.
func TestFakePTXVersion(t *testing.T) {
	rt, h := fake(t)
	t.Setenv(cuda.EnvPTX, "embedded")
	t.Setenv("ZKACCEL_CACHE", "off")
	src, err := gpu.ProgramSource("keccak")
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Finish(); err != nil { // the streams exist: the module's load is the next call that can fail
		t.Fatal(err)
	}
	cuda.ForgetModules(rt)
	t.Cleanup(func() { h.failAt(0); h.failWith(2); cuda.ForgetModules(rt) })
	h.failWith(222)
	h.failAt(1)
	_, err = rt.Compile(src)
	var ce *cuda.Error
	if !errors.As(err, &ce) || ce.Name != "CUDA_ERROR_UNSUPPORTED_PTX_VERSION" || errors.Is(err, gpu.ErrDeviceReset) ||
		!strings.Contains(err.Error(), "NVRTC of CUDA 11.8") || !strings.Contains(err.Error(), "this driver supports CUDA "+rt.DriverVersion()) ||
		!strings.Contains(err.Error(), "update the driver, or install NVRTC") {
		t.Fatalf("the embedded PTX refused for its version: %v", err)
	}
	h.failAt(0)
	if p, err := rt.Compile(src); err != nil || p.(*cuda.Program).Origin() != "embedded PTX" {
		t.Fatalf("the embedded PTX after: %v", err)
	}
	h.check(t, 0)
}

// TestFakeNVRTCArchs: the architectures NVRTC targets, as it lists them
// (11.2 on), or, for 11.0 and 11.1, which cannot, the ones they are known
// to target (11.1 added sm_86).
func TestFakeNVRTCArchs(t *testing.T) {
	fake(t) // a C compiler and cgo, or the test skips
	for _, c := range []struct {
		flags   []string
		version string
		want    []int
		not     []int
	}{
		{nil, "12.0", []int{90}, []int{80}},
		{[]string{"-DFAKENVRTC_MINOR=1"}, "11.1", []int{70, 80, 86}, []int{90}},
		{[]string{"-DFAKENVRTC_MINOR=0"}, "11.0", []int{70, 80}, []int{86}},
	} {
		lib := filepath.Join(t.TempDir(), "libnvrtc.so")
		if err := devtest.BuildLibrary(lib, filepath.Join("testdata", "fakenvrtc.c"), c.flags...); err != nil {
			t.Fatal(err)
		}
		nv, err := cuda.OpenNVRTC(lib)
		if err != nil {
			t.Fatal(err)
		}
		archs := nv.Archs()
		if nv.Version() != c.version || !slices.IsSorted(archs) {
			t.Errorf("%v: NVRTC %s, archs %v", c.flags, nv.Version(), archs)
		}
		for _, a := range c.want {
			if !slices.Contains(archs, a) {
				t.Errorf("NVRTC %s: archs %v lack %d", nv.Version(), archs, a)
			}
		}
		for _, a := range c.not {
			if slices.Contains(archs, a) {
				t.Errorf("NVRTC %s: archs %v hold %d", nv.Version(), archs, a)
			}
		}
	}
}

// TestFakeGoroutines uses the runtime from many goroutines (run with
// -race): every call must find the context current on its own thread.
func TestFakeGoroutines(t *testing.T) {
	rt, h := fake(t)
	concurrentRoundTrips(t, rt, 32, 4096)
	h.check(t, 0)
}

// TestFakeNVML reads telemetry through the fake NVML: every field, a
// reading the GPU does not support left zero, and the energy counter.
//
// The fake returns each nvmlReturn_t with junk in the upper half of the
// return register, which only the low 32 bits of are defined. Built as a
// newer NVML (FAKENVML_NEW), it has nvmlDeviceGetTemperatureV instead of
// the deprecated nvmlDeviceGetTemperature.
func TestFakeNVML(t *testing.T) {
	rt, _ := fake(t)
	for _, name := range []string{"libnvidia-ml.so.1", "libnvidia-ml-new.so"} {
		lib := filepath.Join(fakeDir, name)
		a, err := cuda.TelemetryFrom(rt, lib)
		if err != nil {
			t.Fatal(err)
		}
		want := zkaccel.Telemetry{SMClockMHz: 1755, MemClockMHz: 2619, PowerW: 312.5, PowerLimitW: 700, EnergyJ: a.EnergyJ,
			TemperatureC: 41, PCIeGen: 0, PCIeWidth: 16, Driver: "550.54.15"}
		if a != want || a.EnergyJ < 5000 {
			t.Errorf("%s: Telemetry = %+v\nwant %+v", name, a, want)
		}
		b, err := cuda.TelemetryFrom(rt, lib)
		if err != nil || b.EnergyJ != a.EnergyJ+1 {
			t.Errorf("%s: energy %v then %v (%v), want one joule more", name, a.EnergyJ, b.EnergyJ, err)
		}
	}
	if _, err := cuda.TelemetryFrom(rt, filepath.Join(fakeDir, "missing.so")); err == nil || !strings.Contains(err.Error(), "NVML") {
		t.Errorf("missing NVML: %v", err)
	}
}

// TestFakePrecompile: Precompile compiles, in parallel, the sources the
// disk cache lacks, and a later Compile of each loads it from the cache
// instead of compiling.
func TestFakePrecompile(t *testing.T) {
	rt, h := fake(t)
	if _, err := cuda.LoadNVRTC(); err != nil {
		nvrtc(t) // skips, or fails where NVRTC is required
	}
	t.Setenv("ZKACCEL_CACHE", "")
	t.Setenv("ZKACCEL_CACHE_DIR", t.TempDir())
	var srcs []string
	for _, key := range []string{"keccak", "ntt/goldilocks", "ntt/babybear"} {
		src, err := gpu.ProgramSource(key)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, src)
	}
	var calls []int
	var mu sync.Mutex
	if err := rt.Precompile(srcs, 2, func(done, total int) {
		mu.Lock()
		defer mu.Unlock()
		if total != len(srcs) {
			t.Errorf("progress total %d, want %d", total, len(srcs))
		}
		calls = append(calls, done)
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(calls) != "[1 2 3]" {
		t.Errorf("progress calls %v, want [1 2 3]", calls)
	}
	compiled0, cached0, _, _ := rt.CompileStats()
	for _, src := range srcs {
		if _, err := rt.Compile(src); err != nil {
			t.Fatal(err)
		}
	}
	compiled, cached, _, _ := rt.CompileStats()
	if compiled != compiled0 || cached != cached0+int64(len(srcs)) {
		t.Errorf("after Precompile, Compile compiled %d and loaded %d from the cache; want 0 and %d", compiled-compiled0, cached-cached0, len(srcs))
	}
	// A second Precompile finds everything cached and compiles nothing.
	start := time.Now()
	if err := rt.Precompile(srcs, 2, nil); err != nil {
		t.Fatal(err)
	}
	t.Logf("second Precompile: %v", time.Since(start))
	// Without a cache directory there is nowhere to put the results.
	t.Setenv("ZKACCEL_CACHE", "off")
	if err := rt.Precompile(srcs, 2, nil); !errors.Is(err, zkaccel.ErrUnsupported) {
		t.Errorf("Precompile with the cache off: %v, want ErrUnsupported", err)
	}
	h.check(t, -1)
}

// TestFakeCopyStream checks the copy stream's ordering on the fake
// driver, which counts every access a GPU would race on: copies into fresh
// buffers, launches and reads after them, a copy into a buffer that
// kernels used, a free; then that the fake catches a copy that skips its
// event, and that ZKACCEL_CUDA_COPY_STREAM=0 puts every copy on the one
// stream.
func TestFakeCopyStream(t *testing.T) {
	rt, h := fake(t)
	add, err := fakeProgram(t, rt).Kernel("add_u32")
	if err != nil {
		t.Fatal(err)
	}
	const n = 1000
	words := func(v uint32) []byte { return fakeWords(n, v) }
	check := func(b gpu.Buffer, v uint32) {
		t.Helper()
		got := make([]byte, 4*n)
		if err := rt.Read(got, b, 0); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, words(v)) {
			t.Fatalf("read %d…, want %d…", binary.LittleEndian.Uint32(got), v)
		}
	}
	a, err := rt.Alloc(4 * n)
	if err != nil {
		t.Fatal(err)
	}
	b, err := rt.Alloc(4 * n)
	if err != nil {
		t.Fatal(err)
	}
	// a: written, used by a kernel; b written while it runs; a written
	// again (after the kernels that used it), used, read.
	if err := rt.Write(a, 0, words(10)); err != nil {
		t.Fatal(err)
	}
	if err := rt.Launch(add, n, 0, a, uint32(n), uint32(5)); err != nil {
		t.Fatal(err)
	}
	if err := rt.Write(b, 0, words(100)); err != nil {
		t.Fatal(err)
	}
	if err := rt.Launch(add, n, 0, b, uint32(n), uint32(1)); err != nil {
		t.Fatal(err)
	}
	if err := rt.Write(a, 0, words(1000)); err != nil {
		t.Fatal(err)
	}
	if err := rt.Write(a, 0, words(2000)); err != nil {
		t.Fatal(err)
	}
	if err := rt.Launch(add, n, 0, a, uint32(n), uint32(7)); err != nil {
		t.Fatal(err)
	}
	check(a, 2007)
	check(b, 101)
	// Written and read without a launch between.
	if err := rt.Write(b, 0, words(3)); err != nil {
		t.Fatal(err)
	}
	check(b, 3)
	if err := rt.Write(b, 0, words(4)); err != nil {
		t.Fatal(err)
	}
	rt.Free(a)
	rt.Free(b) // freed with its copy still pending
	h.check(t, 0)
	if got := h.get("fake_streams"); got != 2 {
		t.Errorf("%d streams, want 2 (launches, copies)", got)
	}

	// A copy without its event races with the launch after it.
	c, err := rt.Alloc(4 * n)
	if err != nil {
		t.Fatal(err)
	}
	if err := cuda.WriteUnordered(rt, c, words(0)); err != nil {
		t.Fatal(err)
	}
	if err := rt.Launch(add, n, 0, c, uint32(n), uint32(1)); err != nil {
		t.Fatal(err)
	}
	if err := rt.Finish(); err != nil {
		t.Fatal(err)
	}
	rt.Free(c)
	if got := h.get("fake_clear_hazards"); got != 1 {
		t.Errorf("the fake driver saw %d races on a copy without its event, want 1", got)
	}
}

// TestFakeMemoryMeter checks the runtime's count of its device memory, as
// gpu.Device.PeakMemory reports it.
func TestFakeMemoryMeter(t *testing.T) {
	rt, h := fake(t)
	d := gpu.NewDevice(rt)
	d.ResetPeakMemory()
	base, err := d.PeakMemory()
	if err != nil {
		t.Fatal(err)
	}
	a, err := rt.Alloc(1000)
	if err != nil {
		t.Fatal(err)
	}
	b, err := rt.Alloc(3000)
	if err != nil {
		t.Fatal(err)
	}
	rt.Free(a)
	if cur, peak := rt.Meter().Use(); cur != base+3000 || peak != base+4000 {
		t.Errorf("held %d, peak %d; want %d, %d", cur, peak, base+3000, base+4000)
	}
	rt.Free(b)
	rt.Free(b) // twice: counted once
	d.ResetPeakMemory()
	if p, _ := d.PeakMemory(); p != base {
		t.Errorf("after the frees: %d held, want %d", p, base)
	}
	h.check(t, -1)
}

// TestFakeLoadPointsNoRoom: points that the device has no room for (the
// driver's CUDA_ERROR_OUT_OF_MEMORY, gpu.ErrOutOfMemory) are declined by
// LoadPoints (zkaccel.ErrUnsupported), nothing held, so that the caller
// keeps them in host memory; once room is made, they load.
func TestFakeLoadPointsNoRoom(t *testing.T) {
	rt, h := fake(t)
	t.Setenv(gpu.EnvMSMPrecompute, "0")
	d := gpu.NewDevice(rt)
	defer d.ReleaseCache()
	const n = 1 << 16 // 4 MiB of BN254 G1 points, within half of the fake's 256 MiB
	points := make([]byte, n*64)
	filler, err := rt.Alloc(254 << 20) // another user of the device's memory: 2 MiB left
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.LoadPoints(zkaccel.BN254, zkaccel.G1, points, n)
	if !errors.Is(err, zkaccel.ErrUnsupported) || !errors.Is(err, gpu.ErrOutOfMemory) || !strings.Contains(err.Error(), "CUDA_ERROR_OUT_OF_MEMORY") {
		t.Errorf("LoadPoints on a full device: %v, want ErrUnsupported from the driver's out of memory", err)
	}
	if d.ResidentBytes() != 0 {
		t.Errorf("%d bytes resident after the decline", d.ResidentBytes())
	}
	rt.Free(filler)
	res, err := d.LoadPoints(zkaccel.BN254, zkaccel.G1, points, n)
	if err != nil {
		t.Fatalf("LoadPoints with room: %v", err)
	}
	if d.ResidentBytes() != n*64 {
		t.Errorf("%d bytes resident, want %d", d.ResidentBytes(), n*64)
	}
	res.Free()
	h.check(t, -1)
}

// TestFakeReadAfter checks ReadAfter: it reads a buffer on the copy stream
// once the launches before its mark are done, beside a launch queued after
// the mark on another buffer, in an order the fake driver finds no race
// in; a later launch on the buffer waits for the read, and so does its
// Free; a freed or foreign mark is an error; and reading a buffer that a
// launch after the mark writes is a race the driver sees (the caller's
// contract).
func TestFakeReadAfter(t *testing.T) {
	rt, h := fake(t)
	add, err := fakeProgram(t, rt).Kernel("add_u32")
	if err != nil {
		t.Fatal(err)
	}
	const n = 3000
	words := func(v uint32) []byte { return fakeWords(n, v) }
	alloc := func() gpu.Buffer {
		b, err := rt.Alloc(4 * n)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b := alloc(), alloc()
	if err := rt.Write(a, 0, words(10)); err != nil {
		t.Fatal(err)
	}
	if err := rt.Launch(add, n, 0, a, uint32(n), uint32(5)); err != nil {
		t.Fatal(err)
	}
	if err := rt.Write(b, 0, words(100)); err != nil {
		t.Fatal(err)
	}
	m, err := rt.Mark()
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Launch(add, n, 0, b, uint32(n), uint32(1)); err != nil { // beside the read
		t.Fatal(err)
	}
	got := make([]byte, 4*n)
	if err := rt.ReadAfter(m, got, a, 0); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, words(15)) {
		t.Fatalf("read %d…, want 15…", binary.LittleEndian.Uint32(got))
	}
	part := make([]byte, 8)
	if err := rt.ReadAfter(m, part, a, 4*(n-2)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(part, words(15)[4*(n-2):]) {
		t.Fatal("the read from an offset differs")
	}
	if err := rt.ReadAfter(m, got, a, 8); err == nil {
		t.Error("a read past the buffer's end succeeded")
	}
	if err := rt.Launch(add, n, 0, a, uint32(n), uint32(7)); err != nil { // after the read
		t.Fatal(err)
	}
	for _, c := range []struct {
		buf gpu.Buffer
		v   uint32
	}{{a, 22}, {b, 101}} {
		if err := rt.Read(got, c.buf, 0); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, words(c.v)) {
			t.Fatalf("read %d…, want %d…", binary.LittleEndian.Uint32(got), c.v)
		}
	}
	m.Free()
	m.Free() // twice: once
	if err := rt.ReadAfter(m, got, a, 0); err == nil || !strings.Contains(err.Error(), "freed") {
		t.Errorf("a read after a freed mark: %v", err)
	}
	if err := rt.ReadAfter(nil, got, a, 0); err == nil {
		t.Error("a read after a nil mark succeeded")
	}
	if err := rt.Write(b, 0, words(1)); err != nil {
		t.Fatal(err)
	}
	m2, err := rt.Mark()
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.ReadAfter(m2, got, b, 0); err != nil { // read, then freed with the read's event pending
		t.Fatal(err)
	}
	rt.Free(b)
	h.check(t, -1)

	// A launch after the mark writes the buffer read: a race.
	if err := rt.Launch(add, n, 0, a, uint32(n), uint32(1)); err != nil {
		t.Fatal(err)
	}
	m3, err := rt.Mark()
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Launch(add, n, 0, a, uint32(n), uint32(1)); err != nil {
		t.Fatal(err)
	}
	if err := rt.ReadAfter(m3, got, a, 0); err != nil {
		t.Fatal(err)
	}
	m2.Free()
	m3.Free()
	if err := rt.Finish(); err != nil {
		t.Fatal(err)
	}
	rt.Free(a)
	if got := h.get("fake_clear_hazards"); got != 1 {
		t.Errorf("the fake driver saw %d races on a read a launch after its mark writes, want 1", got)
	}
}

// fakeWords returns n little-endian 32-bit words v, v+1, …
func fakeWords(n int, v uint32) []byte {
	b := make([]byte, 4*n)
	for i := 0; i < n; i++ {
		binary.LittleEndian.PutUint32(b[4*i:], v+uint32(i))
	}
	return b
}

// TestFakeHostRaces: the fake driver makes copies of pinned memory
// asynchronous toward the host, as a GPU's are, so that a runtime that
// touches its staging buffers before it waits for their copies fails the
// tests that use it: an early read gets poison in place of the data, and
// a source changed under its copy is counted as a race. The runtime's own
// Write and Read wait, and see neither (TestFakeRoundTrip, check).
func TestFakeHostRaces(t *testing.T) {
	rt, h := fake(t)
	const n = 4096
	b, err := rt.Alloc(n)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Free(b)
	data := fakeWords(n/4, 7)
	if err := rt.Write(b, 0, data); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, n)
	if err := cuda.ReadEarly(rt, got, b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, bytes.Repeat([]byte{0xA5}, n)) {
		t.Errorf("a read before the wait got %x…, want the poison a5…", got[:8])
	}
	if err := rt.Read(got, b, 0); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Error("a read after the early one differs")
	}
	h.check(t, -1)
	if got := h.get("fake_in_flight"); got != 0 {
		t.Errorf("%d copies in flight after Read, want 0", got)
	}

	if err := cuda.WriteReused(rt, b, data, fakeWords(n/4, 9)); err != nil {
		t.Fatal(err)
	}
	if got := h.get("fake_clear_host_races"); got != 1 {
		t.Errorf("the fake driver saw %d races on a staging buffer refilled under its copy, want 1", got)
	}
	h.check(t, -1)
}
