package devtest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
)

// ErrInjected is the failure a [Faulty] device's runtime injects.
var ErrInjected = errors.New("devtest: injected device fault")

// Faulty is a GPU device over another one's runtime that counts the
// runtime calls that can fail (Compile, Alloc, Write, Read, Launch,
// Finish, and where it reads beside later kernels Mark and ReadAfter),
// fails the one [Faulty.Arm] names with ErrInjected (or what
// [Faulty.Inject] says), and tracks the buffers allocated through it: a
// device whose every call can be made to fail in turn, to check that what
// runs on it returns the error and frees what it allocated. It also
// records what some tests read: the compiles, each kernel's last block
// size, the bytes written. Call its ReleaseCache when done.
type Faulty struct {
	*gpu.Device
	rt *faultRuntime

	kept keptDevices // devices over rt whose caches ReleaseCache drops too
}

// Faults is a GPU device whose calls can be made to fail in turn (the
// provers' fault checks run on it): a Faulty twin, whose runtime calls
// fail above the GPU runtime, or DriverFaults, whose library's calls (the
// emulated GPU's CUDA driver, faultcl.c under OpenCL) fail below zkaccel's
// runtime.
type Faults interface {
	zkaccel.Device
	// GPU is the device to run on: the provers must be given it, not the
	// Faults, whose resident data would otherwise belong to another device
	// than the one the proof names (zkaccel.ResidentPoints.Device).
	GPU() *gpu.Device
	// Arm restarts the count of calls and makes call k from now fail (0:
	// none).
	Arm(k int)
	// Calls is the number of calls counted since Arm.
	Calls() int
	// ReleaseCache frees the device's caches, and those of the devices
	// made by KeptOn.
	ReleaseCache()
	// Live is what the device holds: buffers (for the driver, also pinned
	// buffers and events).
	Live() int
	// KeptOn is devtest.KeptOn over the device's runtime (see
	// Faulty.KeptOn).
	KeptOn(k Keep, all int64) (on *gpu.Device, release func(), err error)
	// Failed returns why err is not what a run under an armed fault may
	// return, or nil where it is.
	Failed(err error) error
	// Recovers reports whether a run without a fault must succeed right
	// after each faulted one (after a device reset: the device and what
	// the run keeps on it, a prover's key, must come back).
	Recovers() bool
}

// GPU is the twin as a *gpu.Device, the device to run on.
func (f *Faulty) GPU() *gpu.Device { return f.Device }

// Recovers is false: FaultEach runs the faults one after another.
func (f *Faulty) Recovers() bool { return false }

// Failed returns nil where err wraps ErrInjected: a Faulty device's call
// must fail the run that made it.
func (f *Faulty) Failed(err error) error {
	switch {
	case err == nil:
		return errors.New("no error")
	case !errors.Is(err, ErrInjected):
		return fmt.Errorf("the error does not wrap the fault: %w", err)
	}
	return nil
}

// NewFaulty returns a Faulty device over d's runtime, dressed as d's
// (like): the same OpenCL device type, and on a runtime that reads beside
// later kernels (CUDA) those reads too, counted and failed as the other
// calls, so that the twin takes d's paths.
func NewFaulty(d *gpu.Device) *Faulty {
	inner := d.Runtime()
	rt := newFaultRuntime(inner)
	var br besideReader
	if ib, ok := inner.(besideReader); ok {
		br = faultBeside{rt, ib}
	}
	return &Faulty{Device: gpu.NewDevice(like(rt, inner, br)), rt: rt}
}

// NewFaultyAsGPU returns a Faulty device over d's runtime dressed as a GPU
// that reads beside its later kernels, as CUDA does, whatever d is: on an
// OpenCL CPU device (POCL) it takes the paths of a GPU's host code (the
// OpenCL GPU forms of the kernels, a GPU's plans, reads beside later
// kernels, which it makes after all of them, as a plain read), which a
// twin like d would not.
func NewFaultyAsGPU(d *gpu.Device) *Faulty {
	rt := newFaultRuntime(d.Runtime())
	dressed := typedBeside{typed{rt, "gpu", d.Runtime()}, faultBeside{rt, readAfterAll{d.Runtime()}}}
	return &Faulty{Device: gpu.NewDevice(dressed), rt: rt}
}

// readAfterAll reads beside later kernels the simplest way: after all of
// them (Read), whatever its marks. A read after a freed or foreign mark is
// an error.
type readAfterAll struct{ rt gpu.Runtime }

// afterAll is readAfterAll's mark.
type afterAll struct{ freed bool }

func (m *afterAll) Free() { m.freed = true }

func (r readAfterAll) Mark() (gpu.Mark, error) { return &afterAll{}, nil }

