package p2test

import (
	"fmt"
	"slices"
	"testing"
	"unsafe"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/fakedev"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/poseidon"
)

// Permute2 compares permute2, field f's Permute2, with gnark-crypto's
// Permutation applied chunk by chunk, for every instance of f.Instances and
// batch sizes around the batched kernels' blocks (f.Sizes, f.ShortSizes
// with -short), on states with the edge values 0, 1 and p−1, on every
// device (see [OnDevices]), checking each call's report.
func Permute2[P, Perm, E any, PE element[E]](t *testing.T, f *Field[P, Perm, E], permute2 Front[P, E]) {
	seed := devtest.Seed(t)
	sizes := f.Sizes
	if testing.Short() {
		sizes = f.ShortSizes
	}
	OnDevices(t, func(t *testing.T, dev zkaccel.Device, onDevice bool) {
		rng := inputs.NewRand(seed)
		for _, w := range f.Instances {
			params, perm := f.Params(w), f.Perm(w)
			for _, n := range sizes {
				s := states[E, PE](rng, w.T, n)
				want := want(t, f, perm, w.T, s)
				var rep zkaccel.Report
				if err := permute2(params, s, poseidon.WithDevice(dev), poseidon.WithReport(&rep)); err != nil {
					t.Fatalf("%v n=%d: %v", w, n, err)
				}
				Diff[E, PE](t, fmt.Sprintf("%v n=%d", w, n), s, want)
				CheckReport(t, &rep, f.Op(), dev, n, onDevice)
			}
		}
	})
}

// NbTasks checks that the number of goroutines (WithNbTasks) does not
// change the result, on the CPU and on [Loopback].
func NbTasks[P, Perm, E any, PE element[E]](t *testing.T, f *Field[P, Perm, E], permute2 Front[P, E]) {
	rng := inputs.NewRand(devtest.Seed(t))
	w := f.Main
	params, perm := f.Params(w), f.Perm(w)
	s := inputs.Elements[E, PE](rng, f.NbTasksStates*w.T)
	want := want(t, f, perm, w.T, s)
	for _, k := range []int{1, 2, 3, 7, 1024} {
		for _, dev := range []zkaccel.Device{zkaccel.HostCPU(), Loopback} {
			got := slices.Clone(s)
			if err := permute2(params, got, poseidon.WithDevice(dev), poseidon.WithNbTasks(k)); err != nil {
				t.Fatal(err)
			}
			Diff[E, PE](t, fmt.Sprintf("WithNbTasks(%d) on %v", k, dev), got, want)
		}
	}
}

// Fallback checks that devices lacking the operation (fakedev.Bare,
// fakedev.Unsupported, and a device whose Poseidon2 says so) fall back to
// the CPU, say so, and give gnark-crypto's answer, for every instance.
func Fallback[P, Perm, E any, PE element[E]](t *testing.T, f *Field[P, Perm, E], permute2 Front[P, E]) {
	rng := inputs.NewRand(devtest.Seed(t))
	unsupported := &Device{fakedev.Bare, func(r *zkaccel.Poseidon2Request) error {
		return fmt.Errorf("test: poseidon2 %s: %w", r.Field, zkaccel.ErrUnsupported)
	}, nil}
	for _, dev := range []zkaccel.Device{fakedev.Bare, fakedev.Unsupported, unsupported} {
		for _, w := range f.Instances {
			s := inputs.Elements[E, PE](rng, 5*w.T)
			want := want(t, f, f.Perm(w), w.T, s)
			var rep zkaccel.Report
			if err := permute2(f.Params(w), s, poseidon.WithDevice(dev), poseidon.WithReport(&rep)); err != nil {
				t.Fatalf("%v on %v: %v", w, dev, err)
			}
			Diff[E, PE](t, fmt.Sprintf("%v on %v", w, dev), s, want)
			CheckFallback(t, &rep, fmt.Sprintf("%v on %v", w, dev))
		}
	}
}

