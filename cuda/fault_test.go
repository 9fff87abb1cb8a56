package cuda_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"

	"github.com/zkaccel/zkaccel/cuda"
	"github.com/zkaccel/zkaccel/gpu"
)

// driverWork is the work TestFakeDriverFaults fails call by call: it
// compiles the test program, and over n words copied in chunks of the
// staging buffers, into a (kept from run to run, as a resident key is: a
// failed run frees nothing that would wait for its copies) and buffers of
// its own, it launches a kernel, reads a beside a later kernel
// (Mark, ReadAfter), reads after all of them, and reads the times. It
// also writes a buffer and frees it at once, which waits for the copy. It
// checks what it reads and frees what it allocated on every path. at marks
// the points where a call without an error to return starts and ends:
// "free" and "freed" around that Free, "done" once the work is done and
// only the deferred Frees are left.
func driverWork(rt *cuda.Runtime, a gpu.Buffer, n int, at func(point string)) (err error) {
	prog, err := rt.Compile(gpu.Source(addSrc))
	if err != nil {
		return err
	}
	add, err := prog.Kernel("add_u32")
	if err != nil {
		return err
	}
	b, err := rt.Alloc(4 * n)
	if err != nil {
		return err
	}
	defer rt.Free(b)
	words := func(v uint32) []byte {
		w := make([]byte, 4*n)
		for i := range n {
			binary.LittleEndian.PutUint32(w[4*i:], v+uint32(i))
		}
		return w
	}
	c, err := rt.Alloc(4 * n)
	if err != nil {
		return err
	}
	if err := rt.Write(c, 0, words(3)); err != nil {
		rt.Free(c)
		return err
	}
	at("free")
	rt.Free(c) // the copy may still be on its way
	at("freed")
	if err := rt.Write(a, 0, words(1)); err != nil {
		return err
	}
	if err := rt.Write(b, 0, words(2)); err != nil {
		return err
	}
	if err := rt.Launch(add, n, 0, a, uint32(n), uint32(10)); err != nil {
		return err
	}
	m, err := rt.Mark()
	if err != nil {
		return err
	}
	defer m.Free()
	if err := rt.Launch(add, n, 0, b, uint32(n), uint32(20)); err != nil { // beside the read
		return err
	}
	got := make([]byte, 4*n)
	if err := rt.ReadAfter(m, got, a, 0); err != nil {
		return err
	}
	if !bytes.Equal(got, words(11)) {
		return fmt.Errorf("read beside a kernel: %d…, want %d…", binary.LittleEndian.Uint32(got), 11)
	}
	if err := rt.Read(got, b, 0); err != nil {
		return err
	}
	if !bytes.Equal(got, words(22)) {
		return fmt.Errorf("read after the kernels: %d…, want %d…", binary.LittleEndian.Uint32(got), 22)
	}
	if err := rt.Finish(); err != nil {
		return err
	}
	if _, _, err := rt.Times(); err != nil {
		return err
	}
	if _, err := rt.KernelTimes(); err != nil {
		return err
	}
	at("done")
	return nil
}

// counts are what the fake driver holds: device allocations, pinned host
// buffers, events, modules.
type counts struct{ allocs, host, events, modules int64 }

// within reports whether c holds no more of each than max.
func (c counts) within(max counts) bool {
	return c.allocs <= max.allocs && c.host <= max.host && c.events <= max.events && c.modules <= max.modules
}

