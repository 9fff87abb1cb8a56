package prover

import (
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/constraint"

	"github.com/zkaccel/zkaccel"
)

func TestSkipAndPrivateWires(t *testing.T) {
	wires := []int{10, 11, 12, 13, 14, 15, 16}
	if got := Skip(wires, []bool{false, true, false, true}); len(got) != 5 || got[0] != 10 || got[1] != 12 || got[2] != 14 {
		t.Errorf("Skip = %v", got)
	}
	info := constraint.Groth16Commitments{{PrivateCommitted: []int{3, 5}, CommitmentIndex: 6}}
	if got := PrivateWires(wires, 2, info); len(got) != 2 || got[0] != 12 || got[1] != 14 {
		t.Errorf("PrivateWires = %v", got)
	}
}

// TestFilterLarge checks Skip and PrivateWires on inputs that are filtered
// in ranges on every core, against a plain loop, for range boundaries that
// fall on kept and dropped wires alike.
func TestFilterLarge(t *testing.T) {
	for _, n := range []int{0, 1, filterMin - 1, 2 * filterMin, 5*filterMin + 3, 300_001} {
		wires := make([]int, n)
		infinity := make([]bool, n)
		for i := range wires {
			wires[i] = i * 7
			infinity[i] = (i*i+3*i)%5 == 0 || i%filterMin == 0
		}
		var want []int
		for i, w := range wires {
			if !infinity[i] {
				want = append(want, w)
			}
		}
		if got := Skip(wires, infinity); !slices.Equal(got, want) {
			t.Fatalf("n %d: Skip kept %d wires, want %d (or in another order)", n, len(got), len(want))
		}
		if got := Skip(wires, infinity[:n/2]); len(got) != n-countTrue(infinity[:n/2]) {
			t.Fatalf("n %d: Skip with a short flag list kept %d", n, len(got))
		}
		info := constraint.Groth16Commitments{{PrivateCommitted: []int{3, n / 2, n - 1}, CommitmentIndex: n / 3}}
		want = want[:0]
		for i := min(5, n); i < n; i++ {
			if i != 3 && i != n/2 && i != n-1 && i != n/3 {
				want = append(want, wires[i])
			}
		}
		if got := PrivateWires(wires, 5, info); !slices.Equal(got, want) {
			t.Fatalf("n %d: PrivateWires kept %d wires, want %d (or in another order)", n, len(got), len(want))
		}
	}
}

// TestFilterNoCopy checks that where nothing is left out, Skip and
// PrivateWires return (a part of) wires itself, as gnark's prover takes K's
// scalars without commitments, and that where something is, the result is
// a vector of its own.
func TestFilterNoCopy(t *testing.T) {
	same := func(a, b []int) bool { return len(a) == len(b) && len(a) > 0 && &a[0] == &b[0] }
	for _, n := range []int{5, 2*filterMin + 5} { // one range and several
		wires := make([]int, n)
		for i := range wires {
			wires[i] = i + 1
		}
		none := make([]bool, n)
		var w Workspace[int]
		if got := SkipIn(&w, 0, wires, none); !same(got, wires) {
			t.Errorf("n %d: SkipIn with no flag set copied", n)
		}
		if got := Skip(wires, nil); !same(got, wires) {
			t.Errorf("n %d: Skip with no flags copied", n)
		}
		if got := PrivateWiresIn(&w, 1, wires, 2, nil); !same(got, wires[2:]) {
			t.Errorf("n %d: PrivateWiresIn without commitments copied", n)
		}
		// A commitment whose wires all lie before nbPublic leaves nothing out.
		info := constraint.Groth16Commitments{{PrivateCommitted: []int{0}, CommitmentIndex: 1}}
		if got := PrivateWiresIn(&w, 1, wires, 2, info); !same(got, wires[2:]) {
			t.Errorf("n %d: PrivateWiresIn leaving nothing out copied", n)
		}
		if len(w.bufs) != 0 {
			t.Errorf("n %d: the workspace got %d vectors where nothing was copied", n, len(w.bufs))
		}
		one := slices.Clone(none)
		one[n-1] = true
		if got := SkipIn(&w, 0, wires, one); len(got) != n-1 || &got[0] == &wires[0] {
			t.Errorf("n %d: SkipIn skipping one wire: %d wires, aliasing wires: %v", n, len(got), len(got) > 0 && &got[0] == &wires[0])
		}
		info = constraint.Groth16Commitments{{PrivateCommitted: []int{n - 2}, CommitmentIndex: 2}}
		if got := PrivateWiresIn(&w, 1, wires, 1, info); len(got) != n-3 || &got[0] == &wires[1] {
			t.Errorf("n %d: PrivateWiresIn leaving two out: %d wires, want %d", n, len(got), n-3)
		}
	}
}

func countTrue(b []bool) int {
	c := 0
	for _, v := range b {
		if v {
			c++
		}
	}
	return c
}

func TestEach(t *testing.T) {
	for _, n := range []int{0, 1, 2, 17} {
		calls := make([]atomic.Int32, n)
		Each(n, func(k int) { calls[k].Add(1) })
		for k := range calls {
			if c := calls[k].Load(); c != 1 {
				t.Fatalf("n %d: fn(%d) called %d times", n, k, c)
			}
		}
	}
}

func TestParallelRange(t *testing.T) {
	for _, n := range []int{0, 1, 1023, 5000, 100000} {
		var sum atomic.Int64
		ParallelRange(n, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				sum.Add(int64(i))
			}
		})
		if want := int64(n) * int64(n-1) / 2; n > 0 && sum.Load() != want {
			t.Errorf("n %d: sum %d, want %d", n, sum.Load(), want)
		}
	}
}

