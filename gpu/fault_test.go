package gpu_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
)

// errInjected is the fault faultRuntime injects.
var errInjected = errors.New("injected fault")

// faultRuntime wraps a runtime: it counts the calls that can fail (Compile,
// Alloc, Write, Read, Launch, Finish), fails call number failAt with
// errInjected, and tracks the buffers that are live.
type faultRuntime struct {
	gpu.Runtime

	mu      sync.Mutex
	calls   int
	failAt  int // 0: never
	live    map[gpu.Buffer]bool
	inject  func() error   // the failure (default: errInjected)
	locals  map[string]int // the block size each kernel was last launched with
	written int64          // the bytes Write wrote
}

func newFaultRuntime(rt gpu.Runtime) *faultRuntime {
	return &faultRuntime{Runtime: rt, live: map[gpu.Buffer]bool{}, locals: map[string]int{}}
}

// step counts a call and reports whether it must fail.
func (f *faultRuntime) step() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.failAt != 0 && f.calls == f.failAt {
		if f.inject != nil {
			inject := f.inject
			f.mu.Unlock()
			defer f.mu.Lock()
			return inject()
		}
		return errInjected
	}
	return nil
}

// arm resets the count and fails call k from now (0: none).
func (f *faultRuntime) arm(k int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls, f.failAt = 0, k
}

func (f *faultRuntime) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

func (f *faultRuntime) nbLive() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.live)
}

func (f *faultRuntime) Compile(src string) (gpu.Program, error) {
	if err := f.step(); err != nil {
		return nil, err
	}
	return f.Runtime.Compile(src)
}

func (f *faultRuntime) Alloc(n int) (gpu.Buffer, error) {
	if err := f.step(); err != nil {
		return nil, err
	}
	b, err := f.Runtime.Alloc(n)
	if err == nil {
		f.mu.Lock()
		f.live[b] = true
		f.mu.Unlock()
	}
	return b, err
}

func (f *faultRuntime) Free(b gpu.Buffer) {
	if b == nil {
		return
	}
	f.mu.Lock()
	delete(f.live, b)
	f.mu.Unlock()
	f.Runtime.Free(b)
}

func (f *faultRuntime) Write(dst gpu.Buffer, off int, src []byte) error {
	if err := f.step(); err != nil {
		return err
	}
	f.mu.Lock()
	f.written += int64(len(src))
	f.mu.Unlock()
	return f.Runtime.Write(dst, off, src)
}

// resetWritten zeroes the count of bytes written (bytesWritten).
func (f *faultRuntime) resetWritten() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.written = 0
}

// bytesWritten is the bytes Write wrote since resetWritten.
func (f *faultRuntime) bytesWritten() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.written
}

func (f *faultRuntime) Read(dst []byte, src gpu.Buffer, off int) error {
	if err := f.step(); err != nil {
		return err
	}
	return f.Runtime.Read(dst, src, off)
}

// faultMark is faultRuntime's mark: the point reached when every earlier
// launch is done, which its ReadAfter waits for (all of them, as Read does).
type faultMark struct{ freed bool }

func (m *faultMark) Free() { m.freed = true }

// Mark and ReadAfter make faultRuntime a runtime that reads beside later
// kernels, as CUDA's is, so that the device's paths for such runtimes run
// (and fail at each call) on any runtime; the read itself is Read.
func (f *faultRuntime) Mark() (gpu.Mark, error) {
	if err := f.step(); err != nil {
		return nil, err
	}
	return &faultMark{}, nil
}

func (f *faultRuntime) ReadAfter(m gpu.Mark, dst []byte, src gpu.Buffer, off int) error {
	if err := f.step(); err != nil {
		return err
	}
	if fm, ok := m.(*faultMark); !ok || fm.freed {
		return fmt.Errorf("read after %T (freed or foreign)", m)
	}
	return f.Runtime.Read(dst, src, off)
}

func (f *faultRuntime) Launch(k gpu.Kernel, global, local int, args ...any) error {
	if err := f.step(); err != nil {
		return err
	}
	f.mu.Lock()
	f.locals[k.Name()] = local
	f.mu.Unlock()
	return f.Runtime.Launch(k, global, local, args...)
}

// local returns the block size kernel name was last launched with, and
// whether it was launched.
func (f *faultRuntime) local(name string) (int, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	l, ok := f.locals[name]
	return l, ok
}

func (f *faultRuntime) Finish() error {
	if err := f.step(); err != nil {
		return err
	}
	return f.Runtime.Finish()
}

// TestFaults injects a failure at every runtime call an operation makes, in
// turn, and checks that the operation returns an error naming the op and
// the device (never ErrUnsupported, never a CPU fallback), that no device
// memory stays allocated, and that the next call on the same device works.
func TestFaults(t *testing.T) {
	forEachGPU(t, func(t *testing.T, dev *gpu.Device) {
		testFaults(t, dev.Runtime())
	})
}

