package devtest

import (
	"runtime"
	"testing"

	"github.com/zkaccel/zkaccel"
)

// heapLive returns the bytes of the Go heap in use once two collections
// have run (the second empties the pools' victim caches).
func heapLive() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// Steady checks that run, repeated, holds no more as it goes: after warm
// runs (which fill what is kept from run to run: caches, pools, a
// prover's workspace), it runs runs more, and then the device must hold
// the bytes it held after the warm ones (held: false where it does not
// count them), and the Go heap must not have grown by more than perRun
// bytes a run in both halves of them: a leak of a workspace or of a
// run's data, kept by something that outlives the call, grows it by at
// least that much every run, where a cache filled late or the
// collector's noise grows it once. It returns the heap's growth per run
// over all of them.
func Steady(t *testing.T, warm, runs int, perRun int64, held func() (uint64, bool), run func(k int) error) int64 {
	t.Helper()
	if runs < 2 {
		t.Fatalf("Steady: %d runs, want at least 2", runs)
	}
	for k := range warm {
		if err := run(k); err != nil {
			t.Fatalf("run %d: %v", k, err)
		}
	}
	dev0, counted := held()
	var heap [3]int64
	heap[0] = int64(heapLive())
	half := runs / 2
	for k := range runs {
		if err := run(warm + k); err != nil {
			t.Fatalf("run %d: %v", warm+k, err)
		}
		switch k + 1 {
		case half:
			heap[1] = int64(heapLive())
		case runs:
			heap[2] = int64(heapLive())
		}
	}
	if dev1, _ := held(); counted && dev1 != dev0 {
		t.Errorf("the device holds %d bytes after %d more runs, %d before", dev1, runs, dev0)
	}
	first, second := (heap[1]-heap[0])/int64(half), (heap[2]-heap[1])/int64(runs-half)
	if first > perRun && second > perRun {
		t.Errorf("the Go heap grew by %d and %d bytes a run over two halves of %d runs (%d → %d → %d bytes), more than %d", first, second, runs, heap[0], heap[1], heap[2], perRun)
	}
	return (heap[2] - heap[0]) / int64(runs)
}

// SteadyProofs is the provers' TestProverSteady: on every device present
// (ForEachDevice), a prover made by newProver proves 10 times and then 48
// times more (16 with -short) under Steady, the device's bytes read by
// held, the heap allowed half of a vector of n field elements of 32 bytes a
// proof (a proof that left anything of its own behind would keep at least
// one such vector).
func SteadyProofs[P KeyKeeper](t *testing.T, n uint64, newProver func(zkaccel.Device) (P, error), held func(zkaccel.Device) (uint64, bool), prove func(P) error) {
	t.Helper()
	runs := 48
	if testing.Short() {
		runs = 16
	}
	ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		p, err := newProver(dev)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		g := Steady(t, 10, runs, int64(32*n/2), func() (uint64, bool) { return held(dev) }, func(int) error { return prove(p) })
		t.Logf("a domain of %d: the Go heap grew by %d bytes a proof (a vector: %d bytes)", n, g, 32*n)
	})
}
