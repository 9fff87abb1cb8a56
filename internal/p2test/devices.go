package p2test

import (
	"errors"
	"fmt"
	"math/rand"
	"slices"
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/fakedev"
	"github.com/zkaccel/zkaccel/internal/inputs"
)

// Device is a test device that runs Poseidon2 and Merkle requests with the
// functions given, over the identity of the device it embeds (fakedev.Bare
// in these tests); its Poseidon reports zkaccel.ErrUnsupported.
type Device struct {
	zkaccel.Device
	OnPoseidon2 func(*zkaccel.Poseidon2Request) error
	OnMerkle    func(*zkaccel.MerkleRequest) error
}

// Poseidon implements zkaccel.PoseidonDevice: unsupported.
func (d *Device) Poseidon(*zkaccel.PoseidonRequest) error {
	return fmt.Errorf("zkaccel/fake: poseidon: %w", zkaccel.ErrUnsupported)
}

// Poseidon2 implements zkaccel.PoseidonDevice with d.OnPoseidon2.
func (d *Device) Poseidon2(r *zkaccel.Poseidon2Request) error { return d.OnPoseidon2(r) }

// Merkle implements zkaccel.MerkleDevice with d.OnMerkle.
func (d *Device) Merkle(r *zkaccel.MerkleRequest) error { return d.OnMerkle(r) }

// Loopback runs both requests with fakedev's loopback functions, behind a
// test device: every call must run on it.
var Loopback zkaccel.Device = &Device{fakedev.Bare, fakedev.LoopbackPoseidon2, fakedev.LoopbackMerklePoseidon2}

// ErrFailing is the error of the failing test devices.
var ErrFailing = errors.New("simulated kernel failure")

// OnDevices runs fn on every device present (devtest.ForEachDevice), on
// [Loopback] and on fakedev.Loopback, where every call must run on the
// device (onDevice).
func OnDevices(t *testing.T, fn func(t *testing.T, dev zkaccel.Device, onDevice bool)) {
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) { fn(t, dev, false) })
	t.Run("loopback-functions", func(t *testing.T) { fn(t, Loopback, true) })
	t.Run("fakedev-loopback", func(t *testing.T) {
		if _, ok := fakedev.Loopback.(zkaccel.PoseidonDevice); !ok {
			t.Skip("fakedev.Loopback does not implement zkaccel.PoseidonDevice")
		}
		fn(t, fakedev.Loopback, true)
	})
}

// CheckReport checks the report of a call of op on n states on dev: that it
// names them, and that the call ran on dev without fallback where onDevice.
func CheckReport(t *testing.T, rep *zkaccel.Report, op string, dev zkaccel.Device, n int, onDevice bool) {
	t.Helper()
	switch {
	case rep.Op != op || rep.N != n || rep.Requested != dev:
		t.Fatalf("report %+v, want op %q, N %d, requested %v", rep, op, n, dev)
	case onDevice && (rep.Fallback || rep.Ran != dev):
		t.Fatalf("ran on %v (fallback %v: %v), want %v", rep.Ran, rep.Fallback, rep.Reason, dev)
	}
}

// CheckFallback checks that the report of a call on dev says it fell back
// to the CPU for zkaccel.ErrUnsupported.
func CheckFallback(t *testing.T, rep *zkaccel.Report, what string) {
	t.Helper()
	if !rep.Fallback || rep.Ran != zkaccel.HostCPU() || !errors.Is(rep.Reason, zkaccel.ErrUnsupported) {
		t.Fatalf("%s: report %v, want a fallback to the CPU", what, rep)
	}
}

// NoPanic calls f and turns a panic into a test failure.
func NoPanic[T any](t *testing.T, f func() (T, error)) (v T, err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("panic: %v", p)
		}
	}()
	return f()
}

// Diff fails t at the first element where got and want differ.
func Diff[E any, PE element[E]](t testing.TB, what string, got, want []E) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d elements, want %d", what, len(got), len(want))
	}
	for i := range got {
		if !PE(&got[i]).Equal(&want[i]) {
			t.Fatalf("%s: element %d of %d: got %s, want %s", what, i, len(got), PE(&got[i]).String(), PE(&want[i]).String())
		}
	}
}

// equal reports whether a and b hold the same elements.
func equal[E any, PE element[E]](a, b []E) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !PE(&a[i]).Equal(&b[i]) {
			return false
		}
	}
	return true
}

// want permutes a copy of states chunk by chunk with gnark-crypto's perm.
func want[P, Perm, E any](t testing.TB, f *Field[P, Perm, E], perm *Perm, width int, states []E) []E {
	t.Helper()
	w := slices.Clone(states)
	for i := 0; i < len(w); i += width {
		if err := f.Permutation(perm, w[i:i+width]); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// edges sets, where n ≥ 3, the first three of the n states of width t in s
// to all zero, all p−1, and 0, 1, p−1, 0, 1, p−1, ….
func edges[E any, PE element[E]](s []E, t, n int) {
	var one, minusOne E
	PE(&one).SetOne()
	PE(&minusOne).Neg(&one)
	if n < 3 {
		return
	}
	for j := range t {
		PE(&s[j]).SetZero()
		s[t+j] = minusOne
		PE(&s[2*t+j]).SetZero()
		switch j % 3 {
		case 1:
			s[2*t+j] = one
		case 2:
			s[2*t+j] = minusOne
		}
	}
}

// states returns n random states of width t drawn from rng, with the edge
// states of [edges] first.
func states[E any, PE element[E]](rng *rand.Rand, t, n int) []E {
	s := inputs.Elements[E, PE](rng, n*t)
	edges[E, PE](s, t, n)
	return s
}

// mixEdges sets elements 1, 2 and 3 of s (where it has more than one
// state of width t) to 0, 1 and p−1.
func mixEdges[E any, PE element[E]](s []E, t int) {
	if len(s) <= t {
		return
	}
	PE(&s[1]).SetZero()
	PE(&s[2]).SetOne()
	PE(&s[3]).SetOne()
	PE(&s[3]).Neg(&s[3])
}