func testFaults(t *testing.T, rt gpu.Runtime) {
	for _, c := range opCases() {
		t.Run(c.name, func(t *testing.T) {
			fr := newFaultRuntime(rt)
			d := gpu.NewDevice(fr)
			// A clean run: it compiles, and counts the calls.
			fr.arm(0)
			if err := c.run(d); err != nil {
				skipDeclined(t, err)
				t.Fatalf("clean run: %v", err)
			}
			d.ReleaseCache()
			if n := fr.nbLive(); n != 0 {
				t.Fatalf("clean run left %d buffers allocated", n)
			}
			fr.arm(0)
			if err := c.run(d); err != nil { // compiled now: the calls of a steady run
				t.Fatalf("second clean run: %v", err)
			}
			calls := fr.count()
			d.ReleaseCache()
			if calls == 0 {
				t.Fatal("the operation made no runtime call: it did not run on the device")
			}
			for k := 1; k <= calls; k++ {
				fr.arm(k)
				err := c.run(d)
				switch {
				case err == nil:
					t.Fatalf("fault at call %d/%d: no error", k, calls)
				case errors.Is(err, zkaccel.ErrUnsupported):
					t.Fatalf("fault at call %d/%d: reported as unsupported: %v", k, calls, err)
				case !errors.Is(err, errInjected):
					t.Fatalf("fault at call %d/%d: error does not wrap the fault: %v", k, calls, err)
				case !strings.Contains(err.Error(), d.String()):
					t.Fatalf("fault at call %d/%d: error does not name the device %v: %v", k, calls, d, err)
				}
				d.ReleaseCache()
				if n := fr.nbLive(); n != 0 {
					t.Fatalf("fault at call %d/%d: %d device buffers leaked", k, calls, n)
				}
			}
			fr.arm(0)
			if err := c.run(d); err != nil {
				t.Fatalf("run after the faults: %v", err)
			}
			d.ReleaseCache()
			if n := fr.nbLive(); n != 0 {
				t.Fatalf("%d buffers leaked", n)
			}
		})
	}
}

// resetRuntime wraps a runtime: its call number failAt fails with an error
// wrapping gpu.ErrDeviceReset after freeing every live buffer, as a real
// reset loses them, and it counts compiles.
type resetRuntime struct {
	*faultRuntime
	compiles int
}

func (r *resetRuntime) Compile(src string) (gpu.Program, error) {
	r.mu.Lock()
	r.compiles++
	r.mu.Unlock()
	return r.faultRuntime.Compile(src)
}

func (r *resetRuntime) fail() {
	r.mu.Lock()
	live := make([]gpu.Buffer, 0, len(r.live))
	for b := range r.live {
		live = append(live, b)
	}
	r.mu.Unlock()
	for _, b := range live {
		r.faultRuntime.Free(b)
	}
}

// TestDeviceReset: after an error wrapping gpu.ErrDeviceReset the device
// forgets its programs and cached tables (their memory is gone), and the
// next call compiles afresh and succeeds.
func TestDeviceReset(t *testing.T) {
	forEachGPU(t, func(t *testing.T, dev *gpu.Device) {
		for _, c := range opCases() {
			t.Run(c.name, func(t *testing.T) {
				rr := &resetRuntime{faultRuntime: newFaultRuntime(dev.Runtime())}
				rr.faultRuntime.inject = func() error {
					rr.fail()
					return fmt.Errorf("kernel fault: %w", gpu.ErrDeviceReset)
				}
				d := gpu.NewDevice(rr)
				if err := c.run(d); err != nil { // compiles, caches tables
					skipDeclined(t, err)
					t.Fatal(err)
				}
				before := rr.compiles
				rr.arm(3) // a call after the first allocations of the run
				if err := c.run(d); !errors.Is(err, gpu.ErrDeviceReset) {
					t.Fatalf("the faulted run returned %v, want an error wrapping ErrDeviceReset", err)
				}
				rr.arm(0)
				if err := c.run(d); err != nil {
					t.Fatalf("run after the reset: %v", err)
				}
				if rr.compiles == before {
					t.Error("the device did not recompile after the reset")
				}
				d.ReleaseCache()
				if n := rr.nbLive(); n != 0 {
					t.Errorf("%d buffers left", n)
				}
			})
		}
	})
}

// TestConcurrent runs every operation from many goroutines at once on one
// device (run it with -race) and checks every result.
func TestConcurrent(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		var cases []opCase
		for _, c := range opCases() { // compile first, one at a time
			if err := c.run(d); err != nil {
				if name := declinedBy(err); name != "" {
					t.Logf("%s: left out, as %s=0 turns it off on the device", c.name, name)
					continue
				}
				t.Fatalf("%s: %v", c.name, err)
			}
			cases = append(cases, c)
		}
		const rounds = 3
		var wg sync.WaitGroup
		errs := make(chan error, rounds*len(cases))
		for r := 0; r < rounds; r++ {
			for _, c := range cases {
				if c.serial {
					continue
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := c.run(d); err != nil {
						errs <- fmt.Errorf("%s: %w", c.name, err)
					}
				}()
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}