func (r readAfterAll) ReadAfter(m gpu.Mark, dst []byte, src gpu.Buffer, off int) error {
	if a, ok := m.(*afterAll); !ok || a.freed {
		return fmt.Errorf("devtest: a read after a freed or foreign mark %T", m)
	}
	return r.rt.Read(dst, src, off)
}

// ReleaseCache frees the device's caches and those of the devices made
// over its runtime by [Faulty.KeptOn].
func (f *Faulty) ReleaseCache() {
	f.Device.ReleaseCache()
	f.kept.releaseCaches()
}

// KeptOn is [KeptOn] over f's runtime: a device (for a part of the key, a
// crowded one) whose runtime calls f counts and fails and whose buffers f
// tracks, and whose caches f's ReleaseCache frees. Call release when done.
func (f *Faulty) KeptOn(k Keep, all int64) (on *gpu.Device, release func(), err error) {
	return f.kept.keptOn(f.Device, k, all)
}

// keptDevices are the devices a Faults made by KeptOn, whose caches its
// ReleaseCache frees too.
type keptDevices struct {
	mu   sync.Mutex
	devs []*gpu.Device
}

// keptOn is KeptOn over d, the device then counted among kp until its
// release.
func (kp *keptDevices) keptOn(d *gpu.Device, k Keep, all int64) (on *gpu.Device, release func(), err error) {
	dev, _, free, err := KeptOn(d, k, all)
	if err != nil {
		return nil, nil, err
	}
	g, ok := dev.(*gpu.Device)
	if !ok {
		free()
		return nil, nil, fmt.Errorf("devtest: KeptOn made a %T, not a GPU-runtime device", dev)
	}
	kp.mu.Lock()
	kp.devs = append(kp.devs, g)
	kp.mu.Unlock()
	return g, func() {
		kp.mu.Lock()
		kp.devs = slices.DeleteFunc(kp.devs, func(o *gpu.Device) bool { return o == g })
		kp.mu.Unlock()
		free()
	}, nil
}

// releaseCaches frees the caches of the devices in kp.
func (kp *keptDevices) releaseCaches() {
	kp.mu.Lock()
	defer kp.mu.Unlock()
	for _, d := range kp.devs {
		d.ReleaseCache()
	}
}

// Arm restarts the count of calls and makes call k from now fail (0: none).
func (f *Faulty) Arm(k int) {
	f.rt.mu.Lock()
	defer f.rt.mu.Unlock()
	f.rt.calls, f.rt.failAt = 0, k
}

// Calls is the number of runtime calls counted since Arm.
func (f *Faulty) Calls() int {
	f.rt.mu.Lock()
	defer f.rt.mu.Unlock()
	return f.rt.calls
}

// Live is the number of buffers allocated through the device and not
// freed.
func (f *Faulty) Live() int {
	f.rt.mu.Lock()
	defer f.rt.mu.Unlock()
	return len(f.rt.live)
}

// FaultPositions returns the calls to fail of a run of n calls: every one,
// or, where n is over most (most ≥ 2), most of them spread evenly from the
// first to the last.
func FaultPositions(n, most int) []int {
	var ks []int
	if n <= most {
		for k := 1; k <= n; k++ {
			ks = append(ks, k)
		}
		return ks
	}
	for i := range most {
		ks = append(ks, 1+i*(n-1)/(most-1))
	}
	return ks
}

// Inject makes the armed call fail with fail's error instead of
// ErrInjected (nil: ErrInjected again). fail runs without the twin's
// lock: it may call FreeLive, as a device reset loses every buffer.
func (f *Faulty) Inject(fail func() error) {
	f.rt.mu.Lock()
	defer f.rt.mu.Unlock()
	f.rt.inject = fail
}

// FreeLive frees every buffer allocated through the device and not freed.
func (f *Faulty) FreeLive() {
	f.rt.mu.Lock()
	live := make([]gpu.Buffer, 0, len(f.rt.live))
	for b := range f.rt.live {
		live = append(live, b)
	}
	f.rt.mu.Unlock()
	for _, b := range live {
		f.rt.Free(b)
	}
}

// Compiles is the number of Compile calls made through the device.
func (f *Faulty) Compiles() int {
	f.rt.mu.Lock()
	defer f.rt.mu.Unlock()
	return f.rt.compiles
}

// Local returns the block size the kernel called name was last launched
// with through the device, and whether it was launched.
func (f *Faulty) Local(name string) (int, bool) {
	f.rt.mu.Lock()
	defer f.rt.mu.Unlock()
	l, ok := f.rt.locals[name]
	return l, ok
}

// Limit returns the work-group limit (gpu.Kernel's MaxGroupSize) of the
// kernel called name, as its last launch through the device saw it, and
// whether it was launched.
func (f *Faulty) Limit(name string) (int, bool) {
	f.rt.mu.Lock()
	defer f.rt.mu.Unlock()
	l, ok := f.rt.limits[name]
	return l, ok
}