func TestRunAndReport(t *testing.T) {
	var rep Report
	_, err := Run("x", ecc.BN254, []Option{WithReport(&rep)}, nil, nil, nil, func(*Config) (int, error) { return 1, nil })
	if err == nil || !strings.Contains(err.Error(), "zkaccel/gnark/x: nil constraint system") {
		t.Errorf("nil inputs: %v", err)
	}
	var zr zkaccel.Report
	zr.Ran = zkaccel.HostCPU()
	rep.Add("msm A", 2*time.Millisecond, &zr)
	rep.Add("msm A", time.Millisecond, nil)
	rep.Finish(ecc.BN254, 5*time.Millisecond)
	if rep.Get("msm A") != 3*time.Millisecond || !strings.Contains(rep.String(), "msm A 2ms on cpu:0") {
		t.Errorf("report %s", rep.String())
	}
	rep.Reset()
	if len(rep.Phases) != 0 || rep.Total != 0 {
		t.Error("Reset")
	}
	var nilRep *Report
	nilRep.Add("x", 1, nil) // a nil report records nothing, and does not panic
	if _, err := (&Config{Device: zkaccel.HostCPU()}).Target(); err != nil {
		t.Error(err)
	}
}

// gpuLike is a device that is neither the CPU nor on the host, as the
// automatic choice may pick.
type gpuLike struct{ zkaccel.Device }

func (gpuLike) Kind() zkaccel.Kind { return zkaccel.CUDA }

// TestPickDefault checks which default device a proof takes whole: the
// named default always; the automatic choice only where it is not the CPU
// and the proof's size reaches both its crossovers for the curve (its G1
// MSM's and its scalar field's NTT's); else none (each call chooses).
func TestPickDefault(t *testing.T) {
	dev := gpuLike{zkaccel.HostCPU()}
	table := map[string]int{"msm bn254 g1": 1 << 12, "ntt bn254 fft": 1 << 14, "msm bls12-381 g1": 1 << 10}
	cross := func(d zkaccel.Device, op string) (int, bool) {
		if d != zkaccel.Device(dev) {
			t.Fatalf("crossovers asked of %v", d)
		}
		n, ok := table[op]
		return n, ok
	}
	for _, tc := range []struct {
		name  string
		dev   zkaccel.Device
		auto  bool
		curve ecc.ID
		n     int
		want  zkaccel.Device
	}{
		{"named-cpu", zkaccel.HostCPU(), false, ecc.BN254, 1, zkaccel.HostCPU()},
		{"named-device", dev, false, ecc.BN254, 1, dev},
		{"auto-cpu", zkaccel.HostCPU(), true, ecc.BN254, 1 << 20, nil},
		{"auto-past-both", dev, true, ecc.BN254, 1 << 14, dev},
		{"auto-below-ntt", dev, true, ecc.BN254, 1<<14 - 1, nil},
		{"auto-below-msm", dev, true, ecc.BN254, 1 << 11, nil},
		{"auto-no-ntt-crossover", dev, true, ecc.BLS12_381, 1 << 20, nil},
		{"auto-no-crossover", dev, true, ecc.BLS12_377, 1 << 20, nil},
		{"auto-other-curve", dev, true, ecc.BW6_761, 1 << 20, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := pickDefault(tc.dev, tc.auto, cross, tc.curve, tc.n); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestWorkspaces checks a workspace's slots (resized, kept, grown) and the
// free list (Get gives back what Put kept, at most MaxWorkspaces; Drop
// empties it), and that the filters into a reused workspace give what the
// plain ones give, for lengths that grow and shrink.
func TestWorkspaces(t *testing.T) {
	var p Workspaces[int]
	w := p.Get()
	a := w.Slice(0, 10)
	a[9] = 7
	if b := w.Slice(0, 5); len(b) != 5 || cap(b) < 10 {
		t.Errorf("slot 0 shrunk to %d (cap %d)", len(b), cap(b))
	}
	if b := w.Slice(0, 10); b[9] != 7 {
		t.Error("slot 0 lost its vector")
	}
	if c := w.Slice(3, 4); len(c) != 4 {
		t.Errorf("slot 3: %d", len(c))
	}
	ws := []*Workspace[int]{w, p.Get(), p.Get()}
	for _, x := range ws {
		p.Put(x)
	}
	if len(p.free) != MaxWorkspaces {
		t.Errorf("%d kept, want %d", len(p.free), MaxWorkspaces)
	}
	if got := p.Get(); got != ws[1] {
		t.Error("Get did not give back the last workspace kept")
	}
	p.Drop()
	if len(p.free) != 0 {
		t.Error("Drop kept workspaces")
	}

	info := constraint.Groth16Commitments{{PrivateCommitted: []int{3, 40_000}, CommitmentIndex: 50_000}}
	var fw Workspace[int]
	for _, n := range []int{70_000, 100, 90_000, 3} {
		wires := make([]int, n)
		inf := make([]bool, n)
		for i := range wires {
			wires[i] = i * 3
			inf[i] = i%7 == 2
		}
		if got, want := SkipIn(&fw, 0, wires, inf), Skip(wires, inf); !slices.Equal(got, want) {
			t.Fatalf("n = %d: SkipIn differs from Skip", n)
		}
		if got, want := PrivateWiresIn(&fw, 1, wires, 2, info), PrivateWires(wires, 2, info); !slices.Equal(got, want) {
			t.Fatalf("n = %d: PrivateWiresIn differs from PrivateWires", n)
		}
	}
}
