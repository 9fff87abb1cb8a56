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