// DeviceFaults checks that the comparison of [Permute2] sees a device that
// computes nothing, flips a bit of the last element (its low byte or its
// high byte), drops a round key (with or without the partial round it
// belongs to) or flips a bit of the diagonal: none may pass. And that a
// device that writes its inputs (the round keys and the diagonal) changes
// no later call: the front end hands it copies of its tables. It runs on
// f.Main and f.Tables.
func DeviceFaults[P, Perm, E any, PE element[E]](t *testing.T, f *Field[P, Perm, E], permute2 Front[P, E]) {
	var zero E
	size := int(unsafe.Sizeof(zero))
	faulty := []*Device{
		{fakedev.Bare, func(*zkaccel.Poseidon2Request) error { return nil }, nil},
		{fakedev.Bare, func(r *zkaccel.Poseidon2Request) error {
			err := fakedev.LoopbackPoseidon2(r)
			r.States[len(r.States)-size] ^= 1
			return err
		}, nil},
		{fakedev.Bare, func(r *zkaccel.Poseidon2Request) error {
			err := fakedev.LoopbackPoseidon2(r)
			r.States[len(r.States)-1] ^= 1
			return err
		}, nil},
		{fakedev.Bare, func(r *zkaccel.Poseidon2Request) error {
			r.NbPartialRounds--
			r.RoundKeys = r.RoundKeys[:len(r.RoundKeys)-size]
			return fakedev.LoopbackPoseidon2(r)
		}, nil},
		{fakedev.Bare, func(r *zkaccel.Poseidon2Request) error {
			r.RoundKeys = r.RoundKeys[:len(r.RoundKeys)-size]
			return fakedev.LoopbackPoseidon2(r)
		}, nil},
		{fakedev.Bare, func(r *zkaccel.Poseidon2Request) error {
			if len(r.DiagM1) == 0 {
				return nil // a fixed matrix: computes nothing instead
			}
			r.DiagM1[0] ^= 1
			return fakedev.LoopbackPoseidon2(r)
		}, nil},
	}
	writer := &Device{fakedev.Bare, func(r *zkaccel.Poseidon2Request) error {
		for i := range r.DiagM1 {
			r.DiagM1[i] ^= 0x55
		}
		for i := range r.RoundKeys {
			r.RoundKeys[i] ^= 0x55
		}
		return nil
	}, nil}
	for _, w := range []Instance{f.Main, f.Tables} {
		s := inputs.Elements[E, PE](inputs.NewRand(2), 4*w.T)
		want := want(t, f, f.Perm(w), w.T, s)
		for i, dev := range faulty {
			got := slices.Clone(s)
			if err := permute2(f.Params(w), got, poseidon.WithDevice(dev)); err == nil && equal[E, PE](got, want) {
				t.Fatalf("%v: faulty device %d passed", w, i)
			}
		}
		if err := permute2(f.Params(w), slices.Clone(s), poseidon.WithDevice(writer)); err != nil {
			t.Fatal(err)
		}
		got := slices.Clone(s)
		if err := permute2(f.Params(w), got, poseidon.WithDevice(zkaccel.HostCPU())); err != nil {
			t.Fatal(err)
		}
		Diff[E, PE](t, fmt.Sprintf("%v: a CPU call after the faulty devices", w), got, want)
	}
}

// DiagM1 checks diagM1, field f's Poseidon2DiagM1: a fresh slice of the
// width's length for every width f supports, nil for others. (Its values
// are checked by the known answers: Permute2 computes with them.)
func DiagM1[P, Perm, E any, PE element[E]](t *testing.T, f *Field[P, Perm, E], diagM1 func(t int) []E) {
	for _, w := range f.Widths {
		d := diagM1(w)
		if len(d) != w {
			t.Fatalf("width %d: %d elements", w, len(d))
		}
		PE(&d[0]).SetUint64(12345)
		if again := diagM1(w); PE(&again[0]).Equal(&d[0]) {
			t.Fatalf("width %d: the slice returned is shared", w)
		}
	}
	for _, w := range []int{-1, 0, 2, 3, 4, 8, 12, 16, 20, 24, 32, 1 << 20} {
		if slices.Contains(f.Widths, w) {
			continue
		}
		if d := diagM1(w); d != nil {
			t.Fatalf("width %d: %d elements, want nil", w, len(d))
		}
	}
}
