package devtest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
)

// ErrInjected is the failure a [Faulty] device's runtime injects.
var ErrInjected = errors.New("devtest: injected device fault")

// Faulty is a GPU device over another one's runtime that counts the
// runtime calls that can fail (Compile, Alloc, Write, Read, Launch,
// Finish), fails the one [Faulty.Arm] names with ErrInjected, and tracks
// the buffers allocated through it: a device whose every call can be made
// to fail in turn, to check that what runs on it returns the error and
// frees what it allocated. Call its ReleaseCache when done.
type Faulty struct {
	*gpu.Device
	rt *faultRuntime
}

// NewFaulty returns a Faulty device over d's runtime.
func NewFaulty(d *gpu.Device) *Faulty {
	rt := &faultRuntime{Runtime: d.Runtime(), live: map[gpu.Buffer]bool{}}
	return &Faulty{Device: gpu.NewDevice(rt), rt: rt}
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

// faultRuntime is Faulty's runtime.
type faultRuntime struct {
	gpu.Runtime

	mu     sync.Mutex
	calls  int
	failAt int // 0: never
	live   map[gpu.Buffer]bool
}

// step counts a call and returns the error it must fail with, if any.
func (f *faultRuntime) step() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.failAt != 0 && f.calls == f.failAt {
		return ErrInjected
	}
	return nil
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
	return f.Runtime.Launch(k, global, local, args...)
}

func (f *faultRuntime) Finish() error {
	if err := f.step(); err != nil {
		return err
	}
	return f.Runtime.Finish()
}

// FaultEach checks run against faults on f: it runs it twice without one
// (the first compiles what it needs; the second's calls are counted, and
// the buffers live after it, f's caches dropped, are what run keeps), then
// once failing each call of FaultPositions(calls, most) in turn. Each of
// those must return an error wrapping ErrInjected and leave no more
// buffers live than the clean runs did. It returns the count of calls and
// the buffers the clean runs left live.
func FaultEach(t *testing.T, f *Faulty, name string, most int, run func() error) (calls, held int) {
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
	for _, k := range ks {
		f.Arm(k)
		err := run()
		f.Arm(0)
		what := fmt.Sprintf("%s, call %d of %d failed", name, k, calls)
		switch {
		case err == nil:
			t.Fatalf("%s: no error", what)
		case !errors.Is(err, ErrInjected):
			t.Fatalf("%s: the error does not wrap the fault: %v", what, err)
		}
		f.ReleaseCache()
		if n := f.Live(); n > held {
			t.Fatalf("%s: %d device buffers live, want at most %d", what, n, held)
		}
	}
	t.Logf("%s: %d device calls, %d of them failed in turn", name, calls, len(ks))
	return calls, held
}

// FaultProofs is the device-fault check of a prover (the provers'
// TestDeviceFaults): on a Faulty twin of dev (the test skips where dev is
// no GPU-runtime device), FaultEach on making a prover (newProver, which
// it closes), on a one-shot proof (oneShot) and on proofs by one prover
// made for them (prove), failing every call of each, or with -short 24
// spread over it. It returns the Faulty device, that prover and the
// buffers its proofs keep; both are released when the test ends.
func FaultProofs[P interface{ Close() }](t *testing.T, dev zkaccel.Device, newProver func(zkaccel.Device) (P, error), oneShot func(zkaccel.Device) error, prove func(P) error) (f *Faulty, p P, held int) {
	t.Helper()
	g, ok := dev.(*gpu.Device)
	if !ok {
		t.Skipf("%v is not a GPU-runtime device", dev)
	}
	most := 1 << 30
	if testing.Short() {
		most = 24
	}
	f = NewFaulty(g)
	t.Cleanup(f.ReleaseCache)
	FaultEach(t, f, "NewProver", most, func() error {
		p, err := newProver(f)
		if err == nil {
			p.Close()
		}
		return err
	})
	FaultEach(t, f, "Prove", most, func() error { return oneShot(f) })
	p, err := newProver(f)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	_, held = FaultEach(t, f, "Prover.Prove", most, func() error { return prove(p) })
	return f, p, held
}
