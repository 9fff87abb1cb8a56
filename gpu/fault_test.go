package gpu_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/devtest"
)

// TestFaults injects a failure at every runtime call an operation makes, in
// turn, and checks that the operation returns an error naming the op and
// the device (never ErrUnsupported, never a CPU fallback), that no device
// memory stays allocated, and that the next call on the same device works.
func TestFaults(t *testing.T) {
	forEachGPU(t, func(t *testing.T, dev *gpu.Device) {
		testFaults(t, dev)
	})
}

// testFaults is TestFaults on a faulty twin of dev dressed as a GPU that
// reads beside later kernels (devtest.NewFaultyAsGPU), so that the paths
// of such runtimes (CUDA's) run, and fail at each call, on any runtime.
func testFaults(t *testing.T, dev *gpu.Device) {
	for _, c := range opCases() {
		t.Run(c.name, func(t *testing.T) {
			d := devtest.NewFaultyAsGPU(dev)
			// A clean run: it compiles, and counts the calls.
			d.Arm(0)
			if err := c.run(d.Device); err != nil {
				skipDeclined(t, err)
				t.Fatalf("clean run: %v", err)
			}
			d.ReleaseCache()
			if n := d.Live(); n != 0 {
				t.Fatalf("clean run left %d buffers allocated", n)
			}
			d.Arm(0)
			if err := c.run(d.Device); err != nil { // compiled now: the calls of a steady run
				t.Fatalf("second clean run: %v", err)
			}
			calls := d.Calls()
			d.ReleaseCache()
			if calls == 0 {
				t.Fatal("the operation made no runtime call: it did not run on the device")
			}
			for k := 1; k <= calls; k++ {
				d.Arm(k)
				err := c.run(d.Device)
				switch {
				case err == nil:
					t.Fatalf("fault at call %d/%d: no error", k, calls)
				case errors.Is(err, zkaccel.ErrUnsupported):
					t.Fatalf("fault at call %d/%d: reported as unsupported: %v", k, calls, err)
				case !errors.Is(err, devtest.ErrInjected):
					t.Fatalf("fault at call %d/%d: error does not wrap the fault: %v", k, calls, err)
				case !strings.Contains(err.Error(), d.String()):
					t.Fatalf("fault at call %d/%d: error does not name the device %v: %v", k, calls, d, err)
				}
				d.ReleaseCache()
				if n := d.Live(); n != 0 {
					t.Fatalf("fault at call %d/%d: %d device buffers leaked", k, calls, n)
				}
			}
			d.Arm(0)
			if err := c.run(d.Device); err != nil {
				t.Fatalf("run after the faults: %v", err)
			}
			d.ReleaseCache()
			if n := d.Live(); n != 0 {
				t.Fatalf("%d buffers leaked", n)
			}
		})
	}
}

// TestDeviceReset: after an error wrapping gpu.ErrDeviceReset the device
// forgets its programs and cached tables (their memory is gone), and the
// next call compiles afresh and succeeds. The reset is a faulty twin's
// call that frees every live buffer, as a real reset loses them, and
// fails with an error wrapping gpu.ErrDeviceReset.
func TestDeviceReset(t *testing.T) {
	forEachGPU(t, func(t *testing.T, dev *gpu.Device) {
		for _, c := range opCases() {
			t.Run(c.name, func(t *testing.T) {
				d := devtest.NewFaultyAsGPU(dev)
				d.Inject(func() error {
					d.FreeLive()
					return fmt.Errorf("kernel fault: %w", gpu.ErrDeviceReset)
				})
				if err := c.run(d.Device); err != nil { // compiles, caches tables
					skipDeclined(t, err)
					t.Fatal(err)
				}
				before := d.Compiles()
				d.Arm(3) // a call after the first allocations of the run
				if err := c.run(d.Device); !errors.Is(err, gpu.ErrDeviceReset) {
					t.Fatalf("the faulted run returned %v, want an error wrapping ErrDeviceReset", err)
				}
				d.Arm(0)
				if err := c.run(d.Device); err != nil {
					t.Fatalf("run after the reset: %v", err)
				}
				if d.Compiles() == before {
					t.Error("the device did not recompile after the reset")
				}
				d.ReleaseCache()
				if n := d.Live(); n != 0 {
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