// Written is the number of bytes written to the device (Write) since
// ResetWritten.
func (f *Faulty) Written() int64 {
	f.rt.mu.Lock()
	defer f.rt.mu.Unlock()
	return f.rt.written
}

// ResetWritten restarts Written's count.
func (f *Faulty) ResetWritten() {
	f.rt.mu.Lock()
	defer f.rt.mu.Unlock()
	f.rt.written = 0
}

// faultRuntime is Faulty's runtime.
type faultRuntime struct {
	gpu.Runtime

	mu       sync.Mutex
	calls    int
	failAt   int          // 0: never
	inject   func() error // the failure (nil: ErrInjected)
	live     map[gpu.Buffer]bool
	compiles int
	locals   map[string]int // the block size each kernel was last launched with
	limits   map[string]int // and its MaxGroupSize then
	written  int64          // the bytes Write wrote
}

// newFaultRuntime returns a faultRuntime over rt.
func newFaultRuntime(rt gpu.Runtime) *faultRuntime {
	return &faultRuntime{Runtime: rt, live: map[gpu.Buffer]bool{}, locals: map[string]int{}, limits: map[string]int{}}
}

// step counts a call and returns the error it must fail with, if any.
func (f *faultRuntime) step() error {
	f.mu.Lock()
	f.calls++
	fail := f.failAt != 0 && f.calls == f.failAt
	inject := f.inject
	f.mu.Unlock()
	switch {
	case !fail:
		return nil
	case inject != nil:
		return inject()
	}
	return ErrInjected
}

