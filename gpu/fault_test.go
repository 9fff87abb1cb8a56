package gpu_test

import (
	"errors"
	"fmt"
	"os"
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

// TestDriverFaults fails each call of the library below the runtime (of
// those a device can fail) that an operation makes, in turn, where that
// library can fail them: the CUDA driver of the emulated GPU
// (scripts/cuda-emu.sh), or the OpenCL library faultcl.c over the
// machine's (scripts/opencl-faults.sh). These are faults below zkaccel's
// runtime, with CUDA's streams, staging buffers and timing events and
// OpenCL's programs and profiling events, where TestFaults' are above it.
// Each run must return an error wrapping the library's, or, where nothing
// failed for the operation (a timing event, a wait in a Free, a retry,
// window multiples left out for want of memory), the right result, which
// the operation checks; no device or pinned memory, program, kernel or
// event may stay beyond what a clean run leaves, and the emulated GPU
// stops the process at any stream hazard or host race. Each operation
// runs with the runtime's timing off (where only a Free's wait, a retry or
// a fallback may fail no operation) and on (where its events may too),
// and with the library's error sticky (a kernel fault's: the CUDA
// driver's CUDA_ERROR_ILLEGAL_ADDRESS, faultcl.c's lost context): then the
// error must say the device was reset, and the next run, on a fresh
// context, must succeed. With -short, at most 12 calls of
// each are failed, spread over it (4 with the sticky error, after which
// the programs compile again).
func TestDriverFaults(t *testing.T) {
	forEachGPU(t, func(t *testing.T, dev *gpu.Device) {
		drv := devtest.FaultyDriver(dev)
		if drv == nil {
			t.Skipf("%v has no library below its runtime that can fail calls", dev)
		}
		most := 1 << 30
		if testing.Short() {
			most = 12
		}
		if !devtest.SetTiming(dev.Runtime(), true) {
			t.Fatalf("the runtime of %v cannot turn its timing off", dev)
		}
		defer devtest.SetTiming(dev.Runtime(), true)
		type mode struct {
			name           string
			timing, sticky bool
		}
		modes := []mode{{"timing=false", false, false}, {"timing=true", true, false}}
		if drv.CanStick() {
			modes = append(modes, mode{"sticky", true, true}) // an illegal address
			defer drv.Stick(false)
		}
		for _, c := range opCases() {
			for _, mode := range modes {
				t.Run(c.name+"/"+mode.name, func(t *testing.T) {
					devtest.SetTiming(dev.Runtime(), mode.timing)
					sticky := mode.sticky
					if drv.CanStick() {
						drv.Stick(sticky)
					}
					most := most
					if sticky && testing.Short() {
						most = 4 // each reset recompiles the programs
					}
					var calls int
					for range 2 { // the first compiles, the second is a steady run
						drv.Arm(0)
						if err := c.run(dev); err != nil {
							skipDeclined(t, err)
							t.Fatalf("clean run: %v", err)
						}
						calls = drv.Calls()
					}
					// settle frees the device's caches and collects the timing
					// events still pending (Times waits for all the work), so
					// that what the driver holds can be counted.
					settle := func() {
						dev.ReleaseCache()
						if _, _, err := dev.Times(); err != nil {
							t.Fatalf("Times: %v", err)
						}
					}
					settle()
					base := drv.Live()
					quiet := 0
					for _, k := range devtest.FaultPositions(calls, most) {
						resets := dev.Resets()
						drv.Arm(k)
						err := c.run(dev)
						drv.Arm(0)
						what := fmt.Sprintf("driver call %d of %d failed", k, calls)
						// A sticky error resets the device once (a quiet
						// one may too: a Free met it); no other does.
						if moved := dev.Resets() - resets; moved > 1 || !sticky && moved != 0 || sticky && err != nil && moved != 1 {
							t.Fatalf("%s (%v): the device's reset count moved by %d", what, err, moved)
						}
						switch {
						case err == nil:
							quiet++
						case sticky && !errors.Is(err, gpu.ErrDeviceReset):
							t.Fatalf("%s: the error does not say the device was reset: %v", what, err)
						case sticky:
						case errors.Is(err, errNoWindows):
							quiet++ // out of memory: LoadPoints kept the points without them, as it should
						case !drv.Injected(err):
							t.Fatalf("%s: the error does not wrap the driver's: %v", what, err)
						}
						settle()
						if got := drv.Live(); got[0] > base[0] || got[1] > base[1] || got[2] > base[2] {
							t.Fatalf("%s: what the library holds (CUDA: allocations, pinned buffers, events; OpenCL: buffers; programs, kernels, contexts and queues; events) %v; %v after a clean run", what, got, base)
						}
					}
					if err := c.run(dev); err != nil {
						t.Fatalf("run after the faults: %v", err)
					}
					t.Logf("%d driver calls, %d failed in turn, %d of them failing no operation", calls, len(devtest.FaultPositions(calls, most)), quiet)
				})
			}
		}
	})
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

// faultSource is a kernel that writes through the address it is given:
// unmapped memory makes it fault on a GPU.
const faultSource = `
KERNEL void zk_fault(GLOBAL u64* out, u64 addr) {
	if (GLOBAL_ID() == 0) {
		*(GLOBAL u64*)(addr) = 1;
		out[0] = 2;
	}
}
`

// TestKernelFault makes a real GPU fault: a kernel writes to address 16.
// The runtime must report it, as an error of the launch or of the wait
// after it, and the device must then work: every operation case runs, its
// results checked, after it. CUDA's runtime resets the context (the error
// must wrap gpu.ErrDeviceReset); OpenCL's makes a new one where the driver
// left the old unusable (logged). Where a CUDA driver keeps the GPU from
// the process after the fault, as cuda.h says it may, the error must wrap
// gpu.ErrDeviceLost instead, and every operation must then fail at once
// with it (logged: which of the two a driver does is the finding). Every
// GPU device compiles the kernel;
// only with ZKACCEL_TEST_KERNEL_FAULT=1 (scripts/gpu-check.sh sets it on a
// lent GPU) and only on a GPU whose kernels run outside the test's process
// does it run: not on a CPU OpenCL device, the emulated GPU, faultcl.c,
// Oclgrind or the PTX interpreter, where a wild write would stop the
// process or be reported otherwise.
func TestKernelFault(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rt := d.Runtime()
		prog, err := rt.Compile(gpu.Source(faultSource))
		if err != nil {
			t.Fatal(err)
		}
		if os.Getenv("ZKACCEL_TEST_KERNEL_FAULT") != "1" {
			t.Skip("compiled; running it makes the GPU fault: set ZKACCEL_TEST_KERNEL_FAULT=1 (scripts/gpu-check.sh does)")
		}
		plat, _ := rt.(interface{ Platform() string })
		switch {
		case rt.Kind() != "cuda" && rt.Kind() != "opencl", d.OnHost(), devtest.FaultyDriver(d) != nil,
			plat != nil && strings.Contains(plat.Platform(), "Oclgrind"), rt.Name() == "PTX interpreter":
			t.Skipf("%v runs its kernels in this process or checks their accesses itself", d)
		}
		cases := opCases()
		for _, c := range cases { // compiles and caches what the cases use
			if err := c.run(d); err != nil {
				skipDeclined(t, err)
				t.Fatalf("%s before the fault: %v", c.name, err)
			}
		}
		gen := uint64(0)
		g, counts := rt.(interface{ Generation() uint64 })
		if counts {
			gen = g.Generation()
		}
		k, err := prog.Kernel("zk_fault")
		if err != nil {
			t.Fatal(err)
		}
		out, err := rt.Alloc(8)
		if err != nil {
			t.Fatal(err)
		}
		defer rt.Free(out)
		err = rt.Launch(k, 1, 1, out, uint64(16))
		if err == nil {
			err = rt.Finish()
		}
		if err == nil {
			t.Fatal("a kernel that wrote to address 16 ran without an error")
		}
		if errors.Is(err, gpu.ErrDeviceLost) {
			// cuda.h: after such a fault "the process must be terminated
			// and relaunched". Where the driver holds to that, the runtime
			// must say so (its fresh context failed too), and every later
			// call must fail at once with the loss.
			for _, c := range cases {
				if err := c.run(d); !errors.Is(err, gpu.ErrDeviceLost) {
					t.Errorf("%s after the device was lost: %v, want an error wrapping gpu.ErrDeviceLost", c.name, err)
				}
			}
			t.Logf("the fault: %v (the device is lost to this process: its driver does not let a reset recover)", err)
			return
		}
		reset := errors.Is(err, gpu.ErrDeviceReset)
		if rt.Kind() == "cuda" && !reset {
			t.Errorf("the fault's error does not say the context was reset: %v", err)
		}
		if counts && reset && g.Generation() == gen {
			t.Errorf("the error says the context was reset, the runtime's generation did not move (%d)", gen)
		}
		if counts && d.Resets() != g.Generation() {
			t.Errorf("the device counts %d resets, its runtime %d", d.Resets(), g.Generation())
		}
		t.Logf("the fault: %v (context reset: %v)", err, reset)
		for _, c := range cases {
			if err := c.run(d); err != nil {
				t.Errorf("%s after the fault: %v", c.name, err)
			}
		}
	})
}