// TestFakeDriverFaults fails each driver call that can fail (allocations of
// device and pinned host memory, copies, launches, module loads, streams,
// events, waits) of driverWork in turn, on the fake driver, from the first
// use of the runtime's staging buffers (freed before, so that allocating
// them is among the calls) with copies in chunks of 1 MiB. With timing off,
// each failure must come back as an error wrapping the driver's (a
// cuda.Error of CUDA_ERROR_OUT_OF_MEMORY: gpu.ErrOutOfMemory where device
// memory ran out, not where pinned host memory did), with no panic. With
// timing on, a failure of timing's own events fails no operation (the
// runtime's contract): there the run must either return that error or
// read right (driverWork checks its reads). A failure in a Free, which has
// no error to return, must fail no operation either. In the sticky mode
// every failure resets the device, and the error must say so. Either way a
// failed call must leave no more device allocations, pinned host buffers,
// events or modules than a clean run leaves (the runtime keeps some: its
// streams' events, the program's module), and no misuse the driver checks
// (a call without a context, a bad pointer, a stream hazard, a host race);
// the next run must succeed.
func TestFakeDriverFaults(t *testing.T) {
	t.Setenv(cuda.EnvCopyChunk, "1")
	rt, h := fake(t)
	const n = 640 << 10 // 2.5 MiB of words: three chunks
	defer cuda.FreeStaging(rt)
	a, err := rt.Alloc(4 * n)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Free(a)
	defer rt.SetTiming(true)
	defer h.failWith(2)
	live := func() counts {
		return counts{h.get("fake_live_allocs"), h.get("fake_live_host"), h.get("fake_live_events"), h.get("fake_live_modules")}
	}
	for _, mode := range []struct {
		name   string
		timing bool
		code   int // the driver's error: 2 out of memory, 700 an illegal address (sticky)
	}{{"timing=false", false, 2}, {"timing=true", true, 2}, {"sticky", true, 700}} {
		t.Run(mode.name, func(t *testing.T) {
			timing, sticky := mode.timing, mode.code == 700
			rt.SetTiming(timing)
			h.failWith(mode.code)
			calls := 0
			points := map[string]int{} // the calls made before each point of a clean run
			run := func(k int) error {
				if err := cuda.FreeStaging(rt); err != nil { // waits for what a failed run left in them
					t.Fatal(err)
				}
				if sticky { // a reset loses a: a fresh one each run (freeing a lost one does nothing)
					rt.Free(a)
					var err error
					if a, err = rt.Alloc(4 * n); err != nil {
						t.Fatal(err)
					}
				}
				rt.ResetTimes()
				h.failAt(k)
				err := driverWork(rt, a, n, func(p string) {
					if k == 0 {
						points[p] = int(h.get("fake_fault_calls"))
					}
				})
				if k == 0 {
					calls = int(h.get("fake_fault_calls"))
				}
				h.failAt(0)
				return err
			}
			// settle collects the timing events still pending (Times waits
			// for all the work), so that the events live can be counted.
			settle := func() {
				if _, _, err := rt.Times(); err != nil {
					t.Fatalf("Times: %v", err)
				}
			}
			for range 2 { // the first compiles, the second is a steady run
				if err := run(0); err != nil {
					t.Fatalf("a clean run: %v", err)
				}
			}
			settle()
			base, want := live(), calls
			h.check(t, -1)
			if calls < 10 {
				t.Fatalf("the work made %d driver calls that can fail, want more", calls)
			}
			inFree := func(k int) bool {
				return k > points["free"] && k <= points["freed"] || k > points["done"]
			}
			quiet := 0
			for k := 1; k <= want; k++ {
				err := run(k)
				what := fmt.Sprintf("driver call %d of %d failed", k, want)
				var ce *cuda.Error
				switch {
				case err == nil && inFree(k):
					quiet++ // a Free's wait, which has no error to return
				case err == nil && timing && !sticky:
					quiet++ // a timing event's: driverWork read right
				case err == nil:
					t.Fatalf("%s: no error", what)
				case sticky && !errors.Is(err, gpu.ErrDeviceReset):
					// The driver's error where the operation met it, or a
					// handle lost to a reset that a Free met.
					t.Fatalf("%s: the error does not say the device was reset: %v", what, err)
				case sticky:
				case !errors.As(err, &ce) || ce.Code != 2 || ce.Sticky():
					t.Fatalf("%s: the error does not wrap the driver's (CUDA_ERROR_OUT_OF_MEMORY): %v", what, err)
				}
				h.check(t, -1)
				// A clean run at once, before anything waits for the work:
				// it reuses what the failed run left (the staging buffers).
				if err := run(0); err != nil {
					t.Fatalf("%s: the run after it: %v", what, err)
				}
				h.check(t, -1)
				settle()
				if got := live(); !got.within(base) {
					t.Fatalf("%s: live allocations, pinned buffers, events, modules %+v; %+v after a clean run", what, got, base)
				}
				if t.Failed() {
					t.Fatalf("%s", what)
				}
			}
			if got := live(); got != base && !(sticky && got.within(base)) { // a reset also drops what earlier tests left
				t.Errorf("after the faults: %+v live, %+v before", got, base)
			}
			t.Logf("%d driver calls, each failed in turn; %d of them failed no operation", want, quiet)
		})
	}
}

// TestFakeCompileFaults fails each driver call of compiling a program
// (loading its module, finding its kernels) in turn, on the fake driver,
// each time with a source not compiled before. Each failure must come back
// as an error wrapping the driver's, or, where the runtime recovered from
// it (a module the driver refused is built again), give a program that
// runs; a module is live only for a program the runtime keeps. A module
// the driver could not load for want of memory is no refused image: the
// runtime must not fall back to the embedded PTX (or delete a cache
// entry) for it.
func TestFakeCompileFaults(t *testing.T) {
	rt, h := fake(t)
	if _, err := cuda.LoadNVRTC(); err != nil {
		nvrtc(t) // skips, or fails where NVRTC is required
	}
	t.Setenv("ZKACCEL_CACHE_DIR", t.TempDir())
	b, err := rt.Alloc(16)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Free(b)
	fresh, calls := 0, 0
	kept := false // whether the last compile gave a program, which the runtime keeps
	compile := func(k int) error {
		fresh++
		h.failAt(k)
		defer func() {
			if k == 0 {
				calls = int(h.get("fake_fault_calls"))
			}
			h.failAt(0)
		}()
		prog, err := rt.Compile(gpu.Source(fmt.Sprintf("// TestFakeCompileFaults %d\n%s", fresh, addSrc)))
		kept = err == nil
		if err != nil {
			return err
		}
		for _, name := range []string{"add_u32", "mul_u64"} {
			if _, err := prog.Kernel(name); err != nil {
				return err
			}
		}
		add, _ := prog.Kernel("add_u32")
		return rt.Launch(add, 4, 0, b, uint32(4), uint32(1))
	}
	modules := h.get("fake_live_modules")
	if err := compile(0); err != nil {
		t.Fatal(err)
	}
	if got := h.get("fake_live_modules"); got != modules+1 {
		t.Fatalf("a compile left %d modules live, %d before", got, modules)
	}
	for k := 1; k <= calls; k++ {
		before := h.get("fake_live_modules")
		err := compile(k)
		want := before
		if kept {
			want++
		}
		var ce *cuda.Error
		switch {
		case err == nil: // recovered: the program runs
		case !errors.As(err, &ce) || ce.Code != 2:
			t.Fatalf("driver call %d of %d failed: the error does not wrap the driver's: %v", k, calls, err)
		}
		if got := h.get("fake_live_modules"); got != want {
			t.Errorf("driver call %d of %d failed (%v): %d modules live, want %d", k, calls, err, got, want)
		}
		h.check(t, -1)
	}
	t.Logf("%d driver calls, each failed in turn", calls)
}