func (f *faultRuntime) Compile(src string) (gpu.Program, error) {
	f.mu.Lock()
	f.compiles++
	f.mu.Unlock()
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

func (f *faultRuntime) Read(dst []byte, src gpu.Buffer, off int) error {
	if err := f.step(); err != nil {
		return err
	}
	return f.Runtime.Read(dst, src, off)
}

func (f *faultRuntime) Launch(k gpu.Kernel, global, local int, args ...any) error {
	if err := f.step(); err != nil {
		return err
	}
	f.mu.Lock()
	f.locals[k.Name()] = local
	f.limits[k.Name()] = k.MaxGroupSize()
	f.mu.Unlock()
	return f.Runtime.Launch(k, global, local, args...)
}

func (f *faultRuntime) Finish() error {
	if err := f.step(); err != nil {
		return err
	}
	return f.Runtime.Finish()
}

// faultBeside is a Faulty twin's reads beside later kernels (CUDA's):
// br's, each counted and failed as the twin's other calls.
type faultBeside struct {
	f  *faultRuntime
	br besideReader
}

func (b faultBeside) Mark() (gpu.Mark, error) {
	if err := b.f.step(); err != nil {
		return nil, err
	}
	return b.br.Mark()
}

func (b faultBeside) ReadAfter(m gpu.Mark, dst []byte, src gpu.Buffer, off int) error {
	if err := b.f.step(); err != nil {
		return err
	}
	return b.br.ReadAfter(m, dst, src, off)
}

// FaultEach checks run against faults on f: it runs it twice without one
// (the first compiles what it needs; the second's calls are counted, and
// the buffers live after it, f's caches dropped, are what run keeps), then
// once failing each call of FaultPositions(calls, most) in turn. Each of
// those must return what f.Failed accepts (a Faulty twin's: an error
// wrapping ErrInjected) and leave no more buffers live than the clean runs
// did; where f.Recovers, a run without a fault right after each must
// succeed. It returns the count of calls and
// the buffers the clean runs left live.
func FaultEach(t *testing.T, f Faults, name string, most int, run func() error) (calls, held int) {
	t.Helper()
	for range 2 {
		f.Arm(0)
		if err := run(); err != nil {
			t.Fatalf("%s without a fault: %v", name, err)
		}
		calls = f.Calls()
		f.ReleaseCache()
	}
	if calls == 0 {
		t.Fatalf("%s made no device call", name)
	}
	held = f.Live()
	ks := FaultPositions(calls, most)
	quiet := 0
	for _, k := range ks {
		f.Arm(k)
		err := run()
		f.Arm(0)
		what := fmt.Sprintf("%s, call %d of %d failed", name, k, calls)
		if ferr := f.Failed(err); ferr != nil {
			t.Fatalf("%s: %v", what, ferr)
		}
		if err == nil {
			quiet++
		}
		if f.Recovers() {
			if err := run(); err != nil {
				t.Fatalf("%s: the run after it: %v", what, err)
			}
		}
		f.ReleaseCache()
		if n := f.Live(); n > held {
			t.Fatalf("%s: %d device buffers live, want at most %d", what, n, held)
		}
	}
	if quiet > 0 {
		t.Logf("%s: %d device calls, %d of them failed in turn, %d of those failing no run (the device recovered)", name, calls, len(ks), quiet)
	} else {
		t.Logf("%s: %d device calls, %d of them failed in turn", name, calls, len(ks))
	}
	return calls, held
}

// FaultProofs is the device-fault check of a prover (the provers'
// TestDeviceFaults). The test skips where dev is no GPU-runtime device.
// On a Faulty twin of dev (NewFaulty), where dev is on the host (POCL) on
// a twin dressed as a GPU too (NewFaultyAsGPU: the paths a GPU takes), and
// where the library below dev's runtime can fail calls (the emulated GPU's
// driver, faultcl.c under OpenCL) on dev itself with that library's calls
// failed (DriverFaults; also with a sticky error, which resets the device),
// each a subtest, it runs FaultEach on making a
// prover (newProver, which it closes), on a one-shot proof (oneShot), on
// both again for a key kept in half (a prover on a crowded device over the
// same runtime, whose proofs move the other half of the key: KeptOn), and
// on proofs by one prover made for them (prove), failing every call of
// each, or with -short 24 spread over it (6 where each fault resets the
// device). Then it calls after with the
// device, that prover and the buffers its proofs keep (what FaultEach
// returned), for the test's own checks; the prover is closed and the
// device's caches released when the subtest ends.
func FaultProofs[P KeyKeeper](t *testing.T, dev zkaccel.Device, newProver func(zkaccel.Device) (P, error), oneShot func(zkaccel.Device) error, prove func(P) error, after func(t *testing.T, f Faults, p P, held int)) {
	t.Helper()
	g, ok := dev.(*gpu.Device)
	if !ok {
		t.Skipf("%v is not a GPU-runtime device", dev)
	}
	most := 1 << 30
	if testing.Short() {
		most = 24
	}
	type twin struct {
		name string
		make func(*testing.T, *gpu.Device) Faults
	}
	twins := []twin{{"as-is", func(_ *testing.T, g *gpu.Device) Faults { return NewFaulty(g) }}}
	if g.OnHost() {
		twins = append(twins, twin{"as-a-GPU", func(_ *testing.T, g *gpu.Device) Faults { return NewFaultyAsGPU(g) }})
	}
	if drv := FaultyDriver(g); drv != nil {
		twins = append(twins, twin{"driver", func(t *testing.T, g *gpu.Device) Faults { return NewDriverFaults(t, g, false) }})
		if drv.CanStick() {
			twins = append(twins, twin{"driver-sticky", func(t *testing.T, g *gpu.Device) Faults { return NewDriverFaults(t, g, true) }})
		}
	}
	for _, tw := range twins {
		t.Run(tw.name, func(t *testing.T) {
			f := tw.make(t, g)
			t.Cleanup(f.ReleaseCache)
			most := most
			if f.Recovers() && testing.Short() {
				most = 6 // each fault resets the device: its programs compile again
			}
			var all int64
			FaultEach(t, f, "NewProver", most, func() error {
				p, err := newProver(f.GPU())
				if err == nil {
					_, all = p.Residency()
					p.Close()
				}
				return err
			})
			FaultEach(t, f, "Prove", most, func() error { return oneShot(f.GPU()) })
			faultKeptInHalf(t, f, all, most, newProver, prove)
			p, err := newProver(f.GPU())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(p.Close)
			_, held := FaultEach(t, f, "Prover.Prove", most, func() error { return prove(p) })
			after(t, f, p, held)
		})
	}
}

// faultKeptInHalf is FaultProofs' check of a key of all bytes kept in
// half: FaultEach on making a prover on a crowded device over f's runtime
// with room for half of the key, and on that prover's proofs, which must
// keep some of the key and not all of it. Once the prover is closed and
// the crowded device released, f must hold no more buffers than before.
func faultKeptInHalf[P KeyKeeper](t *testing.T, f Faults, all int64, most int, newProver func(zkaccel.Device) (P, error), prove func(P) error) {
	t.Helper()
	f.ReleaseCache()
	before := f.Live()
	small, release, err := f.KeptOn(KeepHalf, all)
	if err != nil {
		t.Fatal(err)
	}
	FaultEach(t, f, "NewProver, key kept in half", most, func() error {
		p, err := newProver(small)
		if err == nil {
			p.Close()
		}
		return err
	})
	p, err := newProver(small)
	if err != nil {
		release()
		t.Fatal(err)
	}
	if on, all := p.Residency(); on <= 0 || on >= all {
		t.Errorf("key kept in half: %d of its %d bytes kept", on, all)
	}
	FaultEach(t, f, "Prover.Prove, key kept in half", most, func() error { return prove(p) })
	p.Close()
	release()
	f.ReleaseCache()
	if n := f.Live(); n > before {
		t.Errorf("after the faults with the key kept in half: %d buffers live, %d before", n, before)
	}
}
